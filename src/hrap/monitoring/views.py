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
    refusal,
)
from hrap.core.forms import form_integer
from hrap.directory.models import Jurisdiction
from hrap.monitoring import notifications, selectors, services
from hrap.monitoring.forms import ReportForm, ReturnForm, ValueGridForm
from hrap.monitoring.models import Observation, ProgressReport, ReportingCycle
from hrap.plans import selectors as plan_selectors
from hrap.plans.models import Indicator, Plan, PlanNode


def _plan(request: HttpRequest, slug: str) -> Plan:
    return plan_selectors.plan_get(viewer=request.user, slug=slug)


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


# The steps of the report form: its buttons' `step` values. Saving and attaching are the
# writer's; the others are workflow steps, each its own service.
STEPS = ("save", "attach", "submit", "consolidate", "return", "approve", "publish")
WORKFLOW = {
    "submit": services.report_submit,
    "consolidate": services.report_consolidate,
    "approve": services.report_approve,
    "publish": services.report_publish,
}


def _action(step: str, report: ProgressReport) -> str:
    """The policy's action for a step of this report."""
    if step == "return":
        return "report.return" if report.lead else "report.return_input"
    return "report.edit" if step in ("save", "attach") else f"report.{step}"


def _step_names() -> dict[str, str]:
    return {
        "save": _("save"),
        "attach": _("attach a file to"),
        "submit": _("submit"),
        "consolidate": _("consolidate"),
        "return": _("return"),
        "approve": _("approve"),
        "publish": _("publish"),
    }


def _done(step: str, report: ProgressReport) -> str:
    """What a step did, and the state the report is in now."""
    if step == "submit":
        if report.lead:
            return _("Submitted: the report is now awaiting review by the secretariat.")
        return _("Submitted: your input now awaits consolidation by the lead agency.")
    if step == "consolidate":
        return _("Consolidated: the input is now part of the lead agency's report.")
    if step == "return":
        if report.lead:
            return _("Returned to the agency for revision.")
        return _("Returned to %(agency)s for revision.") % {
            "agency": services.agency_label(report.agency)
        }
    if step == "approve":
        return _("Approved: the report is now ready to publish.")
    return _("Published: the report is now public.")


def _offered(user: Any, report: ProgressReport) -> list[tuple[str, str]]:
    """The workflow steps this person may take on this report now, as the policy says."""
    labels = {
        "submit": _("Submit") if report.lead else _("Submit to the lead agency"),
        "consolidate": _("Consolidate into the lead agency's report"),
        "approve": _("Approve"),
        "publish": _("Publish"),
    }
    return [
        (step, label)
        for step, label in labels.items()
        if policy.can(user, _action(step, report), report)
    ]


def _not_now(request: HttpRequest, step: str, report: ProgressReport) -> None:
    """A step pressed on a stale page or posted by hand: say why, or refuse a stranger."""
    if not policy.reaches_report(request.user, _action(step, report), report):
        policy.require(request.user, _action(step, report), report)
    messages.error(
        request,
        _("You cannot %(step)s this report now: it is %(state)s.")
        % {"step": _step_names()[step], "state": report.get_state_display()},
    )


@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, slug: str, period: str, report_id: int) -> HttpResponse:
    """The report: its text, files and workflow steps are one form, so a step never loses
    what was typed (decision 0031)."""
    if request.method == "POST" and not request.user.is_authenticated:
        # A session that expired while typing: log in again and come back to the page, where
        # the browser still holds the text (keep-draft.js).
        return redirect_to_login(request.get_full_path())
    cycle, report = _report(request, slug, period, report_id)
    if request.method == "POST":
        return _report_post(request, cycle, report, request.POST.get("step") or "save")
    return _report_page(request, cycle, report)


