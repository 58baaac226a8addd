"""Who may do what: `can(user, action, obj)` answers for every action on every object.

Views, API endpoints and services ask it; selectors scope lists with it. Rules read objects
through their attributes only, so the domain apps above this one are not imported here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q

from hrap.accounts.models import Membership, Role
from hrap.core.errors import NotFound, PermissionDenied

User = AbstractBaseUser | AnonymousUser

READ_PUBLISHED = {"plan.view", "node.view", "search", "agency.view", "jurisdiction.view"}
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
    "observation.enter",
    "target.baseline",
}
EVALUATOR_ACTIONS = {
    "plan.view_draft",
    "plan.export",
    "audit.view",
    "assessment.write",
}
ADMINISTRATOR_ONLY = {"user.manage"}
SELF_SERVICE = {"token.manage", "second_factor.manage"}
FOCAL_ACTIONS = {"observation.enter"}
# Reports: the object decides (whose agency, which place, which state); see REPORT_RULES.
# "report.view_all" is "report.view" of every report, for those the view rule reaches with ALL.
REPORT_ACTIONS = {
    "report.view",
    "report.edit",
    "report.submit",
    "report.consolidate",
    "report.return",
    "report.return_input",
    "report.approve",
    "report.publish",
}
ALL_ACTIONS = (
    READ_PUBLISHED
    | SECRETARIAT_ACTIONS
    | EVALUATOR_ACTIONS
    | ADMINISTRATOR_ONLY
    | SELF_SERVICE
    | REPORT_ACTIONS
    | FOCAL_ACTIONS
    | {"report.view_all"}
)
# Filters that match every row and none (an empty Q() would vanish when combined with |).
EVERYTHING = Q(pk__isnull=False)
NOTHING = Q(pk__in=[])


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
    """Whether `user` may do `action` to `obj` (and, for values, at `place`, a jurisdiction).

    Without `obj`, whether the user may do it to any object whatsoever (a role's power): a focal
    point may edit its own agency, so `can(focal, "agency.edit")` is False but
    `can(focal, "agency.edit", own_agency)` is True.
    """
    if action not in ALL_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if user is None:
        # There is no "nobody" that may do everything: work done by HRAP itself runs as the
        # system actor, which is named in the audit trail.
        return False
    if action in REPORT_ACTIONS and obj is not None and not _report_fits(action, obj):
        # A step that is not one of this report now (approving a published report, editing a
        # submitted one) is nobody's, administrators' and HRAP's own included.
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
    if action == "report.view_all":
        return _reaches_every_report(user, "report.view")
    if action in REPORT_ACTIONS:
        return _report_allows(user, action, obj)
    if action == "observation.enter":
        return value_scope(user).allows(obj, place)
    if action == "agency.edit" and obj is not None:
        # A focal point keeps its own agency's details, and its sub-units'.
        return bool(_agencies(user, Role.FOCAL_POINT) & _agency_chain(obj))
    if action == "jurisdiction.edit" and obj is not None:
        # A regional focal point: its jurisdiction and those below it.
        return bool(_regions(user) & _jurisdiction_chain(obj))
    return False


def _agencies(user: User | None, role: str) -> set[int]:
    return {m.agency_id for m in memberships(user) if m.role == role and m.agency_id}


def _regions(user: User | None) -> set[int]:
    """The jurisdictions of the user's regional focal point memberships."""
    return {
        m.jurisdiction_id
        for m in memberships(user)
        if m.role == Role.REGIONAL_FOCAL_POINT and m.jurisdiction_id
    }


def agency_q(user: User | None, action: str = "agency.edit") -> Q:
    """`can(user, action, agency)` as a filter on `Agency`: the same rule, for a whole list."""
    if can(user, action):  # a role that may do it to every one (published reads: anyone)
        return EVERYTHING
    if action == "agency.edit":
        return Q(pk__in=_subtree(user, "directory.Agency", _agencies(user, Role.FOCAL_POINT)))
    return NOTHING


def jurisdiction_q(user: User | None, action: str = "jurisdiction.edit") -> Q:
    """`can(user, action, jurisdiction)` as a filter on `Jurisdiction`."""
    if can(user, action):  # a role that may do it to every one (published reads: anyone)
        return EVERYTHING
    if action == "jurisdiction.edit":
        return Q(pk__in=_subtree(user, "directory.Jurisdiction", _regions(user)))
    return NOTHING


def _subtree(user: User | None, model: str, roots: set[int]) -> set[int]:
    """`roots` and every row below them in the tree of `model` (agencies or jurisdictions);
    one query per level, kept on the user object for the rest of the request."""
    cache: dict[tuple[str, frozenset[int]], set[int]] = getattr(user, "_hrap_subtrees", {})
    key = (model, frozenset(roots))
    if key not in cache:
        rows = apps.get_model(model).objects
        found, frontier = set(roots), set(roots)
        while frontier:
            frontier = set(rows.filter(parent_id__in=frontier).values_list("pk", flat=True))
            frontier -= found
            found |= frontier
        cache[key] = found
        if user is not None:
            setattr(user, "_hrap_subtrees", cache)  # noqa: B010  (a per-request cache)
    return cache[key]


# --- Reports --------------------------------------------------------------------------------------


class Reach(enum.Enum):
    """How a membership reaches a report."""

    ALL = "all"  # every report
    AGENCY = "agency"  # the reports of the membership's agency
    LEAD = "lead"  # reports on tasks its agency leads for the report's jurisdiction (or nationally)
    REGION = "region"  # reports of tasks carried out in its jurisdiction or one below it


@dataclass(frozen=True)
class ReportRule:
    """Who may do one action to a report: roles, and how their memberships reach the report."""

    grants: Mapping[str, frozenset[Reach]]
    states: frozenset[str] | None = None  # the action exists in these states only (None: any)
    public: frozenset[str] = frozenset()  # in these states anyone may, signed in or not
    # The action exists for the lead agency's reports only (True), for co-implementers' inputs
    # only (False), or for both (None).
    lead: bool | None = None


def _rule(
    grants: dict[str, set[Reach]],
    states: set[str] | None = None,
    public: Iterable[str] = (),
    lead: bool | None = None,
) -> ReportRule:
    frozen = None if states is None else frozenset(states)
    return ReportRule({r: frozenset(g) for r, g in grants.items()}, frozen, frozenset(public), lead)


_WRITE = _rule(
    {Role.FOCAL_POINT: {Reach.AGENCY}, Role.REGIONAL_FOCAL_POINT: {Reach.REGION}},
    states={"draft", "returned"},
)
# The one statement of who may do what to which report. `can` reads it for one report,
# `report_q` turns it into a filter for lists, `report_people` finds the people a report waits
# for (mail); administrators and the system actor may do everything besides.
REPORT_RULES: dict[str, ReportRule] = {
    "report.view": _rule(
        {
            Role.SECRETARIAT: {Reach.ALL},
            Role.EVALUATOR: {Reach.ALL},
            Role.FOCAL_POINT: {Reach.AGENCY, Reach.LEAD},
            Role.LEAD_REVIEWER: {Reach.AGENCY, Reach.LEAD},
            Role.REGIONAL_FOCAL_POINT: {Reach.REGION},
        },
        public={"published"},
    ),
    # The agency's focal point, or, for a task carried out locally, the region's (or one above).
    "report.edit": _WRITE,
    "report.submit": _WRITE,
    # The lead agency's reviewer takes a co-implementer's submitted input into its report, or
    # returns it to the co-implementer for revision.
    "report.consolidate": _rule(
        {Role.LEAD_REVIEWER: {Reach.LEAD}}, states={"submitted"}, lead=False
    ),
    "report.return_input": _rule(
        {Role.LEAD_REVIEWER: {Reach.LEAD}}, states={"submitted"}, lead=False
    ),
    # The secretariat reviews the lead agency's report: returns or approves it, then publishes.
    "report.return": _rule({Role.SECRETARIAT: {Reach.ALL}}, states={"submitted"}, lead=True),
    "report.approve": _rule({Role.SECRETARIAT: {Reach.ALL}}, states={"submitted"}, lead=True),
    "report.publish": _rule({Role.SECRETARIAT: {Reach.ALL}}, states={"approved"}, lead=True),
}
# What makes a report one's own to act on: writing it, consolidating it, reviewing it.
REPORT_DUTIES = ("report.edit", "report.consolidate", "report.approve")


class _ReportFacts:
    """What the rules read of one report beyond its own columns, each fetched when first needed
    (or filled in for many reports at once by `report_people`)."""

    def __init__(self, report: Any) -> None:
        self.agency_id: int = report.agency_id
        self.node_id: int = report.node_id
        self.jurisdiction_id: int | None = report.jurisdiction_id

    @cached_property
    def leads(self) -> set[int]:
        """The agencies that lead the task for the report's jurisdiction (national: none)."""
        return _lead_agencies([(self.node_id, self.jurisdiction_id)])[
            (self.node_id, self.jurisdiction_id)
        ]

    @cached_property
    def chain(self) -> set[int]:
        """The report's jurisdiction and those above it (none for a national report)."""
        return _chains({self.jurisdiction_id})[self.jurisdiction_id]


TaskPlace = tuple[int, int | None]  # a task (node id) × a jurisdiction id (None: national)


def _lead_agencies(keys: Iterable[TaskPlace]) -> dict[TaskPlace, set[int]]:
    """The lead of a report is the lead assignment of its task for the same jurisdiction: a lead
    named for one region leads that region's reports only, never the national one."""
    found: dict[TaskPlace, set[int]] = {key: set() for key in keys}
    assignment = apps.get_model("plans", "Assignment")
    for node_id, jurisdiction_id, agency_id in assignment.objects.filter(
        role="lead", node_id__in={node for node, _ in found}
    ).values_list("node_id", "jurisdiction_id", "agency_id"):
        if (node_id, jurisdiction_id) in found:
            found[(node_id, jurisdiction_id)].add(agency_id)
    return found


def _chains(ids: Iterable[int | None]) -> dict[int | None, set[int]]:
    """Each jurisdiction with those above it; one query per level."""
    jurisdiction = apps.get_model("directory", "Jurisdiction")
    parent: dict[int, int | None] = {}
    frontier = {i for i in ids if i is not None}
    wanted = set(frontier)
    while frontier:
        rows = dict(jurisdiction.objects.filter(pk__in=frontier).values_list("pk", "parent_id"))
        parent.update(rows)
        frontier = {p for p in rows.values() if p is not None and p not in parent}
    chains: dict[int | None, set[int]] = {None: set()}
    for start in wanted:
        chain: set[int] = set()
        at: int | None = start
        while at is not None and at not in chain:
            chain.add(at)
            at = parent.get(at)
        chains[start] = chain
    return chains


class _Holders:
    """Memberships indexed by what a reach compares: role × agency, role × jurisdiction."""

    def __init__(self, found: Iterable[Membership]) -> None:
        self.roles: set[str] = set()
        self.index: dict[tuple[str, str, int | None], set[int]] = {}
        for m in found:
            self.roles.add(m.role)
            for key in ((m.role, "all", None), (m.role, "agency", m.agency_id),
                        (m.role, "region", m.jurisdiction_id)):  # fmt: skip
                self.index.setdefault(key, set()).add(m.user_id)

    def reached(self, rule: ReportRule, facts: _ReportFacts) -> set[int]:
        """The users whose memberships the rule's grants reach this report through."""
        users: set[int] = set()
        for role, reaches in rule.grants.items():
            if role not in self.roles:
                continue
            for reach in reaches:
                keys: list[tuple[str, str, int | None]]
                if reach is Reach.ALL:
                    keys = [(role, "all", None)]
                elif reach is Reach.AGENCY:
                    keys = [(role, "agency", facts.agency_id)]
                elif reach is Reach.LEAD:
                    keys = [(role, "agency", agency) for agency in facts.leads]
                else:
                    keys = [(role, "region", place) for place in facts.chain]
                for key in keys:
                    users |= self.index.get(key, set())
        return users


def _reaches_every_report(user: User | None, action: str) -> bool:
    rule = REPORT_RULES[action]
    return any(Reach.ALL in rule.grants.get(role, ()) for role in roles(user))


def _report_fits(action: str, report: Any) -> bool:
    """Whether the action is a step of this report at all now: its state, lead or input."""
    rule = REPORT_RULES[action]
    if report.state in rule.public:
        return True
    if rule.states is not None and report.state not in rule.states:
        return False
    return rule.lead is None or bool(report.lead) == rule.lead


def _fits_q(rule: ReportRule) -> Q:
    """`_report_fits` as a filter."""
    found = EVERYTHING
    if rule.states is not None:
        found &= Q(state__in=sorted(rule.states))
    if rule.lead is not None:
        found &= Q(lead=rule.lead)
    return found


def _report_allows(user: User | None, action: str, report: Any) -> bool:
    if report is None:
        return _reaches_every_report(user, action)
    rule = REPORT_RULES[action]
    if report.state in rule.public:
        return True
    return bool(_Holders(memberships(user)).reached(rule, _ReportFacts(report)))


def reaches_report(user: User | None, action: str, report: Any) -> bool:
    """Whether the person holds `action` on this report whatever its state: those who do are
    told why a step is not possible now; those who do not are refused."""
    if user is None:
        return False
    if is_system(user) or Role.ADMINISTRATOR in roles(user):
        return True
    rule = REPORT_RULES[action]
    return bool(_Holders(memberships(user)).reached(rule, _ReportFacts(report)))


def report_q(user: User | None, action: str = "report.view", *, duty: bool = False) -> Q:
    """`can(user, action, report)` as a filter on `ProgressReport`: the same rule, for a list.

    With `duty`, only what the person's own grants reach (what waits for them), without the
    power of administrators and the system actor over everything, and without public reports.
    """
    rule = REPORT_RULES[action]
    if user is None:
        return NOTHING  # as `can`: no "nobody" (anonymous visitors are AnonymousUser)
    if not duty and (is_system(user) or Role.ADMINISTRATOR in roles(user)):
        return _fits_q(rule)
    found = _grants_q(user, rule) & _fits_q(rule)
    if rule.public and not duty:
        found |= Q(state__in=sorted(rule.public))
    return found


def report_duties_q(user: User | None) -> Q:
    """The reports a person answers for, in any state: those they write, consolidate or review
    (their calendar, the "My reports" entry)."""
    found = NOTHING
    for action in REPORT_DUTIES:
        found |= _grants_q(user, REPORT_RULES[action])
    return found


def answers_for_reports(user: User | None) -> bool:
    """Whether any report is this person's to write, consolidate or review."""
    if not memberships(user):
        return False
    report = apps.get_model("monitoring", "ProgressReport")  # an app above this one: by name
    return bool(report.objects.filter(report_duties_q(user)).exists())


def _grants_q(user: User | None, rule: ReportRule) -> Q:
    found = NOTHING
    held = memberships(user)
    for role, reaches in rule.grants.items():
        mine = [m for m in held if m.role == role]
        if not mine:
            continue
        agencies = {m.agency_id for m in mine if m.agency_id}
        for reach in reaches:
            if reach is Reach.ALL:
                return EVERYTHING
            if reach is Reach.AGENCY:
                found |= Q(agency_id__in=sorted(agencies))
            elif reach is Reach.LEAD:
                found |= _led_by_q(agencies)
            else:
                regions = {m.jurisdiction_id for m in mine if m.jurisdiction_id}
                found |= Q(
                    jurisdiction_id__in=sorted(_subtree(user, "directory.Jurisdiction", regions))
                )
    return found


def _led_by_q(agencies: set[int]) -> Q:
    """Reports on tasks one of `agencies` leads for the report's jurisdiction (see
    `_lead_agencies`): a national report's lead is a national lead assignment."""
    leads = apps.get_model("plans", "Assignment").objects.filter(
        node_id=OuterRef("node_id"), role="lead", agency_id__in=sorted(agencies)
    )
    return Q(Exists(leads.filter(jurisdiction_id=OuterRef("jurisdiction_id")))) | Q(
        Exists(leads.filter(jurisdiction__isnull=True)), jurisdiction__isnull=True
    )


def report_people(action: str, reports: Iterable[Any]) -> dict[int, set[int]]:
    """For each report (by id), the active people whose own grants reach it under `action`
    (a report not in the action's states has nobody): whom a reminder or a notice goes to.
    Administrators may do anything, but nothing waits for them unless a grant says so."""
    rule = REPORT_RULES[action]
    reports = [r for r in reports if _report_fits(action, r)]
    if not reports:
        return {}
    holders = _Holders(Membership.objects.filter(role__in=list(rule.grants), user__is_active=True))
    facts = {r.pk: _ReportFacts(r) for r in reports}
    # Filled in for all the reports at once: a query or two, not one per report.
    reaches = {reach for granted in rule.grants.values() for reach in granted}
    if Reach.LEAD in reaches:
        leads = _lead_agencies((f.node_id, f.jurisdiction_id) for f in facts.values())
        for f in facts.values():
            f.__dict__["leads"] = leads[(f.node_id, f.jurisdiction_id)]
    if Reach.REGION in reaches:
        chains = _chains(f.jurisdiction_id for f in facts.values())
        for f in facts.values():
            f.__dict__["chain"] = chains[f.jurisdiction_id]
    return {pk: holders.reached(rule, f) for pk, f in facts.items()}


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
    return _subtree(None, "directory.Agency", agency_ids)


def needs_second_factor(user: User) -> bool:
    return bool(roles(user) & {r.value for r in (Role.ADMINISTRATOR, Role.SECRETARIAT)})
