"""The values template and the upload pages: a file is previewed, then written on confirmation."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from hrap.accounts import policy
from hrap.core.errors import InvalidInput, NotFound
from hrap.directory.models import Agency
from hrap.monitoring import selectors, services, staging
from hrap.monitoring.models import ReportingCycle
from hrap.plans import selectors as plan_selectors
from hrap.plans.models import Assignment

MAX_UPLOAD = 50 * 1024 * 1024
SHOWN = 200  # rows listed per kind in a preview; the counts are always whole


def _cycle(request: HttpRequest, slug: str, period: str) -> ReportingCycle:
    plan = plan_selectors.plan_get(viewer=request.user, slug=slug)
    return selectors.cycle_get(viewer=request.user, plan=plan, period=period)


def _agency(request: HttpRequest) -> Agency | None:
    code = request.GET.get("agency", "")
    if not code:
        return None
    agency = Agency.objects.filter(code=code[:64]).first()
    if agency is None:
        raise NotFound("no such agency")
    return agency


@login_required
@require_safe
def upload_template(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The XLSX sheet of every value the person may report for this cycle (?agency=code:
    only that agency's tasks), in the page's language."""
    cycle = _cycle(request, slug, period)
    policy.require(request.user, "observation.enter")
    agency = _agency(request)
    response = HttpResponse(
        services.upload_template(cycle=cycle, actor=request.user, agency=agency),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    suffix = f"-{agency.code}" if agency is not None else ""
    response["Content-Disposition"] = f'attachment; filename="hrap-{slug}-{period}{suffix}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def observations_upload(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """Choose a file → its preview (new, corrected, unchanged, refused) → write or discard."""
    cycle = _cycle(request, slug, period)
    policy.require(request.user, "observation.enter")
    problems: list[object] = []
    preview: staging.Preview | None = None
    stale = False
    here = request.path
    if request.method == "POST" and "token" in request.POST:
        token = request.POST.get("token", "")
        if "discard" in request.POST:
            with contextlib.suppress(NotFound):  # already gone: discarding twice is no error
                staging.upload_discard(token=token, cycle=cycle, actor=request.user)
            messages.info(request, _("The upload was discarded; nothing was written."))
            return HttpResponseRedirect(here)
        try:
            counts = staging.upload_confirm(token=token, cycle=cycle, actor=request.user)
        except staging.UploadStale as exc:
            preview, stale = exc.preview, True
        except NotFound:
            messages.error(
                request,
                _(
                    "This preview was already written, discarded or has expired; "
                    "upload the file again."
                ),
            )
            return HttpResponseRedirect(here)
        except InvalidInput as exc:
            problems = list(exc.problems)
        else:
            messages.success(
                request,
                _(
                    "Loaded %(rows)d values: %(created)d new, %(corrected)d corrected, "
                    "%(unchanged)d unchanged."
                )
                % {**counts, "corrected": counts["updated"]},
            )
            return HttpResponseRedirect(reverse("monitoring:cycle", args=[slug, period]))
    elif request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problems = [_("Choose a CSV or XLSX file.")]
        elif upload.size and upload.size > MAX_UPLOAD:
            problems = [_("The file is larger than 50 MB.")]
        else:
            preview = staging.upload_preview(
                raw=upload.read(),
                name=(upload.name or "upload")[-100:],
                cycle=cycle,
                actor=request.user,
            )
    agencies = []
    if policy.value_scope(request.user).everything:
        agencies = list(
            Agency.objects.filter(
                pk__in=Assignment.objects.filter(node__plan=cycle.plan).values("agency_id")
            )
        )
    return render(
        request,
        "monitoring/upload.html",
        {
            "plan": cycle.plan,
            "cycle": cycle,
            "problems": problems,
            "preview": preview,
            "stale": stale,
            "shown": SHOWN,
            "agencies": agencies,
        },
    )
