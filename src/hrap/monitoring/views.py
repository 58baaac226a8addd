"""Reporting cycles and progress reports: each workflow step is its own POST and service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hrap.accounts import policy
from hrap.accounts.models import User
from hrap.core.errors import (
    EditConflict,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from hrap.core.forms import form_integer
from hrap.directory.models import Jurisdiction
from hrap.monitoring import notifications, selectors, services
from hrap.monitoring.forms import CycleForm, ReportForm, ReturnForm, ValueGridForm
from hrap.monitoring.models import Observation, ProgressReport, ReportingCycle
from hrap.plans import selectors as plan_selectors
from hrap.plans.models import Indicator, Plan, PlanNode


def _plan(request: HttpRequest, slug: str) -> Plan:
    return plan_selectors.plan_get(viewer=request.user, slug=slug)


@require_http_methods(["GET", "POST"])
def cycle_list(request: HttpRequest, slug: str) -> HttpResponse:
    plan = _plan(request, slug)
    can_create = policy.can(request.user, "cycle.open", plan)
    form = CycleForm(request.POST or None)
    if request.method == "POST":
        policy.require(request.user, "cycle.open", plan)
        if form.is_valid():
            try:
                cycle = services.cycle_create(plan=plan, actor=request.user, **form.cleaned_data)
            except InvalidInput as exc:
                for problem in exc.problems:
                    form.add_error(
                        problem.where if problem.where in form.fields else None, problem.what
                    )
            else:
                return HttpResponseRedirect(reverse("monitoring:cycle", args=[slug, cycle.period]))
    return render(
        request,
        "monitoring/cycle_list.html",
        {
            "plan": plan,
            "cycles": selectors.cycle_list(viewer=request.user, plan=plan),
            "form": form if can_create else None,
        },
    )


@require_safe
def cycle_detail(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    plan = _plan(request, slug)
    cycle = selectors.cycle_get(viewer=request.user, plan=plan, period=period)
    reports = selectors.report_list(viewer=request.user, cycle=cycle)
    return render(
        request,
        "monitoring/cycle_detail.html",
        {
            "plan": plan,
            "cycle": cycle,
            "reports": reports,
            "can_open": policy.can(request.user, "cycle.open", plan),
            "can_enter": policy.can(request.user, "observation.enter"),
        },
    )


@login_required
@require_POST
def cycle_open(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    plan = _plan(request, slug)
    cycle = selectors.cycle_get(viewer=request.user, plan=plan, period=period)
    count = services.cycle_open(cycle=cycle, actor=request.user)
    messages.success(
        request, _("The cycle is open: %(count)d reports to write.") % {"count": count}
    )
    return HttpResponseRedirect(reverse("monitoring:cycle", args=[slug, period]))


def _report(
    request: HttpRequest, slug: str, period: str, report_id: int
) -> tuple[ReportingCycle, ProgressReport]:
    plan = _plan(request, slug)
    cycle = selectors.cycle_get(viewer=request.user, plan=plan, period=period)
    return cycle, selectors.report_get(viewer=request.user, cycle=cycle, report_id=report_id)


def _report_url(report: ProgressReport) -> str:
    return reverse(
        "monitoring:report", args=[report.cycle.plan.slug, report.cycle.period, report.pk]
    )


@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, slug: str, period: str, report_id: int) -> HttpResponse:
    if request.method == "POST" and not request.user.is_authenticated:
        # A session that expired while typing: log in again and come back to the page, where
        # the browser still holds the text (keep-draft.js).
        return redirect_to_login(request.get_full_path())
    cycle, report = _report(request, slug, period, report_id)
    can_edit = policy.can(request.user, "report.edit", report)
    initial: dict[str, Any] = {name: getattr(report, name) for name in ProgressReport.TEXT_FIELDS}
    form = ReportForm(request.POST or None, initial={**initial, "version": report.version})
    conflict = None
    if request.method == "POST":
        policy.require_or_hide(request.user, "report.edit", report)
        if form.is_valid():
            texts = {name: form.cleaned_data[name] for name in ProgressReport.TEXT_FIELDS}
            try:
                services.report_save(
                    report=report, actor=request.user, version=form.cleaned_data["version"], **texts
                )
            except EditConflict:
                report.refresh_from_db()
                conflict = [
                    (form.fields[name].label, getattr(report, name), texts[name])
                    for name in ProgressReport.TEXT_FIELDS
                    if getattr(report, name) != texts[name]
                ]
                data = request.POST.copy()
                data["version"] = str(report.version)
                form = ReportForm(data)
                form.is_valid()
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(_report_url(report))
    actions = [
        (action, label)
        for action, label, permission in (
            ("submit", _("Submit"), "report.submit"),
            ("consolidate", _("Consolidate into the lead agency's report"), "report.consolidate"),
            ("approve", _("Approve"), "report.approve"),
            ("publish", _("Publish"), "report.publish"),
        )
        if policy.can(request.user, permission, report)
    ]
    return render(
        request,
        "monitoring/report_detail.html",
        {
            "cycle": cycle,
            "report": report,
            "form": form if can_edit else None,
            "conflict": conflict,
            "actions": actions,
            "can_return": policy.can(request.user, "report.return", report)
            and report.state == ProgressReport.State.SUBMITTED
            and report.lead,
            "return_form": ReturnForm(),
            "contributions": report.contributions.select_related("agency"),
            "evidence": report.evidence.all(),
            # The task's targets with their latest values: the numbers this report speaks to.
            "progress": node_panel(request, report.node),
            "can_attach": can_edit,
        },
    )


STEPS = {
    "submit": services.report_submit,
    "consolidate": services.report_consolidate,
    "approve": services.report_approve,
    "publish": services.report_publish,
}


@login_required
@require_POST
def report_step(
    request: HttpRequest, slug: str, period: str, report_id: int, step: str
) -> HttpResponse:
    report = _report(request, slug, period, report_id)[1]
    version = form_integer(request.POST, "version", default=0)
    try:
        if step == "return":
            services.report_return(
                report=report,
                actor=request.user,
                version=version,
                reason=request.POST.get("reason", ""),
            )
        elif step in STEPS:
            STEPS[step](report=report, actor=request.user, version=version)
        else:
            raise NotFound(f"no step {step!r}")
    except (InvalidTransition, InvalidInput, EditConflict) as exc:
        problems = getattr(exc, "problems", None)
        messages.error(request, "; ".join(p.what for p in problems) if problems else str(exc))
    else:
        messages.success(request, _("Done: %(state)s.") % {"state": report.get_state_display()})
    return HttpResponseRedirect(_report_url(report))


def node_panel(request: HttpRequest, node: object) -> SafeString | None:
    """The progress of a task's or section's targets, and its reports, on the node page."""
    assert isinstance(node, PlanNode)
    targets = selectors.node_targets(node=node)
    reports = list(selectors.node_reports(viewer=request.user, node=node))
    if not targets and not reports:
        return None
    statuses = selectors.target_progress(targets=targets, plan=node.plan)
    synthetic = Observation.objects.filter(
        indicator_id__in={t.indicator_id for t in targets}, source__icontains="synthetic"
    ).exists()
    rows = [(t, statuses[t.pk]) for t in targets]
    return SafeString(
        render_to_string(
            "monitoring/_node_panel.html",
            {
                "rows": rows,
                "reports": reports,
                "node": node,
                "synthetic": synthetic,
                "can_enter": policy.can(request.user, "observation.enter"),
            },
            request=request,
        )
    )


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """My reports: what waits for this person to act."""
    return render(
        request, "monitoring/inbox.html", {"items": notifications.waiting_for(request.user)}
    )


@require_safe
def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """Every deadline this person has, as an ICS feed that calendar apps subscribe to."""
    user = User.objects.filter(calendar_token=token, is_active=True).first()
    if user is None:
        raise NotFound("no such calendar")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//HRAP//deadlines//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:HRAP · {_ics_text(user.get_username())}",
    ]
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    for cycle in notifications.cycles_due_for(user):
        title = cycle.plan.title.get(user.language.replace("zh-hans", "zh-Hans")) or cycle.plan.slug
        for kind, day in (("due", cycle.due), ("closes", cycle.closes)):
            summary = (
                _("Progress reports due: %(plan)s %(period)s")
                if kind == "due"
                else _("Reporting cycle closes: %(plan)s %(period)s")
            ) % {"plan": title, "period": cycle.period}
            lines += [
                "BEGIN:VEVENT",
                f"UID:hrap-cycle-{cycle.pk}-{kind}@{request.get_host()}",
                f"DTSTAMP:{stamp}",
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"SUMMARY:{_ics_text(summary)}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8")


def _ics_text(text: str) -> str:
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


@login_required
@require_POST
def evidence_add(request: HttpRequest, slug: str, period: str, report_id: int) -> HttpResponse:
    report = _report(request, slug, period, report_id)[1]
    policy.require_or_hide(request.user, "report.edit", report)
    upload = request.FILES.get("evidence")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        try:
            services.evidence_add(report=report, actor=request.user, upload=upload)
        except InvalidInput as exc:
            messages.error(request, "; ".join(p.what for p in exc.problems))
        else:
            messages.success(request, _("The file is attached."))
    return HttpResponseRedirect(_report_url(report))


@require_safe
def evidence_file(
    request: HttpRequest, slug: str, period: str, report_id: int, evidence_id: int
) -> FileResponse:
    """A file, to those who may see its report; never from a public URL."""
    report = _report(request, slug, period, report_id)[1]
    evidence = report.evidence.filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound("not found")
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass
class _GridRow:
    key: str  # the disaggregation key ("" for the total)
    place: Jurisdiction
    disaggregation: dict[str, str]
    label: str


def _grid_rows(
    request: HttpRequest, indicator: Indicator, by: str
) -> tuple[list[_GridRow], list[Jurisdiction], Jurisdiction | None]:
    """The grid's rows: the places the person may enter values of this indicator for (the
    value scope, asked of the policy per place), or one place's categories of a dimension."""
    places = [
        j
        for j in Jurisdiction.objects.select_related("parent__parent__parent").order_by(
            "level", "code"
        )
        if policy.can(request.user, "observation.enter", indicator, j)
    ]
    if not places:
        raise NotFound(f"no place to enter values of {indicator} for")
    if by:
        code = request.GET.get("jurisdiction")
        place = next((j for j in places if j.code == code), places[0])
        rows = [_GridRow(f"{by}={c}", place, {by: c}, c) for c in Indicator.CATEGORIES[by]]
        return rows, places, place
    rows = [
        _GridRow("", j, {}, f"{j.code} {j.name.get('zh-Hans') or j.name.get('en', '')}")
        for j in places
    ]
    return rows, places, None


