"""Review of a draft: structure corrections (one node or many) and undo of the last one; and
what the plan file's action-table fields (deadlines, responsible bodies, details, baselines)
and unknown facts become on import and publication (called by `services`).

Every correction locks the plan, checks the version the reviewer saw, keeps the state before it
(`ReviewCheckpoint`, one per plan, for undo) and records one audit event, per-node before/after
for corrections of many nodes. Refs follow the tree: a node that moves under another parent
keeps its own number and takes the new parent's ref as prefix (decision 0010). The facts a
document did not state and the proposed assignments are reviewed in `review_fields`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from hrap.accounts import policy
from hrap.core import audit
from hrap.core.errors import EditConflict, InvalidInput, InvalidTransition, Problem
from hrap.core.localized import LocalizedText, clean
from hrap.directory.models import Agency
from hrap.plans import agency_names, review_tree, services
from hrap.plans.models import (
    Assignment,
    Plan,
    PlanNode,
    ProposedAssignment,
    ReviewCheckpoint,
    Target,
)
from hrap.plans.review_tree import Tree

ASSIGNABLE = {PlanNode.Kind.SECTION, PlanNode.Kind.TASK, PlanNode.Kind.SUBTASK}


# --- What a plan file's newer fields become on import (called by services.plan_import) -------


def facts_required(meta: dict[str, Any], *, draft: bool) -> list[Problem]:
    """A plan in force must say where and when; a draft may leave it to the review screen."""
    if draft:
        return []
    return [
        Problem(f"$.plan.{key}", _("not stated: give it before the plan can be imported"))
        for key in ("jurisdiction", "period")
        if meta[key] is None
    ]


def node_fields(entry: dict[str, Any]) -> dict[str, Any]:
    """A node's deadline, responsible bodies (as printed) and details, as PlanNode fields."""
    return {
        "deadline": entry.get("deadline") or {},
        "responsible": entry.get("responsible") or [],
        "details": entry.get("details") or {},
    }


def target_baseline(spec: dict[str, Any]) -> dict[str, Any]:
    baseline = spec.get("baseline")
    if not baseline:
        return {}
    return {
        "baseline_value": Decimal(str(baseline["value"])),
        "baseline_year": baseline.get("year"),
    }


def _agency_directory() -> agency_names.Directory:
    return agency_names.Directory.of(
        (a.pk, [*a.name.values(), *a.abbreviation.values(), a.code]) for a in Agency.objects.all()
    )


def _proposed_roles(entries: list[dict[str, Any]]) -> list[str]:
    """The roles the document gives; unstated, the first body named leads unless another does.
    A second lead is proposed as co-implementer: a task has one lead, the reviewer decides."""
    someone_leads = any(e.get("role") == Assignment.Role.LEAD for e in entries)
    roles: list[str] = []
    for index, entry in enumerate(entries):
        leads = entry.get("role") == Assignment.Role.LEAD or (
            entry.get("role") is None and index == 0 and not someone_leads
        )
        first = Assignment.Role.LEAD not in roles
        roles.append(Assignment.Role.LEAD if leads and first else Assignment.Role.CO)
    return roles


def name_key(name: LocalizedText) -> str:
    """One key per body as printed, whatever its languages: decisions are taken per name."""
    folded = sorted(agency_names.key(text) for text in name.values() if text.strip())
    return " | ".join(folded)[: agency_names.MAX_NAME]


def propose_assignments(plan: Plan) -> int:
    """Each responsible body of each node, matched against the directory, as a proposal."""
    directory = _agency_directory()
    proposals = []
    for node in PlanNode.objects.filter(plan=plan).exclude(responsible=[]).only("responsible"):
        roles = _proposed_roles(node.responsible)
        for index, entry in enumerate(node.responsible):
            candidates = directory.candidates(entry["name"].values())
            proposals.append(
                ProposedAssignment(
                    node=node,
                    position=index,
                    name=entry["name"],
                    key=name_key(entry["name"]),
                    role=roles[index],
                    agency_id=next(iter(candidates)) if len(candidates) == 1 else None,
                    matched_by="directory" if len(candidates) == 1 else "",
                )
            )
    ProposedAssignment.objects.bulk_create(proposals)
    return len(proposals)


# --- The facts a document may not state ----------------------------------------------------


