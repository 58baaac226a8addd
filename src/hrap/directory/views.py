"""Agency and jurisdiction pages; their edit forms ask the policy for the very object."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from hrap.accounts import policy
from hrap.core.conflicts import differences, keep_typed
from hrap.core.errors import EditConflict, InvalidInput, NotFound
from hrap.core.forms import add_problems
from hrap.core.localized import content_language
from hrap.directory import selectors, services
from hrap.directory.forms import AgencyCreateForm, AgencyForm, JurisdictionForm
from hrap.directory.models import Agency, Jurisdiction


@require_safe
def agency_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/agency_list.html",
        {
            "agencies": selectors.agency_list(),
            "can_create": policy.can(request.user, "agency.create"),
        },
    )


def _agency(code: str) -> Agency:
    agency = selectors.agency_list().filter(code=code).first()
    if agency is None:
        raise NotFound(f"no agency {code!r}")
    return agency


@require_safe
def agency_detail(request: HttpRequest, code: str) -> HttpResponse:
    agency = _agency(code)
    return render(
        request,
        "directory/agency_detail.html",
        {"agency": agency, "can_edit": policy.can(request.user, "agency.edit", agency)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_create(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, "agency.create")
    # ?name=…&language=zh-Hans: a body the review screen found in a plan, named as printed.
    language = request.GET.get("language") or content_language()
    form = AgencyCreateForm(
        request.POST or None, initial={f"name_{language}": request.GET.get("name", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(
                actor=request.user,
                code=form.cleaned_data["code"],
                name=form.texts("name"),
                abbreviation=form.texts("abbreviation"),
                parent=form.cleaned_data["parent"],
                joint_meeting_member=form.cleaned_data["joint_meeting_member"],
            )
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("The agency was added."))
            return HttpResponseRedirect(reverse("directory:agency", args=[agency.code]))
    return render(request, "directory/agency_create.html", {"form": form})


def _agency_form(agency: Agency, data: object = None) -> AgencyForm:
    return AgencyForm(
        data,
        values={"name": agency.name, "abbreviation": agency.abbreviation},
        initial={"version": agency.version},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, code: str) -> HttpResponse:
    agency = _agency(code)
    # Another agency's form does not exist for this user: 404, not 403, reveals nothing.
    policy.require_or_hide(request.user, "agency.edit", agency)
    form = _agency_form(agency, request.POST or None)
    conflict: list[tuple[str, str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(
                agency=agency,
                actor=request.user,
                version=form.cleaned_data["version"],
                name=form.texts("name"),
                abbreviation=form.texts("abbreviation"),
            )
        except EditConflict as exc:
            agency.refresh_from_db()
            conflict = differences(form, _agency_form(agency))
            keep_typed(request, form, exc)
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("directory:agency", args=[agency.code]))
    return render(
        request,
        "directory/agency_edit.html",
        {"agency": agency, "form": form, "conflict": conflict},
    )


@require_safe
def jurisdiction_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/jurisdiction_list.html",
        {"jurisdictions": Jurisdiction.objects.select_related("parent").order_by("level", "code")},
    )


def _jurisdiction_form(jurisdiction: Jurisdiction, data: object = None) -> JurisdictionForm:
    return JurisdictionForm(
        data,
        values={"name": jurisdiction.name},
        initial={"national_code": jurisdiction.national_code, "version": jurisdiction.version},
    )


@login_required
@require_http_methods(["GET", "POST"])
def jurisdiction_edit(request: HttpRequest, code: str) -> HttpResponse:
    jurisdiction = Jurisdiction.objects.select_related("parent").filter(code=code).first()
    if jurisdiction is None:
        raise NotFound(f"no jurisdiction {code!r}")
    policy.require_or_hide(request.user, "jurisdiction.edit", jurisdiction)
    form = _jurisdiction_form(jurisdiction, request.POST or None)
    conflict: list[tuple[str, str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.jurisdiction_update(
                jurisdiction=jurisdiction,
                actor=request.user,
                version=form.cleaned_data["version"],
                name=form.texts("name"),
                national_code=form.cleaned_data["national_code"],
            )
        except EditConflict as exc:
            jurisdiction.refresh_from_db()
            conflict = differences(form, _jurisdiction_form(jurisdiction))
            keep_typed(request, form, exc)
        except InvalidInput as exc:
            add_problems(form, exc)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("directory:jurisdictions"))
    return render(
        request,
        "directory/jurisdiction_edit.html",
        {"jurisdiction": jurisdiction, "form": form, "conflict": conflict},
    )
