"""Writes to monitoring: cycles, the report workflow (one service per step), observations."""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from hrap.accounts import policy
from hrap.core import audit
from hrap.core.errors import EditConflict, HrapError, InvalidInput, InvalidTransition, Problem
from hrap.core.exports import safe_row
from hrap.core.numbers import ValueRefused, check_value
from hrap.directory.models import Jurisdiction
from hrap.monitoring import upload
from hrap.monitoring.models import Evidence, Observation, ProgressReport, ReportingCycle
from hrap.monitoring.periods import parse_period, period_problem
from hrap.monitoring.upload import disaggregation_key
from hrap.plans.models import Assignment, Indicator, Plan, Target

Actor = AbstractBaseUser | AnonymousUser | None
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
        problems.append(Problem("due", "the dates must run opens ≤ due ≤ closes"))
    if ReportingCycle.objects.filter(plan=plan, period=period).exists():
        problems.append(Problem("period", f"the plan already has a cycle for {period}"))
    if problems:
        raise InvalidInput(problems)
    cycle = ReportingCycle.objects.create(
        plan=plan, period=period, opens=opens, due=due, closes=closes
    )
    audit.record(
        actor=actor,
        action="cycle.create",
        target=cycle,
        after={"period": period, "due": due.isoformat()},
    )
    return cycle


@transaction.atomic
def cycle_open(*, cycle: ReportingCycle, actor: Actor) -> int:
    """Open a cycle: one report slot for every assignment of the plan. Returns how many."""
    policy.require(actor, "cycle.open", cycle.plan)
    cycle = ReportingCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != ReportingCycle.Status.PLANNED:
        raise InvalidTransition(f"the {cycle.period} cycle is {cycle.status}, not planned")
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
    policy.require(actor, "report.edit", report)
    unknown = set(texts) - set(ProgressReport.TEXT_FIELDS)
    if unknown:
        raise InvalidInput([Problem(name, "not a field of a report") for name in sorted(unknown)])
    if "progress" in texts and texts["progress"] not in ProgressReport.Progress.values:
        raise InvalidInput([Problem("progress", f"{texts['progress']!r} is not a status")])
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
    policy.require(actor, "report.submit", report)
    if report.state not in (State.DRAFT, State.RETURNED):
        raise InvalidTransition(f"a {report.state} report cannot be submitted")
    if report.lead:
        waiting = report.node.reports.filter(cycle=report.cycle, lead=False).exclude(
            state=State.CONSOLIDATED
        )
        if waiting.exists():
            agencies = ", ".join(sorted(waiting.values_list("agency__code", flat=True)))
            raise InvalidTransition(f"co-implementers' inputs are not consolidated yet: {agencies}")
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
    policy.require(actor, "report.consolidate", report)
    if report.lead or report.state != State.SUBMITTED:
        raise InvalidTransition("only a submitted co-implementer input can be consolidated")
    lead = report.node.reports.select_for_update().filter(cycle=report.cycle, lead=True).first()
    if lead is None:
        raise InvalidTransition("the task has no lead agency report in this cycle")
    for name in ("narrative", "measures", "difficulties", "next_steps"):
        addition = getattr(report, name).strip()
        if addition:
            combined = "\n\n".join(
                p for p in (getattr(lead, name), f"[{report.agency.code}] {addition}") if p
            )
            setattr(lead, name, combined)
    lead.version += 1
    lead.save()
    return _step(report, actor, "report.consolidate", State.CONSOLIDATED, consolidated_into=lead)


@transaction.atomic
def report_return(
    *, report: ProgressReport, actor: Actor, version: int, reason: str
) -> ProgressReport:
    report = _locked(report, version)
    policy.require(actor, "report.return", report)
    if report.state != State.SUBMITTED:
        raise InvalidTransition(f"a {report.state} report cannot be returned")
    if not reason.strip():
        raise InvalidInput([Problem("reason", "say what the agency should revise")])
    return _step(report, actor, "report.return", State.RETURNED, return_reason=reason.strip())


@transaction.atomic
def report_approve(*, report: ProgressReport, actor: Actor, version: int) -> ProgressReport:
    report = _locked(report, version)
    policy.require(actor, "report.approve", report)
    if report.state != State.SUBMITTED or not report.lead:
        raise InvalidTransition(f"a {report.state} report cannot be approved")
    return _step(report, actor, "report.approve", State.APPROVED, approved_at=timezone.now())


