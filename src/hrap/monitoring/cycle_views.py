"""A plan's reporting cycles (counts by state, a form that creates and opens one) and a cycle's
reports (filters, sorting and task order, overdue marks); every form is a GET or a plain POST."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from hrap.accounts import policy
from hrap.core.errors import InvalidInput
from hrap.core.localized import choose
from hrap.monitoring import home_selectors, selectors, services
from hrap.monitoring.forms import CycleFilterForm, CycleForm
from hrap.monitoring.models import ProgressReport
from hrap.plans import selectors as plan_selectors


@require_http_methods(["GET", "POST"])
def cycle_list(request: HttpRequest, slug: str) -> HttpResponse:
    plan = plan_selectors.plan_get(viewer=request.user, slug=slug)
    can_create = policy.can(request.user, "cycle.open", plan)
    form = CycleForm(request.POST or None)
    if request.method == "POST":
        policy.require(request.user, "cycle.open", plan)
        if form.is_valid():
            given = {k: v for k, v in form.cleaned_data.items() if k != "open_now"}
            try:
                if form.cleaned_data["open_now"]:
                    cycle, count = services.cycle_start(plan=plan, actor=request.user, **given)
                else:
                    cycle = services.cycle_create(plan=plan, actor=request.user, **given)
            except InvalidInput as exc:
                for problem in exc.problems:
                    form.add_error(
                        problem.where if problem.where in form.fields else None, problem.what
                    )
            else:
                if form.cleaned_data["open_now"]:
                    messages.success(
                        request,
                        ngettext(
                            "The %(period)s cycle is open: %(count)d report to write.",
                            "The %(period)s cycle is open: %(count)d reports to write.",
                            count,
                        )
                        % {"period": cycle.period, "count": count},
                    )
                else:
                    messages.warning(
                        request,
                        _(
                            "The %(period)s cycle is planned: no report exists yet. Open it "
                            "below when the plan's assignments are ready."
                        )
                        % {"period": cycle.period},
                    )
                return HttpResponseRedirect(reverse("monitoring:cycle", args=[slug, cycle.period]))
    cycles = selectors.cycle_list(viewer=request.user, plan=plan).select_related("plan")
    return render(
        request,
        "monitoring/cycle_list.html",
        {
            "plan": plan,
            "counts": home_selectors.cycle_counts(viewer=request.user, cycles=cycles),
            "form": form if can_create else None,
        },
    )


def _sort_key(sort: str, rank: dict[int, int]) -> Any:
    states = list(ProgressReport.State.values)

    def key(r: ProgressReport) -> tuple[Any, ...]:
        place = r.jurisdiction.code if r.jurisdiction else ""
        in_order = (rank.get(r.node_id, 0), place, not r.lead, r.agency.code)
        if sort == "state":
            return (not r.is_overdue, states.index(r.state), *in_order)
        if sort == "agency":
            return (r.agency.code, *in_order)
        if sort == "place":
            return (r.jurisdiction is not None, place, *in_order)
        return in_order

    return key


@require_safe
def cycle_detail(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    plan = plan_selectors.plan_get(viewer=request.user, slug=slug)
    cycle = selectors.cycle_get(viewer=request.user, plan=plan, period=period)
    every = list(selectors.report_list(viewer=request.user, cycle=cycle))
    rank, part_of = home_selectors.plan_trees({r.node.plan_id for r in every})
    agencies = {r.agency.code: choose(r.agency.name).text or r.agency.code for r in every}
    places = {
        r.jurisdiction.code: choose(r.jurisdiction.name).text or r.jurisdiction.code
        for r in every
        if r.jurisdiction
    }
    parts = {part_of[r.node_id].ref: part_of[r.node_id] for r in every if r.node_id in part_of}
    filters = CycleFilterForm(
        request.GET,
        agencies=sorted(agencies.items()),
        parts=[
            (ref, f"{choose(node.number).text or ref} {choose(node.title).text}".strip())
            for ref, node in sorted(parts.items(), key=lambda item: rank.get(item[1].pk, 0))
        ],
        places=sorted(places.items()),
    )
    given = filters.given()
    shown = [
        r
        for r in every
        if (not given.get("state") or r.state == given["state"])
        and (not given.get("agency") or r.agency.code == given["agency"])
        and (
            not given.get("part")
            or (r.node_id in part_of and part_of[r.node_id].ref == given["part"])
        )
        and (
            not given.get("place")
            or (given["place"] == "national" and r.jurisdiction is None)
            or (r.jurisdiction is not None and r.jurisdiction.code == given["place"])
        )
        and (not given.get("overdue") or r.is_overdue)
    ]
    shown.sort(key=_sort_key(given.get("sort", "task"), rank))
    counts = {state: 0 for state in ProgressReport.State.values}
    for r in every:
        counts[r.state] += 1
    return render(
        request,
        "monitoring/cycle_detail.html",
        {
            "plan": plan,
            "cycle": cycle,
            "reports": shown,
            "total": len(every),
            "filters": filters,
            "filtered": any(k != "sort" for k in given),
            "state_counts": [
                (state, label, counts[state])
                for state, label in ProgressReport.State.choices
                if counts[state]
            ],
            "overdue": sum(1 for r in every if r.is_overdue),
            "can_open": policy.can(request.user, "cycle.open", plan),
            "can_enter": policy.can(request.user, "observation.enter"),
        },
    )
