"""Who is waiting for what: the inbox, reminders, notices and the calendar all read from here.

Each list is the policy's rule for the step (`policy.report_q` for one person's reports,
`policy.report_people` for one report's people) with the workflow's state; nothing here decides
who may act.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from hrap.accounts import policy
from hrap.accounts.policy import User
from hrap.monitoring.models import ProgressReport, ReportingCycle

State = ProgressReport.State

# Why a report waits for someone: the step, the policy's action for it, and the report's
# place in the workflow when it waits for that step.
STEPS: dict[str, tuple[str, dict[str, object]]] = {
    "write": ("report.edit", {"state": State.DRAFT}),
    "revise": ("report.edit", {"state": State.RETURNED}),
    "consolidate": ("report.consolidate", {"state": State.SUBMITTED, "lead": False}),
    "review": ("report.approve", {"state": State.SUBMITTED, "lead": True}),
    "publish": ("report.publish", {"state": State.APPROVED}),
}


@dataclass(frozen=True)
class Waiting:
    report: ProgressReport
    why: str  # write, revise, consolidate, review, publish


def _open_reports() -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(cycle__status=ReportingCycle.Status.OPEN).select_related(
        "cycle__plan", "node", "agency", "jurisdiction"
    )


def waiting_for(user: User) -> list[Waiting]:
    """Reports in open cycles that wait for this person to act (one query per step)."""
    items: list[Waiting] = []
    for why, (action, workflow) in STEPS.items():
        found = _open_reports().filter(policy.report_q(user, action, duty=True), **workflow)
        items += [Waiting(report, why) for report in found]
    return items


def people_waited_for(why: str, reports: Iterable[ProgressReport]) -> dict[int, list[int]]:
    """For each report that is at step `why`, the people it waits for (by user id)."""
    action, workflow = STEPS[why]
    at_step = [r for r in reports if all(getattr(r, k) == v for k, v in workflow.items())]
    return {pk: sorted(users) for pk, users in policy.report_people(action, at_step).items()}


def people_to_remind(*, today: date, days_before: int) -> dict[int, list[ProgressReport]]:
    """Whoever writes a report not yet submitted in a cycle due within `days_before` days or
    overdue: the agency's focal points, and the region's for a task carried out locally."""
    due = list(
        _open_reports().filter(
            state__in=[State.DRAFT, State.RETURNED],
            cycle__due__lte=date.fromordinal(today.toordinal() + days_before),
        )
    )
    by_id = {report.pk: report for report in due}
    people: dict[int, list[ProgressReport]] = {}
    for why in ("write", "revise"):
        for report_id, users in people_waited_for(why, due).items():
            for user_id in users:
                people.setdefault(user_id, []).append(by_id[report_id])
    return people


def reviewers_of(report: ProgressReport) -> list[int]:
    """Who must act when this report is submitted: the reviewer of the agency that leads the task
    for the report's jurisdiction, or, for the lead report, the secretariat."""
    return people_waited_for("review" if report.lead else "consolidate", [report]).get(
        report.pk, []
    )


def cycles_due_for(user: User) -> QuerySet[ReportingCycle]:
    """The cycles not yet closed in which the person answers for a report (writes, consolidates
    or reviews one, whatever its state): the deadlines of their calendar."""
    theirs = ProgressReport.objects.filter(policy.report_duties_q(user)).values("cycle_id")
    return (
        ReportingCycle.objects.exclude(status=ReportingCycle.Status.CLOSED)
        .filter(pk__in=theirs)
        .select_related("plan")
        .order_by("due", "pk")
    )


def still_waits_for(user: User, report_ids: Iterable[int], *whys: str) -> list[ProgressReport]:
    """The reports among `report_ids` that still wait for `user` at one of the steps `whys`: a
    message queued earlier says nothing of a report the person may no longer act on, or see."""
    waits = Q(pk__in=[])
    for why in whys:
        action, workflow = STEPS[why]
        waits |= Q(policy.report_q(user, action, duty=True), **workflow)
    return list(
        _open_reports()
        .filter(waits, pk__in=list(report_ids))
        .order_by("cycle__due", "node__depth", "node__position", "agency__code")
    )
