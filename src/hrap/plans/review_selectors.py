"""Reads for the review of a draft: its rows with their flags, the names to decide, and what
publishing it would change."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hrap.core import revisions
from hrap.core.errors import NotFound
from hrap.core.localized import LocalizedText, choose
from hrap.directory.models import Agency
from hrap.plans import review
from hrap.plans.models import (
    Assignment,
    Plan,
    PlanNode,
    ProposedAssignment,
    ReviewCheckpoint,
    Target,
)

DETAIL_LABELS = {
    "budget": gettext_lazy("Budget"),
    "indicator": gettext_lazy("Indicator"),
    "baseline": gettext_lazy("Baseline"),
    "target": gettext_lazy("Target"),
    "partners": gettext_lazy("Partners"),
    "timeline": gettext_lazy("Timeline"),
    "means_of_verification": gettext_lazy("Means of verification"),
    "output": gettext_lazy("Output"),
    "outcome": gettext_lazy("Outcome"),
}


def labelled_details(node: PlanNode) -> list[tuple[str, LocalizedText]]:
    """An action table's other columns, labelled in the interface language."""
    return [
        (str(DETAIL_LABELS.get(name, name.replace("_", " "))), texts)
        for name, texts in node.details.items()
    ]


@dataclass
class ReviewRow:
    node: PlanNode
    depth: int
    targets: list[Target]
    paragraphs: int
    proposals: list[ProposedAssignment] = field(default_factory=list)
    part: str = ""
    flags: list[str] = field(default_factory=list)
    # Set by the view: what the last correction said about this row, and what was refused.
    notes: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def details(self) -> list[tuple[str, LocalizedText]]:
        return labelled_details(self.node)


@dataclass
class ReviewPart:
    """A top-level node and every row below it: the page opens one part at a time."""

    node: PlanNode
    rows: list[ReviewRow]

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.flags)


@dataclass
class ReportLine:
    text: str
    ref: str | None = None
    part: str = ""


@dataclass
class NameToDecide:
    """A responsible body as printed that matched no single agency, on every node naming it."""

    key: str
    name: LocalizedText
    refs: list[str]


@dataclass
class ReviewPage:
    plan: Plan
    parts: list[ReviewPart]
    report: list[ReportLine]
    names: list[NameToDecide]
    matched: int
    checkpoint: ReviewCheckpoint | None
    missing: list[str]

    @property
    def rows(self) -> list[ReviewRow]:
        return [row for part in self.parts for row in part.rows]

    @property
    def flagged(self) -> int:
        return sum(part.flagged for part in self.parts)


def _report_lines(plan: Plan, refs: set[str]) -> list[ReportLine]:
    """The ingester's report; a line that starts with a node's ref ("II.3: …") links to it."""
    lines = []
    for text in plan.ingest_report:
        head = str(text).split(":", 1)[0].strip()
        lines.append(ReportLine(str(text), head if head in refs else None))
    return lines


def _flags(row: ReviewRow, plan: Plan, reported: dict[str, list[str]]) -> list[str]:
    node = row.node
    flags = list(reported.get(node.ref, []))
    if node.kind in (PlanNode.Kind.PART, PlanNode.Kind.SECTION) and not node.title:
        flags.append(_("a heading without a title"))
    if not node.title and not node.text:
        flags.append(_("no title and no text"))
    for proposal in row.proposals:
        if proposal.agency_id is None and proposal.state == ProposedAssignment.State.PROPOSED:
            flags.append(
                _("names a body not in the directory: %(name)s")
                % {"name": choose(proposal.name).text}
            )
    if plan.period_start is not None and plan.period_end is not None:
        years = [t.year for t in row.targets if t.year] + [node.deadline.get("year")]
        for year in years:
            if year and not plan.period_start <= year <= plan.period_end:
                flags.append(
                    _("a deadline in %(year)s, outside the plan's period") % {"year": year}
                )
    return flags


def review_page(*, plan: Plan) -> ReviewPage:
    """Every node in reading order, grouped by part, with its targets, proposals and flags;
    five queries whatever the size of the plan."""
    nodes = list(PlanNode.objects.filter(plan=plan).order_by("depth", "position", "id"))
    targets: dict[int, list[Target]] = defaultdict(list)
    for t in Target.objects.filter(node__plan=plan).select_related("indicator"):
        targets[t.node_id].append(t)
    proposals: dict[int, list[ProposedAssignment]] = defaultdict(list)
    for p in ProposedAssignment.objects.filter(node__plan=plan).select_related("agency"):
        proposals[p.node_id].append(p)
    children: dict[int | None, list[PlanNode]] = defaultdict(list)
    for n in nodes:
        children[n.parent_id].append(n)
    report = _report_lines(plan, {n.ref for n in nodes})
    reported: dict[str, list[str]] = defaultdict(list)
    for line in report:
        if line.ref:
            reported[line.ref].append(line.text.split(":", 1)[1].strip())
    parts: list[ReviewPart] = []

    def visit(parent_id: int | None, depth: int, part: ReviewPart | None) -> None:
        for n in sorted(children[parent_id], key=lambda x: (x.position, x.id)):
            if part is None:
                parts.append(ReviewPart(node=n, rows=[]))
            here = part or parts[-1]
            paragraphs = max((len(t.split("\n\n")) for t in n.text.values()), default=0)
            row = ReviewRow(
                n, depth, targets[n.id], paragraphs, proposals[n.id], part=here.node.ref
            )
            row.flags = _flags(row, plan, reported)
            here.rows.append(row)
            visit(n.id, depth + 1, here)

    visit(None, 0, None)
    part_of = {row.node.ref: row.part for part in parts for row in part.rows}
    for line in report:
        line.part = part_of.get(line.ref or "", "")
    return ReviewPage(
        plan=plan,
        parts=parts,
        report=report,
        names=names_to_decide(plan=plan),
        matched=ProposedAssignment.objects.filter(
            node__plan=plan, state=ProposedAssignment.State.PROPOSED, agency__isnull=False
        ).count(),
        checkpoint=ReviewCheckpoint.objects.filter(plan=plan).only("action", "summary").first(),
        missing=review.facts_missing(plan),
    )


