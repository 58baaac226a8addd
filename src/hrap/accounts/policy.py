"""Who may do what: `can(user, action, obj)` answers for every action on every object.

Views, API endpoints and services ask it; selectors scope lists with it. Rules read objects
through their attributes only, so the domain apps above this one are not imported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
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
    "jurisdiction.load",
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


def is_system(user: User | None) -> bool:
    """The system actor (`accounts.system.system_actor`): HRAP itself, for commands and jobs."""
    return bool(getattr(user, "is_system", False))


def can(
    user: User | None, action: str, obj: object | None = None, place: object | None = None
) -> bool:
    """Whether `user` may do `action` to `obj` (and, for values, at `place`, a jurisdiction)."""
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None:
        # There is no "nobody" that may do everything: work done by HRAP itself runs as the
        # system actor, which is named in the audit trail.
        return False
    if is_system(user):
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
        return value_scope(user).allows(obj, place)
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


def require(
    user: User | None, action: str, obj: object | None = None, place: object | None = None
) -> None:
    if not can(user, action, obj, place):
        raise PermissionDenied(f"not allowed: {action}")


def require_or_hide(
    user: User | None, action: str, obj: object | None = None, place: object | None = None
) -> None:
    """For objects the user may not even know of: answer 'not found', revealing nothing."""
    if not can(user, action, obj, place):
        raise NotFound("not found")


# --- Indicator values ---------------------------------------------------------------------------


@dataclass
class ValueScope:
    """Which indicators a person may enter values of, and for which places.

    A focal point enters values of the indicators of its agency's tasks (and its sub-units'),
    for the places those tasks cover: the assignment's jurisdiction when the task is carried out
    locally, else the plan's whole jurisdiction. A regional focal point enters values of any
    indicator for its own jurisdiction and those below. `can(…, "observation.enter", …)` and
    every list of enterable values (grid rows, upload checks, templates) read this one rule.
    """

    everything: bool = False
    # indicator id → jurisdiction ids whose subtrees the values may be for
    indicators: dict[int, set[int]] = field(default_factory=dict)
    # jurisdiction ids (regional focal points) whose subtrees take values of any indicator
    regions: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return self.everything or bool(self.indicators) or bool(self.regions)

    def allows(self, indicator: Any = None, place: Any = None) -> bool:
        """`indicator` and `place` are objects or None ("some indicator", "some place")."""
        if indicator is not None and indicator._meta.label_lower != "plans.indicator":
            raise TypeError(f"values are entered for an indicator, not {indicator!r}")
        if place is not None and place._meta.label_lower != "directory.jurisdiction":
            raise TypeError(f"values are entered for a jurisdiction, not {place!r}")
        roots = self.roots(indicator)
        if roots is None:
            return True
        if not roots:
            return False
        return place is None or bool(roots & _jurisdiction_chain(place))

    def roots(self, indicator: Any = None) -> set[int] | None:
        """The jurisdictions whose subtrees take values of `indicator` (of some indicator, if
        None); None means everywhere."""
        if self.everything:
            return None
        if indicator is not None:
            return self.regions | self.indicators.get(indicator.pk, set())
        return self.regions | {j for places in self.indicators.values() for j in places}

    def indicator_ids(self) -> set[int] | None:
        """The indicators this scope reaches, or None for all of them."""
        if self.everything or self.regions:
            return None
        return set(self.indicators)


def value_scope(user: User | None) -> ValueScope:
    """The values `user` may enter; computed once per user object (a request)."""
    if user is None:
        return ValueScope()
    cached: ValueScope | None = getattr(user, "_hrap_value_scope", None)
    if cached is not None:
        return cached
    held = roles(user)
    scope = ValueScope()
    if is_system(user) or held & {Role.ADMINISTRATOR, Role.SECRETARIAT}:
        scope.everything = True
    else:
        scope.regions = {
            m.jurisdiction_id
            for m in memberships(user)
            if m.role == Role.REGIONAL_FOCAL_POINT and m.jurisdiction_id
        }
        agencies = _with_sub_units(_agencies(user, Role.FOCAL_POINT))
        if agencies:
            # Models are looked up by name: the apps that own them sit above this one.
            assignment = apps.get_model("plans", "Assignment")
            target = apps.get_model("plans", "Target")
            places: dict[int, set[int]] = {}
            for node_id, local, national in assignment.objects.filter(
                agency_id__in=agencies, node__plan__status__in=("active", "closed")
            ).values_list("node_id", "jurisdiction_id", "node__plan__jurisdiction_id"):
                places.setdefault(node_id, set()).add(local or national)
            for node_id, indicator_id in target.objects.filter(node_id__in=places).values_list(
                "node_id", "indicator_id"
            ):
                scope.indicators.setdefault(indicator_id, set()).update(places[node_id])
    setattr(user, "_hrap_value_scope", scope)  # noqa: B010  (a per-request cache)
    return scope


def _with_sub_units(agency_ids: set[int]) -> set[int]:
    agency = apps.get_model("directory", "Agency")
    found, frontier = set(agency_ids), set(agency_ids)
    while frontier:
        frontier = (
            set(agency.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        )
        found |= frontier
    return found


def needs_second_factor(user: User) -> bool:
    return bool(roles(user) & {r.value for r in (Role.ADMINISTRATOR, Role.SECRETARIAT)})
