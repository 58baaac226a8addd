"""Writes to plans: importing a plan file, editing nodes, targets and assignments."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hrap.accounts import policy
from hrap.core import audit, revisions
from hrap.core.errors import EditConflict, InvalidInput, InvalidTransition, Problem
from hrap.core.localized import LocalizedText, choose, clean
from hrap.core.numbers import ValueRefused, check_value
from hrap.core.revisions import Tally
from hrap.directory.models import Agency, Jurisdiction
from hrap.directory.services import jurisdiction_load_country
from hrap.plans import planfile, review
from hrap.plans.carry import statement
from hrap.plans.models import Assignment, Indicator, Plan, PlanNode, Target
from hrap.plans.textsearch import normalize

Actor = AbstractBaseUser | AnonymousUser | None


def node_search_text(node: PlanNode) -> str:
    parts = [node.ref]
    for field in (node.number, node.title, node.text):
        parts.extend(field.values())
    return normalize("\n".join(parts))


def _require_current(obj: PlanNode | Target | Assignment | Plan | Indicator, version: int) -> None:
    if obj.version != version:
        raise EditConflict(obj, current_version=obj.version, submitted_version=version)


# --- Import ---------------------------------------------------------------------------------


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
    carried: list[Tally] | None = None,
) -> Plan:
    """Validate a plan file and write it whole, or raise InvalidInput and write nothing.

    With `draft` (or status draft), the plan becomes a new draft revision of its slug (for
    review, then publication); `node_sources` maps a ref to {language: {"text": …, "where": …}}.
    Otherwise, with `replace`, it becomes a new current revision: the one it replaces is kept,
    superseded, and what was built on it is carried over by ref, as when a draft is published
    (listed in `carried`). Nothing published is deleted.
    """
    policy.require(actor, "plan.import")
    document, problems = planfile.parse(raw)
    if document is None:
        raise InvalidInput(problems)
    problems = planfile.validate(document)
    if problems:
        raise InvalidInput(problems)
    meta = document["plan"]
    draft = draft or status == Plan.Status.DRAFT
    unknown = review.facts_required(meta, draft=draft)
    if status not in (Plan.Status.DRAFT, *Plan.CURRENT):
        unknown.append(Problem("status", _("a plan is imported as draft, active or closed")))
    if not draft:
        # A draft's targets are checked against its period when it is published.
        unknown.extend(planfile.period_problems(document))
    if unknown:
        raise InvalidInput(unknown)
    slug = meta["slug"]
    draft = draft or status == Plan.Status.DRAFT
    if draft:
        status = Plan.Status.DRAFT
    revision, current, replaced = _import_revision(slug, draft=draft, replace=replace, actor=actor)
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                slug=slug,
                revision=revision,
                title=meta["title"],
                jurisdiction=(
                    _jurisdiction(meta["jurisdiction"], actor) if meta["jurisdiction"] else None
                ),
                period_start=(meta["period"] or {}).get("start"),
                period_end=(meta["period"] or {}).get("end"),
                issued_by=meta.get("issued_by", []),
                adopted=date.fromisoformat(meta["adopted"]) if meta.get("adopted") else None,
                languages=meta["languages"],
                predecessor_slug=meta.get("predecessor") or "",
                sources=meta.get("sources", []),
                status=status,
                ingest_report=report or [],
                front_matter=meta.get("front_matter", []),
            )
    except IntegrityError as exc:  # the same slug and revision, written meanwhile
        raise InvalidInput(
            [
                Problem(
                    "$.plan.slug",
                    _("revision %(revision)s of %(slug)r was written meanwhile")
                    % {"revision": revision, "slug": slug},
                )
            ]
        ) from exc
    counts = _write_nodes(plan, document["nodes"], node_sources or {})
    if draft:
        counts["proposals"] = review.propose_assignments(plan)
    tallies = _make_current(current, plan, actor) if current is not None else []
    if carried is not None:
        carried.extend(tallies)
    audit.record(
        actor=actor,
        action="plan.replace" if replaced else ("plan.ingest" if draft else "plan.import"),
        target=plan,
        after={
            "sha256": hashlib.sha256(raw).hexdigest(),
            "revision": revision,
            **counts,
            "supersedes": current.revision if current else None,
            "carried": {t.key: t.count for t in tallies},
        },
    )
    return plan


def _import_revision(
    slug: str, *, draft: bool, replace: bool, actor: Actor
) -> tuple[int, Plan | None, bool]:
    """The revision number an import gets, the current revision it will supersede (None for
    a draft), and whether it replaces something."""
    revisions = list(Plan.objects.select_for_update().filter(slug=slug).order_by("revision"))
    pending = next((p for p in revisions if p.status == Plan.Status.DRAFT), None)
    current = next((p for p in reversed(revisions) if p.status in Plan.CURRENT), None)
    if draft:
        if pending is not None:
            if not replace:
                raise InvalidInput(
                    [
                        Problem(
                            "$.plan.slug",
                            _(
                                "a draft of %(slug)r (revision %(revision)s) is under review: "
                                "publish or discard it first (or replace it)"
                            )
                            % {"slug": slug, "revision": pending.revision},
                        )
                    ]
                )
            try:
                _delete_draft(pending, actor)
            except InvalidTransition as exc:  # it holds cycles or reports: say so, as input
                raise InvalidInput([Problem("$.plan.slug", str(exc))]) from exc
            revisions.remove(pending)
        return (revisions[-1].revision if revisions else 0) + 1, None, pending is not None
    if revisions and not replace:
        raise InvalidInput(
            [
                Problem(
                    "$.plan.slug",
                    _("a plan %(slug)r already exists (use --replace)") % {"slug": slug},
                )
            ]
        )
    if pending is not None:
        raise InvalidInput(
            [
                Problem(
                    "$.plan.slug",
                    _(
                        "a draft of %(slug)r (revision %(revision)s) is under review: "
                        "publish or discard it before replacing the plan"
                    )
                    % {"slug": slug, "revision": pending.revision},
                )
            ]
        )
    return (revisions[-1].revision if revisions else 0) + 1, current, bool(revisions)


def _make_current(old: Plan, new: Plan, actor: Actor) -> list[Tally]:
    """`new` takes over from `old`: everything built on `old` follows it by ref, in this
    transaction (core.revisions), and `old` is kept, superseded."""
    tallies = revisions.carry(old, new, actor)
    old.status = Plan.Status.SUPERSEDED
    old.version += 1
    old.save(update_fields=["status", "version"])
    return tallies


def _delete_draft(plan: Plan, actor: Actor) -> None:
    """Only a draft that nothing holds is deleted; what people reported is never lost."""
    held = revisions.held(plan)
    if held:
        raise InvalidTransition(
            _("revision %(revision)s of %(slug)s cannot be removed: it holds %(held)s")
            % {
                "revision": plan.revision,
                "slug": plan.slug,
                "held": "; ".join(t.text for t in held),
            }
        )
    audit.record(
        actor=actor,
        action="plan.discard",
        target=plan,
        before={"slug": plan.slug, "revision": plan.revision, "nodes": plan.nodes.count()},
    )
    plan.delete()


@transaction.atomic
def plan_publish(*, plan: Plan, actor: Actor, carried: list[Tally] | None = None) -> Plan:
    """A reviewed draft becomes the current revision; the one it replaces is kept, superseded,
    and what was built on it follows by ref (listed in `carried`)."""
    policy.require(actor, "plan.publish", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise InvalidTransition(
            _("revision %(revision)s of %(slug)s is not a draft")
            % {"revision": plan.revision, "slug": plan.slug}
        )
    review.ready_to_publish(plan)
    _require_targets_in_period(plan)
    current = (
        Plan.objects.select_for_update()
        .filter(slug=plan.slug, status__in=Plan.CURRENT)
        .order_by("-revision")
        .first()
    )
    tallies = _make_current(current, plan, actor) if current is not None else []
    if carried is not None:
        carried.extend(tallies)
    plan.status = Plan.Status.ACTIVE
    plan.version += 1
    plan.save(update_fields=["status", "version"])
    counts = {t.key: t.count for t in tallies}
    audit.record(
        actor=actor,
        action="plan.publish",
        target=plan,
        before={"status": Plan.Status.DRAFT},
        after={
            "status": Plan.Status.ACTIVE,
            "supersedes": current.revision if current else None,
            "assignments_carried": counts.get("plans.assignments", 0),
            "carried": counts,
        },
    )
    return plan


def _require_targets_in_period(plan: Plan) -> None:
    """A draft's targets obey the period rule before the plan comes into force."""
    problems: list[Problem] = []
    for target in Target.objects.filter(node__plan=plan).select_related("node"):
        problems.extend(
            Problem(f"{target.node.ref}.{p.where}", f"{target.node.ref}: {p.what}")
            for p in _year_problems(plan, target.year, target.baseline_year, target.beyond_period)
        )
    if problems:
        raise InvalidInput(problems)


