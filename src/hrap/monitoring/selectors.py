"""Reads of monitoring data, scoped to the viewer: progress of targets, cycles, reports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from hrap.accounts import policy
from hrap.accounts.policy import User
from hrap.core.errors import NotFound
from hrap.monitoring import progress
from hrap.monitoring.models import Observation, ProgressReport, ReportingCycle
from hrap.monitoring.periods import parse_period
from hrap.plans.models import Plan, PlanNode, Target


def goal_of(target: Target) -> progress.Goal:
    baseline = None
    if target.baseline_value is not None and target.baseline_year is not None:
        baseline = progress.Point(target.baseline_year, target.baseline_value)
    return progress.Goal(
        baseline=baseline,
        value=target.value,
        deadline=target.year,
        direction=target.direction,
        relative=target.relative,
        percent=target.unit == "%" and target.relative,
    )


def target_progress(*, targets: list[Target], plan: Plan) -> dict[int, progress.Assessment]:
    """Each target's progress from the plan-wide totals (the plan's own jurisdiction), 1 query.
    Targets are annual: annual values count, quarters only when there is no annual value."""
    indicator_ids = {t.indicator_id for t in targets}
    values: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for indicator_id, period, value in Observation.objects.filter(
        indicator_id__in=indicator_ids,
        jurisdiction_id=plan.jurisdiction_id or 0,  # none: a draft that does not say where
        disaggregation_key="",
    ).values_list("indicator_id", "period", "value"):
        # Written out without trailing zeros or an exponent: 37.5, 100.
        values[indicator_id].append((period, Decimal(f"{Decimal(value).normalize():f}")))
    points = {pk: progress.yearly(found) for pk, found in values.items()}
    return {t.pk: progress.assess(goal_of(t), points.get(t.indicator_id, [])) for t in targets}


def node_targets(*, node: PlanNode) -> list[Target]:
    """The targets of a node and of every node below it."""
    ids = [node.pk]
    frontier = [node.pk]
    while frontier:
        frontier = list(
            PlanNode.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        ids += frontier
    return list(
        Target.objects.filter(node_id__in=ids)
        .select_related("indicator", "node")
        .order_by("node__depth", "node__position", "position")
    )


def cycle_list(*, viewer: User, plan: Plan) -> QuerySet[ReportingCycle]:
    return ReportingCycle.objects.filter(plan=plan)


def cycle_get(*, viewer: User, plan: Plan, period: str) -> ReportingCycle:
    cycle = ReportingCycle.objects.filter(plan=plan, period=period).select_related("plan").first()
    if cycle is None:
        raise NotFound(f"no cycle {period!r}")
    return cycle


def report_list(*, viewer: User, cycle: ReportingCycle) -> QuerySet[ProgressReport]:
    """The reports of a cycle this viewer may see (the policy's `report.view` rule)."""
    return (
        ProgressReport.objects.filter(cycle=cycle)
        .filter(policy.report_q(viewer, "report.view"))
        .select_related("node", "agency", "jurisdiction", "cycle__plan")
    )


def node_reports(*, viewer: User, node: PlanNode) -> QuerySet[ProgressReport]:
    """The reports on a task, in every cycle, that this viewer may see."""
    return (
        ProgressReport.objects.filter(node=node)
        .filter(policy.report_q(viewer, "report.view"))
        .select_related("cycle__plan", "agency", "jurisdiction")
    )


def report_get(*, viewer: User, cycle: ReportingCycle, report_id: int) -> ProgressReport:
    report = report_list(viewer=viewer, cycle=cycle).filter(pk=report_id).first()
    if report is None:
        raise NotFound("not found")  # another agency's report does not exist for this viewer
    return report


def same_task_and_place(report: ProgressReport) -> QuerySet[ProgressReport]:
    """The reports of the cycle on the same task for the same jurisdiction (national with
    national): a lead agency consolidates its co-implementers there, and nowhere else."""
    place = (
        Q(jurisdiction__isnull=True)
        if report.jurisdiction_id is None
        else Q(jurisdiction_id=report.jurisdiction_id)
    )
    return ProgressReport.objects.filter(place, cycle_id=report.cycle_id, node_id=report.node_id)


def report_family(
    *, viewer: User, report: ProgressReport
) -> tuple[ProgressReport | None, list[ProgressReport]]:
    """The lead agency's report this one feeds (None for the lead's own, or one the viewer may
    not see), and the co-implementers' inputs to the lead report that the viewer may see."""
    family = (
        same_task_and_place(report)
        .exclude(pk=report.pk)
        .filter(policy.report_q(viewer, "report.view"))
        .select_related("agency", "jurisdiction", "cycle__plan")
    )
    if report.lead:
        return None, list(family.filter(lead=False).order_by("agency__code"))
    return family.filter(lead=True).first(), []


@dataclass(frozen=True)
class ReportedValue:
    """A target of the report's task with the value of its indicator for the report's cycle."""

    target: Target
    observation: Observation | None
    assessment: progress.Assessment  # as of the cycle's year, from values up to it

    @property
    def value_text(self) -> str:
        """The value without trailing zeros or an exponent: 37.5, 100."""
        if self.observation is None:
            return ""
        return f"{Decimal(self.observation.value).normalize():f}"


def report_values(*, report: ProgressReport) -> list[ReportedValue]:
    """The values a report speaks to, as they stand for its cycle's period (not today's latest):
    the total for the report's place (the plan's jurisdiction for a national report) of each
    target's indicator. Two queries."""
    targets = node_targets(node=report.node)
    if not targets:
        return []
    period = parse_period(report.cycle.period)
    year = period.year if period is not None else None
    place = report.jurisdiction_id or report.cycle.plan.jurisdiction_id or 0
    found = Observation.objects.filter(
        indicator_id__in={t.indicator_id for t in targets},
        jurisdiction_id=place,
        disaggregation_key="",
    )
    if year is not None:
        found = found.filter(year__lte=year)
    rows: dict[int, list[Observation]] = defaultdict(list)
    for observation in found:
        rows[observation.indicator_id].append(observation)
    values = []
    for target in targets:
        observations = rows.get(target.indicator_id, [])
        of_cycle = next((o for o in observations if o.period == report.cycle.period), None)
        if of_cycle is None and year is not None:
            # A quarter or a month of the cycle's year stands in when there is no annual value.
            within = [o for o in observations if o.year == year]
            of_cycle = max(within, key=lambda o: o.period, default=None)
        points = progress.yearly(
            [(o.period, Decimal(f"{Decimal(o.value).normalize():f}")) for o in observations]
        )
        values.append(ReportedValue(target, of_cycle, progress.assess(goal_of(target), points)))
    return values
