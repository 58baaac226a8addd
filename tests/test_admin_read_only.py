"""The Django admin writes nothing: every registered ModelAdmin, its inlines, actions and URLs.

Writes in the admin would skip the policy, the versions and the audit trail; users and roles are
managed in HRAP's pages and `hrap user`, everything else through the services.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.test import Client, RequestFactory
from django.urls import NoReverseMatch, reverse

from hrap.accounts import services
from hrap.accounts.models import LoginFailure, Membership, Role
from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    user = get_user_model().objects.create_user("root", password="pw-Secret-123!")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def _request(user: Any) -> Any:
    request = RequestFactory().get("/en/admin/")
    request.user = user
    return request


def test_no_registered_model_admin_or_inline_offers_a_write(administrator) -> None:
    request = _request(administrator)
    assert admin.site._registry, "the admin registers the models"
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.first()
        for candidate in (None, obj):
            assert not model_admin.has_add_permission(request), model
            assert not model_admin.has_change_permission(request, candidate), model
            assert not model_admin.has_delete_permission(request, candidate), model
        assert model_admin.get_actions(request) == {}, model
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            assert not inline.has_add_permission(request, obj), inline
            assert not inline.has_change_permission(request, obj), inline
            assert not inline.has_delete_permission(request, obj), inline
    assert get_user_model() in admin.site._registry and Membership in admin.site._registry


def _urls(model: type[models.Model], pk: object) -> dict[str, str]:
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = {"add": reverse(f"{info}_add"), "changelist": reverse(f"{info}_changelist")}
    if pk is not None:
        urls["change"] = reverse(f"{info}_change", args=[pk])
        urls["delete"] = reverse(f"{info}_delete", args=[pk])
        with contextlib.suppress(NoReverseMatch):
            urls["password"] = reverse(f"{info}_password_change", args=[pk])
    return urls


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for model in admin.site._registry
    }


@pytest.mark.slow
def test_every_admin_url_refuses_to_write_for_an_administrator(administrator) -> None:
    call_command("demo", "--no-serve", stdout=io.StringIO())
    person = get_user_model().objects.get(username="focal-mee")
    services.second_factor_begin(user=person)
    services.token_create(user=person, name="sync", actor=person)
    LoginFailure.objects.create(username="someone", address="10.0.0.9")
    client = Client()
    client.force_login(administrator)
    before, events = _snapshot(), AuditEvent.objects.count()
    seen = 0
    for model in admin.site._registry:
        obj = model._default_manager.first()
        urls = _urls(model, obj.pk if obj is not None else None)
        assert client.get(urls["changelist"]).status_code == 200, model
        assert client.get(urls["add"]).status_code == 403, model
        assert client.post(urls["add"], {}).status_code == 403, model
        # Bulk actions: none exist, and naming one does nothing.
        client.post(
            urls["changelist"],
            {"action": "delete_selected", "_selected_action": [obj.pk] if obj else []},
        )
        if obj is None:
            continue
        seen += 1
        assert client.get(urls["change"]).status_code == 200, model  # shown, read-only
        assert client.post(urls["change"], {"_save": "1"}).status_code == 403, model
        assert client.post(urls["delete"], {"post": "yes"}).status_code == 403, model
        if "password" in urls:
            assert client.post(urls["password"], {}).status_code == 403, model
    assert seen >= 15, "the demo fills nearly every model"
    # The admin's own password change form: not there either.
    new = {"old_password": "pw-Secret-123!", "new_password1": "x" * 20, "new_password2": "x" * 20}
    assert client.post(reverse("admin:password_change"), new).status_code == 302
    administrator.refresh_from_db()
    assert administrator.check_password("pw-Secret-123!")
    assert _snapshot() == before
    assert AuditEvent.objects.count() == events


def test_the_admin_shows_no_secret(administrator) -> None:
    person = get_user_model().objects.create_user("li.wei", password="pw-Secret-123!")
    factor = services.second_factor_begin(user=person)
    client = Client()
    client.force_login(administrator)
    user_page = client.get(reverse("admin:accounts_user_change", args=[person.pk]))
    assert person.password not in user_page.content.decode()
    assert person.calendar_token not in user_page.content.decode()
    factor_page = client.get(reverse("admin:accounts_secondfactor_change", args=[factor.pk]))
    assert factor.secret not in factor_page.content.decode()


def test_administrators_by_membership_read_the_admin_others_do_not() -> None:
    User = get_user_model()
    member = User.objects.create_user("member-admin", password="pw-Secret-123!")
    Membership.objects.create(user=member, role=Role.ADMINISTRATOR)
    staff = User.objects.create_user("old-staff", password="pw-Secret-123!", is_staff=True)
    client = Client()
    client.force_login(member)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    client.force_login(staff)  # is_staff alone is not a role in HRAP
    assert client.get(reverse("admin:index")).status_code == 302
    assert not admin.site.has_permission(_request(system_actor()))
