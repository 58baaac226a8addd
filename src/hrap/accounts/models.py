"""Accounts: users, their roles and memberships, login failures, second factors, API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from hrap.core.models import Versioned


def _calendar_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class User(Versioned, AbstractUser):
    """A person who signs in; what they may do comes from their memberships.

    Its version counts every change made through the user pages and `hrap user` (details,
    memberships, activation), so two administrators editing one account do not overwrite
    each other.
    """

    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # The private address of this person's deadline calendar (ICS), for calendar apps.
    calendar_token = models.CharField(max_length=40, default=_calendar_token, unique=True)
    # The one account that stands for HRAP itself (commands, scheduled jobs, generators): it never
    # signs in, the policy knows it by this flag, and the audit trail names it.
    is_system = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["is_system"], condition=Q(is_system=True), name="user_one_system_actor"
            ),
            # `user_create` refuses a name taken in another case; this holds when two accounts
            # are added at once (on PostgreSQL both found the name free and both were created).
            models.UniqueConstraint(Lower("username"), name="user_username_any_case_unique"),
        ]


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    SECRETARIAT = "secretariat", _("secretariat")
    FOCAL_POINT = "focal_point", _("agency focal point")
    LEAD_REVIEWER = "lead_reviewer", _("lead-agency reviewer")
    REGIONAL_FOCAL_POINT = "regional_focal_point", _("regional focal point")
    EVALUATOR = "evaluator", _("evaluator")


AGENCY_ROLES = {Role.FOCAL_POINT, Role.LEAD_REVIEWER}
JURISDICTION_ROLES = {Role.REGIONAL_FOCAL_POINT}
SECOND_FACTOR_ROLES = {Role.ADMINISTRATOR, Role.SECRETARIAT}


class Membership(models.Model):
    """One role of a user, for an agency (focal points, reviewers) or a jurisdiction (regions)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    # By name, not import: accounts sits below directory in the layers (policy is asked by all).
    agency = models.ForeignKey(
        "directory.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    jurisdiction = models.ForeignKey(
        "directory.Jurisdiction",
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in AGENCY_ROLES))
                | Q(agency__isnull=False),
                name="membership_agency_roles_need_agency",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(r.value for r in JURISDICTION_ROLES))
                | Q(jurisdiction__isnull=False),
                name="membership_regional_roles_need_jurisdiction",
            ),
        ]

    def __str__(self) -> str:
        scope = self.agency or self.jurisdiction
        return f"{self.user} · {self.get_role_display()}" + (f" · {scope}" if scope else "")


class LoginFailure(models.Model):
    """A failed password, for locking an account or an address after repeated failures."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")

    def __str__(self) -> str:
        return f"{self.username} from {self.address} at {self.at:%Y-%m-%d %H:%M}"


class SecondFactor(models.Model):
    """A TOTP authenticator (RFC 6238) registered by a user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor"
    )
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)  # a code is accepted once

    class Meta:
        verbose_name = _("second factor")
        verbose_name_plural = _("second factors")

    def __str__(self) -> str:
        return f"TOTP · {self.user}"


class ApiToken(models.Model):
    """A bearer token for the API, acting with its user's permissions; only a digest is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
