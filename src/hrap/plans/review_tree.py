"""A draft's tree in memory for corrections, and its state, kept before each one for undo."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, ProtectedError, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from hrap.core.errors import InvalidInput, InvalidTransition, NotFound, Problem
from hrap.plans import planfile, services
from hrap.plans.models import Assignment, Plan, PlanNode, ProposedAssignment, Target

KIND_RANK = planfile.KIND_RANK
# The kind one level below each kind: what a node becomes when it moves under one of its rank.
KIND_BELOW = {"introduction": "section", "part": "section", "section": "task", "task": "subtask"}
MAX_REF = 64


# What a correction may change, read and restored per plan.
_STATE: tuple[tuple[type[models.Model], str], ...] = (
    (PlanNode, "plan"),
    (Target, "node__plan"),
    (Assignment, "node__plan"),
    (ProposedAssignment, "node__plan"),
)


def state(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    rows = {
        model._meta.label_lower: list(
            model._default_manager.filter(**{scope: plan}).order_by("pk").values()
        )
        for model, scope in _STATE
    }
    plain: dict[str, list[dict[str, Any]]] = json.loads(json.dumps(rows, cls=DjangoJSONEncoder))
    return plain


def digest(state: dict[str, Any]) -> str:
    canonical = json.dumps(state, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _rows(model: type[models.Model], rows: list[dict[str, Any]]) -> list[Any]:
    """Model instances from a snapshot's plain rows (decimals and dates from their text)."""
    fields = model._meta.concrete_fields
    return [model(**{f.attname: f.to_python(row[f.attname]) for f in fields}) for row in rows]


def write(
    model: type[models.Model], changes: Iterable[tuple[int, dict[str, Any]]], *, bump: bool = False
) -> None:
    """Each row's changed fields: one UPDATE per distinct set of values (a kind given to 180
    nodes is one statement), the version counted up in the same statement when asked."""
    groups: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for pk, fields in changes:
        if fields:
            key = json.dumps(fields, sort_keys=True, cls=DjangoJSONEncoder)
            groups.setdefault(key, (fields, []))[1].append(pk)
    extra = {"version": F("version") + 1} if bump else {}
    for fields, pks in groups.values():
        for start in range(0, len(pks), 500):
            model._default_manager.filter(pk__in=pks[start : start + 500]).update(**fields, **extra)


def _differences(
    model: type[models.Model], saved: dict[str, Any], now: dict[str, Any] | None
) -> dict[str, Any]:
    """The fields of a snapshot row that differ from the row as it is now, as Python values."""
    return {
        f.attname: f.to_python(saved[f.attname])
        for f in model._meta.concrete_fields
        if not f.primary_key and (now is None or saved[f.attname] != now[f.attname])
    }


def restore(
    plan: Plan, snapshot: dict[str, list[dict[str, Any]]], now: dict[str, list[dict[str, Any]]]
) -> None:
    """Put back the rows of `snapshot`, writing only what differs from `now` (both `state`)."""
    saved_nodes = {row["id"]: row for row in snapshot["plans.plannode"]}
    current = {row["id"]: row for row in now["plans.plannode"]}
    extra = set(current) - set(saved_nodes)
    # Refs are unique per plan: free the ones that move while rows are put back.
    moving = extra | {pk for pk, row in current.items() if pk in saved_nodes
                      and saved_nodes[pk]["ref"] != row["ref"]}  # fmt: skip
    PlanNode.objects.filter(pk__in=moving).update(
        ref=Concat(Value("~"), Cast("id", output_field=models.CharField()))
    )
    missing = _rows(PlanNode, [row for pk, row in saved_nodes.items() if pk not in current])
    for node in missing:
        node.ref, node.parent_id = f"~{node.pk}", None
    PlanNode.objects.bulk_create(missing)
    unchanged = {pk: row for pk, row in current.items() if pk not in moving}
    write(
        PlanNode,
        ((pk, _differences(PlanNode, row, unchanged.get(pk))) for pk, row in saved_nodes.items()),
    )
    for model, _scope in _STATE[1:]:
        label = model._meta.label_lower
        saved = {row["id"]: row for row in snapshot[label]}
        rows_now = {row["id"]: row for row in now[label]}
        model._default_manager.filter(pk__in=set(rows_now) - set(saved)).delete()
        write(model, ((pk, _differences(model, row, rows_now[pk]))
                      for pk, row in saved.items() if pk in rows_now))  # fmt: skip
        model._default_manager.bulk_create(
            _rows(model, [row for pk, row in saved.items() if pk not in rows_now])
        )
    delete_nodes(PlanNode.objects.filter(pk__in=extra))


