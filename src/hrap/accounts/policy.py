"""Who may do what: `can(user, action, obj)` answers for every action on every object.

Views, API endpoints and services ask it; selectors scope lists with it. Rules read objects
through their attributes only, so the domain apps above this one are not imported here.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from hrap.accounts.models import Membership, Role
from hrap.core.errors import NotFound, PermissionDenied

User = AbstractBaseUser | AnonymousUser

READ_PUBLISHED = {"plan.view", "node.view", "search", "agency.view", "jurisdiction.view"}
# Reports: the object decides (whose agency, which state); see _report_rule.
REPORT_ACTIONS = {"report.view", "report.edit", "report.submit", "report.consolidate"}
SECRETARIAT_ACTIONS = {
    "plan.import",
    "plan.publish",
    "plan.review",
    "plan.view_draft",
    "plan.export",
    "node.edit",
    "target.edit",
    "assignment.edit",
    "audit.view",
    "agency.create",
    "agency.edit",
    "jurisdiction.edit",
    "cycle.open",
    "report.return",
    "report.approve",
    "report.publish",
    "report.view_all",
    "observation.enter",
    "target.baseline",
}
EVALUATOR_ACTIONS = {
    "plan.view_draft",
    "plan.export",
    "audit.view",
    "assessment.write",
    "report.view_all",
}
ADMINISTRATOR_ONLY = {"user.manage"}
SELF_SERVICE = {"token.manage", "second_factor.manage"}
FOCAL_ACTIONS = {"observation.enter"}
ALL_ACTIONS = (
    READ_PUBLISHED
    | SECRETARIAT_ACTIONS
    | EVALUATOR_ACTIONS
    | ADMINISTRATOR_ONLY
    | SELF_SERVICE
    | REPORT_ACTIONS
    | FOCAL_ACTIONS
)


def memberships(user: User | None) -> list[Membership]:
    """The user's memberships, read once per user object (a request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached: list[Membership] | None = getattr(user, "_hrap_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user_id=user.pk).select_related("agency", "jurisdiction")
        )
        setattr(user, "_hrap_memberships", cached)  # noqa: B010  (a per-request cache)
    return cached


def roles(user: User | None) -> set[str]:
    found = {m.role for m in memberships(user)}
    if user is not None and getattr(user, "is_superuser", False) and user.is_active:
        found.add(Role.ADMINISTRATOR)
    return found


def _agency_chain(agency: Any) -> set[int]:
    ids = set()
    while agency is not None:
        ids.add(agency.pk)
        agency = agency.parent
    return ids


def _jurisdiction_chain(jurisdiction: Any) -> set[int]:
    ids = set()
    while jurisdiction is not None:
        ids.add(jurisdiction.pk)
        jurisdiction = jurisdiction.parent
    return ids


def can(user: User | None, action: str, obj: object | None = None) -> bool:
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None:
        # No user at all is the operator at the command line or a scheduled job, never a web
        # request (those carry an AnonymousUser), so it may do what the commands do.
        return True
    held = roles(user)
    if action in READ_PUBLISHED:
        return True
    if Role.ADMINISTRATOR in held:
        return True
    if action in ADMINISTRATOR_ONLY:
        return False
    if action in SELF_SERVICE:
        return bool(user is not None and user.is_authenticated and user.is_active)
    if Role.SECRETARIAT in held and action in SECRETARIAT_ACTIONS:
        return True
    if Role.EVALUATOR in held and action in EVALUATOR_ACTIONS:
        return True
    if action in REPORT_ACTIONS and obj is not None:
        return _report_rule(user, held, action, obj)
    if action == "observation.enter":
        return bool(held & {Role.FOCAL_POINT, Role.REGIONAL_FOCAL_POINT})
    if action == "agency.edit" and obj is not None:
        # A focal point keeps its own agency's details, and its sub-units'.
        own = {m.agency_id for m in memberships(user) if m.role == Role.FOCAL_POINT}
        return bool(own & _agency_chain(obj))
    if action == "jurisdiction.edit" and obj is not None:
        # A regional focal point: its jurisdiction and those below it.
        own = {m.jurisdiction_id for m in memberships(user) if m.role == Role.REGIONAL_FOCAL_POINT}
        return bool(own & _jurisdiction_chain(obj))
    return False


def _agencies(user: User | None, role: str) -> set[int]:
    return {m.agency_id for m in memberships(user) if m.role == role and m.agency_id}


def _report_rule(user: User | None, held: set[str], action: str, report: Any) -> bool:
    """Focal points write their agency's reports; lead reviewers consolidate co-implementers'."""
    local = report.jurisdiction_id is not None and bool(
        {m.jurisdiction_id for m in memberships(user) if m.role == Role.REGIONAL_FOCAL_POINT}
        & _jurisdiction_chain(report.jurisdiction)
    )
    if action == "report.view":
        if report.state == "published" or held & {Role.SECRETARIAT, Role.EVALUATOR} or local:
            return True
        mine = _agencies(user, Role.FOCAL_POINT) | _agencies(user, Role.LEAD_REVIEWER)
        return report.agency_id in mine or _lead_agency_id(report) in mine
    if action in ("report.edit", "report.submit"):
        # The agency's focal point, or, for a task carried out locally, the region's.
        writer = report.agency_id in _agencies(user, Role.FOCAL_POINT) or local
        return writer and report.state in ("draft", "returned")
    if action == "report.consolidate":
        return _lead_agency_id(report) in _agencies(user, Role.LEAD_REVIEWER)
    return False


def _lead_agency_id(report: Any) -> int | None:
    lead = report.node.assignments.filter(role="lead").values_list("agency_id", flat=True).first()
    return int(lead) if lead is not None else None


def require(user: User | None, action: str, obj: object | None = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(f"not allowed: {action}")


def require_or_hide(user: User | None, action: str, obj: object | None = None) -> None:
    """For objects the user may not even know of: answer 'not found', revealing nothing."""
    if not can(user, action, obj):
        raise NotFound("not found")


def needs_second_factor(user: User) -> bool:
    return bool(roles(user) & {r.value for r in (Role.ADMINISTRATOR, Role.SECRETARIAT)})
