"""Login with lockout and a second factor, the security page (2FA, API tokens), password reset."""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hrap.accounts import policy, services, totp
from hrap.accounts.forms import CodeForm, LoginForm, TokenForm
from hrap.accounts.models import ApiToken, User
from hrap.core.errors import InvalidInput, NotFound

PENDING = "hrap_pending_user"


def _address(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def _next_url(request: HttpRequest) -> str:
    wanted = request.session.get("hrap_next") or request.POST.get("next") or request.GET.get("next")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, {request.get_host()}, request.is_secure()
    ):
        return str(wanted)
    return reverse(settings.LOGIN_REDIRECT_URL)


def _complete(request: HttpRequest, user: User) -> HttpResponse:
    target = _next_url(request)
    login(request, user, backend="hrap.accounts.backends.HrapBackend")
    services.login_succeeded(user=user, address=_address(request))
    return HttpResponseRedirect(target)


def _pending(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING)
    return get_user_model().objects.filter(pk=pk, is_active=True).first() if pk else None


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "GET" and request.GET.get("next"):
        request.session["hrap_next"] = request.GET["next"]
    if request.method == "POST" and form.is_valid():
        username, address = form.cleaned_data["username"], _address(request)
        locked = services.lockout_message(username=username, address=address)
        user = (
            None
            if locked
            else authenticate(request, username=username, password=form.cleaned_data["password"])
        )
        if locked:
            form.add_error(None, locked)
        elif user is None:
            services.login_failed(username=username, address=address)
            form.add_error(
                None,
                services.lockout_message(username=username, address=address)
                or _("The username or the password is wrong."),
            )
        elif services.has_second_factor(user):
            request.session[PENDING] = user.pk
            return HttpResponseRedirect(reverse("second_factor_verify"))
        elif settings.HRAP_REQUIRE_SECOND_FACTOR and policy.needs_second_factor(user):
            request.session[PENDING] = user.pk
            return HttpResponseRedirect(reverse("second_factor_setup"))
        else:
            return _complete(request, user)
    return render(request, "registration/login.html", {"form": form})


def second_factor_verify(request: HttpRequest) -> HttpResponse:
    user = _pending(request)
    if user is None:
        return HttpResponseRedirect(reverse("login"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        locked = services.lockout_message(username=user.get_username(), address=_address(request))
        if locked:
            form.add_error(None, locked)
        elif services.second_factor_check(user=user, code=form.cleaned_data["code"]):
            del request.session[PENDING]
            return _complete(request, user)
        else:
            services.login_failed(username=user.get_username(), address=_address(request))
            form.add_error("code", _("This code is wrong or was already used."))
    return render(request, "accounts/second_factor_verify.html", {"form": form})


def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Register an authenticator: during a login that requires one, or from the security page."""
    user = _pending(request) or (request.user if request.user.is_authenticated else None)
    if user is None:
        return HttpResponseRedirect(reverse("login"))
    assert isinstance(user, get_user_model())
    factor = services.second_factor_begin(user=user)
    if factor.confirmed_at is not None:
        return HttpResponseRedirect(reverse("security"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.second_factor_check(user=user, code=form.cleaned_data["code"], confirm=True):
            messages.success(request, _("Your authenticator is registered."))
            if request.session.pop(PENDING, None):
                return _complete(request, user)
            return HttpResponseRedirect(reverse("security"))
        form.add_error("code", _("This code is wrong; check the time on your phone."))
    uri = totp.provisioning_uri(factor.secret, user.get_username())
    # segno draws with presentation attributes only, so the page needs no inline style.
    qr = mark_safe(segno.make(uri, error="m").svg_inline(scale=4, title="QR"))
    key = " ".join(factor.secret[i : i + 4] for i in range(0, len(factor.secret), 4))
    return render(
        request,
        "accounts/second_factor_setup.html",
        {"form": form, "qr": qr, "key": key, "uri": uri},
    )


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """Choosing a new password through the mailed link also lifts the account's lockout, which
    is what the lockout message offers the reset for."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    @transaction.atomic
    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        services.password_reset_completed(user=form.user)
        return response


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, get_user_model())
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.token_create(
                user=user, name=form.cleaned_data["name"], actor=user
            )
        except InvalidInput as exc:
            for problem in exc.problems:
                form.add_error("name", problem.what)
    return render(
        request,
        "accounts/security.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=user),
            "has_factor": services.has_second_factor(user),
            "factor_required": policy.needs_second_factor(user),
            "roles": policy.memberships(user),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user_id=request.user.pk or 0).first()
    if token is None:
        raise NotFound("no such token")
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token is revoked."))
    return HttpResponseRedirect(reverse("security"))