def _report_post(
    request: HttpRequest, cycle: ReportingCycle, report: ProgressReport, step: str
) -> HttpResponse:
    if step not in STEPS:
        raise NotFound(f"no step {step!r}")
    user = request.user
    upload = request.FILES.get("evidence")
    saved = False
    version = form_integer(request.POST, "version", default=0)
    if "progress" in request.POST or step == "save":
        # The text comes with every button of the form: it is saved first, then the step.
        if not policy.can(user, "report.edit", report):
            if not policy.reaches_report(user, "report.edit", report):
                policy.require_or_hide(user, "report.edit", report)
            # Submitted (or returned) meanwhile: show what was typed, so it can be copied.
            form = ReportForm(request.POST)
            form.is_valid()
            kept = [
                (form.fields[name].label, request.POST.get(name, ""))
                for name in ProgressReport.TEXT_FIELDS[1:]
                if request.POST.get(name, "").strip()
            ]
            messages.error(
                request,
                _("Not saved: the report is %(state)s now and can no longer be edited.")
                % {"state": report.get_state_display()},
            )
            return _report_page(request, cycle, report, kept=kept)
        form = ReportForm(request.POST)
        if not form.is_valid():
            return _report_page(request, cycle, report, form=form)
        texts = {name: form.cleaned_data[name] for name in ProgressReport.TEXT_FIELDS}
        try:
            report = services.report_save(
                report=report, actor=user, version=form.cleaned_data["version"], **texts
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
            if step not in ("save", "attach") or upload is not None:
                messages.error(request, _("Nothing else was done: merge the texts first."))
            return _report_page(request, cycle, report, form=form, conflict=conflict)
        saved, version = True, report.version
    if upload is not None or step == "attach":
        if upload is None:
            messages.error(request, _("Choose a file."))
            return HttpResponseRedirect(_report_url(report))
        if not policy.can(user, "report.edit", report):
            _not_now(request, "attach", report)
            return HttpResponseRedirect(_report_url(report))
        try:
            services.evidence_add(report=report, actor=user, upload=upload)
        except (InvalidInput, InvalidTransition) as exc:
            why = refusal(exc)
            if saved:
                why = _("Saved, but the file was not attached: %(why)s") % {"why": why}
            messages.error(request, why)
            return HttpResponseRedirect(_report_url(report))
        if step == "attach":
            messages.success(request, _("The file is attached."))
    if step in ("save", "attach"):
        if step == "save":
            messages.success(
                request,
                _("Saved. The report stays %(state)s until it is submitted.")
                % {"state": report.get_state_display()},
            )
        return HttpResponseRedirect(_report_url(report))
    if not policy.can(user, _action(step, report), report):
        _not_now(request, step, report)
        return HttpResponseRedirect(_report_url(report))
    try:
        if step == "return":
            report = services.report_return(
                report=report, actor=user, version=version, reason=request.POST.get("reason", "")
            )
        else:
            report = WORKFLOW[step](report=report, actor=user, version=version)
    except EditConflict:
        messages.error(
            request,
            _("Not done: someone changed this report since the page was loaded. Here it is now."),
        )
    except (InvalidTransition, InvalidInput) as exc:
        why = refusal(exc)
        if saved:
            why = _("Saved, but: %(why)s") % {"why": why}
        messages.error(request, why)
    else:
        messages.success(request, _done(step, report))
    return HttpResponseRedirect(_report_url(report))


def _report_page(
    request: HttpRequest,
    cycle: ReportingCycle,
    report: ProgressReport,
    *,
    form: ReportForm | None = None,
    conflict: list[tuple[Any, str, str]] | None = None,
    kept: list[tuple[Any, str]] | None = None,
) -> HttpResponse:
    user = request.user
    can_edit = policy.can(user, "report.edit", report)
    if form is None and can_edit:
        initial = {name: getattr(report, name) for name in ProgressReport.TEXT_FIELDS}
        form = ReportForm(initial={**initial, "version": report.version})
    can_return = policy.can(user, _action("return", report), report)
    lead, inputs = selectors.report_family(viewer=user, report=report)
    return render(
        request,
        "monitoring/report_detail.html",
        {
            "cycle": cycle,
            "report": report,
            "form": form if can_edit else None,
            "conflict": conflict,
            "kept": kept,
            "steps": _offered(user, report),
            "can_return": can_return,
            "return_form": ReturnForm() if can_return else None,
            "lead_report": lead,
            "inputs": inputs,
            "evidence": report.evidence.all(),
            "values": selectors.report_values(report=report),
            "can_attach": can_edit,
        },
    )


@login_required
@require_POST
def report_step(
    request: HttpRequest, slug: str, period: str, report_id: int, step: str
) -> HttpResponse:
    """One workflow step by its own address (the form's buttons post to the report itself)."""
    cycle, report = _report(request, slug, period, report_id)
    if step not in WORKFLOW and step != "return":
        raise NotFound(f"no step {step!r}")
    return _report_post(request, cycle, report, step)


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
    """Attach a file by its own address (the report form attaches it with its text)."""
    cycle, report = _report(request, slug, period, report_id)
    if not policy.reaches_report(request.user, "report.edit", report):
        policy.require_or_hide(request.user, "report.edit", report)
    return _report_post(request, cycle, report, "attach")


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
