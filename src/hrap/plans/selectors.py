"""Reads of plans, scoped to the viewer: lists, the tree, one node, the plan file, search."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from hrap.accounts import policy
from hrap.accounts.policy import User
from hrap.core.errors import NotFound
from hrap.core.localized import choose
from hrap.plans import planfile
from hrap.plans.models import Plan, PlanNode, Target
from hrap.plans.textsearch import excerpt, normalize, query_terms, ref_in_query


def plan_list(*, viewer: User) -> QuerySet[Plan]:
    """Current revisions, and for staff the drafts under review; superseded ones are history."""
    plans = (
        Plan.objects.select_related("jurisdiction")
        .exclude(status=Plan.Status.SUPERSEDED)
        .annotate(task_count=Count("nodes", filter=Q(nodes__kind=PlanNode.Kind.TASK)))
    )
    if not policy.can(viewer, "plan.view_draft"):
        plans = plans.exclude(status=Plan.Status.DRAFT)
    return plans.order_by("-period_start", "slug", "-revision")


def plan_get(*, viewer: User, slug: str, revision: int | None = None) -> Plan:
    """The current revision of a plan, or the one asked for; drafts only for staff."""
    plans = Plan.objects.select_related("jurisdiction").filter(slug=slug)
    sees_drafts = policy.can(viewer, "plan.view_draft")
    if revision is not None:
        plan = plans.filter(revision=revision).first()
    else:
        plan = plans.filter(status__in=Plan.CURRENT).order_by("-revision").first()
        if plan is None and sees_drafts:
            plan = plans.filter(status=Plan.Status.DRAFT).order_by("-revision").first()
    if plan is None or (plan.status == Plan.Status.DRAFT and not sees_drafts):
        raise NotFound(f"no plan {slug!r}")
    return plan


def plan_revisions(*, viewer: User, slug: str) -> QuerySet[Plan]:
    plans = Plan.objects.filter(slug=slug).order_by("-revision")
    if not policy.can(viewer, "plan.view_draft"):
        plans = plans.exclude(status=Plan.Status.DRAFT)
    return plans


@dataclass
class TreeNode:
    node: PlanNode
    children: list[TreeNode] = field(default_factory=list)
    targets: int = 0
    sections: int = 0
    tasks: int = 0
    total_targets: int = 0


def plan_tree(*, plan: Plan) -> list[TreeNode]:
    """The whole tree in two queries, each node with the counts of what lies beneath it."""
    nodes = list(
        PlanNode.objects.filter(plan=plan)
        .only("id", "parent_id", "kind", "ref", "number", "title", "text", "position", "depth")
        .order_by("depth", "position")
    )
    target_counts = dict(
        Target.objects.filter(node__plan=plan)
        .values_list("node_id")
        .annotate(n=Count("id"))
        .values_list("node_id", "n")
    )
    by_id = {n.id: TreeNode(node=n, targets=target_counts.get(n.id, 0)) for n in nodes}
    roots: list[TreeNode] = []
    for tree_node in by_id.values():
        parent_id = tree_node.node.parent_id
        (by_id[parent_id].children if parent_id else roots).append(tree_node)

    def count(t: TreeNode) -> None:
        t.total_targets = t.targets
        for child in t.children:
            count(child)
            t.sections += child.sections + (child.node.kind == PlanNode.Kind.SECTION)
            t.tasks += child.tasks + (child.node.kind == PlanNode.Kind.TASK)
            t.total_targets += child.total_targets

    for root in roots:
        count(root)
    return roots


@dataclass
class NodePage:
    node: PlanNode
    ancestors: list[PlanNode]
    children: list[PlanNode]
    targets: list[Target]
    assignments: list[Any]
    previous: PlanNode | None
    next: PlanNode | None


def node_get(*, viewer: User, plan: Plan, ref: str) -> NodePage:
    node = (
        PlanNode.objects.filter(plan=plan, ref=ref)
        .select_related("parent__parent__parent__parent")
        .first()
    )
    if node is None:
        raise NotFound(f"no node {ref!r} in plan {plan.slug!r}")
    ancestors: list[PlanNode] = []
    parent = node.parent
    while parent is not None:
        ancestors.insert(0, parent)
        parent = parent.parent
    siblings = PlanNode.objects.filter(plan=plan, parent=node.parent).only("ref", "title", "number")
    return NodePage(
        node=node,
        ancestors=ancestors,
        children=list(node.children.order_by("position")),
        targets=list(node.targets.select_related("indicator")),
        assignments=list(node.assignments.select_related("agency", "jurisdiction")),
        previous=siblings.filter(position__lt=node.position).order_by("-position").first(),
        next=siblings.filter(position__gt=node.position).order_by("position").first(),
    )


def plan_document(*, plan: Plan) -> dict[str, Any]:
    """The plan as a plan file (version 1), in canonical form."""
    nodes = list(PlanNode.objects.filter(plan=plan).order_by("depth", "position"))
    targets: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for t in (
        Target.objects.filter(node__plan=plan)
        .select_related("indicator")
        .order_by("position", "id")
    ):
        targets[t.node_id].append(
            {
                "indicator": t.indicator.name,
                "value": t.value,
                "unit": t.unit,
                "direction": t.direction,
                "relative": t.relative,
                "year": t.year,
                "beyond_period": t.beyond_period,
                "binding": t.binding,
                "span": t.span,
                "baseline": {"value": t.baseline_value, "year": t.baseline_year}
                if t.baseline_value is not None
                else None,
            }
        )
    entries: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for n in nodes:
        entry = {
            "ref": n.ref,
            "kind": n.kind,
            "number": n.number,
            "title": n.title,
            "text": n.text,
            "targets": targets[n.id],
            "deadline": n.deadline,
            "responsible": n.responsible,
            "details": n.details,
            "children": [],
        }
        entries[n.id] = entry
        (entries[n.parent_id]["children"] if n.parent_id else roots).append(entry)
    document = {
        "format": planfile.FORMAT,
        "plan": {
            "slug": plan.slug,
            "title": plan.title,
            "jurisdiction": plan.jurisdiction.code if plan.jurisdiction else None,
            "period": {"start": plan.period_start, "end": plan.period_end}
            if plan.period_start is not None and plan.period_end is not None
            else None,
            "issued_by": plan.issued_by,
            "adopted": plan.adopted.isoformat() if plan.adopted else None,
            "languages": plan.languages,
            "predecessor": plan.predecessor_slug or None,
            "sources": plan.sources,
            "front_matter": plan.front_matter,
        },
        "nodes": roots,
    }
    return planfile.canonical(document)


@dataclass
class SearchHit:
    node: PlanNode
    score: int
    before: str
    match: str
    after: str


def _hit(node: PlanNode, score: int, terms: list[str]) -> SearchHit:
    shown = choose(node.text).text or choose(node.title).text
    before, match, after = excerpt(shown, terms)
    return SearchHit(node, score, before, match, after)


def node_search(
    *, viewer: User, query: str, plan: Plan | None = None, limit: int = 50
) -> tuple[list[str], list[SearchHit]]:
    """Nodes whose text, in any language or script, holds every word of the query."""
    terms = query_terms(query)
    if plan is not None:
        scope = PlanNode.objects.filter(plan=plan).select_related("plan")
    else:
        current = plan_list(viewer=viewer).filter(status__in=Plan.CURRENT)
        scope = PlanNode.objects.filter(plan__in=current).select_related("plan")
    # A query that is a ref ("III.1.2", "三、（一）2") names its node: that node comes first.
    ref = ref_in_query(query)
    named = list(scope.filter(ref=ref).order_by("plan_id")) if ref else []
    hits = [_hit(node, 10**6, terms) for node in named]
    if not terms:
        return terms, hits
    nodes = scope.exclude(pk__in=[n.pk for n in named])
    for term in terms:
        nodes = nodes.filter(search_text__contains=term)
    for node in nodes[:500]:
        title = normalize(" ".join(node.title.values()))
        # Headings that name the query rank above bodies that mention it; then shallower first.
        score = sum(3 * (term in title) + node.search_text.count(term) for term in terms)
        hits.append(_hit(node, score, terms))
    hits.sort(key=lambda h: (-h.score, h.node.depth, h.node.plan_id, h.node.ref))
    return terms, hits[:limit]