@transaction.atomic
def plan_discard(*, plan: Plan, actor: Actor) -> None:
    policy.require(actor, "plan.publish", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise InvalidTransition(
            _("revision %(revision)s of %(slug)s is not a draft")
            % {"revision": plan.revision, "slug": plan.slug}
        )
    _delete_draft(plan, actor)


def _jurisdiction(code: str, actor: Actor) -> Jurisdiction:
    jurisdiction_load_country(code=code[:2], actor=actor)
    found = Jurisdiction.objects.filter(code=code).first()
    if found is None:
        raise InvalidInput(
            [Problem("$.plan.jurisdiction", _("unknown jurisdiction %(code)r") % {"code": code})]
        )
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
                    **review.node_fields(entry),
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
        unit = measure_unit(spec["unit"], relative=spec["relative"])
        key = json.dumps([spec["indicator"], unit], sort_keys=True, ensure_ascii=False)
        if key not in indicators:
            indicators[key] = _indicator(spec["indicator"], unit)
        targets.append(
            Target(
                node=node,
                indicator=indicators[key],
                value=Decimal(str(spec["value"])),
                unit=spec["unit"],
                direction=spec["direction"],
                relative=spec["relative"],
                year=spec.get("year"),
                beyond_period=bool(spec.get("beyond_period")),
                binding=spec.get("binding"),
                span=spec.get("span", {}),
                position=position,
                **review.target_baseline(spec),
                imported=statement(
                    indicator=spec["indicator"],
                    value=spec["value"],
                    unit=spec["unit"],
                    direction=spec["direction"],
                    relative=spec["relative"],
                    year=spec.get("year"),
                ),
            )
        )
    Target.objects.bulk_create(targets)
    return {"nodes": node_count, "targets": len(targets)}


def measure_unit(unit: str, *, relative: bool) -> str:
    """The unit of what a target measures, from the target's own unit. "Fall by 10%" states the
    change in per cent: the measure (PM2.5 in μg/m³, emissions in tonnes) is not in per cent, and
    its unit is unknown until someone gives it on the indicator's page. A level ("reach 95%") or
    an absolute change ("grow by 200 judges") is in the measure's unit."""
    return "" if relative and unit.strip() == "%" else unit


def _indicator(name: LocalizedText, unit: str) -> Indicator:
    found = Indicator.objects.filter(name=name, unit=unit).first()
    return found or Indicator.objects.create(name=name, unit=unit)


# --- Editing ----------------------------------------------------------------------------------


def _require_editable(plan_id: int) -> Plan:
    """Lock the revision an edit goes to, so that publishing a new one waits for the edit (and
    carries it) or the edit waits for the publishing; a superseded revision is history, and an
    edit there would never reach the plan in force."""
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    if plan.status == Plan.Status.SUPERSEDED:
        raise InvalidTransition(
            _("revision %(revision)s of %(slug)s is superseded: edit the current revision")
            % {"revision": plan.revision, "slug": plan.slug}
        )
    return plan


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
    _require_editable(node.plan_id)
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
        "beyond_period": target.beyond_period,
        "binding": target.binding,
        "span": target.span,
    }


