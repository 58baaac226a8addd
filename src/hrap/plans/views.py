"""Plan pages: list, tree, node, search, and the staff forms that edit a node."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hrap.accounts import policy
from hrap.core import audit, panels, revisions
from hrap.core.conflicts import differences, keep_typed, tell
from hrap.core.errors import EditConflict, InvalidInput, NotFound, Problem
from hrap.core.forms import add_problems, form_integer
from hrap.directory.models import Agency
from hrap.plans import links, planfile, selectors, services
from hrap.plans.forms import (
    AssignmentForm,
    IndicatorForm,
    NodeForm,
    RemoveAssignmentForm,
    TargetForm,
    TargetIndicatorForm,
    VersionForm,
)
from hrap.plans.models import Assignment, Indicator, Plan, PlanNode, Target


@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list(viewer=request.user)
    return render(request, "plans/plan_list.html", {"plans": plans})


@require_safe
def plan_detail(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    plan = selectors.plan_get(viewer=request.user, slug=slug, revision=revision)
    tree = selectors.plan_tree(plan=plan)
    revisions = selectors.plan_revisions(viewer=request.user, slug=slug)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "tree": tree,
            "revisions": revisions,
            "can_review": policy.can(request.user, "plan.review", plan),
        },
    )


@require_safe
def plan_export(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    plan = selectors.plan_get(viewer=request.user, slug=slug, revision=revision)
    response = HttpResponse(
        planfile.dumps(selectors.plan_document(plan=plan)), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}.json"'
    return response


def _node_page(
    request: HttpRequest, slug: str, ref: str, revision: int | None
) -> tuple[Plan, selectors.NodePage]:
    plan = selectors.plan_get(viewer=request.user, slug=slug, revision=revision)
    return plan, selectors.node_get(viewer=request.user, plan=plan, ref=ref)


@require_safe
def node_detail(
    request: HttpRequest, slug: str, ref: str, revision: int | None = None
) -> HttpResponse:
    plan, page = _node_page(request, slug, ref, revision)
    # A superseded revision is history: its pages offer no edits (the services refuse them).
    can_edit = plan.status != Plan.Status.SUPERSEDED and policy.can(
        request.user, "node.edit", page.node
    )
    changes = audit.history(page.node)[:20] if policy.can(request.user, "audit.view") else []
    return render(
        request,
        "plans/node_detail.html",
        {
            "plan": plan,
            "page": page,
            "node": page.node,
            "can_edit": can_edit,
            "changes": changes,
            "panels": panels.render("node", request, page.node),
        },
    )


def _node_url(node: PlanNode) -> str:
    return links.plan_url("node", node.plan, node.ref)


def _save_target(
    request: HttpRequest, node: PlanNode, target: Target | None, form: TargetForm
) -> Target:
    """The target and its baseline, together or not at all (one service call)."""
    fields = {
        "span": form.localized("span"),
        **{
            k: form.cleaned_data[k]
            for k in ("value", "direction", "relative", "year", "binding", "beyond_period")
        },
        "unit": form.cleaned_data["unit"].strip(),
        "baseline_value": form.cleaned_data["baseline_value"],
        "baseline_year": form.cleaned_data["baseline_year"],
    }
    if target is None:
        return services.target_create(
            node=node, actor=request.user, indicator=form.localized("indicator"), **fields
        )
    return services.target_update(
        target=target,
        actor=request.user,
        version=form.cleaned_data["version"] or 0,
        **fields,
    )


def _values_of(indicator: Indicator) -> int:
    return sum(t.count for t in revisions.held(indicator) if t.key.endswith(".values"))


@login_required
@require_http_methods(["GET", "POST"])
def node_edit(
    request: HttpRequest, slug: str, ref: str, revision: int | None = None
) -> HttpResponse:
    plan, page = _node_page(request, slug, ref, revision)
    node = page.node
    policy.require(request.user, "node.edit", node)
    form = NodeForm(request.POST or None, node=node)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.node_update(
                node=node,
                actor=request.user,
                version=form.cleaned_data["version"],
                number=form.localized("number"),
                title=form.localized("title"),
                text=form.localized("text"),
            )
        except EditConflict as exc:
            conflict = exc
            node.refresh_from_db()
            keep_typed(request, form, exc)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(_node_url(node))
    return render(
        request,
        "plans/node_edit.html",
        {"plan": plan, "page": page, "node": node, "form": form, "conflict": conflict},
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(
    request: HttpRequest,
    slug: str,
    ref: str,
    target_id: int | None = None,
    revision: int | None = None,
) -> HttpResponse:
    plan, page = _node_page(request, slug, ref, revision)
    node = page.node
    policy.require(request.user, "target.edit", node)
    target = None
    if target_id is not None:
        target = next((t for t in page.targets if t.pk == target_id), None)
        if target is None:
            raise NotFound(f"no target {target_id} on {node.ref}")
    measuring = request.method == "POST" and "measure" in request.POST
    data = request.POST if request.method == "POST" else None
    period = (plan.period_start, plan.period_end)
    form = TargetForm(None if measuring else data, target=target, period=period)
    values = _values_of(target.indicator) if target is not None else 0
    measure = (
        TargetIndicatorForm(data if measuring else None, target=target, values=values)
        if target is not None
        else None
    )
    conflict: list[tuple[str, str, str]] = []
    if measuring and measure is not None and target is not None and measure.is_valid():
        try:
            services.target_set_indicator(
                target=target,
                actor=request.user,
                version=measure.cleaned_data["version"],
                indicator=measure.cleaned_data["indicator"],
                name=measure.localized("name"),
                unit=measure.cleaned_data["unit"],
            )
        except EditConflict as exc:
            keep_typed(request, measure, exc)
        except InvalidInput as exc:
            add_problems(measure, exc)
        else:
            messages.success(request, _("The target now measures another indicator."))
            return HttpResponseRedirect(links.plan_url("target_edit", plan, node.ref, target.pk))
    elif not measuring and request.method == "POST" and form.is_valid():
        try:
            _save_target(request, node, target, form)
        except EditConflict as exc:
            assert target is not None
            target.refresh_from_db()
            conflict = differences(form, TargetForm(target=target, period=period))
            keep_typed(request, form, exc)
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("Target saved."))
            return HttpResponseRedirect(_node_url(node))
    return render(
        request,
        "plans/target_edit.html",
        {
            "plan": plan,
            "page": page,
            "node": node,
            "form": form,
            "target": target,
            "measure": measure,
            "values": values,
            "conflict": conflict,
        },
    )


@login_required
@require_POST
def target_delete(
    request: HttpRequest, slug: str, ref: str, target_id: int, revision: int | None = None
) -> HttpResponse:
    page = _node_page(request, slug, ref, revision)[1]
    target = next((t for t in page.targets if t.pk == target_id), None)
    if target is None:
        raise NotFound(f"no target {target_id} on {ref}")
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise InvalidInput([Problem("version", _("not a version number"))])
    try:
        services.target_delete(
            target=target, actor=request.user, version=form.cleaned_data["version"]
        )
    except EditConflict as exc:
        tell(request, exc)
    else:
        messages.success(request, _("Target removed."))
    return HttpResponseRedirect(_node_url(page.node))


@login_required
@require_http_methods(["GET", "POST"])
def assignments_edit(
    request: HttpRequest, slug: str, ref: str, revision: int | None = None
) -> HttpResponse:
    plan, page = _node_page(request, slug, ref, revision)
    node = page.node
    policy.require(request.user, "assignment.edit", node)
    if request.method == "POST" and "remove" in request.POST:
        return _assignment_remove(request, plan, page)
    form = AssignmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        agency: Agency = form.cleaned_data["agency"]
        try:
            services.assignment_set(
                node=node,
                actor=request.user,
                agency=agency,
                role=form.cleaned_data["role"],
                jurisdiction=form.cleaned_data["jurisdiction"],
            )
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("Assignment saved."))
            return HttpResponseRedirect(request.path)
    return render(
        request,
        "plans/assignments_edit.html",
        {"plan": plan, "page": page, "node": node, "form": form},
    )


def _assignment_remove(request: HttpRequest, plan: Plan, page: selectors.NodePage) -> HttpResponse:
    """Remove asks first: a page that names what goes (works without JavaScript); only its
    confirming POST, based on the version shown there, removes."""
    node = page.node
    remove = form_integer(request.POST, "remove")
    assignment = (
        Assignment.objects.filter(node=node, pk=remove)
        .select_related("agency", "jurisdiction")
        .first()
    )
    if assignment is None:
        raise NotFound("no such assignment")
    form = RemoveAssignmentForm(request.POST)
    if form.is_valid() and form.cleaned_data["confirm"]:
        try:
            services.assignment_remove(
                assignment=assignment, actor=request.user, version=form.cleaned_data["version"]
            )
        except EditConflict:
            messages.error(
                request,
                _("Someone changed this assignment after you opened it; nothing was removed."),
            )
        else:
            messages.success(request, _("Assignment removed."))
        return HttpResponseRedirect(request.path)
    confirm = RemoveAssignmentForm(
        initial={"remove": assignment.pk, "version": assignment.version, "confirm": True}
    )
    return render(
        request,
        "plans/assignment_remove.html",
        {"plan": plan, "page": page, "node": node, "assignment": assignment, "form": confirm},
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    plans = selectors.plan_list(viewer=request.user)
    plans = plans.filter(status__in=Plan.CURRENT)
    plan = plans.filter(slug=request.GET.get("plan", "")).first()
    terms, hits = selectors.node_search(viewer=request.user, query=query, plan=plan)
    return render(
        request,
        "plans/search.html",
        {"query": query, "terms": terms, "hits": hits, "plans": plans, "plan": plan},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = Indicator.objects.filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFound("no such indicator")
    policy.require(request.user, "target.edit", indicator)
    form = IndicatorForm(request.POST or None, indicator=indicator)
    conflict: list[tuple[str, str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(
                indicator=indicator,
                actor=request.user,
                version=form.cleaned_data["version"],
                name=form.localized("name"),
                definition=form.localized("definition"),
                **{k: form.cleaned_data[k] for k in ("unit", "source", "type", "sdg_code")},
                disaggregations=list(form.cleaned_data["disaggregations"]),
            )
        except EditConflict as exc:
            indicator.refresh_from_db()
            conflict = differences(form, IndicatorForm(indicator=indicator))
            keep_typed(request, form, exc)
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(request.path)
    targets = indicator.targets.select_related("node__plan")
    return render(
        request,
        "plans/indicator_edit.html",
        {"indicator": indicator, "form": form, "targets": targets, "conflict": conflict},
    )
