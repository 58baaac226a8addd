"""What a new revision of a plan takes over from the one it replaces, by ref (decision 0013).

Assignments follow their task; targets that staff added are copied; targets the document states
as before keep the edits and baselines staff gave them; every target keeps the indicator it
measured (so its values and the indicator's details stay with it); the facts of publication the
new document does not state (issuing body, adoption date, predecessor) are kept. Registered in
`core.revisions` as the first follower, so the apps above see the new revision complete.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hrap.core import audit
from hrap.core.localized import LocalizedText
from hrap.core.revisions import Tally
from hrap.plans.models import Assignment, Plan, PlanNode, Target

# The target's own fields that a statement records and staff may edit (the indicator is not one:
# what a target measures changes only through target_set_indicator).
STATED = ("value", "unit", "direction", "relative", "year")
EDITABLE = (*STATED, "binding", "beyond_period")
META = ("issued_by", "adopted", "predecessor_slug")


def statement(
    *,
    indicator: LocalizedText,
    value: Decimal | int | float | str,
    unit: str,
    direction: str,
    relative: bool,
    year: int | None,
) -> dict[str, Any]:
    """A target as a document states it, in one comparable form (`Target.imported`)."""
    return {
        "indicator": indicator,
        "value": f"{Decimal(str(value)).normalize():f}",
        "unit": unit,
        "direction": direction,
        "relative": relative,
        "year": year,
    }


def _fields(target: Target) -> dict[str, Any]:
    return {
        "value": target.value_text,
        "unit": target.unit,
        "direction": target.direction,
        "relative": target.relative,
        "year": target.year,
    }


def _edited(target: Target) -> bool:
    """Whether staff changed what the document stated (a target staff added counts as edited)."""
    stated = {key: target.imported.get(key) for key in STATED}
    return not target.imported or _fields(target) != stated


@dataclass
class TargetCarry:
    """How the targets of `old` map onto those of `new` (nothing written yet)."""

    # (new, old): the targets that follow one another (each keeps old's indicator)
    pairs: list[tuple[Target, Target]] = field(default_factory=list)
    # (new, old) pairs whose new target measures old's indicator only from now on
    relinked: list[tuple[Target, Target]] = field(default_factory=list)
    # (new, old): the document states the target as before; old's edits are applied to new
    edited: list[tuple[Target, Target]] = field(default_factory=list)
    # (new, old): old's baseline goes to new, which has none
    baselines: list[tuple[Target, Target]] = field(default_factory=list)
    # (node in new, old target staff added): copied
    added: list[tuple[PlanNode, Target]] = field(default_factory=list)
    # (new, old): the document states the target otherwise; its version stands, old's indicator
    # and baseline stay
    restated: list[tuple[Target, Target]] = field(default_factory=list)
    # targets of old that do not carry: their task is gone, or the document no longer states them
    left: list[Target] = field(default_factory=list)
    # indicator ids the new revision measures once carried
    indicators: set[int] = field(default_factory=set)


def _sources(old: Plan, new: Plan) -> dict[str, int]:
    """For each ref of `new`, the node whose work it takes over: `old`'s, or, for a task `old`
    dropped and `new` brings back, that of the latest earlier revision that had it."""
    refs = PlanNode.objects.filter(plan=new).values("ref")
    sources: dict[str, int] = {}
    for ref, node_id in (
        PlanNode.objects.filter(plan__slug=old.slug, plan__revision__lte=old.revision, ref__in=refs)
        .exclude(plan__status=Plan.Status.DRAFT)
        .order_by("-plan__revision")
        .values_list("ref", "pk")
    ):
        sources.setdefault(ref, node_id)
    return sources


def match_targets(old: Plan, new: Plan) -> TargetCarry:
    """Pair each target that `new` takes over with one of `new` at the same ref, reading only."""
    plan = TargetCarry()
    new_nodes = {n.ref: n for n in PlanNode.objects.filter(plan=new)}
    unmatched: dict[str, list[Target]] = defaultdict(list)
    for t in Target.objects.filter(node__plan=new).select_related("node").order_by("position"):
        unmatched[t.node.ref].append(t)
    sources = _sources(old, new)
    plan.left = list(
        Target.objects.filter(node__plan=old).exclude(node__ref__in=list(sources)).order_by("pk")
    )
    second_pass = []
    for o in (
        Target.objects.filter(node_id__in=sources.values())
        .select_related("node", "indicator")
        .order_by("position", "id")
    ):
        ref = o.node.ref
        if not o.imported:
            same = any(
                _fields(n) == _fields(o) and n.indicator_id == o.indicator_id
                for n in unmatched[ref]
            )
            if not same:
                plan.added.append((new_nodes[ref], o))
            continue
        n = next((n for n in unmatched[ref] if n.imported == o.imported), None)
        if n is None:
            second_pass.append(o)
            continue
        unmatched[ref].remove(n)
        _pair(plan, n, o)
        if _edited(o) and not _edited(n):
            plan.edited.append((n, o))
    for o in second_pass:
        # The document states this target differently now (a new value, a new year): the
        # document's version stands, but it still measures the same thing.
        n = next(
            (
                n
                for n in unmatched[o.node.ref]
                if n.imported.get("indicator") == o.imported.get("indicator") and n.unit == o.unit
            ),
            None,
        )
        if n is not None:
            unmatched[o.node.ref].remove(n)
            _pair(plan, n, o)
            plan.restated.append((n, o))
        elif o.node.plan_id == old.pk:
            plan.left.append(o)
    plan.indicators = (
        {o.indicator_id for _, o in plan.pairs}
        | {o.indicator_id for _, o in plan.added}
        | {n.indicator_id for ts in unmatched.values() for n in ts}
    )
    return plan


def _pair(plan: TargetCarry, new: Target, old: Target) -> None:
    plan.pairs.append((new, old))
    if new.indicator_id != old.indicator_id:
        plan.relinked.append((new, old))
    if old.baseline_value is not None and new.baseline_value is None:
        plan.baselines.append((new, old))


def _assignments(old: Plan, new: Plan) -> tuple[list[Assignment], int]:
    """The assignments `new` gets (one per task × agency × place not already there), and how
    many of `old`'s stay behind with tasks that `new` drops."""
    new_nodes = {n.ref: n for n in PlanNode.objects.filter(plan=new)}
    present = set(
        Assignment.objects.filter(node__plan=new).values_list(
            "node__ref", "agency_id", "jurisdiction_id"
        )
    )
    sources = _sources(old, new)
    rows = []
    for ref, agency_id, role, jurisdiction_id in Assignment.objects.filter(
        node_id__in=sources.values()
    ).values_list("node__ref", "agency_id", "role", "jurisdiction_id"):
        if (ref, agency_id, jurisdiction_id) not in present:
            rows.append(
                Assignment(
                    node=new_nodes[ref],
                    agency_id=agency_id,
                    role=role,
                    jurisdiction_id=jurisdiction_id,
                )
            )
    left = Assignment.objects.filter(node__plan=old).exclude(node__ref__in=list(sources)).count()
    return rows, left


