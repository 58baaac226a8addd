"""Review of what a document said beside its tree: the facts it did not state, the responsible
bodies it named (proposed assignments) and the deadlines of its actions."""

from __future__ import annotations

import contextlib
import re
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from hrap.accounts import policy
from hrap.core import audit
from hrap.core.errors import InvalidInput, InvalidTransition, NotFound, Problem
from hrap.core.localized import LocalizedText, clean
from hrap.directory.models import Agency, Jurisdiction
from hrap.directory.services import jurisdiction_load_country
from hrap.plans import services
from hrap.plans.models import Assignment, Plan, PlanNode, ProposedAssignment
from hrap.plans.review import ASSIGNABLE, correcting, name_key, require_draft, require_version
from hrap.plans.review_tree import Tree

JURISDICTION_CODE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")


@transaction.atomic
def plan_set_facts(
    *,
    plan: Plan,
    actor: services.Actor,
    version: int,
    jurisdiction: str,
    period_start: int | None,
    period_end: int | None,
    issued_by: list[LocalizedText],
    adopted: date | None,
) -> Plan:
    """Where and when the plan applies, who issued it and when: what the document did not say."""
    policy.require(actor, "plan.review", plan)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    require_draft(plan)
    require_version(plan, version)
    problems = []
    place = None
    if jurisdiction:
        code = jurisdiction.strip().upper()
        place = None
        if JURISDICTION_CODE.fullmatch(code):
            with contextlib.suppress(InvalidInput):
                jurisdiction_load_country(code=code[:2], actor=actor)
            place = Jurisdiction.objects.filter(code=code).first()
        if place is None:
            problems.append(
                Problem("jurisdiction", _("%(code)s is not a known ISO 3166 code") % {"code": code})
            )
    if (period_start is None) != (period_end is None):
        problems.append(Problem("period_end", _("give the first and the last year")))
    elif period_start is not None and period_end is not None and period_start > period_end:
        problems.append(Problem("period_end", _("the last year is before the first")))
    if problems:
        raise InvalidInput(problems)
    new = {
        "jurisdiction": place.code if place else None,
        "period_start": period_start,
        "period_end": period_end,
        "issued_by": [clean(body) for body in issued_by if clean(body)],
        "adopted": adopted.isoformat() if adopted else None,
    }
    old = {
        "jurisdiction": plan.jurisdiction.code if plan.jurisdiction else None,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "issued_by": plan.issued_by,
        "adopted": plan.adopted.isoformat() if plan.adopted else None,
    }
    changed = [name for name in new if new[name] != old[name]]
    if not changed:
        return plan
    plan.jurisdiction = place
    plan.period_start, plan.period_end = period_start, period_end
    plan.issued_by, plan.adopted = new["issued_by"], adopted
    plan.version += 1
    plan.save(
        update_fields=[
            "jurisdiction",
            "period_start",
            "period_end",
            "issued_by",
            "adopted",
            "version",
        ]
    )
    audit.record(
        actor=actor,
        action="plan.facts",
        target=plan,
        before={name: old[name] for name in changed},
        after={name: new[name] for name in changed},
    )
    return plan


# --- Proposed assignments --------------------------------------------------------------------


@transaction.atomic
def proposals_map(
    *,
    plan: Plan,
    actor: services.Actor,
    version: int,
    key: str,
    agency: Agency | None,
    drop: bool = False,
) -> int:
    """One decision for every node that names a body this way: this agency, or drop it."""
    with correcting(plan, actor, version, "proposals.map") as correction:
        proposals = list(
            ProposedAssignment.objects.filter(
                node__plan=correction.plan, key=key, state=ProposedAssignment.State.PROPOSED
            ).select_related("node")
        )
        if not proposals:
            raise NotFound("no such name on this draft")
        for proposal in proposals:
            policy.require(actor, "assignment.edit", proposal.node)
        correction.before = {
            "name": proposals[0].name,
            "nodes": [p.node.ref for p in proposals],
            "agency": proposals[0].agency.code if proposals[0].agency else None,
        }
        chosen = ProposedAssignment.objects.filter(pk__in=[p.pk for p in proposals])
        if drop:
            chosen.update(state=ProposedAssignment.State.DROPPED)
            correction.after = {"state": "dropped"}
        elif agency is None:
            raise InvalidInput([Problem("agency", _("choose an agency"))])
        else:
            chosen.update(agency=agency, matched_by="reviewer")
            correction.after = {"agency": agency.code}
        correction.summary = f"{name_key(proposals[0].name)} → {correction.after}"
    return len(proposals)