def _year_problems(
    plan: Plan, year: int | None, baseline_year: int | None, beyond_period: bool
) -> list[Problem]:
    """`planfile.target_year_problems` (the one rule), in the person's language."""
    return [
        Problem(field, _(message) % params)
        for field, message, params in planfile.target_year_problems(
            start=plan.period_start,
            end=plan.period_end,
            year=year,
            baseline_year=baseline_year,
            beyond_period=beyond_period,
        )
    ]


def _checked_baseline(value: Decimal | None, year: int | None) -> Decimal | None:
    if (value is None) != (year is None):
        raise InvalidInput(
            [Problem("baseline_year", _("a baseline needs both a value and a year"))]
        )
    if year is not None and not 1900 <= year <= 2200:
        raise InvalidInput(
            [Problem("baseline_year", _("%(year)s is not a plausible year") % {"year": year})]
        )
    try:
        return check_value(value) if value is not None else None
    except ValueRefused as refused:
        raise InvalidInput(
            [Problem("baseline_value", _(refused.message) % refused.params)]
        ) from None


# What a target keeps when its editor says nothing about its baseline.
KEEP = object()


def _baseline_state(target: Target) -> dict[str, Any]:
    value = target.baseline_value
    return {
        "baseline_value": None if value is None else f"{Decimal(value).normalize():f}",
        "baseline_year": target.baseline_year,
    }


