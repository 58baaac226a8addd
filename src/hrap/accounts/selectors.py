"""Reads from accounts: the users an administrator manages, their roles, and the places of roles."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from hrap.accounts import policy
from hrap.accounts.models import Membership, Role, User
from hrap.core.errors import InvalidInput, NotFound, Problem

Viewer = AbstractBaseUser | AnonymousUser | None


def user_list(
    *,
    viewer: Viewer,
    q: str = "",
    role: str = "",
    agency: str = "",
    jurisdiction: str = "",
    status: str = "",
) -> QuerySet[User]:
    """Accounts with their roles (two queries whatever the page size); administrators only."""
    policy.require_or_hide(viewer, "user.manage")
    users = User.objects.order_by("username").prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("agency", "jurisdiction").order_by(
                "role", "pk"
            ),
        )
    )
    if q:
        users = users.filter(
            Q(username__icontains=q)
            | Q(email__icontains=q)
            | Q(first_name__icontains=q)
            | Q(last_name__icontains=q)
        )
    scoped = Q()
    if role:
        scoped &= Q(role=role)
    if agency:
        scoped &= Q(agency__code=agency)
    if jurisdiction:
        scoped &= Q(jurisdiction__code=jurisdiction)
    if scoped:
        matching = Q(pk__in=Membership.objects.filter(scoped).values("user_id"))
        if role == Role.ADMINISTRATOR:  # superusers count as administrators
            matching |= Q(is_superuser=True)
        users = users.filter(matching)
    if status in ("active", "inactive"):
        users = users.filter(is_active=status == "active")
    return users


def user_get(*, viewer: Viewer, user_id: int) -> User:
    policy.require_or_hide(viewer, "user.manage")
    found = User.objects.filter(pk=user_id).first()
    if found is None:
        raise NotFound("no such user")
    return found


def user_memberships(user: User) -> list[Membership]:
    return list(user.memberships.select_related("agency", "jurisdiction").order_by("role", "pk"))


# Agencies and jurisdictions are looked up by name: the directory sits above accounts.


def agencies() -> QuerySet[Any]:
    return apps.get_model("directory", "Agency").objects.order_by("code")


def jurisdictions() -> QuerySet[Any]:
    return apps.get_model("directory", "Jurisdiction").objects.order_by("level", "code")


def role_scope(*, agency: str = "", jurisdiction: str = "") -> tuple[Any, Any]:
    """The agency and jurisdiction a role is for, by code; InvalidInput names an unknown one."""
    problems, found = [], []
    for field, code, places, unknown in (
        ("agency", agency, agencies(), _("no agency has the code %(code)s")),
        ("jurisdiction", jurisdiction, jurisdictions(), _("no jurisdiction has the code %(code)s")),
    ):
        place = places.filter(code=code).first() if code else None
        if code and place is None:
            problems.append(Problem(field, unknown % {"code": code}))
        found.append(place)
    if problems:
        raise InvalidInput(problems)
    return found[0], found[1]
