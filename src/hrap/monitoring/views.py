"""Reporting cycles and progress reports: each workflow step is its own POST and service."""

from __future__ import annotations

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
from django.views.decorators.http import require_http_methods, require_POST

from hrap.accounts import policy
from hrap.core.errors import EditConflict, InvalidInput, InvalidTransition, NotFound
from hrap.core.forms import form_integer
from hrap.monitoring import selectors, services
from hrap.monitoring.forms import CycleForm, ReportForm, ReturnForm
from hrap.monitoring.models import Observation, ProgressReport, ReportingCycle
from hrap.plans import selectors as plan_selectors
from hrap.plans.models import Plan, PlanNode


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
    reports = [
        r
        for r in ProgressReport.objects.filter(node=node).select_related("cycle__plan", "agency")
        if policy.can(request.user, "report.view", r)
    ]
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
def upload_template(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    plan = _plan(request, slug)
    cycle = selectors.cycle_get(viewer=request.user, plan=plan, period=period)
    policy.require(request.user, "observation.enter")
    response = HttpResponse(
        services.upload_template(cycle=cycle, actor=request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="hrap-{slug}-{period}.xlsx"'
    return response


MAX_UPLOAD = 50 * 1024 * 1024


@login_required
@require_http_methods(["GET", "POST"])
def observations_upload(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    plan = _plan(request, slug)
    cycle = selectors.cycle_get(viewer=request.user, plan=plan, period=period)
    policy.require(request.user, "observation.enter")
    problems: list[Any] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [_("Choose a CSV or XLSX file.")]
        elif upload.size and upload.size > MAX_UPLOAD:
            problems = [_("The file is larger than 50 MB.")]
        else:
            try:
                counts = services.observations_upload(
                    raw=upload.read(), name=upload.name or "upload", cycle=cycle, actor=request.user
                )
            except InvalidInput as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    _("Loaded %(rows)d values (%(created)d new, %(updated)d corrected).") % counts,
                )
                return HttpResponseRedirect(reverse("monitoring:cycle", args=[slug, period]))
    return render(
        request,
        "monitoring/upload.html",
        {"plan": plan, "cycle": cycle, "problems": problems},
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    from hrap.monitoring.notifications import waiting_for

    return render(request, "monitoring/inbox.html", {"items": waiting_for(request.user)})


def calendar(request: HttpRequest, token: str) -> HttpResponse:
    """Every deadline this person has, as an ICS feed that calendar apps subscribe to."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(calendar_token=token, is_active=True).first()
    if user is None:
        raise NotFound("no such calendar")
    cycles = ReportingCycle.objects.exclude(status=ReportingCycle.Status.CLOSED).select_related(
        "plan"
    )
    if not policy.can(user, "report.view_all"):
        agencies = {m.agency_id for m in policy.memberships(user) if m.agency_id}
        cycles = cycles.filter(reports__agency_id__in=agencies).distinct()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//HRAP//deadlines//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:HRAP · {user.get_username()}",
    ]
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    for cycle in cycles:
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
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


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


@login_required
@require_http_methods(["GET", "POST"])
def observation_grid(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """Enter values as a table, years across: jurisdictions down (totals), or, with
    ?by=<dimension>&jurisdiction=<code>, the categories of one disaggregation down."""
    from decimal import Decimal, InvalidOperation

    from hrap.directory.models import Jurisdiction
    from hrap.monitoring.models import Observation
    from hrap.plans.models import Indicator

    indicator = Indicator.objects.filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFound("no such indicator")
    policy.require(request.user, "observation.enter", indicator)
    plans = Plan.objects.filter(nodes__targets__indicator=indicator).distinct()
    first = min((p.period_start for p in plans), default=timezone.now().year - 4)
    last = max((p.period_end for p in plans), default=timezone.now().year)
    years = [str(y) for y in range(first - 1, last + 1)]
    dimensions = [d for d in indicator.disaggregations if d in Indicator.CATEGORIES]
    by = request.GET.get("by", "")
    if by and by not in dimensions:
        raise NotFound(f"{indicator} is not disaggregated by {by}")
    regions = {
        m.jurisdiction_id for m in policy.memberships(request.user) if m.jurisdiction_id is not None
    }
    jurisdictions = list(Jurisdiction.objects.order_by("level", "code"))
    if regions and not policy.can(request.user, "report.view_all"):
        jurisdictions = [j for j in jurisdictions if j.pk in regions or j.parent_id in regions]
    if by:
        place = next((j for j in jurisdictions if j.code == request.GET.get("jurisdiction")), None)
        place = place or jurisdictions[0]
        rows = [(f"{by}={c}", place, {by: c}, c) for c in Indicator.CATEGORIES[by]]
    else:
        place = None
        rows = [
            ("", j, {}, f"{j.code} {j.name.get('zh-Hans') or j.name.get('en', '')}")
            for j in jurisdictions
        ]
    keys = {key for key, *_ in rows}
    values = {
        (o.jurisdiction_id, o.disaggregation_key, o.period): o.value
        for o in Observation.objects.filter(
            indicator=indicator, disaggregation_key__in=keys, period__in=years
        )
    }
    problems: list[str] = []
    if request.method == "POST":
        saved = 0
        for key, jurisdiction, disaggregation, label in rows:
            for year in years:
                raw = request.POST.get(f"v-{jurisdiction.pk}-{key}-{year}", "").strip()
                current = values.get((jurisdiction.pk, key, year))
                if raw == "" or (current is not None and Decimal(str(current)) == _decimal(raw)):
                    continue
                try:
                    value = Decimal(raw.replace(",", ""))
                except InvalidOperation:
                    problems.append(
                        _("%(where)s %(year)s: %(raw)s is not a number")
                        % {"where": label, "year": year, "raw": raw}
                    )
                    continue
                services.observation_record(
                    indicator=indicator,
                    jurisdiction=jurisdiction,
                    period=year,
                    value=value,
                    actor=request.user,
                    source=request.POST.get("source", ""),
                    disaggregation=disaggregation,
                )
                saved += 1
        if not problems:
            messages.success(request, _("Saved %(count)d values.") % {"count": saved})
            return HttpResponseRedirect(request.get_full_path())
    grid = [
        (
            f"{jurisdiction.pk}-{key}",
            label,
            [(year, values.get((jurisdiction.pk, key, year))) for year in years],
        )
        for key, jurisdiction, _disaggregation, label in rows
    ]
    return render(
        request,
        "monitoring/grid.html",
        {
            "indicator": indicator,
            "years": years,
            "grid": grid,
            "problems": problems,
            "dimensions": dimensions,
            "by": by,
            "place": place,
            "jurisdictions": jurisdictions,
        },
    )


def _decimal(raw: str) -> object:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None
