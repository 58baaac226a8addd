"""Plan pages: list, tree, node, search, and the staff forms that edit a node."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hrap.accounts import policy
from hrap.core import audit, panels
from hrap.core.errors import EditConflict, InvalidInput, NotFound, Problem
from hrap.core.forms import form_integer
from hrap.directory.models import Agency
from hrap.plans import links, planfile, selectors, services
from hrap.plans.forms import AssignmentForm, IndicatorForm, NodeForm, TargetForm
from hrap.plans.models import Assignment, Indicator, Plan, PlanNode, Target


def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list(viewer=request.user)
    return render(request, "plans/plan_list.html", {"plans": plans})


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


def node_detail(
    request: HttpRequest, slug: str, ref: str, revision: int | None = None
) -> HttpResponse:
    plan, page = _node_page(request, slug, ref, revision)
    can_edit = policy.can(request.user, "node.edit", page.node)
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


def _conflict_message(request: HttpRequest, conflict: EditConflict) -> None:
    messages.error(
        request,
        _(
            "Someone saved this while you were editing (now version %(current)s, you started "
            "from version %(yours)s). Your text is kept below and the saved text is shown "
            "beside it; save again to replace it."
        )
        % {"current": conflict.current_version, "yours": conflict.submitted_version},
    )


def _with_version(request: HttpRequest, version: int) -> QueryDict:
    """What the person typed, now based on the saved version, so saving again replaces it."""
    data = request.POST.copy()
    data["version"] = str(version)
    return data


def _save_target(
    request: HttpRequest, node: PlanNode, target: Target | None, form: TargetForm, fields: Any
) -> Target:
    """The target and its baseline, together or not at all."""
    with transaction.atomic():
        if target is None:
            saved = services.target_create(node=node, actor=request.user, **fields)
        else:
            saved = services.target_update(
                target=target,
                actor=request.user,
                version=form.cleaned_data["version"] or 0,
                **fields,
            )
        return services.target_set_baseline(
            target=saved,
            actor=request.user,
            value=form.cleaned_data["baseline_value"],
            year=form.cleaned_data["baseline_year"],
        )


def _add_problems(form: Any, error: InvalidInput) -> None:
    for problem in error.problems:
        field = problem.where if problem.where in form.fields else None
        form.add_error(field, problem.what)


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
            _conflict_message(request, exc)
            node.refresh_from_db()
            form.data = _with_version(request, node.version)
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
    form = TargetForm(request.POST or None, target=target)
    if request.method == "POST" and form.is_valid():
        fields = {
            "indicator": form.localized("indicator"),
            "span": form.localized("span"),
            **{k: form.cleaned_data[k] for k in ("value", "direction", "relative", "year")},
            "unit": form.cleaned_data["unit"].strip(),
            "binding": form.cleaned_data["binding"],
        }
        try:
            _save_target(request, node, target, form, fields)
        except EditConflict as exc:
            _conflict_message(request, exc)
            assert target is not None
            target.refresh_from_db()
            form.data = _with_version(request, target.version)
        except InvalidInput as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, _("Target saved."))
            return HttpResponseRedirect(_node_url(node))
    return render(
        request,
        "plans/target_edit.html",
        {"plan": plan, "page": page, "node": node, "form": form, "target": target},
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
    try:
        services.target_delete(
            target=target,
            actor=request.user,
            version=form_integer(request.POST, "version", default=0),
        )
    except EditConflict as exc:
        _conflict_message(request, exc)
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
    form = AssignmentForm(request.POST or None if "remove" not in request.POST else None)
    if request.method == "POST":
        if "remove" in request.POST:
            remove = form_integer(request.POST, "remove")
            assignment = Assignment.objects.filter(node=node, pk=remove).first()
            if assignment is None:
                raise NotFound("no such assignment")
            services.assignment_remove(assignment=assignment, actor=request.user)
            messages.success(request, _("Assignment removed."))
            return HttpResponseRedirect(request.path)
        if form.is_valid():
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
                _add_problems(form, exc)
            else:
                messages.success(request, _("Assignment saved."))
                return HttpResponseRedirect(request.path)
    return render(
        request,
        "plans/assignments_edit.html",
        {"plan": plan, "page": page, "node": node, "form": form},
    )


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


# --- Review of a draft ------------------------------------------------------------------------


@login_required
def plan_review(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    plan = selectors.plan_get(viewer=request.user, slug=slug, revision=revision)
    policy.require(request.user, "plan.review", plan)
    nodes = selectors.review_rows(plan=plan)
    return render(
        request,
        "plans/plan_review.html",
        {"plan": plan, "rows": nodes, "kinds": PlanNode.Kind.choices},
    )


@login_required
@require_POST
def node_structure(
    request: HttpRequest, slug: str, ref: str, revision: int | None = None
) -> HttpResponse:
    plan, page = _node_page(request, slug, ref, revision)
    node, action = page.node, request.POST.get("action", "")
    paragraph = form_integer(request.POST, "paragraph", default=0) if action == "split" else 0
    try:
        if action == "kind":
            services.node_set_kind(node=node, actor=request.user, kind=request.POST.get("kind", ""))
        elif action in ("up", "down"):
            services.node_move(node=node, actor=request.user, up=action == "up")
        elif action == "merge":
            node = services.node_merge_into_previous(node=node, actor=request.user)
        elif action == "split":
            node = services.node_split(node=node, actor=request.user, paragraph=paragraph)
        else:
            raise InvalidInput([Problem("action", f"unknown correction {action!r}")])
    except (InvalidInput, ValueError) as exc:
        problems = exc.problems if isinstance(exc, InvalidInput) else []
        messages.error(request, "; ".join(p.what for p in problems) or _("Not a number."))
    else:
        messages.success(request, _("Corrected: %(ref)s") % {"ref": node.ref})
    return HttpResponseRedirect(links.plan_url("review", plan) + f"#node-{node.ref}")


@login_required
@require_POST
def plan_publish(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    plan = selectors.plan_get(viewer=request.user, slug=slug, revision=revision)
    plan = services.plan_publish(plan=plan, actor=request.user)
    messages.success(
        request, _("Revision %(revision)s is now the plan.") % {"revision": plan.revision}
    )
    return HttpResponseRedirect(links.plan_url("detail", plan))


@login_required
@require_POST
def plan_discard(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    plan = selectors.plan_get(viewer=request.user, slug=slug, revision=revision)
    services.plan_discard(plan=plan, actor=request.user)
    messages.success(request, _("The draft was discarded."))
    return HttpResponseRedirect(reverse_lazy("plans:list"))


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = Indicator.objects.filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFound("no such indicator")
    policy.require(request.user, "target.edit", indicator)
    form = IndicatorForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(
                indicator=indicator,
                actor=request.user,
                name=form.localized("name"),
                definition=form.localized("definition"),
                **{k: form.cleaned_data[k] for k in ("unit", "source", "type", "sdg_code")},
                disaggregations=list(form.cleaned_data["disaggregations"]),
            )
        except InvalidInput as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(request.path)
    targets = indicator.targets.select_related("node__plan")
    return render(
        request,
        "plans/indicator_edit.html",
        {"indicator": indicator, "form": form, "targets": targets},
    )
