"""Reads behind a person's home page and the lists of reports: what waits, whose tasks, counts.

Who sees or acts on which report is the policy's (`report_q`, `report_duties_q`); what waits is
`notifications.waiting_for`; overdue is `models.overdue_q` / `ProgressReport.is_overdue`. This
module only orders, groups and counts what those give.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hrap.accounts import policy
from hrap.accounts.models import Role
from hrap.accounts.policy import User
from hrap.directory.models import Jurisdiction
from hrap.monitoring import notifications
from hrap.monitoring.models import ProgressReport, ReportingCycle, overdue_q
from hrap.plans.models import Assignment, Plan, PlanNode

State = ProgressReport.State
# The order in which the home page offers steps: what the person must write first.
STEP_ORDER = ("revise", "write", "consolidate", "review", "publish")


def tree_order(plan_ids: Iterable[int]) -> dict[int, int]:
    """Each node's rank in its plan's tree read top to bottom (parts, then their sections and
    tasks): `depth, position` alone would interleave the sections of every part."""
    return plan_trees(plan_ids)[0]


def plan_trees(plan_ids: Iterable[int]) -> tuple[dict[int, int], dict[int, PlanNode]]:
    """Tree order (node id → rank) and each node's top-level node (its part), in one query."""
    children: dict[int | None, list[tuple[int, int, int]]] = defaultdict(list)
    nodes: dict[int, PlanNode] = {}
    for node in PlanNode.objects.filter(plan_id__in=set(plan_ids)).only(
        "pk", "parent_id", "position", "plan_id", "ref", "number", "title", "kind"
    ):
        nodes[node.pk] = node
        children[node.parent_id].append((node.plan_id, node.position, node.pk))
    rank: dict[int, int] = {}
    root: dict[int, PlanNode] = {}
    stack: list[tuple[tuple[int, int, int], PlanNode | None]] = [
        (entry, None) for entry in sorted(children[None], reverse=True)
    ]
    while stack:
        (_plan, _position, pk), top = stack.pop()
        rank[pk] = len(rank)
        root[pk] = top or nodes[pk]
        stack += [(entry, root[pk]) for entry in sorted(children.get(pk, []), reverse=True)]
    return rank, root


def in_task_order(reports: Iterable[ProgressReport]) -> list[ProgressReport]:
    """Reports in the plan's tree order; for one task: national before local, the lead first."""
    found = list(reports)
    rank = tree_order({r.node.plan_id for r in found})
    return sorted(
        found,
        key=lambda r: (
            r.cycle_id,
            rank.get(r.node_id, 0),
            r.jurisdiction_id is not None,
            r.jurisdiction.code if r.jurisdiction else "",
            not r.lead,
            r.agency.code,
        ),
    )


@dataclass(frozen=True)
class Waiting:
    report: ProgressReport
    why: str
    overdue: bool


def waiting(user: User, today: date | None = None) -> list[Waiting]:
    """What waits for the person now, overdue first, then by due date, step and task order."""
    today = today or timezone.localdate()
    items = notifications.waiting_for(user)
    rank = tree_order({item.report.node.plan_id for item in items})
    found = [Waiting(item.report, item.why, item.report.is_overdue) for item in items]
    return sorted(
        found,
        key=lambda w: (
            not w.overdue,
            w.report.cycle.due,
            STEP_ORDER.index(w.why),
            rank.get(w.report.node_id, 0),
            w.report.agency.code,
        ),
    )


@dataclass
class CycleCounts:
    """The reports of a cycle that the viewer may see, counted by state, and how many are late."""

    cycle: ReportingCycle
    states: dict[str, int] = field(default_factory=dict)
    total: int = 0
    overdue: int = 0

    def rows(self) -> list[tuple[str, str, int]]:
        """(state, its name, count) in workflow order, states without reports left out."""
        return [(s.value, str(s.label), self.states[s]) for s in State if self.states.get(s)]


def cycle_counts(*, viewer: User, cycles: Iterable[ReportingCycle]) -> list[CycleCounts]:
    """Counts by state and overdue for each cycle, over the reports the viewer may see; one
    query whatever the number of cycles or reports."""
    found = {c.pk: CycleCounts(c) for c in cycles}
    rows = (
        ProgressReport.objects.filter(cycle_id__in=list(found))
        .filter(policy.report_q(viewer, "report.view"))
        .values("cycle_id", "state")
        .annotate(n=Count("pk"), late=Count("pk", filter=overdue_q()))
        .order_by()
    )
    for row in rows:
        counts = found[row["cycle_id"]]
        counts.states[row["state"]] = row["n"]
        counts.total += row["n"]
        counts.overdue += row["late"]
    return list(found.values())


