"""A person's home page and the pages the navigation names: my reports, cycles, values, review."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from hrap.accounts import policy
from hrap.accounts.models import Role
from hrap.monitoring import home_selectors as selectors
from hrap.monitoring.models import ProgressReport, ReportingCycle
from hrap.plans.models import Plan, Target


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """What waits for the person now, their tasks and deadlines; the plans for visitors."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponseRedirect(reverse("plans:list"))
    roles = policy.roles(user)
    sees_all = policy.can(user, "report.view_all")
    counts = (
        selectors.cycle_counts(viewer=user, cycles=selectors.current_cycles(viewer=user))
        if sees_all
        else []
    )
    return render(
        request,
        "monitoring/home.html",
        {
            "waiting": selectors.waiting(user),
            "tasks": selectors.my_tasks(viewer=user),
            "places": selectors.my_places(user),
            "counts": counts,
            "overdue_total": sum(c.overdue for c in counts),
            "evaluator": Role.EVALUATOR in roles,
            "drafts": selectors.draft_plans(viewer=user),
            "plans": Plan.objects.filter(status=Plan.Status.ACTIVE).order_by("slug"),
        },
    )


@login_required
@require_safe
def my_reports(request: HttpRequest) -> HttpResponse:
    """Every report the person writes, consolidates or reviews, any state, with its deadline."""
    state = request.GET.get("state", "")
    if state not in ProgressReport.State.values:
        state = ""
    reports = selectors.my_reports(viewer=request.user, state=state)
    waiting = {w.report.pk: w.why for w in selectors.waiting(request.user)}
    for report in reports:
        report.why = waiting.get(report.pk, "")  # type: ignore[attr-defined]
    return render(
        request,
        "monitoring/my_reports.html",
        {
            "reports": reports,
            "state": state,
            "states": ProgressReport.State.choices,
        },
    )


@require_safe
def cycles_index(request: HttpRequest) -> HttpResponse:
    """The reporting cycles of every plan in force, with their reports counted by state."""
    cycles = selectors.current_cycles(viewer=request.user)
    return render(
        request,
        "monitoring/cycles_index.html",
        {
            "counts": selectors.cycle_counts(viewer=request.user, cycles=cycles),
            "plans": Plan.objects.filter(status__in=Plan.CURRENT).order_by("slug"),
        },
    )


@login_required
@require_safe
def values_index(request: HttpRequest) -> HttpResponse:
    """The indicators whose values the person may enter (the value scope), by task, and the
    open cycles' templates and uploads."""
    policy.require(request.user, "observation.enter")
    scope = policy.value_scope(request.user)
    wanted = scope.indicator_ids()
    targets = Target.objects.filter(node__plan__status=Plan.Status.ACTIVE).select_related(
        "indicator", "node__plan"
    )
    if wanted is not None:
        targets = targets.filter(indicator_id__in=sorted(wanted))
    found = list(targets)
    rank = selectors.tree_order({t.node.plan_id for t in found})
    found.sort(key=lambda t: (t.node.plan_id, rank.get(t.node_id, 0), t.position))
    seen: set[int] = set()
    rows = []
    for target in found:
        if target.indicator_id not in seen:  # an indicator once, at its first task
            seen.add(target.indicator_id)
            rows.append(target)
    cycles = ReportingCycle.objects.filter(
        status=ReportingCycle.Status.OPEN, plan__status=Plan.Status.ACTIVE
    ).select_related("plan")
    return render(request, "monitoring/values_index.html", {"rows": rows, "cycles": cycles})


@login_required
@require_safe
def review_index(request: HttpRequest) -> HttpResponse:
    """Draft revisions of plans waiting for review, to those who may review them."""
    policy.require_or_hide(request.user, "plan.review")
    return render(
        request,
        "monitoring/review_index.html",
        {"drafts": selectors.draft_plans(viewer=request.user)},
    )


def report_links(viewer: Any, ids: list[str]) -> dict[str, str]:
    """Audit trail links to the reports the viewer may see (`core.audit_links`)."""
    found = (
        ProgressReport.objects.filter(pk__in=ids)
        .filter(policy.report_q(viewer, "report.view"))
        .select_related("cycle__plan")
    )
    return {
        str(r.pk): reverse("monitoring:report", args=[r.cycle.plan.slug, r.cycle.period, r.pk])
        for r in found
    }


def cycle_links(viewer: Any, ids: list[str]) -> dict[str, str]:
    found = ReportingCycle.objects.filter(pk__in=ids, plan__status__in=Plan.CURRENT)
    return {
        str(c.pk): reverse("monitoring:cycle", args=[c.plan.slug, c.period])
        for c in found.select_related("plan")
    }
