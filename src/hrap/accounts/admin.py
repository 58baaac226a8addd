"""Accounts in the admin, read-only: users and roles are managed in HRAP (pages, `hrap user`)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from hrap.accounts import policy
from hrap.accounts.models import ApiToken, LoginFailure, Membership, SecondFactor, User
from hrap.core.admin import ReadOnlyAdmin, ReadOnlyInline


def _administrators_only(request: HttpRequest) -> bool:
    """The admin's gate is the policy's: administrators, by membership or as superusers."""
    return policy.can(request.user, "user.manage") and not policy.is_system(request.user)


def _no_password_change(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """Passwords change through HRAP's reset link (audited, lifting lockouts), not here."""
    return HttpResponseRedirect(reverse("password_reset"))


admin.site.has_permission = _administrators_only  # type: ignore[method-assign]
admin.site.password_change = _no_password_change  # type: ignore[method-assign,assignment]
# HRAP's roles are memberships; Django's groups and permissions are not used.
admin.site.unregister(Group)


class MembershipInline(ReadOnlyInline):
    model = Membership
    fields = ["role", "agency", "jurisdiction"]


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "last_login"]
    list_filter = ["is_active", "memberships__role"]
    search_fields = ["username", "email", "first_name", "last_name"]
    # Not the password's hash nor the private calendar address.
    fields = ["username", "email", "first_name", "last_name", "language", "is_active",
              "is_superuser", "is_system", "version", "date_joined", "last_login"]  # fmt: skip
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "agency", "jurisdiction"]
    list_filter = ["role"]
    search_fields = ["user__username"]


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    list_display = ["username", "address", "at"]
    search_fields = ["username", "address"]


@admin.register(SecondFactor)
class SecondFactorAdmin(ReadOnlyAdmin):
    list_display = ["user", "confirmed_at"]
    fields = ["user", "confirmed_at"]  # the shared secret is never shown again


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
