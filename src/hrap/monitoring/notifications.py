"""Who is waiting for what: the inbox, reminders and calendar all read from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Q

from hrap.accounts.models import Membership, Role
from hrap.monitoring.models import ProgressReport, ReportingCycle

State = ProgressReport.State


@dataclass(frozen=True)
class Waiting:
    report: ProgressReport
    why: str  # write, revise, consolidate, review


def waiting_for(user: object) -> list[Waiting]:
    """Reports in open cycles that wait for this person to act."""
    memberships = list(Membership.objects.filter(user_id=getattr(user, "pk", None) or 0))
    open_reports = ProgressReport.objects.filter(
        cycle__status=ReportingCycle.Status.OPEN
    ).select_related("cycle__plan", "node", "agency")
    items: list[Waiting] = []
    focal = {m.agency_id for m in memberships if m.role == Role.FOCAL_POINT}
    reviewer = {m.agency_id for m in memberships if m.role == Role.LEAD_REVIEWER}
    if focal:
        for report in open_reports.filter(
            agency_id__in=focal, state__in=[State.DRAFT, State.RETURNED]
        ):
            items.append(Waiting(report, "revise" if report.state == State.RETURNED else "write"))
    if reviewer:
        for report in open_reports.filter(
            lead=False,
            state=State.SUBMITTED,
            node__assignments__agency_id__in=reviewer,
            node__assignments__role="lead",
        ):
            items.append(Waiting(report, "consolidate"))
    if any(m.role in (Role.SECRETARIAT, Role.ADMINISTRATOR) for m in memberships):
        for report in open_reports.filter(lead=True, state=State.SUBMITTED):
            items.append(Waiting(report, "review"))
    return items


def people_to_remind(*, today: date, days_before: int) -> dict[int, list[ProgressReport]]:
    """Focal points with unsubmitted reports in cycles due within `days_before` days or overdue."""
    due = ProgressReport.objects.filter(
        cycle__status=ReportingCycle.Status.OPEN,
        state__in=[State.DRAFT, State.RETURNED],
        cycle__due__lte=date.fromordinal(today.toordinal() + days_before),
    ).select_related("cycle", "node", "agency")
    by_agency: dict[int, list[ProgressReport]] = {}
    for report in due:
        by_agency.setdefault(report.agency_id, []).append(report)
    people: dict[int, list[ProgressReport]] = {}
    for membership in Membership.objects.filter(role=Role.FOCAL_POINT, agency_id__in=by_agency):
        if membership.agency_id is not None:
            people.setdefault(membership.user_id, []).extend(by_agency[membership.agency_id])
    return people


def reviewers_of(report: ProgressReport) -> list[int]:
    """Who must act when this report is submitted: the lead reviewer, or the secretariat."""
    if not report.lead:
        lead = report.node.assignments.filter(role="lead").values_list("agency_id", flat=True)
        found = Membership.objects.filter(role=Role.LEAD_REVIEWER, agency_id__in=lead)
    else:
        found = Membership.objects.filter(Q(role=Role.SECRETARIAT))
    users = get_user_model().objects.filter(pk__in=found.values("user_id"), is_active=True)
    return list(users.values_list("pk", flat=True))
