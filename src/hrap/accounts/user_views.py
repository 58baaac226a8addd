"""Managing users and their roles (administrators only): the list, an account's page, and its
changes, each one service call with an audit event, refused when based on an older version."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from hrap.accounts import policy, selectors, services
from hrap.accounts.forms import RoleForm, UserCreateForm, UserDetailsForm, UserFilterForm
from hrap.accounts.models import Role, User
from hrap.core import audit
from hrap.core.errors import EditConflict, InvalidInput
from hrap.core.forms import form_integer

PAGE_SIZE = 50


def _role_form(data: Any = None, **kwargs: Any) -> RoleForm:
    return RoleForm(
        data, agencies=selectors.agencies(), jurisdictions=selectors.jurisdictions(), **kwargs
    )


def _page(
    request: HttpRequest,
    user: User,
    *,
    details: UserDetailsForm | None = None,
    role_form: RoleForm | None = None,
    conflict: EditConflict | None = None,
    status: int = 200,
) -> HttpResponse:
    """An account's page; a refused change comes back with what was typed and why."""
    initial = {"version": user.version, **_details(vars(user))}
    memberships = selectors.user_memberships(user)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "person": user,
            "memberships": memberships,
            # A superuser is an administrator without the membership: shown as a role of its own.
            "superuser_row": user.is_superuser
            and all(m.role != Role.ADMINISTRATOR for m in memberships),
            "details": details or UserDetailsForm(initial=initial),
            "role_form": role_form or _role_form(initial={"version": user.version}),
            "conflict": conflict,
            "history": audit.history(user)[:20],
        },
        status=status,
    )


def _problems_to(form: Any, exc: InvalidInput) -> None:
    for problem in exc.problems:
        form.add_error(problem.where if problem.where in form.fields else None, problem.what)


def _details(data: dict[str, Any]) -> dict[str, str]:
    return {k: data[k] for k in ("email", "first_name", "last_name", "language")}


def _to_page(user: User) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("users:detail", args=[user.pk]))


@login_required
@require_safe
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserFilterForm(request.GET)
    given = form.cleaned_data if form.is_valid() else {}
    users = selectors.user_list(viewer=request.user, **{k: v for k, v in given.items() if v})
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/user_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def user_add(request: HttpRequest) -> HttpResponse:
    policy.require_or_hide(request.user, "user.manage")
    form = UserCreateForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user, username=data["username"], **_details(data)
            )
            if data["send_reset"] and user.email:
                services.user_send_password_reset(user=user, actor=request.user)
        except InvalidInput as exc:
            _problems_to(form, exc)
        else:
            messages.success(request, _("The account %(user)s is created.") % {"user": user})
            return _to_page(user)
    status = 400 if form.errors else 200
    return render(request, "accounts/user_add.html", {"form": form}, status=status)


@login_required
@require_safe
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return _page(request, selectors.user_get(viewer=request.user, user_id=user_id))


@login_required
@require_POST
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.user_get(viewer=request.user, user_id=user_id)
    form = UserDetailsForm(request.POST)
    if not form.is_valid():
        return _page(request, user, details=form, status=400)
    data = form.cleaned_data
    try:
        services.user_update(
            user=user, actor=request.user, version=data["version"], **_details(data)
        )
    except EditConflict as exc:
        user.refresh_from_db()
        return _page(request, user, details=form, conflict=exc, status=409)
    except InvalidInput as exc:
        _problems_to(form, exc)
        return _page(request, user, details=form, status=400)
    messages.success(request, _("Saved."))
    return _to_page(user)


@login_required
@require_POST
def user_role(request: HttpRequest, user_id: int, change: str) -> HttpResponse:
    """Grant (`add`) or take away (`remove`) a role, for an agency or a jurisdiction if any."""
    user = selectors.user_get(viewer=request.user, user_id=user_id)
    form = _role_form(request.POST)
    if not form.is_valid():
        return _page(request, user, role_form=form, status=400)
    data = form.cleaned_data
    service = services.membership_add if change == "add" else services.membership_remove
    try:
        agency, jurisdiction = selectors.role_scope(
            agency=data["agency"], jurisdiction=data["jurisdiction"]
        )
        service(
            user=user,
            actor=request.user,
            role=data["role"],
            agency=agency,
            jurisdiction=jurisdiction,
            version=data["version"],
        )
    except EditConflict as exc:
        user.refresh_from_db()
        return _page(request, user, conflict=exc, status=409)
    except InvalidInput as exc:
        _problems_to(form, exc)
        return _page(request, user, role_form=form, status=400)
    messages.success(request, _("Role granted.") if change == "add" else _("Role taken away."))
    return _to_page(user)


@login_required
@require_POST
def user_activation(request: HttpRequest, user_id: int, change: str) -> HttpResponse:
    user = selectors.user_get(viewer=request.user, user_id=user_id)
    version = form_integer(request.POST, "version")
    service = services.user_deactivate if change == "deactivate" else services.user_reactivate
    try:
        service(user=user, actor=request.user, version=version)
    except EditConflict as exc:
        user.refresh_from_db()
        return _page(request, user, conflict=exc, status=409)
    except InvalidInput as exc:
        messages.error(request, "; ".join(p.what for p in exc.problems))
        return _page(request, user, status=400)
    done = (
        _("The account is deactivated.") if change == "deactivate" else _("The account is active.")
    )
    messages.success(request, done)
    return _to_page(user)


@login_required
@require_POST
def user_password_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    user = selectors.user_get(viewer=request.user, user_id=user_id)
    try:
        services.user_send_password_reset(user=user, actor=request.user)
    except InvalidInput as exc:
        messages.error(request, "; ".join(p.what for p in exc.problems))
        return _page(request, user, status=400)
    messages.success(
        request,
        _("A link to choose a password is on its way to %(email)s.") % {"email": user.email},
    )
    return _to_page(user)