@transaction.atomic
def report_publish(*, report: ProgressReport, actor: Actor, version: int) -> ProgressReport:
    report = _locked(report, version)
    policy.require(actor, "report.publish", report)
    if report.state != State.APPROVED:
        raise InvalidTransition(f"a {report.state} report cannot be published")
    return _step(report, actor, "report.publish", State.PUBLISHED, published_at=timezone.now())


# --- Observations -----------------------------------------------------------------------------


class ValuesChanged(HrapError):
    """Values someone else changed after the editor loaded them; nothing was saved.

    `changed` holds, per edit, the value as it is now (None if it was removed)."""

    status = 409

    def __init__(self, changed: list[tuple[ValueEdit, Observation | None]]) -> None:
        super().__init__(f"{len(changed)} value(s) were changed by someone else meanwhile")
        self.changed = changed


@dataclass(frozen=True)
class ValueEdit:
    """One value to write. `version` is the version the editor saw (0: there was no value;
    None: not checked); `status` and `source` None keep what is stored (new: provisional)."""

    jurisdiction: Jurisdiction
    period: str
    value: Decimal
    disaggregation: dict[str, str] = field(default_factory=dict)
    version: int | None = None
    status: str | None = None
    source: str | None = None

    @property
    def where(self) -> str:
        key = disaggregation_key(self.disaggregation)
        return " ".join(filter(None, (self.jurisdiction.code, self.period, key)))


def _value_problems(indicator: Indicator, edit: ValueEdit) -> list[Problem]:
    problems = []
    if parse_period(edit.period) is None:
        problems.append(Problem(edit.where, str(period_problem(edit.period))))
    allowed = set(indicator.disaggregations)
    for dimension, category in edit.disaggregation.items():
        if dimension not in allowed or not category:
            problems.append(Problem(edit.where, f"{indicator} is not disaggregated by {dimension}"))
    if len(disaggregation_key(edit.disaggregation)) > upload.MAX_KEY:
        problems.append(Problem(edit.where, f"a disaggregation over {upload.MAX_KEY} characters"))
    if edit.status is not None and edit.status not in Observation.Status.values:
        problems.append(Problem(edit.where, f"{edit.status!r} is not provisional or final"))
    if edit.source is not None and len(edit.source) > upload.MAX_SOURCE:
        problems.append(Problem(edit.where, f"a source over {upload.MAX_SOURCE} characters"))
    try:
        check_value(edit.value)
    except ValueRefused as refused:
        problems.append(Problem(edit.where, str(refused)))
    return problems