class Tree:
    """A plan's nodes in memory: corrections move them here, `save` writes what changed."""

    FIELDS = ("parent_id", "position", "depth", "kind", "ref", "text")

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.nodes = {n.pk: n for n in PlanNode.objects.filter(plan=plan)}
        self.children: dict[int | None, list[PlanNode]] = defaultdict(list)
        for node in sorted(self.nodes.values(), key=lambda n: (n.position, n.pk)):
            self.children[node.parent_id].append(node)
        self.was = {pk: self._fields(n) for pk, n in self.nodes.items()}
        self.taken = {n.ref: n.pk for n in self.nodes.values()}
        self.removed: set[int] = set()

    def _fields(self, node: PlanNode) -> tuple[Any, ...]:
        return tuple(json.dumps(getattr(node, f), sort_keys=True) for f in self.FIELDS)

    def pick(self, ids: Iterable[int]) -> list[PlanNode]:
        """The nodes asked for, in reading order; ids of other plans are not found."""
        wanted = set(ids)
        if not wanted or not wanted <= set(self.nodes):
            raise NotFound("no such node in this revision")
        return [n for n in self.reading_order() if n.pk in wanted]

    def reading_order(self) -> list[PlanNode]:
        order: list[PlanNode] = []

        def visit(parent_id: int | None) -> None:
            for node in self.children[parent_id]:
                order.append(node)
                visit(node.pk)

        visit(None)
        return order

    def parent(self, node: PlanNode) -> PlanNode | None:
        return self.nodes[node.parent_id] if node.parent_id else None

    def ancestors(self, node: PlanNode) -> set[int]:
        found = set()
        while node.parent_id:
            found.add(node.parent_id)
            node = self.nodes[node.parent_id]
        return found

    def outermost(self, nodes: list[PlanNode]) -> list[PlanNode]:
        """The selected nodes that are not inside another selected node (they move with it)."""
        chosen = {n.pk for n in nodes}
        return [n for n in nodes if not self.ancestors(n) & chosen]

    def previous(self, node: PlanNode) -> PlanNode | None:
        siblings = self.children[node.parent_id]
        index = siblings.index(node)
        return siblings[index - 1] if index else None

    def detach(self, node: PlanNode) -> None:
        self.children[node.parent_id].remove(node)

    def attach(self, node: PlanNode, parent: PlanNode | None, index: int | None = None) -> None:
        siblings = self.children[parent.pk if parent else None]
        siblings.insert(len(siblings) if index is None else index, node)
        node.parent_id = parent.pk if parent else None

    def subtree(self, node: PlanNode) -> list[PlanNode]:
        found = [node]
        for child in self.children[node.pk]:
            found.extend(self.subtree(child))
        return found

    def refit(self, node: PlanNode) -> None:
        """Depth, ref and kind of a moved node and everything below it: the ref keeps the
        node's own number under its new parent's prefix; a kind that no longer nests goes one
        level below the parent's."""
        parent = self.parent(node)
        node.depth = parent.depth + 1 if parent else 0
        if parent and KIND_RANK[node.kind] <= KIND_RANK[parent.kind]:
            below = KIND_BELOW.get(parent.kind)
            if below is None:
                raise InvalidInput(
                    [Problem(self.ref_before(node), _("nothing can be placed below a sub-task"))]
                )
            node.kind = below
        own = node.ref.rsplit(".", 1)[-1].split("-")[0] or node.ref
        wanted = f"{parent.ref}.{own}" if parent else own
        if node.ref != wanted:
            self.rename(node, wanted)
        for child in self.children[node.pk]:
            self.refit(child)

    def rename(self, node: PlanNode, wanted: str) -> None:
        """The wanted ref, or the first free `wanted-N`; refs too long keep the old one."""
        candidate, n = wanted, 2
        while self.taken.get(candidate, node.pk) != node.pk:
            candidate, n = f"{wanted}-{n}", n + 1
        if len(candidate) > MAX_REF or candidate == node.ref:
            return
        del self.taken[node.ref]
        self.taken[candidate] = node.pk
        node.ref = candidate

    def ref_before(self, node: PlanNode) -> str:
        return str(json.loads(self.was[node.pk][self.FIELDS.index("ref")]))

    def remove(self, node: PlanNode) -> None:
        self.detach(node)
        for gone in self.subtree(node):
            self.removed.add(gone.pk)
            del self.taken[gone.ref]

    def problems(self) -> list[Problem]:
        """Every parent-child pair whose kinds do not nest, at the child's row."""
        found = []
        for node in self.reading_order():
            parent = self.parent(node)
            if parent and KIND_RANK[node.kind] <= KIND_RANK[parent.kind]:
                found.append(
                    Problem(
                        node.ref,
                        _("a %(kind)s cannot be inside a %(parent)s")
                        % {"kind": node.get_kind_display(), "parent": parent.get_kind_display()},
                    )
                )
        return found

    def save(self) -> list[PlanNode]:
        """Write what changed (positions renumbered), delete what was removed; the changed."""
        problems = self.problems()
        if problems:
            raise InvalidInput(problems)
        for siblings in self.children.values():
            for position, node in enumerate(siblings):
                node.position = position
        changed = [
            n
            for pk, n in self.nodes.items()
            if pk not in self.removed and self._fields(n) != self.was[pk]
        ]
        if self.removed:
            delete_nodes(PlanNode.objects.filter(pk__in=self.removed))
        # Refs are unique per plan: move changed ones out of the way before writing them.
        renamed = [n for n in changed if self.ref_before(n) != n.ref]
        if renamed:
            PlanNode.objects.filter(pk__in=[n.pk for n in renamed]).update(
                ref=Concat(Value("~"), Cast("id", output_field=models.CharField()))
            )
        changes = []
        for node in changed:
            now = self._fields(node)
            before = dict(zip(self.FIELDS, self.was[node.pk], strict=True))
            fields = {f: getattr(node, f) for f, new in zip(self.FIELDS, now, strict=True)
                      if before[f] != new}  # fmt: skip
            if node in renamed:
                fields["ref"] = node.ref
            if "ref" in fields or "text" in fields:
                node.search_text = fields["search_text"] = services.node_search_text(node)
            node.version += 1
            changes.append((node.pk, fields))
        write(PlanNode, changes, bump=True)
        return changed


def delete_nodes(nodes: models.QuerySet[PlanNode]) -> None:
    try:
        nodes.delete()
    except ProtectedError as exc:
        refs = sorted({str(getattr(o, "node", "")) for o in exc.protected_objects})[:3]
        raise InvalidTransition(
            _("progress was reported on %(refs)s: it cannot be removed") % {"refs": ", ".join(refs)}
        ) from None
