"""The Django admin, read-only: it lists, searches and shows; every write goes through a service.

Writes in the admin would skip the policy, the versions and the audit trail, so no ModelAdmin
of HRAP may add, change or delete (`tests/test_admin_read_only.py` walks them all).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hrap.core.models import AuditChainHead, AuditEvent


class ReadOnlyPermissions:
    """Read, never write; who may read is the admin site's own gate (administrators)."""

    admin_site: admin.AdminSite

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.admin_site.has_permission(request)


class ReadOnlyAdmin(ReadOnlyPermissions, admin.ModelAdmin):
    actions = None  # not even "delete selected"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.admin_site.has_permission(request)


class ReadOnlyInline(ReadOnlyPermissions, admin.TabularInline):
    extra = 0


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "at", "actor", "action", "target_type", "target_repr", "address"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "action", "target_id"]
    date_hierarchy = "at"


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "hash", "key_id"]
