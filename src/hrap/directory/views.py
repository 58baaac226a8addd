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
from hrap.core.errors import InvalidInput, NotFound
from hrap.directory import selectors, services
from hrap.directory.forms import AgencyForm, JurisdictionForm
from hrap.directory.models import Agency, Jurisdiction


@require_safe
def agency_list(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/agency_list.html", {"agencies": selectors.agency_list()})


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
def agency_edit(request: HttpRequest, code: str) -> HttpResponse:
    agency = _agency(code)
    # Another agency's form does not exist for this user: 404, not 403, reveals nothing.
    policy.require_or_hide(request.user, "agency.edit", agency)
    form = AgencyForm(
        request.POST or None, values={"name": agency.name, "abbreviation": agency.abbreviation}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(
                agency=agency,
                actor=request.user,
                name=form.texts("name"),
                abbreviation=form.texts("abbreviation"),
            )
        except InvalidInput as exc:
            for problem in exc.problems:
                form.add_error(None, problem.what)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("directory:agency", args=[agency.code]))
    return render(request, "directory/agency_edit.html", {"agency": agency, "form": form})


@require_safe
def jurisdiction_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "directory/jurisdiction_list.html",
        {"jurisdictions": Jurisdiction.objects.select_related("parent").order_by("level", "code")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def jurisdiction_edit(request: HttpRequest, code: str) -> HttpResponse:
    jurisdiction = Jurisdiction.objects.select_related("parent").filter(code=code).first()
    if jurisdiction is None:
        raise NotFound(f"no jurisdiction {code!r}")
    policy.require_or_hide(request.user, "jurisdiction.edit", jurisdiction)
    form = JurisdictionForm(
        request.POST or None,
        values={"name": jurisdiction.name},
        initial={"national_code": jurisdiction.national_code},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.jurisdiction_update(
                jurisdiction=jurisdiction,
                actor=request.user,
                name=form.texts("name"),
                national_code=form.cleaned_data["national_code"],
            )
        except InvalidInput as exc:
            for problem in exc.problems:
                form.add_error(None, problem.what)
        else:
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(reverse("directory:jurisdictions"))
    return render(
        request, "directory/jurisdiction_edit.html", {"jurisdiction": jurisdiction, "form": form}
    )
