"""Audit trail links to plans, their nodes, targets and assignments (`core.audit_links`)."""

from __future__ import annotations

from typing import Any

from hrap.accounts import policy
from hrap.plans.links import plan_url
from hrap.plans.models import Assignment, Plan, PlanNode, Target


def _visible(viewer: Any, plan: Plan) -> bool:
    return plan.status != Plan.Status.DRAFT or policy.can(viewer, "plan.view_draft", plan)


def plans(viewer: Any, ids: list[str]) -> dict[str, str]:
    return {
        str(p.pk): plan_url("detail", p)
        for p in Plan.objects.filter(pk__in=ids)
        if _visible(viewer, p)
    }


def nodes(viewer: Any, ids: list[str]) -> dict[str, str]:
    return {
        str(n.pk): plan_url("node", n.plan, n.ref)
        for n in PlanNode.objects.filter(pk__in=ids).select_related("plan")
        if _visible(viewer, n.plan)
    }


def _via_node(model: Any, viewer: Any, ids: list[str]) -> dict[str, str]:
    return {
        str(o.pk): plan_url("node", o.node.plan, o.node.ref)
        for o in model.objects.filter(pk__in=ids).select_related("node__plan")
        if _visible(viewer, o.node.plan)
    }


def targets(viewer: Any, ids: list[str]) -> dict[str, str]:
    return _via_node(Target, viewer, ids)


def assignments(viewer: Any, ids: list[str]) -> dict[str, str]:
    return _via_node(Assignment, viewer, ids)