def _validated_target_fields(
    indicator: LocalizedText, value: Decimal, unit: str, direction: str, year: int | None
) -> LocalizedText:
    problems = []
    indicator = clean(indicator)
    if not indicator:
        problems.append(Problem("indicator", _("name what is measured in at least one language")))
    if direction not in Target.Direction.values:
        problems.append(
            Problem("direction", _("%(value)r is not a direction") % {"value": direction})
        )
    if year is not None and not 1900 <= year <= 2200:
        problems.append(
            Problem("year", _("%(year)s is not a plausible deadline year") % {"year": year})
        )
    if abs(value) >= Decimal(10) ** planfile.MAX_INTEGER_DIGITS:
        problems.append(Problem("value", _("%(value)s is too large") % {"value": value}))
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
    beyond_period: bool = False,
    baseline_value: Decimal | None = None,
    baseline_year: int | None = None,
) -> Target:
    policy.require(actor, "target.edit", node)
    plan = _require_editable(node.plan_id)
    name = _validated_target_fields(indicator, value, unit, direction, year)
    baseline_value = _checked_baseline(baseline_value, baseline_year)
    problems = _year_problems(plan, year, baseline_year, beyond_period)
    if problems:
        raise InvalidInput(problems)
    last = node.targets.order_by("-position").values_list("position", flat=True).first()
    target = Target.objects.create(
        node=node,
        indicator=_indicator(name, measure_unit(unit, relative=relative)),
        value=value,
        unit=unit,
        direction=direction,
        relative=relative,
        year=year,
        beyond_period=beyond_period,
        binding=binding,
        span=clean(span),
        position=(last or 0) + 1,
        baseline_value=baseline_value,
        baseline_year=baseline_year,
    )
    after = {**_target_state(target), **_baseline_state(target)}
    audit.record(actor=actor, action="target.create", target=target, after=after)
    return target


@transaction.atomic
def target_update(
    *,
    target: Target,
    actor: Actor,
    version: int,
    value: Decimal,
    unit: str,
    direction: str,
    relative: bool,
    year: int | None = None,
    binding: bool | None = None,
    span: LocalizedText | None = None,
    beyond_period: bool = False,
    baseline_value: Any = KEEP,
    baseline_year: Any = KEEP,
) -> Target:
    """Edit what a target commits to, and its baseline unless KEEP. What it measures (its
    indicator, and so its values) stays; changing that is `target_set_indicator`."""
    policy.require(actor, "target.edit", target)
    plan = _require_editable(target.node.plan_id)
    target = Target.objects.select_for_update().select_related("indicator").get(pk=target.pk)
    _require_current(target, version)
    _validated_target_fields(target.indicator.name, value, unit, direction, year)
    if baseline_value is KEEP or baseline_year is KEEP:
        baseline_value, baseline_year = target.baseline_value, target.baseline_year
    else:
        baseline_value = _checked_baseline(baseline_value, baseline_year)
    problems = _year_problems(plan, year, baseline_year, beyond_period)
    if problems:
        raise InvalidInput(problems)
    before = {**_target_state(target), **_baseline_state(target)}
    target.value, target.unit, target.direction = value, unit, direction
    target.relative, target.year, target.binding, target.span = relative, year, binding, clean(span)
    target.beyond_period = beyond_period
    target.baseline_value, target.baseline_year = baseline_value, baseline_year
    after = {**_target_state(target), **_baseline_state(target)}
    if after == before:
        return target
    target.version += 1
    target.save()
    audit.record(actor=actor, action="target.update", target=target, before=before, after=after)
    return target


@transaction.atomic
def target_set_indicator(
    *,
    target: Target,
    actor: Actor,
    version: int,
    indicator: Indicator | None = None,
    name: LocalizedText | None = None,
    unit: str = "",
) -> Target:
    """Change what a target measures: another indicator, or a new one named here. The values of
    the indicator it measured stay with that indicator; the audit event says how many."""
    policy.require(actor, "target.edit", target)
    _require_editable(target.node.plan_id)
    target = Target.objects.select_for_update().select_related("indicator").get(pk=target.pk)
    _require_current(target, version)
    if indicator is None:
        name = clean(name)
        if not name:
            raise InvalidInput(
                [Problem("name", _("name what is measured in at least one language"))]
            )
        indicator = _indicator(name, unit.strip())
    previous = target.indicator
    if indicator.pk == previous.pk:
        return target
    target.indicator = indicator
    target.version += 1
    target.save(update_fields=["indicator", "version"])
    audit.record(
        actor=actor,
        action="target.indicator",
        target=target,
        before={"indicator": previous.pk, "name": previous.name, **_holdings(previous)},
        after={"indicator": indicator.pk, "name": indicator.name, **_holdings(indicator)},
    )
    return target


