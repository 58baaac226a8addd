from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from hrap.accounts.models import ApiToken, LoginFailure, Membership, SecondFactor, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["agency", "jurisdiction"]


@admin.register(User)
class HrapUserAdmin(UserAdmin):
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "agency", "jurisdiction"]
    list_filter = ["role"]
    raw_id_fields = ["user", "agency", "jurisdiction"]


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["username", "address", "at"]
    search_fields = ["username", "address"]


@admin.register(SecondFactor)
class SecondFactorAdmin(admin.ModelAdmin):
    list_display = ["user", "confirmed_at"]
    exclude = ["secret"]  # the shared secret is never shown again
    readonly_fields = ["user", "confirmed_at", "last_step"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "prefix", "digest", "created_at", "last_used_at"]