def _lock_indicators(ids: set[int]) -> None:
    """Writers of an indicator's values take its row lock first, in id order: two writers of
    the same new value wait for each other instead of both inserting it (PostgreSQL); SQLite
    writes one transaction at a time anyway."""
    list(
        Indicator.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _state(observation: Observation) -> dict[str, str]:
    return {
        "value": f"{observation.value.normalize():f}",
        "status": observation.status,
        "source": observation.source,
    }


def _entered_by(actor: Actor) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def observations_save(
    *, indicator: Indicator, actor: Actor, edits: list[ValueEdit]
) -> list[Observation]:
    """Write values of one indicator, all or none; returns those that changed.

    Each value is asked of the policy for its place. A value changed by someone else since
    the editor loaded it (its version moved, and it is not already what the editor typed)
    stops the whole save with ValuesChanged, so nobody's edit is silently reverted. Each
    value written gets an audit event with its previous value, status and source.
    """
    for edit in edits:
        policy.require(actor, "observation.enter", indicator, edit.jurisdiction)
    problems = [p for edit in edits for p in _value_problems(indicator, edit)]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        _lock_indicators({indicator.pk})
        keys = {
            (e.jurisdiction.pk, e.period, disaggregation_key(e.disaggregation)): e for e in edits
        }
        stored = {
            (o.jurisdiction_id, o.period, o.disaggregation_key): o
            for o in Observation.objects.select_for_update().filter(
                indicator=indicator,
                jurisdiction_id__in={k[0] for k in keys},
                period__in={k[1] for k in keys},
                disaggregation_key__in={k[2] for k in keys},
            )
        }
        changed = []
        for key, edit in keys.items():
            current = stored.get(key)
            seen = current.version if current is not None else 0
            moved = edit.version is not None and edit.version != seen
            if moved and (current is None or current.value != edit.value):
                changed.append((edit, current))
        if changed:
            raise ValuesChanged(changed)
        written = [_write(indicator, stored.get(key), edit, actor) for key, edit in keys.items()]
    return [o for o in written if o is not None]


def _write(
    indicator: Indicator, observation: Observation | None, edit: ValueEdit, actor: Actor
) -> Observation | None:
    """Write one value (None if it is already as the edit says)."""
    value = check_value(edit.value)
    if observation is None:
        observation = Observation(
            indicator=indicator,
            jurisdiction=edit.jurisdiction,
            period=edit.period,
            year=int(edit.period[:4]),
            disaggregation=edit.disaggregation,
            disaggregation_key=disaggregation_key(edit.disaggregation),
            status=edit.status or Observation.Status.PROVISIONAL,
            source=edit.source or "",
        )
        before = None
    else:
        before = _state(observation)
    observation.value = value
    if edit.status is not None:
        observation.status = edit.status
    if edit.source is not None:
        observation.source = edit.source
    after = _state(observation)
    if before == after:
        return None
    if before is not None:
        observation.version += 1
    observation.entered_by = _entered_by(actor)
    observation.save()
    audit.record(
        actor=actor, action="observation.record", target=observation, before=before, after=after
    )
    return observation


def observation_record(
    *,
    indicator: Indicator,
    jurisdiction: Jurisdiction,
    period: str,
    value: Decimal,
    actor: Actor,
    source: str | None = None,
    status: str | None = None,
    disaggregation: dict[str, str] | None = None,
) -> Observation:
    """Record (or correct) one value; the previous value is kept in the audit trail.
    `status` and `source` None keep what is stored (a new value is provisional)."""
    edit = ValueEdit(
        jurisdiction=jurisdiction,
        period=period,
        value=value,
        disaggregation=disaggregation or {},
        status=status,
        source=source,
    )
    written = observations_save(indicator=indicator, actor=actor, edits=[edit])
    return (
        written[0]
        if written
        else Observation.objects.get(
            indicator=indicator,
            jurisdiction=jurisdiction,
            period=period,
            disaggregation_key=disaggregation_key(edit.disaggregation),
        )
    )


def plan_indicators(*, plan: Plan) -> dict[int, Indicator]:
    """The indicators of a plan's targets."""
    return {
        i.pk: i
        for i in Indicator.objects.filter(
            pk__in=Target.objects.filter(node__plan=plan).values("indicator_id")
        ).order_by("pk")
    }


def observations_upload(
    *, raw: bytes, name: str, cycle: ReportingCycle, actor: Actor
) -> dict[str, int]:
    """Check every cell, then write every row, or nothing (InvalidInput lists each problem).

    The file is read and checked before the transaction begins, so a slow file holds no
    lock. Rows must be of the plan's indicators and within the uploader's value scope. A
    final value is changed only by a row that says final (decision 0019). The audit event
    keeps every changed row's value before and after.
    """
    policy.require(actor, "observation.enter")
    indicators = plan_indicators(plan=cycle.plan)
    places = {j.code: j for j in Jurisdiction.objects.select_related("parent__parent__parent")}
    allowed: dict[tuple[int, str | None], bool] = {}

    def may_enter(indicator: int, code: str | None) -> bool:
        if (indicator, code) not in allowed:
            place = places[code] if code is not None else None
            allowed[indicator, code] = policy.can(
                actor, "observation.enter", indicators[indicator], place
            )
        return allowed[indicator, code]

    rows = upload.parse(
        raw,
        name=name,
        indicators={pk: set(i.disaggregations) for pk, i in indicators.items()},
        jurisdictions=set(places),
        may_enter=may_enter,
    )
    for indicator_id, code in {(r.indicator, r.jurisdiction) for r in rows}:
        policy.require(actor, "observation.enter", indicators[indicator_id], places[code])
    with transaction.atomic():
        _lock_indicators({r.indicator for r in rows})
        stored = {
            (o.indicator_id, o.jurisdiction.code, o.period, o.disaggregation_key): o
            for o in Observation.objects.select_for_update()
            .select_related("jurisdiction")
            .filter(
                indicator_id__in={r.indicator for r in rows},
                period__in={r.period for r in rows},
            )
        }
        problems, created, updated, before, after = [], [], [], {}, {}
        entered_by = _entered_by(actor)
        for row in rows:
            observation = stored.get(row.key)
            status = row.status or (
                observation.status if observation else Observation.Status.PROVISIONAL
            )
            final = observation is not None and observation.status == Observation.Status.FINAL
            if final and row.status != Observation.Status.FINAL:
                assert observation is not None
                problems.append(
                    Problem(
                        row.where,
                        f"the value {observation.value.normalize():f} is final; to correct "
                        "it, say final in the status column",
                    )
                )
                continue
            label = "/".join(str(part) for part in row.key)
            if observation is None:
                observation = Observation(
                    indicator_id=row.indicator,
                    jurisdiction=places[row.jurisdiction],
                    period=row.period,
                    year=int(row.period[:4]),
                    disaggregation=row.disaggregation,
                    disaggregation_key=row.key[3],
                )
                created.append(observation)
            else:
                previous = _state(observation)
                if previous == {
                    "value": f"{row.value.normalize():f}",
                    "status": status,
                    "source": row.source,
                }:
                    continue
                before[label] = previous
                observation.version += 1
                updated.append(observation)
            observation.value, observation.source, observation.status = (
                row.value,
                row.source,
                status,
            )
            observation.entered_by = entered_by
            after[label] = _state(observation)
        if problems:
            raise InvalidInput(problems)
        Observation.objects.bulk_create(created, batch_size=2000)
        Observation.objects.bulk_update(
            updated, ["value", "source", "status", "entered_by", "version"], batch_size=2000
        )
        counts = {
            "rows": len(rows),
            "created": len(created),
            "updated": len(updated),
            "unchanged": len(rows) - len(created) - len(updated),
        }
        audit.record(
            actor=actor,
            action="observation.upload",
            target=cycle,
            before={"values": before},
            after={
                "file": name,
                "sha256": hashlib.sha256(raw).hexdigest(),
                **counts,
                "values": after,
            },
        )
    return counts


def upload_template(*, cycle: ReportingCycle, actor: Actor) -> bytes:
    """An XLSX sheet to fill in: a row per indicator of the plan the actor may enter values
    of, for each place its value scope starts at (the country for the secretariat)."""
    from openpyxl import Workbook

    scope = policy.value_scope(actor)
    roots = {
        pk: scope.roots(indicator) for pk, indicator in plan_indicators(plan=cycle.plan).items()
    }
    codes = dict(Jurisdiction.objects.values_list("pk", "code"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"HRAP {cycle.period}")
    sheet.append([*upload.HEADINGS, "indicator name (for reference)"])
    for indicator in Indicator.objects.filter(pk__in=roots).order_by("pk"):
        places = roots[indicator.pk]
        where = [cycle.plan.jurisdiction_id] if places is None else sorted(places)
        name = indicator.name.get("zh-Hans") or indicator.name.get("en") or ""
        for place in where:
            row = [indicator.pk, codes[place], cycle.period, "", None, "", "provisional", name]
            sheet.append(safe_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
    policy.require(actor, "report.edit", report)
    name = str(getattr(upload, "name", "") or "file")[-200:]
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    problems = []
    if suffix not in EVIDENCE_TYPES:
        allowed = ", ".join(sorted(EVIDENCE_TYPES))
        problems.append(Problem("file", f"{name}: only these types are accepted: {allowed}"))
    elif upload.size > EVIDENCE_MAX_BYTES:
        problems.append(
            Problem("file", f"{name}: {upload.size / 2**20:.1f} MB is over the 20 MB limit")
        )
    else:
        head = upload.read(8)
        upload.seek(0)
        magic = EVIDENCE_TYPES[suffix][1]
        if magic and not head.startswith(magic):
            problems.append(
                Problem("file", f"{name}: the content is not a {suffix[1:].upper()} file")
            )
        if not magic and b"\x00" in head:
            problems.append(Problem("file", f"{name}: the content is not text"))
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
    policy.require(actor, "report.edit", evidence.report)
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
