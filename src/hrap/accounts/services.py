"""Writes to accounts: memberships, login outcomes and lockout, second factors, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hrap.accounts import policy, totp
from hrap.accounts.models import (
    AGENCY_ROLES,
    JURISDICTION_ROLES,
    ApiToken,
    LoginFailure,
    Membership,
    Role,
    SecondFactor,
    User,
)
from hrap.core import audit
from hrap.core.errors import InvalidInput, Problem

if TYPE_CHECKING:
    from hrap.directory.models import Agency, Jurisdiction

Actor = AbstractBaseUser | AnonymousUser | None


@transaction.atomic
def membership_add(
    *,
    user: User,
    role: str,
    actor: Actor,
    agency: Agency | None = None,
    jurisdiction: Jurisdiction | None = None,
) -> Membership:
    policy.require(actor, "user.manage")
    if role in AGENCY_ROLES and agency is None:
        raise InvalidInput([Problem("agency", f"a {Role(role).label} belongs to an agency")])
    if role in JURISDICTION_ROLES and jurisdiction is None:
        raise InvalidInput([Problem("jurisdiction", f"a {Role(role).label} needs a jurisdiction")])
    membership = Membership.objects.create(
        user=user, role=role, agency=agency, jurisdiction=jurisdiction
    )
    audit.record(
        actor=actor,
        action="membership.add",
        target=user,
        after={
            "role": role,
            "agency": agency and agency.code,
            "jurisdiction": jurisdiction and jurisdiction.code,
        },
    )
    return membership


# --- Login and lockout ------------------------------------------------------------------------


def _window() -> timedelta:
    return timedelta(minutes=settings.HRAP_LOCKOUT_MINUTES)


def lockout_message(*, username: str, address: str | None) -> str | None:
    """Why a login is refused before the password is even checked, or None."""
    since = timezone.now() - _window()
    recent = LoginFailure.objects.filter(at__gte=since)
    for failures, limit, whom in (
        (recent.filter(username=username.lower()), settings.HRAP_LOCKOUT_ATTEMPTS, "account"),
        (recent.filter(address=address), settings.HRAP_ADDRESS_ATTEMPTS, "address"),
    ):
        if whom == "address" and not address:
            continue
        if failures.count() >= limit:
            last = failures.order_by("-at").values_list("at", flat=True).first()
            assert last is not None
            minutes = max(1, int((last + _window() - timezone.now()).total_seconds() // 60) + 1)
            wait = ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
            if whom == "account":
                return _(
                    "This account is locked after %(limit)d failed logins. Try again in %(wait)s, "
                    "or reset the password."
                ) % {"limit": limit, "wait": wait}
            return _("Too many failed logins from your address. Try again in %(wait)s.") % {
                "wait": wait
            }
    return None


def login_failed(*, username: str, address: str | None) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], address=address)


def login_succeeded(*, user: User, address: str | None) -> None:
    LoginFailure.objects.filter(username=user.get_username().lower()).delete()
    audit.record(actor=user, action="account.login", target=user, after={"address": address})


# --- Second factor ----------------------------------------------------------------------------


@transaction.atomic
def second_factor_begin(*, user: User) -> SecondFactor:
    """The user's authenticator: the one registered or being registered, else a new secret."""
    factor = SecondFactor.objects.filter(user=user).first()
    if factor is None:
        factor = SecondFactor.objects.create(user=user, secret=totp.new_secret())
    return factor


@transaction.atomic
def second_factor_check(*, user: User, code: str, confirm: bool = False) -> bool:
    """Whether `code` is valid now (and not used before); with `confirm`, registers the factor."""
    factor = SecondFactor.objects.select_for_update().filter(user=user).first()
    if factor is None:
        return False
    step = totp.matching_step(factor.secret, code, after=factor.last_step)
    if step is None:
        return False
    factor.last_step = step
    fields = ["last_step"]
    if confirm and factor.confirmed_at is None:
        factor.confirmed_at = timezone.now()
        fields.append("confirmed_at")
        audit.record(actor=user, action="second_factor.confirm", target=user)
    factor.save(update_fields=fields)
    return factor.confirmed_at is not None


def has_second_factor(user: User) -> bool:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


@transaction.atomic
def second_factor_remove(*, user: User, actor: Actor) -> None:
    policy.require(actor, "second_factor.manage", user)
    if actor != user:
        policy.require(actor, "user.manage", user)
    SecondFactor.objects.filter(user=user).delete()
    audit.record(actor=actor, action="second_factor.remove", target=user)


# --- API tokens -------------------------------------------------------------------------------


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, actor: Actor) -> tuple[ApiToken, str]:
    """A new token; the raw value is returned once and never stored."""
    policy.require(actor, "token.manage", user)
    if actor != user:
        policy.require(actor, "user.manage", user)
    name = name.strip()
    if not name:
        raise InvalidInput([Problem("name", _("name the token after what will use it"))])
    prefix = secrets.token_hex(4)
    raw = f"hrap_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, digest=_digest(raw))
    audit.record(actor=actor, action="token.create", target=token, after={"name": token.name})
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor: Actor) -> None:
    if actor != token.user:
        policy.require(actor, "user.manage", token.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoke", target=token)


def token_user(raw: str) -> User | None:
    """The active user a valid, unrevoked token stands for."""
    parts = raw.split("_", 2)  # the secret part may itself contain "_"
    if len(parts) != 3 or parts[0] != "hrap":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    if not secrets.compare_digest(token.digest, _digest(raw)):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