@transaction.atomic
def proposals_accept(
    *, plan: Plan, actor: services.Actor, version: int, node_ids: list[int] | None = None
) -> list[Assignment]:
    """The matched proposals (of the selected nodes, or all) become assignments; a node keeps
    one lead agency."""
    with correcting(plan, actor, version, "proposals.accept") as correction:
        proposals = list(
            ProposedAssignment.objects.filter(
                node__plan=correction.plan,
                state=ProposedAssignment.State.PROPOSED,
                agency__isnull=False,
            ).select_related("node", "agency")
        )
        if node_ids is not None:
            picked = {n.pk for n in Tree(correction.plan).pick(node_ids)}
            proposals = [p for p in proposals if p.node_id in picked]
        national = Assignment.objects.filter(node__plan=correction.plan, jurisdiction=None)
        assigned = {(a.node_id, a.agency_id) for a in national}
        leads = {a.node_id: a.agency_id for a in national if a.role == Assignment.Role.LEAD}
        made: list[Assignment] = []
        problems = []
        for proposal in proposals:
            node, agency = proposal.node, proposal.agency
            assert agency is not None
            policy.require(actor, "assignment.edit", node)
            if node.kind not in ASSIGNABLE:
                problems.append(
                    Problem(node.ref, _("only sections, tasks and sub-tasks are assigned"))
                )
            elif (
                proposal.role == Assignment.Role.LEAD and leads.get(node.pk, agency.pk) != agency.pk
            ):
                problems.append(
                    Problem(
                        node.ref,
                        _("%(ref)s already has a lead agency: propose %(name)s as co-implementer")
                        % {"ref": node.ref, "name": agency},
                    )
                )
            elif (node.pk, agency.pk) not in assigned:
                assigned.add((node.pk, agency.pk))
                if proposal.role == Assignment.Role.LEAD:
                    leads[node.pk] = agency.pk
                made.append(Assignment(node=node, agency=agency, role=proposal.role))
                correction.after.setdefault(node.ref, []).append(
                    {"agency": agency.code, "role": proposal.role}
                )
        if problems:
            raise InvalidInput(problems)
        Assignment.objects.bulk_create(made)
        ProposedAssignment.objects.filter(pk__in=[p.pk for p in proposals]).update(
            state=ProposedAssignment.State.ACCEPTED
        )
        correction.summary = _("%(n)s assignments") % {"n": len(made)}
    return made


@transaction.atomic
def proposal_update(
    *,
    proposal: ProposedAssignment,
    actor: services.Actor,
    version: int,
    agency: Agency | None,
    role: str,
    state: str,
) -> ProposedAssignment:
    """One node's proposal: another agency or role, dropped, or proposed again."""
    if role not in Assignment.Role.values:
        raise InvalidInput([Problem("role", _("%(role)r is not a role") % {"role": role})])
    if state not in (ProposedAssignment.State.PROPOSED, ProposedAssignment.State.DROPPED):
        raise InvalidInput([Problem("state", _("%(state)r is not allowed") % {"state": state})])
    with correcting(proposal.node.plan, actor, version, "proposal.update") as correction:
        proposal = ProposedAssignment.objects.select_related("node", "agency").get(
            pk=proposal.pk, node__plan=correction.plan
        )
        policy.require(actor, "assignment.edit", proposal.node)
        if proposal.state == ProposedAssignment.State.ACCEPTED:
            raise InvalidTransition(_("an accepted proposal is changed on the assignments page"))
        before = {
            "agency": proposal.agency.code if proposal.agency else None,
            "role": proposal.role,
            "state": proposal.state,
        }
        if agency is not None and agency.pk != proposal.agency_id:
            proposal.matched_by = "reviewer"
        proposal.agency, proposal.role, proposal.state = agency, role, state
        proposal.save(update_fields=["agency", "matched_by", "role", "state"])
        after = {"agency": agency.code if agency else None, "role": role, "state": state}
        correction.before = {proposal.node.ref: before}
        correction.after = {proposal.node.ref: after}
        correction.summary = f"{proposal.node.ref}: {name_key(proposal.name)}"
    return proposal


@transaction.atomic
def node_set_deadline(
    *,
    node: PlanNode,
    actor: services.Actor,
    version: int,
    year: int | None,
    day: date | None,
    text: LocalizedText,
) -> PlanNode:
    """The deadline of an action as the reviewer reads it (year, last day, words)."""
    if year is not None and not 1900 <= year <= 2200:
        raise InvalidInput(
            [Problem("year", _("%(year)s is not a plausible year") % {"year": year})]
        )
    if day is not None and year is not None and day.year != year:
        raise InvalidInput([Problem("date", _("the date is not in the deadline year"))])
    with correcting(node.plan, actor, version, "node.deadline") as correction:
        node = PlanNode.objects.get(pk=node.pk, plan=correction.plan)
        policy.require(actor, "node.edit", node)
        texts = clean(text)
        deadline: dict[str, Any] = {}
        if year is not None or day is not None or texts:
            deadline = {
                "year": year if year is not None else (day.year if day else None),
                "date": day.isoformat() if day else None,
                "text": texts,
            }
        correction.before = {node.ref: node.deadline}
        correction.after = {node.ref: deadline}
        correction.summary = node.ref
        node.deadline = deadline
        node.version += 1
        node.save(update_fields=["deadline", "version"])
    return node