@login_required
@require_http_methods(["GET", "POST"])
def observation_grid(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """Enter values as a table, years across: the places in the person's value scope down
    (totals), or, with ?by=<dimension>&jurisdiction=<code>, one place's categories down.

    Only cells typed differently from what the page showed are saved, all or none; a value
    someone else changed meanwhile is shown at its cell and nothing is saved (decision 0019).
    """
    indicator = Indicator.objects.filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFound("no such indicator")
    policy.require(request.user, "observation.enter", indicator)
    plans = Plan.objects.filter(nodes__targets__indicator=indicator).distinct()
    starts = [p.period_start for p in plans if p.period_start is not None]  # drafts may not say
    ends = [p.period_end for p in plans if p.period_end is not None]
    first = min(starts, default=timezone.now().year - 4)
    last = max(ends, default=timezone.now().year)
    years = [str(y) for y in range(first - 1, last + 1)]
    dimensions = [d for d in indicator.disaggregations if d in Indicator.CATEGORIES]
    by = request.GET.get("by", "")
    if by and by not in dimensions:
        raise NotFound(f"{indicator} is not disaggregated by {by}")
    rows, places, place = _grid_rows(request, indicator, by)
    cells = {f"{row.place.pk}-{row.key}-{year}": (row, year) for row in rows for year in years}
    stored = {
        (o.jurisdiction_id, o.disaggregation_key, o.period): o
        for o in Observation.objects.filter(
            indicator=indicator,
            jurisdiction__in={row.place for row in rows},
            disaggregation_key__in={row.key for row in rows},
            period__in=years,
        ).select_related("entered_by")
    }
    stray = [k for k in request.POST if k.startswith(("v-", "o-")) and k[2:] not in cells]
    if stray:
        # A cell the page never offered: a place or category outside the person's value scope.
        raise PermissionDenied(f"not allowed: observation.enter ({stray[0][2:]})")
    form = ValueGridForm(request.POST or None, cells=list(cells))
    notes: dict[str, str] = {}  # cell → why it needs another look
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["status"] or None
        source = form.cleaned_data["source"].strip() or None
        edits = {
            cell: services.ValueEdit(
                jurisdiction=cells[cell][0].place,
                period=cells[cell][1],
                value=typed,
                disaggregation=cells[cell][0].disaggregation,
                version=version,
                status=status,
                source=source,
            )
            for cell, typed, version in form.changed_cells()
        }
        try:
            saved = services.observations_save(
                indicator=indicator, actor=request.user, edits=list(edits.values())
            )
        except services.ValuesChanged as exc:
            data = request.POST.copy()
            for edit, current in exc.changed:
                cell = next(c for c, e in edits.items() if e is edit)
                notes[cell] = _changed_meanwhile(current, edit.value)
                # Seen now: saving again replaces it deliberately.
                data[f"o-{cell}"] = _shown_as(current)
            form = ValueGridForm(data, cells=list(cells))
            form.is_valid()
        except InvalidInput as exc:
            problems = [str(p) for p in exc.problems]
        else:
            messages.success(
                request,
                ngettext("Saved %(count)d value.", "Saved %(count)d values.", len(saved))
                % {"count": len(saved)},
            )
            return HttpResponseRedirect(request.get_full_path())
    grid = [
        (
            row.label,
            [
                _grid_cell(form, f"{row.place.pk}-{row.key}-{year}", year, stored, row, notes)
                for year in years
            ],
        )
        for row in rows
    ]
    return render(
        request,
        "monitoring/grid.html",
        {
            "indicator": indicator,
            "years": years,
            "grid": grid,
            "form": form,
            "problems": problems,
            "trouble": sum(1 for _label, row in grid for c in row if c["errors"] or c["note"]),
            "dimensions": dimensions,
            "by": by,
            "place": place,
            "jurisdictions": places,
        },
    )


def _shown_as(observation: Observation | None) -> str:
    """The o-<cell> text of a value as the page shows it."""
    if observation is None:
        return ""
    return f"{observation.version}:{observation.value.normalize():f}"


def _changed_meanwhile(current: Observation | None, typed: object) -> str:
    if current is None:
        return _("This value was removed meanwhile. Save again to enter yours.")
    who = current.entered_by.get_username() if current.entered_by else _("someone")
    return _(
        "Changed meanwhile by %(who)s to %(value)s (%(status)s). Yours, %(typed)s, is kept "
        "in the cell: save again to replace it, or type theirs to keep it."
    ) % {
        "who": who,
        "value": f"{current.value.normalize():f}",
        "status": current.get_status_display(),
        "typed": f"{typed:f}",
    }


def _grid_cell(
    form: ValueGridForm,
    cell: str,
    year: str,
    stored: dict[tuple[int, str, str], Observation],
    row: _GridRow,
    notes: dict[str, str],
) -> dict[str, Any]:
    observation = stored.get((row.place.pk, row.key, year))
    if form.is_bound:
        typed = form.data.get(f"v-{cell}", "")
        shown = form.data.get(f"o-{cell}", "")
    else:
        typed = f"{observation.value.normalize():f}" if observation else ""
        shown = _shown_as(observation)
    return {
        "id": cell,
        "year": year,
        "typed": typed,
        "shown": shown,
        "final": observation is not None and observation.status == Observation.Status.FINAL,
        "errors": form.errors.get(f"v-{cell}", []) if form.is_bound else [],
        "note": notes.get(cell, ""),
    }
