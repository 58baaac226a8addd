"""Corrections of a draft's structure during review: kind, order, merge and split."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from hrap.accounts import policy
from hrap.core import audit
from hrap.core.errors import InvalidInput, InvalidTransition, Problem
from hrap.core.localized import clean
from hrap.plans import planfile
from hrap.plans.models import Plan, PlanNode
from hrap.plans.services import Actor, node_search_text


def _require_draft(node: PlanNode) -> None:
    if node.plan.status != Plan.Status.DRAFT:
        raise InvalidTransition(
            "the structure of a published plan does not change; ingest a new draft to revise it"
        )


def _siblings(node: PlanNode) -> list[PlanNode]:
    return list(
        PlanNode.objects.filter(plan=node.plan, parent=node.parent).order_by("position", "id")
    )


@transaction.atomic
def node_set_kind(*, node: PlanNode, actor: Actor, kind: str) -> PlanNode:
    policy.require(actor, "node.edit", node)
    _require_draft(node)
    if kind not in PlanNode.Kind.values:
        raise InvalidInput([Problem("kind", f"{kind!r} is not a kind of node")])
    rank = planfile.KIND_RANK
    if node.parent is not None and rank[kind] <= rank[node.parent.kind]:
        raise InvalidInput([Problem("kind", f"a {kind} cannot be inside a {node.parent.kind}")])
    for child in node.children.all():
        if rank[child.kind] <= rank[kind]:
            raise InvalidInput([Problem("kind", f"a {child.kind} cannot be inside a {kind}")])
    before = node.kind
    if before == kind:
        return node
    node.kind = kind
    node.version += 1
    node.save(update_fields=["kind", "version"])
    audit.record(
        actor=actor, action="node.kind", target=node, before={"kind": before}, after={"kind": kind}
    )
    return node


@transaction.atomic
def node_move(*, node: PlanNode, actor: Actor, up: bool) -> PlanNode:
    """Swap a node with its previous (up) or next sibling."""
    policy.require(actor, "node.edit", node)
    _require_draft(node)
    siblings = _siblings(node)
    index = next(i for i, s in enumerate(siblings) if s.pk == node.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(siblings):
        return node
    order = [s.pk for s in siblings]
    order[index], order[other_index] = order[other_index], order[index]
    for position, pk in enumerate(order):
        PlanNode.objects.filter(pk=pk).update(position=position)
    node.refresh_from_db()
    audit.record(
        actor=actor,
        action="node.move",
        target=node,
        before={"position": index},
        after={"position": other_index},
    )
    return node


@transaction.atomic
def node_merge_into_previous(*, node: PlanNode, actor: Actor) -> PlanNode:
    """A node the parser split wrongly goes back into the sibling before it, text and all."""
    policy.require(actor, "node.edit", node)
    _require_draft(node)
    siblings = _siblings(node)
    index = next(i for i, s in enumerate(siblings) if s.pk == node.pk)
    if index == 0:
        raise InvalidInput([Problem("node", "the first node has no previous node to merge into")])
    into = siblings[index - 1]
    before = {
        "into": {"ref": into.ref, "text": into.text},
        "merged": {"ref": node.ref, "title": node.title, "text": node.text},
    }
    for lang in set(node.title) | set(node.text):
        own = ". ".join(p for p in (node.title.get(lang, ""), node.text.get(lang, "")) if p)
        into.text[lang] = "\n\n".join(p for p in (into.text.get(lang, ""), own) if p)
    offset = into.children.count()
    for child in node.children.order_by("position"):
        child.parent, child.position = into, child.position + offset
        child.save(update_fields=["parent", "position"])
    node.targets.update(node=into)
    node.assignments.exclude(agency__in=into.assignments.values("agency")).update(node=into)
    node.delete()
    into.search_text = node_search_text(into)
    into.version += 1
    into.save(update_fields=["text", "search_text", "version"])
    audit.record(
        actor=actor, action="node.merge", target=into, before=before, after={"text": into.text}
    )
    return into


@transaction.atomic
def node_split(*, node: PlanNode, actor: Actor, paragraph: int) -> PlanNode:
    """Paragraphs from `paragraph` (counted from 1) on become a new node right after this one."""
    policy.require(actor, "node.edit", node)
    _require_draft(node)
    kept: dict[str, str] = {}
    moved: dict[str, str] = {}
    for lang, text in node.text.items():
        paragraphs = [p for p in text.split("\n\n") if p.strip()]
        kept[lang] = "\n\n".join(paragraphs[: paragraph - 1])
        moved[lang] = "\n\n".join(paragraphs[paragraph - 1 :])
    if paragraph < 2 or not any(moved.values()) or not any(kept.values()):
        raise InvalidInput([Problem("paragraph", f"cannot split before paragraph {paragraph}")])
    ref, n = f"{node.ref}-2", 2
    while PlanNode.objects.filter(plan=node.plan, ref=ref).exists():
        n += 1
        ref = f"{node.ref}-{n}"
    PlanNode.objects.filter(plan=node.plan, parent=node.parent, position__gt=node.position).update(
        position=F("position") + 1
    )
    new = PlanNode(
        plan=node.plan,
        parent=node.parent,
        kind=node.kind,
        ref=ref,
        text=clean(moved),
        position=node.position + 1,
        depth=node.depth,
    )
    new.search_text = node_search_text(new)
    new.save()
    before = {"text": node.text}
    node.text = clean(kept)
    node.search_text = node_search_text(node)
    node.version += 1
    node.save(update_fields=["text", "search_text", "version"])
    for target in node.targets.all():
        if any(span and span in moved.get(lang, "") for lang, span in target.span.items()):
            target.node = new
            target.save(update_fields=["node"])
    audit.record(
        actor=actor,
        action="node.split",
        target=node,
        before=before,
        after={"text": node.text, "new": ref},
    )
    return new
