"""The URLconf: every page under a language prefix (/zh-hans/, /en/)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    *i18n_patterns(
        path("", RedirectView.as_view(pattern_name="plans:list", permanent=False), name="home"),
        path("admin/", admin.site.urls),
        path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
        path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
        path("", include("hrap.plans.urls")),
        prefix_default_language=True,
    ),
]
