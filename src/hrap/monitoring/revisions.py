"""Monitoring follows a plan to its new revision: cycles move, reports follow their task by ref.

Registered in `core.revisions` (see `MonitoringConfig.ready`). Values need no moving: they
belong to indicators, which the new revision's targets keep (`plans.carry`). A report whose task
the new revision drops stays on the old revision's node, readable, and is listed as not in the
current revision.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hrap.core import audit
from hrap.core.errors import InvalidTransition
from hrap.core.revisions import Follower, Tally
from hrap.monitoring.models import Observation, ProgressReport, ReportingCycle
from hrap.plans import carry as plan_carry
from hrap.plans.models import Indicator, Plan, PlanNode


def _moves(old: Plan, new: Plan) -> tuple[list[ReportingCycle], dict[int, tuple[str, int]], int]:
    """The cycles that move, each report that follows its task ({report: (ref, new node)}), and
    how many reports stay with tasks the new revision does not have."""
    cycles = list(ReportingCycle.objects.filter(plan=old).order_by("period"))
    clash = set(
        ReportingCycle.objects.filter(plan=new, period__in=[c.period for c in cycles]).values_list(
            "period", flat=True
        )
    )
    if clash:
        raise InvalidTransition(
            _("revision %(revision)s already has reporting cycles for %(periods)s")
            % {"revision": new.revision, "periods": ", ".join(sorted(clash))}
        )
    new_nodes = dict(PlanNode.objects.filter(plan=new).values_list("ref", "pk"))
    follow: dict[int, tuple[str, int]] = {}
    stay = 0
    for report_id, ref in ProgressReport.objects.filter(cycle__in=cycles).values_list(
        "pk", "node__ref"
    ):
        if ref in new_nodes:
            follow[report_id] = (ref, new_nodes[ref])
        else:
            stay += 1
    return cycles, follow, stay


def _values(old: Plan, new: Plan) -> tuple[int, int]:
    """Values the new revision's targets reach (through the indicators they keep), and values
    of indicators that only the old revision measured (they stay with those indicators)."""
    kept = plan_carry.match_targets(old, new).indicators
    measured = set(
        Indicator.objects.filter(targets__node__plan=old).values_list("pk", flat=True).distinct()
    )
    reached = Observation.objects.filter(indicator_id__in=kept).count()
    behind = Observation.objects.filter(indicator_id__in=measured - kept).count()
    return reached, behind


def _tallies(
    old: Plan, new: Plan, cycles: int, follow: int, stay: int, values: tuple[int, int]
) -> list[Tally]:
    reached, behind = values
    lines = [
        (
            "monitoring.cycles",
            cycles,
            ngettext(
                "%(count)d reporting cycle moves to revision %(new)d",
                "%(count)d reporting cycles move to revision %(new)d",
                cycles,
            ),
        ),
        (
            "monitoring.reports",
            follow,
            ngettext(
                "%(count)d progress report follows its task by ref",
                "%(count)d progress reports follow their tasks by ref",
                follow,
            ),
        ),
        (
            "monitoring.reports_left",
            stay,
            ngettext(
                "%(count)d progress report of a task the new revision drops stays readable, "
                "with revision %(old)d",
                "%(count)d progress reports of tasks the new revision drops stay readable, "
                "with revision %(old)d",
                stay,
            ),
        ),
        (
            "monitoring.values",
            reached,
            ngettext(
                "%(count)d indicator value stays with the targets that measure it",
                "%(count)d indicator values stay with the targets that measure them",
                reached,
            ),
        ),
        (
            "monitoring.values_left",
            behind,
            ngettext(
                "%(count)d indicator value belongs to an indicator the new revision no longer "
                "measures; it stays with that indicator",
                "%(count)d indicator values belong to indicators the new revision no longer "
                "measures; they stay with those indicators",
                behind,
            ),
        ),
    ]
    return [
        Tally(key, count, text % {"count": count, "old": old.revision, "new": new.revision})
        for key, count, text in lines
        if count
    ]


def preview(old: Plan, new: Plan) -> list[Tally]:
    cycles, follow, stay = _moves(old, new)
    return _tallies(old, new, len(cycles), len(follow), stay, _values(old, new))


def carry(old: Plan, new: Plan, actor: Any) -> list[Tally]:
    """Move the cycles, re-point the reports, and record one audit event per cycle listing each
    report that moved (from which node to which) and each that stayed."""
    values = _values(old, new)
    cycles, follow, stay = _moves(old, new)
    reports = list(
        ProgressReport.objects.select_for_update()
        .filter(cycle__in=cycles)
        .select_related("node")
        .order_by("pk")
    )
    moved: dict[int, list[dict[str, Any]]] = {c.pk: [] for c in cycles}
    stayed: dict[int, list[dict[str, Any]]] = {c.pk: [] for c in cycles}
    for report in reports:
        if report.pk in follow:
            ref, node_id = follow[report.pk]
            moved[report.cycle_id].append(
                {"id": report.pk, "ref": ref, "node": [report.node_id, node_id]}
            )
            report.node_id = node_id
        else:
            stayed[report.cycle_id].append({"id": report.pk, "ref": report.node.ref})
    # The node is where the report sits, not what people wrote: no version changes, so a
    # focal point editing the report meanwhile saves without a false conflict.
    ProgressReport.objects.bulk_update([r for r in reports if r.pk in follow], ["node"])
    ReportingCycle.objects.filter(pk__in=[c.pk for c in cycles]).update(plan=new)
    for cycle in cycles:
        cycle.plan = new
        audit.record(
            actor=actor,
            action="cycle.carry",
            target=cycle,
            before={"plan": old.pk, "revision": old.revision},
            after={
                "plan": new.pk,
                "revision": new.revision,
                "reports": moved[cycle.pk],
                "reports_left": stayed[cycle.pk],
            },
        )
    return _tallies(old, new, len(cycles), len(follow), stay, values)


def held(obj: Any) -> list[Tally]:
    """On a plan revision: its cycles and the reports on its tasks. On an indicator: its values."""
    if isinstance(obj, Indicator):
        values = Observation.objects.filter(indicator=obj).count()
        text = ngettext("%(count)d indicator value", "%(count)d indicator values", values)
        return [Tally("monitoring.values", values, text % {"count": values})] if values else []
    if not isinstance(obj, Plan):
        return []
    cycles = ReportingCycle.objects.filter(plan=obj).count()
    reports = ProgressReport.objects.filter(node__plan=obj).count()
    lines = [
        (
            "monitoring.cycles",
            cycles,
            ngettext("%(count)d reporting cycle", "%(count)d reporting cycles", cycles),
        ),
        (
            "monitoring.reports",
            reports,
            ngettext("%(count)d progress report", "%(count)d progress reports", reports),
        ),
    ]
    return [Tally(key, n, text % {"count": n}) for key, n, text in lines if n]


FOLLOWER = Follower(name="monitoring", preview=preview, carry=carry, held=held)
