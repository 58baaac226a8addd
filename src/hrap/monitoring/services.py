"""Writes to monitoring: cycles, the report workflow (one service per step), evidence.

Indicator values are written by `monitoring.observations`; its services are named here too.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hrap.accounts import policy
from hrap.core import audit
from hrap.core.errors import EditConflict, InvalidInput, InvalidTransition, Problem
from hrap.core.localized import choose
from hrap.core.unique import create_once
from hrap.monitoring import selectors
from hrap.monitoring.models import Evidence, ProgressReport, ReportingCycle
from hrap.monitoring.observations import (  # noqa: F401  (the services of values, named here)
    Actor,
    ValueEdit,
    ValuesChanged,
    observation_record,
    observations_save,
    observations_upload,
)
from hrap.monitoring.periods import parse_period, period_problem
from hrap.monitoring.values_template import upload_template  # noqa: F401
from hrap.plans.models import Assignment, Plan

State = ProgressReport.State


@transaction.atomic
def cycle_create(
    *, plan: Plan, actor: Actor, period: str, opens: date, due: date, closes: date
) -> ReportingCycle:
    policy.require(actor, "cycle.open", plan)
    problems = []
    if parse_period(period) is None:
        problems.append(Problem("period", str(period_problem(period))))
    if not opens <= due <= closes:
        problems.append(Problem("due", _("the dates must run opens ≤ due ≤ closes")))
    if ReportingCycle.objects.filter(plan=plan, period=period).exists():
        problems.append(
            Problem("period", _("the plan already has a cycle for %(period)s") % {"period": period})
        )
    if problems:
        raise InvalidInput(problems)
    cycle = create_once(
        lambda: ReportingCycle.objects.create(
            plan=plan, period=period, opens=opens, due=due, closes=closes
        ),
        Problem("period", _("the plan already has a cycle for %(period)s") % {"period": period}),
    )
    audit.record(
        actor=actor,
        action="cycle.create",
        target=cycle,
        after={"period": period, "due": due.isoformat()},
    )
    return cycle


@transaction.atomic
def cycle_start(
    *, plan: Plan, actor: Actor, period: str, opens: date, due: date, closes: date
) -> tuple[ReportingCycle, int]:
    """Create a cycle and open it in one step (all or nothing): the cycle and its report count."""
    cycle = cycle_create(plan=plan, actor=actor, period=period, opens=opens, due=due, closes=closes)
    return cycle, cycle_open(cycle=cycle, actor=actor)


@transaction.atomic
def cycle_open(*, cycle: ReportingCycle, actor: Actor) -> int:
    """Open a cycle: one report slot for every assignment of the plan. Returns how many."""
    policy.require(actor, "cycle.open", cycle.plan)
    cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != ReportingCycle.Status.PLANNED:
        raise InvalidTransition(
            _("the %(period)s cycle is %(status)s, not planned")
            % {"period": cycle.period, "status": cycle.get_status_display()}
        )
    assignments = Assignment.objects.filter(node__plan=cycle.plan).select_related("node")
    ProgressReport.objects.bulk_create(
        ProgressReport(
            cycle=cycle,
            node=a.node,
            agency_id=a.agency_id,
            jurisdiction_id=a.jurisdiction_id,
            lead=a.role == "lead",
        )
        for a in assignments
    )
    cycle.status = ReportingCycle.Status.OPEN
    cycle.save(update_fields=["status"])
    count = len(assignments)
    audit.record(actor=actor, action="cycle.open", target=cycle, after={"reports": count})
    return count


def _locked(report: ProgressReport, version: int | None = None) -> ProgressReport:
    current = (
        ProgressReport.objects.select_for_update().select_related("node", "cycle").get(pk=report.pk)
    )
    if version is not None and current.version != version:
        raise EditConflict(current, current_version=current.version, submitted_version=version)
    return current


def _require_step(actor: Actor, action: str, report: ProgressReport) -> None:
    """The policy's answer for this report now: a step that is not one of the report in its
    state is `InvalidTransition` for those who hold the action, `PermissionDenied` for others."""
    if policy.can(actor, action, report):
        return
    if policy.reaches_report(actor, action, report):
        raise InvalidTransition(
            _("This step is not possible now: the report is %(state)s.")
            % {"state": report.get_state_display()}
        )
    policy.require(actor, action, report)


def agency_label(agency: Any) -> str:
    """An agency as people know it: its name in the interface language, else its code."""
    return choose(agency.name).text or agency.code


def _step(
    report: ProgressReport, actor: Actor, action: str, state: str, **fields: Any
) -> ProgressReport:
    before = {"state": report.state}
    report.state = state
    for name, value in fields.items():
        setattr(report, name, value)
    report.version += 1
    report.save()
    texts = {k: v for k, v in fields.items() if isinstance(v, str)}
    audit.record(
        actor=actor, action=action, target=report, before=before, after={"state": state, **texts}
    )
    return report


@transaction.atomic
def report_save(
    *, report: ProgressReport, actor: Actor, version: int, **texts: str
) -> ProgressReport:
    """Save a draft; refused if someone saved it since `version` (nothing is overwritten)."""
    report = _locked(report, version)
    _require_step(actor, "report.edit", report)
    unknown = set(texts) - set(ProgressReport.TEXT_FIELDS)
    if unknown:
        raise InvalidInput(
            [Problem(name, _("not a field of a report")) for name in sorted(unknown)]
        )
    if "progress" in texts and texts["progress"] not in ProgressReport.Progress.values:
        raise InvalidInput(
            [Problem("progress", _("%(value)r is not a status") % {"value": texts["progress"]})]
        )
    before = {name: getattr(report, name) for name in texts if getattr(report, name) != texts[name]}
    if not before:
        return report
    for name in before:
        setattr(report, name, texts[name])
    report.version += 1
    report.save()
    audit.record(
        actor=actor,
        action="report.save",
        target=report,
        before=before,
        after={name: texts[name] for name in before},
    )
    return report


@transaction.atomic
def report_submit(*, report: ProgressReport, actor: Actor, version: int) -> ProgressReport:
    """A focal point hands the report on: a lead agency's to the secretariat, a co-implementer's
    to the lead agency, which consolidates it."""
    report = _locked(report, version)
    _require_step(actor, "report.submit", report)
    if report.lead:
        waiting = (
            selectors.same_task_and_place(report)
            .filter(lead=False)
            .exclude(state=State.CONSOLIDATED)
            .select_related("agency")
        )
        if waiting:
            agencies = ", ".join(sorted(agency_label(r.agency) for r in waiting))
            raise InvalidTransition(
                _(
                    "Not submitted: the co-implementers' inputs are not consolidated yet "
                    "(%(agencies)s). Consolidate or return them first."
                )
                % {"agencies": agencies}
            )
    report = _step(
        report,
        actor,
        "report.submit",
        State.SUBMITTED,
        submitted_at=timezone.now(),
        return_reason="",
    )
    report_id = report.pk
    transaction.on_commit(lambda: _notify_reviewers(report_id))
    return report


def _notify_reviewers(report_id: int) -> None:
    from hrap.monitoring import notifications
    from hrap.monitoring.tasks import send_review_notice

    report = ProgressReport.objects.select_related("node").get(pk=report_id)
    for user_id in notifications.reviewers_of(report):
        send_review_notice.enqueue(user_id, report_id)


@transaction.atomic
def report_consolidate(*, report: ProgressReport, actor: Actor, version: int) -> ProgressReport:
    """The lead agency takes a co-implementer's submitted input into its own report."""
    report = _locked(report, version)
    _require_step(actor, "report.consolidate", report)
    lead = selectors.same_task_and_place(report).select_for_update().filter(lead=True).first()
    if lead is None:
        raise InvalidTransition(
            _("The task has no lead agency report for this place in this cycle.")
        )
    label = agency_label(report.agency)
    for name in ("narrative", "measures", "difficulties", "next_steps"):
        addition = getattr(report, name).strip()
        if addition:
            combined = "\n\n".join(p for p in (getattr(lead, name), f"[{label}] {addition}") if p)
            setattr(lead, name, combined)
    lead.version += 1
    lead.save()
    return _step(report, actor, "report.consolidate", State.CONSOLIDATED, consolidated_into=lead)