def names_to_decide(*, plan: Plan) -> list[NameToDecide]:
    """The names as printed that no agency was matched to yet, most used first."""
    by_key: dict[str, NameToDecide] = {}
    for key, name, ref in (
        ProposedAssignment.objects.filter(
            node__plan=plan, state=ProposedAssignment.State.PROPOSED, agency__isnull=True
        )
        .order_by("node__depth", "node__position", "position")
        .values_list("key", "name", "node__ref")
    ):
        entry = by_key.setdefault(key, NameToDecide(key, name, []))
        if ref not in entry.refs:
            entry.refs.append(ref)
    return sorted(by_key.values(), key=lambda n: (-len(n.refs), n.key))


def agency_choices() -> list[tuple[int, str]]:
    """Every agency, by its name in the interface language."""
    agencies = [(a.pk, choose(a.name).text or a.code, a.code) for a in Agency.objects.all()]
    return [(pk, f"{name} ({code})") for pk, name, code in sorted(agencies, key=lambda a: a[1])]


def printed_name(*, plan: Plan, key: str) -> LocalizedText:
    """The name as the document printed it, for an agency created from it."""
    found = (
        ProposedAssignment.objects.filter(node__plan=plan, key=key)
        .values_list("name", flat=True)
        .first()
    )
    if found is None:
        raise NotFound("no such name on this draft")
    return dict(found)


# --- What publishing changes ----------------------------------------------------------------


@dataclass
class PublishPreview:
    plan: Plan
    current: Plan | None
    added: list[str]
    removed: list[str]
    changed: list[str]
    targets: int
    targets_before: int
    targets_changed: list[str]
    assignments_carried: int
    assignments_lost: list[str]
    assignments_own: int
    missing: list[str]
    # What the apps above plans (monitoring: cycles, reports, values) carry over by ref, one
    # line per kind of record (core.revisions.preview); None when there is nothing to carry from.
    monitoring: list[str] | None = None


def _shape(plan: Plan) -> dict[str, tuple[Any, ...]]:
    nodes = list(
        PlanNode.objects.filter(plan=plan)
        .order_by("depth", "position", "id")
        .values_list("id", "ref", "parent_id", "kind", "number", "title", "text")
    )
    refs = {pk: ref for pk, ref, *_ in nodes}
    return {
        ref: (refs.get(parent) if parent else None, kind, number, title, text)
        for _pk, ref, parent, kind, number, title, text in nodes
    }


def _targets(plan: Plan) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for ref, *values in (
        Target.objects.filter(node__plan=plan)
        .order_by("position", "id")
        .values_list("node__ref", "indicator__name", "value", "unit", "direction", "year")
    ):
        found[ref].append(json.dumps(values, sort_keys=True, default=str))
    return found


def publish_preview(*, plan: Plan) -> PublishPreview:
    """What publishing this draft changes against the revision in force, by ref."""
    current = (
        Plan.objects.filter(slug=plan.slug, status__in=Plan.CURRENT).order_by("-revision").first()
    )
    mine = _shape(plan)
    theirs = _shape(current) if current else {}
    new_targets = _targets(plan)
    old_targets = _targets(current) if current else {}
    carried = (
        Assignment.objects.filter(node__plan=current)
        .values("node__ref")
        .annotate(n=Count("id"))
        .values_list("node__ref", "n")
        if current
        else []
    )
    carried_by_ref = dict(carried)
    monitoring = (
        [t.text for t in revisions.preview(current, plan) if not t.key.startswith("plans.")]
        if current
        else None
    )
    return PublishPreview(
        monitoring=monitoring,
        plan=plan,
        current=current,
        added=[ref for ref in mine if ref not in theirs],
        removed=[ref for ref in theirs if ref not in mine],
        changed=[ref for ref in mine if ref in theirs and mine[ref] != theirs[ref]],
        targets=sum(len(v) for v in new_targets.values()),
        targets_before=sum(len(v) for v in old_targets.values()),
        targets_changed=sorted(
            ref
            for ref in set(new_targets) | set(old_targets)
            if current
            and ref in theirs
            and ref in mine
            and new_targets.get(ref) != old_targets.get(ref)
        ),
        assignments_carried=sum(n for ref, n in carried_by_ref.items() if ref in mine),
        assignments_lost=sorted(ref for ref in carried_by_ref if ref not in mine),
        assignments_own=Assignment.objects.filter(node__plan=plan).count(),
        missing=review.facts_missing(plan),
    )
