from django.contrib import admin
from django.http import HttpRequest

from hrap.core.models import AuditChainHead, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For what only services write: the admin may read it, never add, change or delete it."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Audit events are append-only."""

    list_display = ["sequence", "at", "actor", "action", "target_type", "target_repr", "address"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "action", "target_id"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(admin.ModelAdmin):
    list_display = ["sequence", "hash"]
    readonly_fields = ["sequence", "hash"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
