"""Writes to accounts: users and their roles, login outcomes and lockout, second factors, API
tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
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
from hrap.accounts.tasks import send_password_reset
from hrap.core import audit
from hrap.core.errors import EditConflict, InvalidInput, NotFound, PermissionDenied, Problem
from hrap.core.unique import create_once

if TYPE_CHECKING:
    from hrap.directory.models import Agency, Jurisdiction

Actor = AbstractBaseUser | AnonymousUser | None


# --- Users and their roles ----------------------------------------------------------------------
# Administrators only (`user.manage`). Each change locks the account, checks the version the
# editor saw, bumps it, and records the account before and after (never its password).


def _account(user: User) -> dict[str, Any]:
    """The account as the audit trail records it."""
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
        "roles": sorted(
            (role_label(m.role, m.agency, m.jurisdiction) for m in _memberships(user)),
        ),
    }


def _memberships(user: User) -> list[Membership]:
    return list(user.memberships.select_related("agency", "jurisdiction").order_by("pk"))


def role_label(role: str, agency: Any, jurisdiction: Any) -> str:
    scope = agency or jurisdiction
    return f"{role} {scope.code}" if scope is not None else str(role)


def _locked(user: User, actor: Actor, version: int | None, *, administrators: bool = False) -> User:
    """The account, locked for this change; refused for the system actor or a stale version.

    With `administrators`, every administrator's account is locked too, in one order, so that
    two administrators taking the role from each other at once cannot both succeed.
    """
    policy.require(actor, "user.manage")
    rows = Q(pk=user.pk)
    if administrators:
        admins = Membership.objects.filter(role=Role.ADMINISTRATOR).values("user_id")
        rows |= Q(is_superuser=True) | Q(pk__in=admins)
    locked = list(User.objects.select_for_update().filter(rows).order_by("pk"))
    current = next((u for u in locked if u.pk == user.pk), None)
    if current is None:
        raise NotFound("no such user")
    if current.is_system:
        raise PermissionDenied(_("The system account is HRAP itself: it cannot be changed."))
    if version is not None and current.version != version:
        raise EditConflict(current, current_version=current.version, submitted_version=version)
    return current


def _saved(
    user: User, actor: Actor, action: str, before: dict[str, Any], fields: list[str]
) -> User:
    if _account(user) == before:
        return user  # nothing changed: no new version, nothing to record
    user.version += 1
    user.save(update_fields=[*fields, "version"])
    audit.record(actor=actor, action=action, target=user, before=before, after=_account(user))
    return user


def _is_administrator(user: User) -> bool:
    return user.is_superuser or user.memberships.filter(role=Role.ADMINISTRATOR).exists()


def _refuse_last_administrator(user: User) -> None:
    others = (
        User.objects.filter(is_active=True, is_system=False)
        .filter(Q(is_superuser=True) | Q(memberships__role=Role.ADMINISTRATOR))
        .exclude(pk=user.pk)
    )
    if not others.exists():
        raise InvalidInput(
            [Problem("role", _("%(user)s is the last administrator.") % {"user": user})]
        )


def _check_details(*, email: str, first_name: str, last_name: str, language: str) -> None:
    problems = []
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(Problem("email", _("Enter a valid email address.")))
    for name, value in (("first_name", first_name), ("last_name", last_name)):
        if len(value) > 150:
            problems.append(Problem(name, _("at most 150 characters")))
    if language not in dict(settings.LANGUAGES):
        problems.append(Problem("language", _("not an interface language")))
    if problems:
        raise InvalidInput(problems)


@transaction.atomic
def user_create(
    *,
    actor: Actor,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    language: str = settings.LANGUAGE_CODE,
) -> User:
    """A new account without a password: its owner chooses one through a reset link."""
    policy.require(actor, "user.manage")
    username = username.strip()
    try:
        User.username_validator(username)
        if not 0 < len(username) <= 150:
            raise ValidationError(_("Up to 150 letters, digits and @ . + - _ only."))
    except ValidationError:
        raise InvalidInput(
            [Problem("username", _("Up to 150 letters, digits and @ . + - _ only."))]
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise InvalidInput([Problem("username", _("This username is taken."))])
    _check_details(email=email, first_name=first_name, last_name=last_name, language=language)
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
    )
    user.set_unusable_password()
    create_once(user.save, Problem("username", _("This username is taken.")))
    audit.record(actor=actor, action="user.create", target=user, after=_account(user))
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: Actor,
    version: int | None,
    email: str,
    first_name: str,
    last_name: str,
    language: str,
) -> User:
    user = _locked(user, actor, version)
    _check_details(email=email, first_name=first_name, last_name=last_name, language=language)
    before = _account(user)
    user.email, user.first_name, user.last_name = email, first_name, last_name
    user.language = language
    return _saved(
        user, actor, "user.update", before, ["email", "first_name", "last_name", "language"]
    )


@transaction.atomic
def user_deactivate(*, user: User, actor: Actor, version: int | None) -> User:
    """The account can no longer sign in, and its sessions and tokens stop working."""
    user = _locked(user, actor, version, administrators=True)
    if getattr(actor, "pk", None) == user.pk:
        raise InvalidInput([Problem("user", _("You cannot deactivate your own account."))])
    if _is_administrator(user):
        _refuse_last_administrator(user)
    before = _account(user)
    user.is_active = False
    return _saved(user, actor, "user.deactivate", before, ["is_active"])


@transaction.atomic
def user_reactivate(*, user: User, actor: Actor, version: int | None) -> User:
    user = _locked(user, actor, version)
    before = _account(user)
    user.is_active = True
    return _saved(user, actor, "user.reactivate", before, ["is_active"])


@transaction.atomic
def membership_add(
    *,
    user: User,
    role: str,
    actor: Actor,
    agency: Agency | None = None,
    jurisdiction: Jurisdiction | None = None,
    version: int | None = None,
) -> Membership:
    """Grant a role: focal points and reviewers for an agency, regional focal points for a
    jurisdiction, the other roles for the whole plan."""
    user = _locked(user, actor, version)
    if role not in Role.values:
        raise InvalidInput([Problem("role", _("not a role"))])
    problems = []
    if role in AGENCY_ROLES and agency is None:
        problems.append(Problem("agency", _("This role is for an agency: choose one.")))
    if role in JURISDICTION_ROLES and jurisdiction is None:
        problems.append(Problem("jurisdiction", _("This role is for a jurisdiction: choose one.")))
    if role not in AGENCY_ROLES and agency is not None:
        problems.append(Problem("agency", _("This role is not for an agency.")))
    if role not in JURISDICTION_ROLES and jurisdiction is not None:
        problems.append(Problem("jurisdiction", _("This role is not for a jurisdiction.")))
    if problems:
        raise InvalidInput(problems)
    if user.memberships.filter(role=role, agency=agency, jurisdiction=jurisdiction).exists():
        raise InvalidInput([Problem("role", _("%(user)s already has this role.") % {"user": user})])
    before = _account(user)
    membership = Membership.objects.create(
        user=user, role=role, agency=agency, jurisdiction=jurisdiction
    )
    _saved(user, actor, "membership.add", before, [])
    return membership


@transaction.atomic
def membership_remove(
    *,
    user: User,
    role: str,
    actor: Actor,
    agency: Agency | None = None,
    jurisdiction: Jurisdiction | None = None,
    version: int | None = None,
) -> User:
    """Take a role away. Taking "administrator" also takes the superuser flag, if any."""
    user = _locked(user, actor, version, administrators=role == Role.ADMINISTRATOR)
    found = user.memberships.filter(role=role, agency=agency, jurisdiction=jurisdiction)
    superuser = role == Role.ADMINISTRATOR and user.is_superuser
    if not found.exists() and not superuser:
        raise InvalidInput(
            [Problem("role", _("%(user)s does not have this role.") % {"user": user})]
        )
    if role == Role.ADMINISTRATOR and user.is_active:
        _refuse_last_administrator(user)
    before = _account(user)
    found.delete()
    fields = []
    if role == Role.ADMINISTRATOR:
        user.is_superuser = user.is_staff = False
        fields = ["is_superuser", "is_staff"]
    return _saved(user, actor, "membership.remove", before, fields)


@transaction.atomic
def user_set_password(*, user: User, actor: Actor, password: str) -> None:
    """Set a password (from the console); it lifts the account's lockout."""
    user = _locked(user, actor, None)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput([Problem("password", message) for message in exc.messages]) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    _lift_lockout(user)
    audit.record(actor=actor, action="user.set_password", target=user)