def facts_missing(plan: Plan) -> list[str]:
    """What must still be said before the draft can be published."""
    missing = []
    if plan.jurisdiction_id is None:
        missing.append("jurisdiction")
    if plan.period_start is None or plan.period_end is None:
        missing.append("period")
    return missing


def ready_to_publish(plan: Plan) -> None:
    """Publishing refuses a plan that does not say where and when it applies; what review kept
    for undo is dropped, since a published revision's structure no longer changes."""
    ReviewCheckpoint.objects.filter(plan=plan).delete()
    missing = facts_missing(plan)
    if missing:
        labels = {"jurisdiction": _("the jurisdiction"), "period": _("the period")}
        raise InvalidInput(
            [
                Problem(
                    name,
                    _("%(what)s is not known: set it on the review screen before publishing")
                    % {"what": labels[name]},
                )
                for name in missing
            ]
        )


# --- Corrections: the state before, for undo ------------------------------------------------


def require_draft(plan: Plan) -> None:
    if plan.status != Plan.Status.DRAFT:
        raise InvalidTransition(
            _("the structure of a published plan does not change; ingest a new draft to revise it")
        )


def require_version(plan: Plan, version: int) -> None:
    if plan.version != version:
        raise EditConflict(plan, current_version=plan.version, submitted_version=version)


@dataclass
class Correction:
    """A correction under way: the locked plan, and what the audit event will say."""

    plan: Plan
    action: str
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)
    summary: str = ""


@contextmanager
def correcting(
    plan: Plan, actor: services.Actor, version: int, action: str
) -> Iterator[Correction]:
    """Lock, check, keep the state before, run the correction, then audit it and bump the
    plan's version. Call inside a transaction; an exception leaves nothing changed."""
    policy.require(actor, "plan.review", plan)
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    require_draft(locked)
    require_version(locked, version)
    snapshot = review_tree.state(locked)
    correction = Correction(plan=locked, action=action)
    yield correction
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    ReviewCheckpoint.objects.update_or_create(
        plan=locked,
        defaults={
            "action": action,
            "summary": correction.summary[:300],
            "snapshot": snapshot,
            "digest": review_tree.digest(review_tree.state(locked)),
            "plan_version": locked.version,
        },
    )
    audit.record(
        actor=actor,
        action=action,
        target=locked,
        before=correction.before,
        after=correction.after,
    )
    plan.version = locked.version


@transaction.atomic
def review_undo(*, plan: Plan, actor: services.Actor, version: int) -> ReviewCheckpoint:
    """Put the draft back as it was before its last correction, if nothing changed it since."""
    policy.require(actor, "plan.review", plan)
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    require_draft(locked)
    require_version(locked, version)
    checkpoint = ReviewCheckpoint.objects.filter(plan=locked).first()
    if checkpoint is None:
        raise InvalidInput([Problem("undo", _("there is no correction to undo"))])
    now = review_tree.state(locked)
    if checkpoint.plan_version != locked.version or checkpoint.digest != review_tree.digest(now):
        raise InvalidInput(
            [Problem("undo", _("the draft was edited after the last correction: undo it by hand"))]
        )
    review_tree.restore(locked, checkpoint.snapshot, now)
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit.record(
        actor=actor,
        action="review.undo",
        target=locked,
        before={"action": checkpoint.action, "summary": checkpoint.summary},
    )
    checkpoint.delete()
    plan.version = locked.version
    return checkpoint


