"""Writes of indicator values: one value, a grid of them, an upload; and the upload template.

Every value is asked of the policy for its indicator and place (the value scope), checked by
`hrap.core.numbers`, and audited with what it was before. Writers of an indicator's values
take its lock first, so two of them never insert the same value at once.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from hrap.accounts import policy
from hrap.core import audit
from hrap.core.errors import HrapError, InvalidInput, Problem
from hrap.core.numbers import ValueRefused, check_value
from hrap.directory.models import Jurisdiction
from hrap.monitoring import upload
from hrap.monitoring.models import Observation, ReportingCycle
from hrap.monitoring.periods import parse_period, period_problem
from hrap.monitoring.upload import disaggregation_key
from hrap.plans.models import Indicator, Plan, Target

# Never None: work done by HRAP itself names the system actor (accounts.system).
Actor = AbstractBaseUser | AnonymousUser


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
            problems.append(
                Problem(
                    edit.where,
                    _("%(indicator)s is not disaggregated by %(dimension)s")
                    % {"indicator": indicator, "dimension": dimension},
                )
            )
    if len(disaggregation_key(edit.disaggregation)) > upload.MAX_KEY:
        problems.append(
            Problem(
                edit.where,
                _("a disaggregation over %(n)s characters") % {"n": upload.MAX_KEY},
            )
        )
    if edit.status is not None and edit.status not in Observation.Status.values:
        problems.append(
            Problem(
                edit.where, _("%(status)r is not provisional or final") % {"status": edit.status}
            )
        )
    if edit.source is not None and len(edit.source) > upload.MAX_SOURCE:
        problems.append(
            Problem(edit.where, _("a source over %(n)s characters") % {"n": upload.MAX_SOURCE})
        )
    try:
        check_value(edit.value)
    except ValueRefused as refused:
        problems.append(Problem(edit.where, _(refused.message) % refused.params))
    return problems


def lock_indicators(ids: set[int]) -> None:
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
        lock_indicators({indicator.pk})
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

    Rows must be of the plan's indicators and within the uploader's value scope. A final
    value is changed only by a row that says final (decision 0019). The audit event keeps
    every changed row's value before and after.

    The file is read, checked and compared with the stored values before the transaction
    begins; inside it, under the indicators' locks, only the stored versions are read again
    (and the comparison redone if someone wrote meanwhile) and the rows written in bulk, so
    the database's write lock is held for as short a time as the writing takes.
    """
    policy.require(actor, "observation.enter")
    rows, problems, places, _blank = upload_rows(raw=raw, name=name, cycle=cycle, actor=actor)
    if problems:
        raise InvalidInput(problems)
    plan = UploadPlan(rows, places, actor)
    if plan.problems:
        raise InvalidInput(plan.problems)
    with transaction.atomic():
        lock_indicators({r.indicator for r in rows})
        if plan.stale():
            plan = UploadPlan(rows, places, actor)  # someone wrote these values meanwhile
            if plan.problems:
                raise InvalidInput(plan.problems)
        return upload_write(plan, raw=raw, name=name, cycle=cycle, actor=actor)


def upload_write(
    plan: UploadPlan, *, raw: bytes, name: str, cycle: ReportingCycle, actor: Actor, **noted: Any
) -> dict[str, int]:
    """Write a worked-out upload and its audit event (inside the caller's transaction, under
    the indicators' locks); `noted` goes into the event (e.g. the preview it confirms)."""
    plan.write()
    counts = plan.counts()
    audit.record(
        actor=actor,
        action="observation.upload",
        target=cycle,
        before={"values": plan.before},
        after={
            "file": name,
            "sha256": hashlib.sha256(raw).hexdigest(),
            **counts,
            **noted,
            "values": plan.after,
        },
    )
    return counts


def upload_rows(
    *, raw: bytes, name: str, cycle: ReportingCycle, actor: Actor
) -> tuple[list[upload.Row], list[Problem], dict[str, Jurisdiction], int]:
    """The rows of a file that pass every check (of the plan's indicators, within the
    uploader's value scope), the problem of every cell that does not, the places by code, and
    how many rows were left without a value.
    Headings and statuses may be written in any interface language (the template's are)."""
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

    headings, statuses = sheet_words()
    rows, problems, blank = upload.check(
        raw,
        name=name,
        indicators={pk: set(i.disaggregations) for pk, i in indicators.items()},
        jurisdictions=set(places),
        may_enter=may_enter,
        headings=headings,
        statuses=statuses,
    )
    for indicator_id, code in {(r.indicator, r.jurisdiction) for r in rows}:
        policy.require(actor, "observation.enter", indicators[indicator_id], places[code])
    return rows, problems, places, blank


# The template's column headings and status words, in the language of whoever downloads it.
COLUMNS = {
    "indicator": pgettext_lazy("values sheet column", "indicator"),
    "jurisdiction": pgettext_lazy("values sheet column", "jurisdiction"),
    "period": pgettext_lazy("values sheet column", "period"),
    "disaggregation": pgettext_lazy("values sheet column", "disaggregation"),
    "value": pgettext_lazy("values sheet column", "value"),
    "source": pgettext_lazy("values sheet column", "source"),
    "status": pgettext_lazy("values sheet column", "status"),
}
STATUS_WORDS = {
    "provisional": pgettext_lazy("values sheet status", "provisional"),
    "final": pgettext_lazy("values sheet status", "final"),
}


def sheet_words() -> tuple[dict[str, str], dict[str, str]]:
    """Headings and statuses as written in any interface language → their column and status."""
    headings: dict[str, str] = {}
    statuses: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            headings.update({str(label).strip().lower(): k for k, label in COLUMNS.items()})
            statuses.update({str(label).strip().lower(): k for k, label in STATUS_WORDS.items()})
    return headings, statuses


