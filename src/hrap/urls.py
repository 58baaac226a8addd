"""The URLconf: every page under a language prefix (/zh-hans/, /en/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, reverse

from hrap.api.api import api
from hrap.monitoring.home import home


def _admin_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The admin signs in through HRAP's login, with its lockout and second factor."""
    return redirect_to_login(request.get_full_path(), reverse("login"))


admin.site.login = _admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    *i18n_patterns(
        path("", home, name="home"),
        path("admin/", admin.site.urls),
        path("accounts/", include("hrap.accounts.urls")),
        path("", include("hrap.plans.urls")),
        path("", include("hrap.directory.urls")),
        path("", include("hrap.monitoring.urls")),
        path("audit/", include("hrap.accounts.audit_urls")),
        path("users/", include("hrap.accounts.user_urls")),
        prefix_default_language=True,
    ),
]