@transaction.atomic
def user_send_password_reset(*, user: User, actor: Actor) -> None:
    """Mail the account's owner a link to choose a password (after commit, by the worker)."""
    user = _locked(user, actor, None)
    if not user.email:
        raise InvalidInput([Problem("email", _("%(user)s has no email address.") % {"user": user})])
    if not user.is_active:
        raise InvalidInput([Problem("user", _("%(user)s is deactivated.") % {"user": user})])
    audit.record(
        actor=actor, action="user.password_reset_sent", target=user, after={"email": user.email}
    )
    transaction.on_commit(lambda: send_password_reset.enqueue(user_id=user.pk))


@transaction.atomic
def password_reset_completed(*, user: User) -> None:
    """The owner chose a new password through a reset link: the lockout it was offered to lift
    is lifted."""
    _lift_lockout(user)
    audit.record(actor=user, action="account.password_reset", target=user)


def _lift_lockout(user: User) -> None:
    LoginFailure.objects.filter(username=user.get_username().lower()).delete()


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
    # get_or_create, not a check and a create: two tabs opening the page at once would both
    # find none, and the second insert broke the one-per-user constraint (a 500 on PostgreSQL).
    factor, _ = SecondFactor.objects.get_or_create(user=user, defaults={"secret": totp.new_secret})
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
    if user.is_system:
        raise PermissionDenied(_("The system account is HRAP itself: it cannot be changed."))
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
    if token.user.is_system:  # HRAP itself never acts through the API
        return None
    if not secrets.compare_digest(token.digest, _digest(raw)):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
