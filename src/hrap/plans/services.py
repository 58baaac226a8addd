"""Writes to plans: importing a plan file, editing nodes, targets and assignments."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F

from hrap.accounts import policy
from hrap.core import audit
from hrap.core.errors import EditConflict, InvalidInput, InvalidTransition, Problem
from hrap.core.localized import LocalizedText, clean
from hrap.core.numbers import ValueRefused, check_value
from hrap.directory.models import Agency, Jurisdiction
from hrap.directory.services import jurisdiction_load_country
from hrap.plans import planfile
from hrap.plans.models import Assignment, Indicator, Plan, PlanNode, Target
from hrap.plans.textsearch import normalize

Actor = AbstractBaseUser | AnonymousUser | None


def node_search_text(node: PlanNode) -> str:
    parts = [node.ref]
    for field in (node.number, node.title, node.text):
        parts.extend(field.values())
    return normalize("\n".join(parts))


def _require_current(obj: PlanNode | Target | Assignment | Plan, version: int) -> None:
    if obj.version != version:
        raise EditConflict(obj, current_version=obj.version, submitted_version=version)


# --- Import -----------------------------------------------------------------------------------


@transaction.atomic
def plan_import(
    *,
    raw: bytes,
    actor: Actor,
    replace: bool = False,
    status: str = Plan.Status.ACTIVE,
    draft: bool = False,
    node_sources: dict[str, dict[str, dict[str, str]]] | None = None,
    report: list[str] | None = None,
) -> Plan:
    """Validate a plan file and write it whole, or raise InvalidInput and write nothing.

    With `draft`, the plan becomes a new draft revision of its slug (for review, then
    publication); `node_sources` maps a ref to {language: {"text": …, "where": …}}.
    """
    policy.require(actor, "plan.import")
    document, problems = planfile.parse(raw)
    if document is None:
        raise InvalidInput(problems)
    problems = planfile.validate(document)
    if problems:
        raise InvalidInput(problems)
    meta = document["plan"]
    unknown = [
        Problem(f"$.plan.{key}", "not stated: give it before the plan can be imported")
        for key in ("jurisdiction", "period")
        if meta[key] is None
    ]
    if unknown:
        raise InvalidInput(unknown)
    slug = meta["slug"]
    revisions = Plan.objects.filter(slug=slug)
    kept_assignments: dict[str, list[tuple[int, str, int | None]]] = defaultdict(list)
    replaced = None
    if draft:
        status = Plan.Status.DRAFT
        pending = revisions.filter(status=Plan.Status.DRAFT).first()
        if pending is not None:
            if not replace:
                raise InvalidInput(
                    [
                        Problem(
                            "$.plan.slug",
                            f"a draft of {slug!r} (revision {pending.revision}) "
                            "is under review: publish or discard it first (or replace it)",
                        )
                    ]
                )
            replaced = pending
            pending.delete()
        revision = (
            revisions.order_by("-revision").values_list("revision", flat=True).first() or 0
        ) + 1
    else:
        current = revisions.order_by("-revision").first()
        if current is not None and not replace:
            raise InvalidInput(
                [Problem("$.plan.slug", f"a plan {slug!r} already exists (use --replace)")]
            )
        revision = current.revision if current is not None else 1
        if current is not None:
            # Refs are stable across re-imports, so assignments follow their task by ref.
            kept_assignments = _assignments_by_ref(current)
            replaced = current
            current.delete()

    plan = Plan.objects.create(
        slug=slug,
        revision=revision,
        title=meta["title"],
        jurisdiction=_jurisdiction(meta["jurisdiction"], actor),
        period_start=meta["period"]["start"],
        period_end=meta["period"]["end"],
        issued_by=meta.get("issued_by", []),
        adopted=date.fromisoformat(meta["adopted"]) if meta.get("adopted") else None,
        languages=meta["languages"],
        predecessor_slug=meta.get("predecessor") or "",
        sources=meta.get("sources", []),
        status=status,
        ingest_report=report or [],
    )
    counts = _write_nodes(plan, document["nodes"], node_sources or {})
    _restore_assignments(plan, kept_assignments)
    audit.record(
        actor=actor,
        action="plan.replace" if replaced else ("plan.ingest" if draft else "plan.import"),
        target=plan,
        after={"sha256": hashlib.sha256(raw).hexdigest(), "revision": revision, **counts},
    )
    return plan


def _assignments_by_ref(plan: Plan) -> dict[str, list[tuple[int, str, int | None]]]:
    kept: dict[str, list[tuple[int, str, int | None]]] = defaultdict(list)
    for ref, agency_id, role, jurisdiction_id in Assignment.objects.filter(
        node__plan=plan
    ).values_list("node__ref", "agency_id", "role", "jurisdiction_id"):
        kept[ref].append((agency_id, role, jurisdiction_id))
    return kept


@transaction.atomic
def plan_publish(*, plan: Plan, actor: Actor) -> Plan:
    """A reviewed draft becomes the current revision; the one it replaces is kept, superseded."""
    policy.require(actor, "plan.publish", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise InvalidTransition(f"revision {plan.revision} of {plan.slug} is not a draft")
    current = (
        Plan.objects.select_for_update()
        .filter(slug=plan.slug, status__in=Plan.CURRENT)
        .order_by("-revision")
        .first()
    )
    carried = 0
    if current is not None:
        kept = _assignments_by_ref(current)
        _restore_assignments(plan, kept)
        carried = sum(len(v) for v in kept.values())
        current.status = Plan.Status.SUPERSEDED
        current.version += 1
        current.save(update_fields=["status", "version"])
    plan.status = Plan.Status.ACTIVE
    plan.version += 1
    plan.save(update_fields=["status", "version"])
    audit.record(
        actor=actor,
        action="plan.publish",
        target=plan,
        before={"status": Plan.Status.DRAFT},
        after={
            "status": Plan.Status.ACTIVE,
            "supersedes": current.revision if current else None,
            "assignments_carried": carried,
        },
    )
    return plan


@transaction.atomic
def plan_discard(*, plan: Plan, actor: Actor) -> None:
    policy.require(actor, "plan.publish", plan)
    if plan.status != Plan.Status.DRAFT:
        raise InvalidTransition(f"revision {plan.revision} of {plan.slug} is not a draft")
    audit.record(
        actor=actor,
        action="plan.discard",
        target=plan,
        before={"slug": plan.slug, "revision": plan.revision, "nodes": plan.nodes.count()},
    )
    plan.delete()


def _jurisdiction(code: str, actor: Actor) -> Jurisdiction:
    jurisdiction_load_country(code=code[:2], actor=actor)
    found = Jurisdiction.objects.filter(code=code).first()
    if found is None:
        raise InvalidInput([Problem("$.plan.jurisdiction", f"unknown jurisdiction {code!r}")])
    return found


def _write_nodes(
    plan: Plan, roots: list[dict[str, Any]], node_sources: dict[str, dict[str, dict[str, str]]]
) -> dict[str, int]:
    # One bulk insert per depth: parents get their ids before their children are written.
    level: list[tuple[PlanNode | None, list[dict[str, Any]]]] = [(None, roots)]
    pending_targets: list[tuple[PlanNode, dict[str, Any]]] = []
    depth = node_count = 0
    while level:
        rows: list[tuple[PlanNode, dict[str, Any]]] = []
        for parent, entries in level:
            for position, entry in enumerate(entries):
                node = PlanNode(
                    plan=plan,
                    parent=parent,
                    kind=entry["kind"],
                    ref=entry["ref"],
                    number=entry.get("number", {}),
                    title=entry.get("title", {}),
                    text=entry.get("text", {}),
                    position=position,
                    depth=depth,
                    source={
                        lang: s["text"] for lang, s in node_sources.get(entry["ref"], {}).items()
                    },
                    source_where={
                        lang: s["where"] for lang, s in node_sources.get(entry["ref"], {}).items()
                    },
                )
                node.search_text = node_search_text(node)
                rows.append((node, entry))
        PlanNode.objects.bulk_create([node for node, _ in rows])
        node_count += len(rows)
        pending_targets.extend((node, t) for node, entry in rows for t in entry.get("targets", []))
        level = [(node, entry["children"]) for node, entry in rows if entry.get("children")]
        depth += 1

    indicators: dict[str, Indicator] = {}
    targets = []
    for position, (node, spec) in enumerate(pending_targets):
        key = json.dumps([spec["indicator"], spec["unit"]], sort_keys=True, ensure_ascii=False)
        if key not in indicators:
            indicators[key] = _indicator(spec["indicator"], spec["unit"])
        targets.append(
            Target(
                node=node,
                indicator=indicators[key],
                value=Decimal(str(spec["value"])),
                unit=spec["unit"],
                direction=spec["direction"],
                relative=spec["relative"],
                year=spec.get("year"),
                binding=spec.get("binding"),
                span=spec.get("span", {}),
                position=position,
            )
        )
    Target.objects.bulk_create(targets)
    return {"nodes": node_count, "targets": len(targets)}


def _indicator(name: LocalizedText, unit: str) -> Indicator:
    found = Indicator.objects.filter(name=name, unit=unit).first()
    return found or Indicator.objects.create(name=name, unit=unit)


def _restore_assignments(plan: Plan, kept: dict[str, list[tuple[int, str, int | None]]]) -> None:
    if not kept:
        return
    nodes = {n.ref: n for n in PlanNode.objects.filter(plan=plan, ref__in=list(kept))}
    # A task dropped from the new revision loses its assignment; the old revision keeps it.
    Assignment.objects.bulk_create(
        Assignment(node=nodes[ref], agency_id=agency_id, role=role, jurisdiction_id=jurisdiction_id)
        for ref, entries in kept.items()
        if ref in nodes
        for agency_id, role, jurisdiction_id in entries
    )


# --- Editing ----------------------------------------------------------------------------------


@transaction.atomic
def node_update(
    *,
    node: PlanNode,
    actor: Actor,
    version: int,
    number: LocalizedText,
    title: LocalizedText,
    text: LocalizedText,
) -> PlanNode:
    policy.require(actor, "node.edit", node)
    node = PlanNode.objects.select_for_update().get(pk=node.pk)
    _require_current(node, version)
    new = {"number": clean(number), "title": clean(title), "text": clean(text)}
    before = {field: getattr(node, field) for field in new if getattr(node, field) != new[field]}
    if not before:
        return node
    for field in before:
        setattr(node, field, new[field])
    node.search_text = node_search_text(node)
    node.version += 1
    node.save(update_fields=[*before, "search_text", "version"])
    audit.record(
        actor=actor,
        action="node.update",
        target=node,
        before=before,
        after={field: new[field] for field in before},
    )
    return node


def _target_state(target: Target) -> dict[str, Any]:
    return {
        "indicator": target.indicator.name,
        "value": target.value_text,
        "unit": target.unit,
        "direction": target.direction,
        "relative": target.relative,
        "year": target.year,
        "binding": target.binding,
        "span": target.span,
    }


def _validated_target_fields(
    indicator: LocalizedText, value: Decimal, unit: str, direction: str, year: int | None
) -> LocalizedText:
    problems = []
    indicator = clean(indicator)
    if not indicator:
        problems.append(Problem("indicator", "name what is measured in at least one language"))
    if direction not in Target.Direction.values:
        problems.append(Problem("direction", f"{direction!r} is not a direction"))
    if year is not None and not 1900 <= year <= 2200:
        problems.append(Problem("year", f"{year} is not a plausible deadline year"))
    if abs(value) >= Decimal(10) ** planfile.MAX_INTEGER_DIGITS:
        problems.append(Problem("value", f"{value} is too large"))
    if problems:
        raise InvalidInput(problems)
    return indicator


@transaction.atomic
def target_create(
    *,
    node: PlanNode,
    actor: Actor,
    indicator: LocalizedText,
    value: Decimal,
    unit: str,
    direction: str,
    relative: bool,
    year: int | None = None,
    binding: bool | None = None,
    span: LocalizedText | None = None,
) -> Target:
    policy.require(actor, "target.edit", node)
    name = _validated_target_fields(indicator, value, unit, direction, year)
    last = node.targets.order_by("-position").values_list("position", flat=True).first()
    target = Target.objects.create(
        node=node,
        indicator=_indicator(name, unit),
        value=value,
        unit=unit,
        direction=direction,
        relative=relative,
        year=year,
        binding=binding,
        span=clean(span),
        position=(last or 0) + 1,
    )
    audit.record(actor=actor, action="target.create", target=target, after=_target_state(target))
    return target


@transaction.atomic
def target_update(
    *,
    target: Target,
    actor: Actor,
    version: int,
    indicator: LocalizedText,
    value: Decimal,
    unit: str,
    direction: str,
    relative: bool,
    year: int | None = None,
    binding: bool | None = None,
    span: LocalizedText | None = None,
) -> Target:
    policy.require(actor, "target.edit", target)
    target = Target.objects.select_for_update().select_related("indicator").get(pk=target.pk)
    _require_current(target, version)
    name = _validated_target_fields(indicator, value, unit, direction, year)
    before = _target_state(target)
    if name != target.indicator.name or unit != target.indicator.unit:
        target.indicator = _indicator(name, unit)
    target.value, target.unit, target.direction = value, unit, direction
    target.relative, target.year, target.binding, target.span = relative, year, binding, clean(span)
    after = _target_state(target)
    if after == before:
        return target
    target.version += 1
    target.save()
    audit.record(actor=actor, action="target.update", target=target, before=before, after=after)
    return target


@transaction.atomic
def target_delete(*, target: Target, actor: Actor, version: int) -> None:
    policy.require(actor, "target.edit", target)
    _require_current(target, version)
    audit.record(actor=actor, action="target.delete", target=target, before=_target_state(target))
    target.delete()


@transaction.atomic
def assignment_set(
    *,
    node: PlanNode,
    actor: Actor,
    agency: Agency,
    role: str,
    jurisdiction: Jurisdiction | None = None,
) -> Assignment:
    """Assign a task to an agency in a role (for one jurisdiction, when the task is carried out
    locally), or change the role of an existing assignment."""
    policy.require(actor, "assignment.edit", node)
    if role not in Assignment.Role.values:
        raise InvalidInput([Problem("role", f"{role!r} is not a role")])
    if node.kind not in {PlanNode.Kind.TASK, PlanNode.Kind.SUBTASK, PlanNode.Kind.SECTION}:
        raise InvalidInput([Problem("node", "only sections, tasks and sub-tasks are assigned")])
    assignment = Assignment.objects.filter(
        node=node, agency=agency, jurisdiction=jurisdiction
    ).first()
    if assignment is None:
        assignment = Assignment.objects.create(
            node=node, agency=agency, role=role, jurisdiction=jurisdiction
        )
        audit.record(
            actor=actor,
            action="assignment.create",
            target=assignment,
            after={
                "node": node.ref,
                "agency": agency.code,
                "role": role,
                "jurisdiction": jurisdiction.code if jurisdiction else None,
            },
        )
    elif assignment.role != role:
        before = {"role": assignment.role}
        assignment.role = role
        assignment.version += 1
        assignment.save(update_fields=["role", "version"])
        audit.record(
            actor=actor,
            action="assignment.update",
            target=assignment,
            before=before,
            after={"role": role},
        )
    return assignment


@transaction.atomic
def assignment_remove(*, assignment: Assignment, actor: Actor) -> None:
    policy.require(actor, "assignment.edit", assignment)
    audit.record(
        actor=actor,
        action="assignment.delete",
        target=assignment,
        before={
            "node": assignment.node.ref,
            "agency": assignment.agency.code,
            "role": assignment.role,
        },
    )
    assignment.delete()


# --- Structure corrections on a draft ---------------------------------------------------------


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


@transaction.atomic
def target_set_baseline(
    *, target: Target, actor: Actor, value: Decimal | None, year: int | None
) -> Target:
    """Where the measure stood before the plan: progress is judged against it."""
    policy.require(actor, "target.edit", target)
    if (value is None) != (year is None):
        raise InvalidInput([Problem("baseline_year", "a baseline needs both a value and a year")])
    if year is not None and not 1900 <= year <= 2200:
        raise InvalidInput([Problem("baseline_year", f"{year} is not a plausible year")])
    try:
        value = check_value(value) if value is not None else None
    except ValueRefused as refused:
        raise InvalidInput([Problem("baseline_value", str(refused))]) from None
    before = {"baseline_value": target.baseline_value, "baseline_year": target.baseline_year}
    if before == {"baseline_value": value, "baseline_year": year}:
        return target
    target.baseline_value, target.baseline_year = value, year
    target.version += 1
    target.save(update_fields=["baseline_value", "baseline_year", "version"])
    audit.record(
        actor=actor,
        action="target.baseline",
        target=target,
        before=before,
        after={"baseline_value": value, "baseline_year": year},
    )
    return target


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    actor: Actor,
    name: LocalizedText,
    definition: LocalizedText,
    unit: str,
    source: str,
    type: str,
    disaggregations: list[str],
    sdg_code: str,
) -> Indicator:
    policy.require(actor, "target.edit", indicator)
    problems = []
    if not clean(name):
        problems.append(Problem("name", "name the indicator in at least one language"))
    if type and type not in Indicator.Type.values:
        problems.append(Problem("type", f"{type!r} is not an indicator type"))
    unknown = set(disaggregations) - set(Indicator.DISAGGREGATIONS)
    if unknown:
        problems.append(Problem("disaggregations", f"unknown: {', '.join(sorted(unknown))}"))
    if problems:
        raise InvalidInput(problems)
    fields = {"name": clean(name), "definition": clean(definition), "unit": unit.strip(),
              "source": source.strip(), "type": type, "disaggregations": sorted(disaggregations),
              "sdg_code": sdg_code.strip()}  # fmt: skip
    before = {k: getattr(indicator, k) for k in fields if getattr(indicator, k) != fields[k]}
    if not before:
        return indicator
    for key in before:
        setattr(indicator, key, fields[key])
    indicator.save(update_fields=list(before))
    audit.record(actor=actor, action="indicator.update", target=indicator, before=before,
                 after={k: fields[k] for k in before})  # fmt: skip
    return indicator