def _metadata(old: Plan, new: Plan) -> dict[str, Any]:
    return {f: getattr(old, f) for f in META if getattr(old, f) and not getattr(new, f)}


def _tallies(
    old: Plan, assignments: int, assignments_left: int, targets: TargetCarry, meta: dict[str, Any]
) -> list[Tally]:
    n = len
    kept_indicator = n(targets.pairs) + n(targets.added)
    lines = [
        (
            "plans.assignments",
            assignments,
            ngettext(
                "%(count)d assignment follows its task by ref",
                "%(count)d assignments follow their tasks by ref",
                assignments,
            ),
        ),
        (
            "plans.assignments_left",
            assignments_left,
            ngettext(
                "%(count)d assignment of a task the new revision drops stays with revision "
                "%(revision)d",
                "%(count)d assignments of tasks the new revision drops stay with revision "
                "%(revision)d",
                assignments_left,
            ),
        ),
        (
            "plans.targets_added",
            n(targets.added),
            ngettext(
                "%(count)d target that staff added is carried over",
                "%(count)d targets that staff added are carried over",
                n(targets.added),
            ),
        ),
        (
            "plans.targets_edited",
            n(targets.edited),
            ngettext(
                "%(count)d target keeps the edits staff made (the document states it as before)",
                "%(count)d targets keep the edits staff made (the document states them as before)",
                n(targets.edited),
            ),
        ),
        (
            "plans.baselines",
            n(targets.baselines),
            ngettext(
                "%(count)d baseline is carried over",
                "%(count)d baselines are carried over",
                n(targets.baselines),
            ),
        ),
        (
            "plans.indicators",
            kept_indicator,
            ngettext(
                "%(count)d target keeps the indicator it measured, with its values and details",
                "%(count)d targets keep the indicators they measured, with their values and "
                "details",
                kept_indicator,
            ),
        ),
        (
            "plans.targets_restated",
            n(targets.restated),
            ngettext(
                "%(count)d target the new document states differently takes the document's "
                "version, keeping its indicator and baseline",
                "%(count)d targets the new document states differently take the document's "
                "version, keeping their indicators and baselines",
                n(targets.restated),
            ),
        ),
        (
            "plans.targets_left",
            n(targets.left),
            ngettext(
                "%(count)d target of revision %(revision)d is not carried: its task is not in "
                "the new revision, or the new document no longer states it",
                "%(count)d targets of revision %(revision)d are not carried: their tasks are not "
                "in the new revision, or the new document no longer states them",
                n(targets.left),
            ),
        ),
    ]
    tallies = [
        Tally(key, count, text % {"count": count, "revision": old.revision})
        for key, count, text in lines
        if count
    ]
    if meta:
        labels = ", ".join(str(getattr(Plan._meta.get_field(f), "verbose_name", f)) for f in meta)
        tallies.append(
            Tally("plans.metadata", len(meta), _("Kept from the current revision: %s") % labels)
        )
    return tallies