@transaction.atomic
def report_return(
    *, report: ProgressReport, actor: Actor, version: int, reason: str
) -> ProgressReport:
    """Send a submitted report back for revision, with the reason: the lead agency's report by
    the secretariat, a co-implementer's input by the lead agency's reviewer."""
    report = _locked(report, version)
    action = "report.return" if report.lead else "report.return_input"
    _require_step(actor, action, report)
    if not reason.strip():
        raise InvalidInput([Problem("reason", _("Say what the agency should revise."))])
    report = _step(report, actor, action, State.RETURNED, return_reason=reason.strip())
    report_id = report.pk
    transaction.on_commit(lambda: _notify_writers(report_id))
    return report


def _notify_writers(report_id: int) -> None:
    from hrap.monitoring import notifications
    from hrap.monitoring.tasks import send_return_notice

    report = ProgressReport.objects.select_related("node").get(pk=report_id)
    for user_id in notifications.people_waited_for("revise", [report]).get(report_id, []):
        send_return_notice.enqueue(user_id, report_id)


@transaction.atomic
def report_approve(*, report: ProgressReport, actor: Actor, version: int) -> ProgressReport:
    report = _locked(report, version)
    _require_step(actor, "report.approve", report)
    return _step(report, actor, "report.approve", State.APPROVED, approved_at=timezone.now())