Key = tuple[int, str, str, str]  # indicator, jurisdiction code, period, disaggregation key


class UploadPlan:
    """What an upload changes, worked out from the stored values: the parameters of the rows
    to insert and to update, ready for the database, and each changed value before and after
    (for the audit event). Nothing is written until `write`."""

    INSERTED = (
        "indicator",
        "jurisdiction",
        "period",
        "year",
        "disaggregation",
        "disaggregation_key",
        "value",
        "source",
        "status",
        "entered_by",
        "entered_at",
        "version",
    )
    UPDATED = ("value", "source", "status", "entered_by", "entered_at", "version")

    def __init__(self, rows: list[upload.Row], places: dict[str, Jurisdiction], actor: Actor):
        self.rows = rows
        self.versions = _stored_versions(rows)
        stored = {
            (o.indicator_id, o.jurisdiction.code, o.period, o.disaggregation_key): o
            for o in Observation.objects.select_related("jurisdiction").filter(
                indicator_id__in={r.indicator for r in rows}, period__in={r.period for r in rows}
            )
        }
        self.connection = connections[Observation.objects.db]
        ops, meta = self.connection.ops, Observation._meta
        by = _entered_by(actor)
        by_id = by.pk if by is not None else None
        at = meta.get_field("entered_at").get_db_prep_save(timezone.now(), self.connection)
        as_json = functools.lru_cache(maxsize=None)(
            lambda key, found: meta.get_field("disaggregation").get_db_prep_save(
                dict(found), self.connection
            )
        )
        self.problems: list[Problem] = []
        self.inserts: list[tuple[Any, ...]] = []
        self.updates: list[tuple[Any, ...]] = []  # … and the id last
        self.before: dict[str, dict[str, str]] = {}
        self.after: dict[str, dict[str, str]] = {}
        # Each row's outcome, for a preview: (row, "new" | "corrected" | "unchanged", before,
        # after); and what the stored values the file touches are now (`digest`).
        self.outcomes: list[tuple[upload.Row, str, dict[str, str] | None, dict[str, str]]] = []
        self.seen = sorted(
            ("/".join(map(str, key)), o.version, _state(o))
            for key, o in stored.items()
            if key in {r.key for r in rows}
        )
        for row in rows:
            observation = stored.get(row.key)
            final = observation is not None and observation.status == Observation.Status.FINAL
            if final and row.status != Observation.Status.FINAL:
                assert observation is not None
                self.problems.append(
                    Problem(
                        row.where,
                        _(
                            "the value %(value)s is final; to correct it, say final in the "
                            "status column"
                        )
                        % {"value": f"{observation.value.normalize():f}"},
                    )
                )
                continue
            status = row.status or (
                observation.status if observation else Observation.Status.PROVISIONAL
            )
            state = {"value": f"{row.value:f}", "status": status, "source": row.source}
            value = ops.adapt_decimalfield_value(row.value, 24, 6)
            if observation is None:
                self.outcomes.append((row, "new", None, state))
                key = row.key[3]
                self.inserts.append(
                    (
                        row.indicator,
                        places[row.jurisdiction].pk,
                        row.period,
                        int(row.period[:4]),
                        as_json(key, tuple(sorted(row.disaggregation.items()))),
                        key,
                        value,
                        row.source,
                        status,
                        by_id,
                        at,
                        1,
                    )
                )
            elif state != _state(observation):
                self.outcomes.append((row, "corrected", _state(observation), state))
                self.before["/".join(map(str, row.key))] = _state(observation)
                self.updates.append(
                    (value, row.source, status, by_id, at, observation.version + 1, observation.pk)
                )
            else:
                self.outcomes.append((row, "unchanged", state, state))
                continue
            self.after["/".join(map(str, row.key))] = state

    def stale(self) -> bool:
        return _stored_versions(self.rows) != self.versions

    def digest(self, raw: bytes) -> str:
        """The file and the stored values it touches, as they are now: a confirmed preview
        is written only while this is what the person saw."""
        seen = json.dumps(self.seen, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(hashlib.sha256(raw).digest() + seen.encode()).hexdigest()

    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.rows),
            "created": len(self.inserts),
            "updated": len(self.updates),
            "unchanged": len(self.rows) - len(self.inserts) - len(self.updates),
        }

    def write(self) -> None:
        """One statement each for the inserts and the updates, run for every row, without
        the ORM's per-field work: the write lock is held only while the rows go in."""
        ops, meta = self.connection.ops, Observation._meta

        def column(name: str) -> str:
            found = meta.get_field(name)
            assert isinstance(found, models.Field)
            return str(ops.quote_name(found.column))

        table = ops.quote_name(meta.db_table)
        with self.connection.cursor() as cursor:
            if self.inserts:
                columns = ", ".join(column(n) for n in self.INSERTED)
                marks = ", ".join(["%s"] * len(self.INSERTED))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})", self.inserts
                )
            if self.updates:
                assignments = ", ".join(f"{column(n)} = %s" for n in self.UPDATED)
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE {column('id')} = %s", self.updates
                )


def _stored_versions(rows: list[upload.Row]) -> dict[Key, int]:
    """The stored version of every value the rows are of (absent: no value yet)."""
    keys = {r.key for r in rows}
    found = Observation.objects.filter(
        indicator_id__in={r.indicator for r in rows}, period__in={r.period for r in rows}
    ).values_list("indicator_id", "jurisdiction__code", "period", "disaggregation_key", "version")
    return {key[:4]: key[4] for key in found if key[:4] in keys}