def preview(old: Plan, new: Plan) -> list[Tally]:
    assignments, left = _assignments(old, new)
    return _tallies(old, len(assignments), left, match_targets(old, new), _metadata(old, new))


def carry(old: Plan, new: Plan, actor: Any) -> list[Tally]:
    """Write what `preview` says, with one audit event on the new revision listing each row."""
    assignments, assignments_left = _assignments(old, new)
    Assignment.objects.bulk_create(assignments)
    targets = match_targets(old, new)
    changed: dict[int, Target] = {}
    for n, o in targets.relinked:
        n.indicator_id = o.indicator_id
        changed[n.pk] = n
    for n, o in targets.edited:
        for name in EDITABLE:
            setattr(n, name, getattr(o, name))
        changed[n.pk] = n
    for n, o in targets.baselines:
        n.baseline_value, n.baseline_year = o.baseline_value, o.baseline_year
        changed[n.pk] = n
    for n in changed.values():
        n.version += 1
    Target.objects.bulk_update(
        changed.values(),
        ["indicator", *EDITABLE, "baseline_value", "baseline_year", "version"],
        batch_size=500,
    )
    last = Target.objects.filter(node__plan=new).aggregate(last=Max("position"))["last"] or 0
    copies = [
        Target(
            node=node,
            indicator_id=o.indicator_id,
            **{name: getattr(o, name) for name in EDITABLE},
            span=o.span,
            baseline_value=o.baseline_value,
            baseline_year=o.baseline_year,
            position=last + i,
        )
        for i, (node, o) in enumerate(targets.added, start=1)
    ]
    Target.objects.bulk_create(copies)
    meta = _metadata(old, new)
    for name, value in meta.items():
        setattr(new, name, value)
    if meta:
        new.save(update_fields=list(meta))
    audit.record(
        actor=actor,
        action="plan.carry",
        target=new,
        before={"revision": old.revision},
        after={
            "revision": new.revision,
            "assignments": [
                {"ref": a.node.ref, "agency": a.agency_id, "role": a.role} for a in assignments
            ],
            "targets_added": [
                {"ref": node.ref, "from": o.pk, "to": c.pk}
                for (node, o), c in zip(targets.added, copies, strict=True)
            ],
            "targets_edited": [
                {"id": n.pk, "from": o.pk, "after": {k: str(getattr(n, k)) for k in EDITABLE}}
                for n, o in targets.edited
            ],
            "indicators": [{"id": n.pk, "indicator": o.indicator_id} for n, o in targets.relinked],
            "baselines": [
                {"id": n.pk, "value": str(o.baseline_value), "year": o.baseline_year}
                for n, o in targets.baselines
            ],
            "targets_restated": [{"id": n.pk, "from": o.pk} for n, o in targets.restated],
            "targets_left": [o.pk for o in targets.left],
            "metadata": meta,
        },
    )
    return _tallies(old, len(assignments), assignments_left, targets, meta)