def current_cycles(*, viewer: User) -> QuerySet[ReportingCycle]:
    """The cycles of every plan in force (active or closed, not a draft or a superseded one),
    newest first."""
    return (
        ReportingCycle.objects.filter(plan__status__in=Plan.CURRENT)
        .select_related("plan")
        .order_by("-opens", "plan__slug")
    )


@dataclass
class Task:
    """One assignment of the person's agency or place, with its reports in open cycles."""

    assignment: Assignment
    reports: list[ProgressReport]


def _places(user: User) -> QuerySet[Jurisdiction] | None:
    """The places of the person's regional focal point memberships (and those below)."""
    if not any(m.role == Role.REGIONAL_FOCAL_POINT for m in policy.memberships(user)):
        return None
    return Jurisdiction.objects.filter(policy.jurisdiction_q(user, "jurisdiction.edit"))


def my_places(user: User) -> list[Jurisdiction]:
    """The places a regional focal point answers for (its memberships', not those below)."""
    return [
        m.jurisdiction
        for m in policy.memberships(user)
        if m.role == Role.REGIONAL_FOCAL_POINT and m.jurisdiction is not None
    ]


def my_tasks(*, viewer: User) -> list[Task]:
    """The tasks of the plans in force assigned to the person's agencies (focal points,
    reviewers) or carried out in their places (regional focal points), in the plan's order,
    each with its reports in open cycles that the person may see."""
    agencies = {
        m.agency_id
        for m in policy.memberships(viewer)
        if m.role in (Role.FOCAL_POINT, Role.LEAD_REVIEWER) and m.agency_id
    }
    places = _places(viewer)
    mine = Q(agency_id__in=sorted(agencies))
    if places is not None:
        mine |= Q(jurisdiction__in=places)
    if not agencies and places is None:
        return []
    assignments = list(
        Assignment.objects.filter(mine, node__plan__status=Plan.Status.ACTIVE).select_related(
            "node__plan", "agency", "jurisdiction"
        )
    )
    reports: dict[tuple[int, int, int | None], list[ProgressReport]] = defaultdict(list)
    for report in (
        ProgressReport.objects.filter(
            cycle__status=ReportingCycle.Status.OPEN,
            node_id__in={a.node_id for a in assignments},
            agency_id__in={a.agency_id for a in assignments},
        )
        .filter(policy.report_q(viewer, "report.view"))
        .select_related("cycle__plan")
        .order_by("-cycle__opens")
    ):
        reports[(report.node_id, report.agency_id, report.jurisdiction_id)].append(report)
    rank = tree_order({a.node.plan_id for a in assignments})
    assignments.sort(
        key=lambda a: (
            a.node.plan_id,
            rank.get(a.node_id, 0),
            a.jurisdiction.code if a.jurisdiction else "",
            a.role != "lead",
            a.agency.code,
        )
    )
    return [
        Task(a, reports.get((a.node_id, a.agency_id, a.jurisdiction_id), [])) for a in assignments
    ]


def my_reports(*, viewer: User, state: str = "") -> list[ProgressReport]:
    """Every report the person answers for (writes, consolidates or reviews), in any cycle of a
    plan in force, newest cycle first and in task order within it."""
    found = (
        ProgressReport.objects.filter(policy.report_duties_q(viewer))
        .filter(policy.report_q(viewer, "report.view"))
        .select_related("cycle__plan", "node", "agency", "jurisdiction")
    )
    if state:
        found = found.filter(state=state)
    ordered = in_task_order(found)
    cycles = sorted({r.cycle for r in ordered}, key=lambda c: (c.opens, c.pk), reverse=True)
    position = {c.pk: i for i, c in enumerate(cycles)}
    return sorted(ordered, key=lambda r: position[r.cycle_id])


def draft_plans(*, viewer: User) -> QuerySet[Plan]:
    """Draft revisions waiting for review, for those who may review plans."""
    if not policy.can(viewer, "plan.review"):
        return Plan.objects.none()
    return Plan.objects.filter(status=Plan.Status.DRAFT).order_by("slug", "-revision")


def state_choices() -> list[tuple[str, Any]]:
    return list(State.choices)