def _changes(tree: Tree, nodes: Iterable[PlanNode]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per-node before/after of the structural fields, keyed by the ref before."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for node in nodes:
        was = dict(zip(tree.FIELDS, (json.loads(v) for v in tree.was[node.pk]), strict=True))
        now = {f: getattr(node, f) for f in tree.FIELDS}
        diff = [f for f in tree.FIELDS if f != "position" and was[f] != now[f]]
        if diff:
            before[was["ref"]] = {f: was[f] for f in diff}
            after[was["ref"]] = {f: now[f] for f in diff}
    return before, after


def _refs(nodes: Iterable[PlanNode]) -> str:
    refs = [n.ref for n in nodes]
    return ", ".join(refs[:6]) + (f" … (+{len(refs) - 6})" if len(refs) > 6 else "")


def _finish(correction: Correction, tree: Tree, summary: str) -> list[PlanNode]:
    changed = tree.save()
    correction.before, correction.after = _changes(tree, changed)
    correction.summary = summary
    return changed


@transaction.atomic
def nodes_set_kind(
    *, plan: Plan, actor: services.Actor, version: int, node_ids: list[int], kind: str
) -> list[PlanNode]:
    """Change the kind of the selected nodes; the whole tree must still nest."""
    if kind not in PlanNode.Kind.values:
        raise InvalidInput([Problem("kind", _("%(kind)r is not a kind of node") % {"kind": kind})])
    with correcting(plan, actor, version, "nodes.kind") as correction:
        tree = Tree(correction.plan)
        nodes = tree.pick(node_ids)
        for node in nodes:
            policy.require(actor, "node.edit", node)
            node.kind = kind
        _finish(correction, tree, f"{kind}: {_refs(nodes)}")
    return nodes


@transaction.atomic
def nodes_indent(
    *, plan: Plan, actor: services.Actor, version: int, node_ids: list[int]
) -> list[PlanNode]:
    """Each selected node goes under the sibling before it, as its last child (a task under a
    task becomes a sub-task)."""
    with correcting(plan, actor, version, "nodes.indent") as correction:
        tree = Tree(correction.plan)
        nodes = tree.outermost(tree.pick(node_ids))
        for node in nodes:
            policy.require(actor, "node.edit", node)
            previous = tree.previous(node)
            if previous is None:
                raise InvalidInput(
                    [Problem(node.ref, _("the first node of its level cannot be indented"))]
                )
            tree.detach(node)
            tree.attach(node, previous)
            tree.refit(node)
        _finish(correction, tree, _refs(nodes))
    return nodes


@transaction.atomic
def nodes_outdent(
    *, plan: Plan, actor: services.Actor, version: int, node_ids: list[int]
) -> list[PlanNode]:
    """Each selected node leaves its parent and follows it, one level up."""
    with correcting(plan, actor, version, "nodes.outdent") as correction:
        tree = Tree(correction.plan)
        nodes = tree.outermost(tree.pick(node_ids))
        for node in reversed(nodes):
            policy.require(actor, "node.edit", node)
            parent = tree.parent(node)
            if parent is None:
                raise InvalidInput([Problem(node.ref, _("a top-level node cannot be outdented"))])
            tree.detach(node)
            grandparent = tree.parent(parent)
            siblings = tree.children[grandparent.pk if grandparent else None]
            tree.attach(node, grandparent, siblings.index(parent) + 1)
            tree.refit(node)
        _finish(correction, tree, _refs(nodes))
    return nodes


@transaction.atomic
def nodes_move(
    *, plan: Plan, actor: services.Actor, version: int, node_ids: list[int], up: bool
) -> list[PlanNode]:
    """The selected nodes swap places with the sibling before (up) or after them."""
    with correcting(plan, actor, version, "nodes.move") as correction:
        tree = Tree(correction.plan)
        nodes = tree.outermost(tree.pick(node_ids))
        chosen = {n.pk for n in nodes}
        for node in nodes if up else list(reversed(nodes)):
            policy.require(actor, "node.edit", node)
            siblings = tree.children[node.parent_id]
            index = siblings.index(node)
            other = index - 1 if up else index + 1
            if 0 <= other < len(siblings) and siblings[other].pk not in chosen:
                siblings[index], siblings[other] = siblings[other], siblings[index]
        before = {n.ref: n.position for n in nodes}
        tree.save()
        correction.before = before
        correction.after = {n.ref: n.position for n in nodes}
        correction.summary = ("↑ " if up else "↓ ") + _refs(nodes)
    return nodes


def _join(into: LocalizedText, node: PlanNode) -> LocalizedText:
    joined = dict(into)
    for lang in dict.fromkeys([*node.title, *node.text]):
        own = ". ".join(p for p in (node.title.get(lang, ""), node.text.get(lang, "")) if p)
        joined[lang] = "\n\n".join(p for p in (joined.get(lang, ""), own) if p)
    return clean(joined)


@transaction.atomic
def nodes_merge(
    *, plan: Plan, actor: services.Actor, version: int, node_ids: list[int]
) -> list[PlanNode]:
    """Each selected node goes into the sibling before it: its title and text are appended to
    that node's text, its children, targets, assignments and proposals move there."""
    with correcting(plan, actor, version, "nodes.merge") as correction:
        tree = Tree(correction.plan)
        nodes = tree.pick(node_ids)
        merged_into: dict[int, PlanNode] = {}
        for node in nodes:
            policy.require(actor, "node.edit", node)
            into = tree.previous(node)
            if into is None:
                raise InvalidInput(
                    [Problem(node.ref, _("the first node has no previous node to merge into"))]
                )
            correction.before[tree.ref_before(node)] = {"title": node.title, "text": node.text}
            into.text = _join(into.text, node)
            for child in list(tree.children[node.pk]):
                tree.detach(child)
                tree.attach(child, into)
                tree.refit(child)
            tree.remove(node)
            merged_into[node.pk] = into
        _move_dependents(merged_into)
        tree.save()
        receivers = {into.pk: into for into in merged_into.values()}
        correction.after = {
            into.ref: {
                "text": into.text,
                "merged": [
                    tree.ref_before(tree.nodes[pk])
                    for pk, v in merged_into.items()
                    if v.pk == into.pk
                ],
            }
            for into in receivers.values()
        }
        correction.summary = _refs(nodes)
    return list(receivers.values())


def _move_dependents(moves: dict[int, PlanNode]) -> None:
    """Targets, assignments and proposals of merged nodes follow them into their new node."""
    for old, new in moves.items():
        Target.objects.filter(node_id=old).update(node_id=new.pk)
        ProposedAssignment.objects.filter(node_id=old).update(node_id=new.pk)
        taken = Assignment.objects.filter(node_id=new.pk).values("agency_id")
        Assignment.objects.filter(node_id=old).exclude(agency_id__in=taken).update(node_id=new.pk)


@transaction.atomic
def nodes_delete(
    *, plan: Plan, actor: services.Actor, version: int, node_ids: list[int]
) -> list[PlanNode]:
    """Remove the selected nodes with everything below them (a contents page read as nodes)."""
    with correcting(plan, actor, version, "nodes.delete") as correction:
        tree = Tree(correction.plan)
        nodes = tree.outermost(tree.pick(node_ids))
        for node in nodes:
            policy.require(actor, "node.edit", node)
            correction.before[node.ref] = {
                "kind": node.kind,
                "title": node.title,
                "text": node.text,
                "descendants": [d.ref for d in tree.subtree(node)[1:]],
            }
            tree.remove(node)
        tree.save()
        correction.summary = _refs(nodes)
    return nodes


@transaction.atomic
def node_split(
    *, plan: Plan, actor: services.Actor, version: int, node_id: int, paragraph: int
) -> PlanNode:
    """Paragraphs from `paragraph` (counted from 1) on become a new node right after this one."""
    with correcting(plan, actor, version, "node.split") as correction:
        node = Tree(correction.plan).pick([node_id])[0]
        policy.require(actor, "node.edit", node)
        kept: dict[str, str] = {}
        moved: dict[str, str] = {}
        for lang, text in node.text.items():
            paragraphs = [p for p in text.split("\n\n") if p.strip()]
            kept[lang] = "\n\n".join(paragraphs[: paragraph - 1])
            moved[lang] = "\n\n".join(paragraphs[paragraph - 1 :])
        if paragraph < 2 or not any(moved.values()) or not any(kept.values()):
            raise InvalidInput(
                [
                    Problem(
                        node.ref,
                        _("cannot split before paragraph %(n)s") % {"n": paragraph},
                    )
                ]
            )
        base, n = node.ref[: review_tree.MAX_REF - 4], 2
        ref = f"{base}-2"
        while PlanNode.objects.filter(plan=node.plan_id, ref=ref).exists():
            n += 1
            ref = f"{base}-{n}"
        PlanNode.objects.filter(
            plan=node.plan_id, parent=node.parent_id, position__gt=node.position
        ).update(position=F("position") + 1)
        new = PlanNode(
            plan_id=node.plan_id,
            parent_id=node.parent_id,
            kind=node.kind,
            ref=ref,
            text=clean(moved),
            position=node.position + 1,
            depth=node.depth,
        )
        new.search_text = services.node_search_text(new)
        new.save()
        correction.before = {node.ref: {"text": node.text}}
        node.text = clean(kept)
        node.search_text = services.node_search_text(node)
        node.version += 1
        node.save(update_fields=["text", "search_text", "version"])
        for target in node.targets.all():
            if any(span and span in moved.get(lang, "") for lang, span in target.span.items()):
                target.node = new
                target.save(update_fields=["node"])
        correction.after = {node.ref: {"text": node.text}, ref: {"text": new.text}}
        correction.summary = f"{node.ref} → {ref}"
    return new