def _holdings(indicator: Indicator) -> dict[str, int]:
    """What the apps above hold on an indicator (its values), by key: {"monitoring.values": 123}."""
    return {t.key: t.count for t in revisions.held(indicator)}


@transaction.atomic
def target_delete(*, target: Target, actor: Actor, version: int) -> None:
    policy.require(actor, "target.edit", target)
    _require_editable(target.node.plan_id)
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
    _require_editable(node.plan_id)
    if role not in Assignment.Role.values:
        raise InvalidInput([Problem("role", _("%(role)r is not a role") % {"role": role})])
    if node.kind not in {PlanNode.Kind.TASK, PlanNode.Kind.SUBTASK, PlanNode.Kind.SECTION}:
        raise InvalidInput([Problem("node", _("only sections, tasks and sub-tasks are assigned"))])
    assignment = Assignment.objects.filter(
        node=node, agency=agency, jurisdiction=jurisdiction
    ).first()
    if role == Assignment.Role.LEAD:
        # Two people naming two leads at once: the task's row lock makes the second wait, then
        # see the first lead.
        PlanNode.objects.select_for_update().filter(pk=node.pk).first()
        _require_no_other_lead(node, jurisdiction, assignment)
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


def _require_no_other_lead(
    node: PlanNode, jurisdiction: Jurisdiction | None, assignment: Assignment | None
) -> None:
    """A task has one lead agency (per place, when it is carried out locally): the one whose
    reviewer consolidates the co-implementers' inputs."""
    leads = Assignment.objects.filter(
        node=node, jurisdiction=jurisdiction, role=Assignment.Role.LEAD
    )
    if assignment is not None:
        leads = leads.exclude(pk=assignment.pk)
    lead = leads.select_related("agency").first()
    if lead is not None:
        raise InvalidInput(
            [
                Problem(
                    "role",
                    _(
                        "%(agency)s already leads this task; make it a co-implementer "
                        "first, or choose co-implementer here."
                    )
                    % {"agency": choose(lead.agency.name).text or lead.agency.code},
                )
            ]
        )


@transaction.atomic
def assignment_remove(*, assignment: Assignment, actor: Actor, version: int | None = None) -> None:
    """Remove an assignment; with `version`, only the one the person confirmed removing."""
    policy.require(actor, "assignment.edit", assignment)
    _require_editable(assignment.node.plan_id)
    if version is not None:
        _require_current(assignment, version)
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


@transaction.atomic
def target_set_baseline(
    *, target: Target, actor: Actor, value: Decimal | None, year: int | None
) -> Target:
    """Where the measure stood before the plan: progress is judged against it."""
    policy.require(actor, "target.edit", target)
    plan = _require_editable(target.node.plan_id)
    value = _checked_baseline(value, year)
    problems = _year_problems(plan, target.year, year, target.beyond_period)
    if problems:
        raise InvalidInput([p for p in problems if p.where == "baseline_year"] or problems)
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
    version: int,
    name: LocalizedText,
    definition: LocalizedText,
    unit: str,
    source: str,
    type: str,
    disaggregations: list[str],
    sdg_code: str,
) -> Indicator:
    policy.require(actor, "target.edit", indicator)
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _require_current(indicator, version)
    problems = []
    if not clean(name):
        problems.append(Problem("name", _("name the indicator in at least one language")))
    if type and type not in Indicator.Type.values:
        problems.append(Problem("type", _("%(type)r is not an indicator type") % {"type": type}))
    unknown = set(disaggregations) - set(Indicator.DISAGGREGATIONS)
    if unknown:
        problems.append(
            Problem(
                "disaggregations",
                _("unknown: %(names)s") % {"names": ", ".join(sorted(unknown))},
            )
        )
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
    indicator.version += 1
    indicator.save(update_fields=[*before, "version"])
    audit.record(actor=actor, action="indicator.update", target=indicator, before=before,
                 after={k: fields[k] for k in before})  # fmt: skip
    return indicator