@transaction.atomic
def report_publish(*, report: ProgressReport, actor: Actor, version: int) -> ProgressReport:
    report = _locked(report, version)
    _require_step(actor, "report.publish", report)
    return _step(report, actor, "report.publish", State.PUBLISHED, published_at=timezone.now())


# --- Evidence ---------------------------------------------------------------------------------

EVIDENCE_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".png": ("image/png", (b"\x89PNG",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".csv": ("text/csv", ()),
    ".txt": ("text/plain", ()),
}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def evidence_add(*, report: ProgressReport, actor: Actor, upload: Any) -> Evidence:
    """Attach a file: its type is checked by name and by content, its size capped."""
    _require_step(actor, "report.edit", report)
    name = str(getattr(upload, "name", "") or "file")[-200:]
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    problems = []
    if suffix not in EVIDENCE_TYPES:
        allowed = ", ".join(sorted(EVIDENCE_TYPES))
        problems.append(
            Problem(
                "file",
                _("%(name)s: only these types are accepted: %(allowed)s")
                % {"name": name, "allowed": allowed},
            )
        )
    elif upload.size > EVIDENCE_MAX_BYTES:
        problems.append(
            Problem(
                "file",
                _("%(name)s: %(size)s MB is over the 20 MB limit")
                % {"name": name, "size": f"{upload.size / 2**20:.1f}"},
            )
        )
    else:
        head = upload.read(8)
        upload.seek(0)
        magic = EVIDENCE_TYPES[suffix][1]
        if magic and not head.startswith(magic):
            problems.append(
                Problem(
                    "file",
                    _("%(name)s: the content is not a %(type)s file")
                    % {"name": name, "type": suffix[1:].upper()},
                )
            )
        if not magic and b"\x00" in head:
            problems.append(
                Problem("file", _("%(name)s: the content is not text") % {"name": name})
            )
    if problems:
        raise InvalidInput(problems)
    evidence = Evidence(
        report=report,
        name=name,
        content_type=EVIDENCE_TYPES[suffix][0],
        size=upload.size,
        uploaded_by=actor if isinstance(actor, get_user_model()) else None,
    )
    evidence.file.save(f"{report.pk}-{secrets.token_hex(8)}{suffix}", upload, save=False)
    try:
        evidence.save()
        audit.record(
            actor=actor,
            action="evidence.add",
            target=report,
            after={"file": name, "size": upload.size},
        )
    except BaseException:
        evidence.file.storage.delete(evidence.file.name)  # no file without its record
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, actor: Actor) -> None:
    _require_step(actor, "report.edit", evidence.report)
    audit.record(
        actor=actor,
        action="evidence.remove",
        target=evidence.report,
        before={"file": evidence.name},
    )
    stored = evidence.file.name
    storage = evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(stored))
