"""The review screen of a draft: bulk corrections, undo, the facts, the names of responsible
bodies, one node's action-table fields, and publication with a preview of what it changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hrap.accounts import policy
from hrap.core import revisions
from hrap.core.errors import EditConflict, InvalidInput, InvalidTransition, NotFound, refusal
from hrap.core.forms import add_problems
from hrap.directory.services import agency_create
from hrap.plans import links, review, review_fields, review_selectors, selectors, services
from hrap.plans.models import Plan, PlanNode, ProposedAssignment
from hrap.plans.review_forms import (
    BulkForm,
    DeadlineForm,
    FactsForm,
    NameForm,
    ProposalForm,
    SplitForm,
    VersionForm,
)

ROW_TAG = "row:"


def _plan(request: HttpRequest, slug: str, revision: int | None) -> Plan:
    plan = selectors.plan_get(viewer=request.user, slug=slug, revision=revision)
    policy.require(request.user, "plan.review", plan)
    return plan


def _review_url(plan: Plan, *, part: str = "", flagged: bool = False, at: str = "") -> str:
    query = {k: v for k, v in (("part", part), ("flagged", "1" if flagged else "")) if v}
    url = links.plan_url("review", plan) + (f"?{urlencode(query)}" if query else "")
    return url + (f"#node-{at}" if at else "")


def _conflict(exc: EditConflict) -> str:
    return _(
        "Someone changed this draft after you loaded the page (now version %(current)s, yours "
        "was %(yours)s). Nothing was changed: look again and repeat the correction."
    ) % {"current": exc.current_version, "yours": exc.submitted_version}


def _row_messages(request: HttpRequest) -> tuple[list[Any], dict[str, list[Any]]]:
    """Messages about one row are shown at that row; the others at the top of the page."""
    top: list[Any] = []
    rows: dict[str, list[Any]] = defaultdict(list)
    for message in messages.get_messages(request):
        tag = next((t for t in message.extra_tags.split() if t.startswith(ROW_TAG)), None)
        if tag:
            rows[tag.removeprefix(ROW_TAG)].append(message)
        else:
            top.append(message)
    return top, rows


def _render_review(
    request: HttpRequest,
    plan: Plan,
    *,
    status: int = 200,
    selected: list[int] | None = None,
    problems: dict[str, list[str]] | None = None,
    errors: list[str] | None = None,
    facts: FactsForm | None = None,
    names: dict[str, NameForm] | None = None,
) -> HttpResponse:
    page = review_selectors.review_page(plan=plan)
    top, row_messages = _row_messages(request)
    problems = problems or {}
    for row in page.rows:
        row.notes = row_messages.get(row.node.ref, [])
        row.problems = problems.get(row.node.ref, [])
    flagged = request.GET.get("flagged") == "1" or request.POST.get("flagged") in ("on", "1")
    part = str(request.GET.get("part") or request.POST.get("part") or "")[:64]
    chosen = set(selected or [])
    focus = {row.part for row in page.rows if row.node.pk in chosen or row.node.ref in problems}
    focus |= {row.part for row in page.rows if row.node.ref in row_messages}
    if not part or (part != "all" and part not in {p.node.ref for p in page.parts}):
        part = next(iter(sorted(focus)), "") or next(
            (p.node.ref for p in page.parts if p.flagged),
            page.parts[0].node.ref if page.parts else "",
        )
    return render(
        request,
        "plans/plan_review.html",
        {
            "plan": plan,
            "page": page,
            "messages": top,
            "errors": errors or [],
            # Each refusal at a row is also listed at the top, linked to its row.
            "row_problems": [
                (row.part, row.node.ref, what) for row in page.rows for what in row.problems
            ],
            "selected": chosen,
            "open_parts": {p.node.ref for p in page.parts}
            if part == "all" or flagged
            else focus | {part},
            "part": part,
            "flagged_only": flagged,
            "kinds": PlanNode.Kind.choices,
            "actions": BulkForm.ACTIONS,
            "facts": facts or FactsForm(plan=plan),
            "names": names or {},
            "agencies": review_selectors.agency_choices(),
            "can_create_agency": policy.can(request.user, "agency.create"),
            "is_draft": plan.status == Plan.Status.DRAFT,
        },
        status=status,
    )


@login_required
@require_safe
def plan_review(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    return _render_review(request, _plan(request, slug, revision))


def _problems_by_row(exc: InvalidInput, refs: set[str]) -> tuple[dict[str, list[str]], list[str]]:
    rows: dict[str, list[str]] = defaultdict(list)
    top = []
    for problem in exc.problems:
        if problem.where in refs:
            rows[problem.where].append(problem.what)
        else:
            top.append(problem.what)
    return rows, top


CORRECTIONS: dict[str, Callable[..., Any]] = {
    "kind": review.nodes_set_kind,
    "indent": review.nodes_indent,
    "outdent": review.nodes_outdent,
    "up": review.nodes_move,
    "down": review.nodes_move,
    "merge": review.nodes_merge,
    "delete": review.nodes_delete,
    "accept": review_fields.proposals_accept,
}
DONE = {
    "kind": gettext_lazy("Kind changed"),
    "indent": gettext_lazy("Indented"),
    "outdent": gettext_lazy("Outdented"),
    "up": gettext_lazy("Moved up"),
    "down": gettext_lazy("Moved down"),
    "merge": gettext_lazy("Merged into the previous node"),
    "delete": gettext_lazy("Deleted"),
    "accept": gettext_lazy("Proposed assignments accepted"),
}


@login_required
@require_POST
def review_bulk(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    """One correction of every selected node; merge and delete ask to confirm first."""
    plan = _plan(request, slug, revision)
    form = BulkForm(request.POST)
    if not form.is_valid():
        errors = [
            f"{form.fields[f].label or f}: {' '.join(map(str, e))}"
            if f in form.fields
            else " ".join(map(str, e))
            for f, e in form.errors.items()
        ]
        selected = form.cleaned_data.get("nodes") or []
        return _render_review(request, plan, status=400, selected=selected, errors=errors)
    data = form.cleaned_data
    action, ids = data["action"], data["nodes"]
    if action in BulkForm.CONFIRM and not data["confirm"]:
        nodes = list(PlanNode.objects.filter(plan=plan, pk__in=ids).order_by("depth", "position"))
        if len(nodes) != len(ids):
            raise NotFound("no such node in this revision")
        return render(
            request,
            "plans/review_confirm.html",
            {
                "plan": plan,
                "form": form,
                "nodes": nodes,
                "action": action,
                "label": dict(BulkForm.ACTIONS)[action],
            },
        )
    arguments: dict[str, Any] = {"plan": plan, "actor": request.user,
                                 "version": data["version"], "node_ids": ids or None}  # fmt: skip
    if action == "kind":
        arguments["kind"] = data["kind"]
    if action in ("up", "down"):
        arguments["up"] = action == "up"
    anchor = _anchor(plan, ids, action)
    try:
        CORRECTIONS[action](**arguments)
    except EditConflict as exc:
        return _render_review(request, plan, status=409, selected=ids, errors=[_conflict(exc)])
    except (InvalidInput, InvalidTransition) as exc:
        if isinstance(exc, InvalidTransition):
            return _render_review(request, plan, status=409, selected=ids, errors=[str(exc)])
        refs = set(PlanNode.objects.filter(plan=plan).values_list("ref", flat=True))
        rows, top = _problems_by_row(exc, refs)
        return _render_review(request, plan, status=400, selected=ids, problems=rows, errors=top)
    first = PlanNode.objects.filter(plan=plan, pk=anchor or 0).first()
    at = first.ref if first else ""
    done = (
        ngettext(
            "%(done)s: %(n)s node. Undo is offered at the top of the page.",
            "%(done)s: %(n)s nodes. Undo is offered at the top of the page.",
            len(ids),
        )
        if ids
        else _("%(done)s: every matched proposal. Undo is offered at the top of the page.")
    )
    messages.success(
        request,
        done % {"done": DONE[action], "n": len(ids)},
        extra_tags=f"{ROW_TAG}{at}" if at else "",
    )
    part = data["part"] if data["part"] == "all" else _part_of(first)
    return HttpResponseRedirect(_review_url(plan, part=part, flagged=data["flagged"], at=at))


def _anchor(plan: Plan, ids: list[int], action: str) -> int | None:
    """The row to show after a correction: the first selected node, or after a merge or a
    delete the node before it (which took the merged text, or stays)."""
    first = PlanNode.objects.filter(plan=plan, pk__in=ids).order_by("depth", "position").first()
    if first is None or action not in ("merge", "delete"):
        return first.pk if first else None
    before = (
        PlanNode.objects.filter(plan=plan, parent_id=first.parent_id, position__lt=first.position)
        .order_by("-position")
        .first()
    )
    return before.pk if before else first.parent_id


def _part_of(node: PlanNode | None) -> str:
    while node is not None and node.parent_id is not None:
        node = node.parent
    return node.ref if node else ""


@login_required
@require_POST
def node_structure(
    request: HttpRequest, slug: str, ref: str, revision: int | None = None
) -> HttpResponse:
    """Split one node before a paragraph (the row's own form)."""
    plan = _plan(request, slug, revision)
    node = PlanNode.objects.filter(plan=plan, ref=ref).first()
    if node is None:
        raise NotFound(f"no node {ref!r}")
    form = SplitForm(request.POST)
    if not form.is_valid():
        return _render_review(
            request, plan, status=400, problems={ref: [_("Give a paragraph number from 2.")]}
        )
    try:
        new = review.node_split(
            plan=plan,
            actor=request.user,
            version=form.cleaned_data["version"],
            node_id=node.pk,
            paragraph=form.cleaned_data["paragraph"],
        )
    except EditConflict as exc:
        return _render_review(request, plan, status=409, errors=[_conflict(exc)])
    except InvalidInput as exc:
        return _render_review(
            request, plan, status=400, problems={ref: [p.what for p in exc.problems]}
        )
    messages.success(
        request,
        _("Split: the paragraphs from %(n)s on are now %(ref)s.")
        % {"n": form.cleaned_data["paragraph"], "ref": new.ref},
        extra_tags=f"{ROW_TAG}{new.ref}",
    )
    return HttpResponseRedirect(_review_url(plan, part=_part_of(new), at=new.ref))


@login_required
@require_POST
def review_undo(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    plan = _plan(request, slug, revision)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _render_review(request, plan, status=400, errors=[_("Reload the page.")])
    try:
        undone = review.review_undo(
            plan=plan, actor=request.user, version=form.cleaned_data["version"]
        )
    except EditConflict as exc:
        return _render_review(request, plan, status=409, errors=[_conflict(exc)])
    except InvalidInput as exc:
        return _render_review(request, plan, status=409, errors=[p.what for p in exc.problems])
    messages.success(request, _("Undone: %(what)s") % {"what": undone.summary or undone.action})
    return HttpResponseRedirect(_review_url(plan))


@login_required
@require_POST
def review_facts(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    plan = _plan(request, slug, revision)
    form = FactsForm(request.POST, plan=plan)
    if form.is_valid():
        data = form.cleaned_data
        try:
            review_fields.plan_set_facts(
                plan=plan,
                actor=request.user,
                version=data["version"],
                jurisdiction=data["jurisdiction"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                issued_by=form.issued_by(),
                adopted=data["adopted"],
            )
        except EditConflict as exc:
            form.add_error(None, _conflict(exc))
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("The plan's facts are saved."))
            return HttpResponseRedirect(_review_url(plan))
    return _render_review(request, plan, status=400, facts=form)


@login_required
@require_POST
def review_name(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    """One decision for a name as printed: an agency (found or created) or dropped."""
    plan = _plan(request, slug, revision)
    form = NameForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                agency = data["agency"]
                if data["decision"] == "create":
                    printed = review_selectors.printed_name(plan=plan, key=data["key"])
                    agency = agency_create(actor=request.user, code=data["code"], name=printed)
                count = review_fields.proposals_map(
                    plan=plan,
                    actor=request.user,
                    version=data["version"],
                    key=data["key"],
                    agency=agency,
                    drop=data["decision"] == "drop",
                )
        except EditConflict as exc:
            form.add_error(None, _conflict(exc))
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("Decided for %(n)s nodes.") % {"n": count})
            return HttpResponseRedirect(_review_url(plan) + "#names")
    return _render_review(request, plan, status=400, names={str(form.data.get("key")): form})


# --- One node's action-table fields -------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def node_fields(
    request: HttpRequest, slug: str, ref: str, revision: int | None = None
) -> HttpResponse:
    plan = _plan(request, slug, revision)
    page = selectors.node_get(viewer=request.user, plan=plan, ref=ref)
    node = page.node
    proposals = list(node.proposals.select_related("agency"))
    deadline = DeadlineForm(node=node, version=plan.version)
    forms = {p.pk: ProposalForm(initial={"version": plan.version, "proposal": p.pk,
                                         "agency": p.agency_id, "role": p.role,
                                         "state": p.state if p.state != "accepted" else "proposed"})
             for p in proposals}  # fmt: skip
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if request.POST.get("form") == "deadline":
                deadline = DeadlineForm(request.POST, node=node, version=plan.version)
                if deadline.is_valid():
                    review_fields.node_set_deadline(
                        node=node,
                        actor=request.user,
                        version=deadline.cleaned_data["version"],
                        year=deadline.cleaned_data["year"],
                        day=deadline.cleaned_data["day"],
                        text=deadline.localized("text"),
                    )
                    messages.success(request, _("Deadline saved."))
                    return HttpResponseRedirect(request.path)
            else:
                form = ProposalForm(request.POST)
                if form.is_valid():
                    proposal = next(
                        (p for p in proposals if p.pk == form.cleaned_data["proposal"]), None
                    )
                    if proposal is None:
                        raise NotFound("no such proposal on this node")
                    review_fields.proposal_update(
                        proposal=proposal,
                        actor=request.user,
                        version=form.cleaned_data["version"],
                        agency=form.cleaned_data["agency"],
                        role=form.cleaned_data["role"],
                        state=form.cleaned_data["state"],
                    )
                    messages.success(request, _("Proposal saved."))
                    return HttpResponseRedirect(request.path)
                pk = form.cleaned_data.get("proposal")
                if pk in forms:
                    forms[pk] = form
        except EditConflict as exc:
            messages.error(request, _conflict(exc))
            status = 409
        except (InvalidInput, InvalidTransition) as exc:
            messages.error(request, refusal(exc))
    return render(
        request,
        "plans/node_fields.html",
        {
            "plan": plan,
            "page": page,
            "node": node,
            "proposals": [(p, forms[p.pk]) for p in proposals],
            "deadline": deadline,
            "targets": page.targets,
            "details": review_selectors.labelled_details(node),
            "is_draft": plan.status == Plan.Status.DRAFT,
            "states": ProposedAssignment.State,
        },
        status=status,
    )


# --- Publication --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def plan_publish(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    """GET: what publishing changes, and a button to confirm; POST: publish that version."""
    plan = selectors.plan_get(viewer=request.user, slug=slug, revision=revision)
    policy.require(request.user, "plan.publish", plan)
    form = VersionForm(request.POST or None, initial={"version": plan.version})
    status = 200
    carried: list[revisions.Tally] = []
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                with transaction.atomic():
                    review.require_version(
                        Plan.objects.select_for_update().get(pk=plan.pk),
                        form.cleaned_data["version"],
                    )
                    plan = services.plan_publish(plan=plan, actor=request.user, carried=carried)
            except EditConflict as exc:
                form = VersionForm(initial={"version": exc.current_version})
                messages.error(request, _conflict(exc))
                status = 409
                plan.refresh_from_db()
            except InvalidInput as exc:
                messages.error(request, "; ".join(p.what for p in exc.problems))
            else:
                messages.success(
                    request,
                    _("Revision %(revision)s is now the plan.") % {"revision": plan.revision},
                )
                for line in carried:
                    messages.info(request, line.text)
                return HttpResponseRedirect(links.plan_url("detail", plan))
    if plan.status != Plan.Status.DRAFT:
        raise InvalidTransition(_("revision %(n)s is not a draft") % {"n": plan.revision})
    return render(
        request,
        "plans/plan_publish.html",
        {"plan": plan, "preview": review_selectors.publish_preview(plan=plan), "form": form},
        status=status,
    )


@login_required
@require_POST
def plan_discard(request: HttpRequest, slug: str, revision: int | None = None) -> HttpResponse:
    plan = selectors.plan_get(viewer=request.user, slug=slug, revision=revision)
    policy.require(request.user, "plan.publish", plan)
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "plans/review_confirm.html",
            {
                "plan": plan,
                "action": "discard",
                "label": _("Discard this draft"),
                "nodes": [],
                "count": plan.nodes.count(),
            },
        )
    services.plan_discard(plan=plan, actor=request.user)
    messages.success(request, _("The draft was discarded."))
    return HttpResponseRedirect(reverse("plans:list"))
