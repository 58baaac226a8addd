"""The user pages: administrators only; every change one audited service call; stale edits shown."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hrap.accounts import services
from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.accounts.tests.conftest import PASSWORD
from hrap.core.models import AuditEvent

pytestmark = pytest.mark.django_db
# By name: accounts sits below the directory in the layers, its tests too.
Agency = apps.get_model("directory", "Agency")
Jurisdiction = apps.get_model("directory", "Jurisdiction")


@pytest.fixture
def as_admin(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def person(admin):
    Agency.objects.create(code="mee", name={"en": "Ministry of Ecology and Environment"})
    Jurisdiction.objects.create(code="CN", name={"en": "China"}, level=1)
    return services.user_create(actor=admin, username="li.wei", email="li@example.org")


def url(name: str, person=None) -> str:
    return f"/en/users/{person.pk}/{name}/" if person is not None else f"/en/users/{name}"


def test_people_without_the_administrator_role_find_nothing_here(person) -> None:
    secretariat = get_user_model().objects.create_user("sec", password=PASSWORD)
    Membership.objects.create(user=secretariat, role=Role.SECRETARIAT)
    client = Client()
    assert client.get("/en/users/").status_code == 302  # to log in
    client.force_login(secretariat)
    for page in ("/en/users/", "/en/users/add/", f"/en/users/{person.pk}/"):
        assert client.get(page).status_code == 404
    for change in (
        "edit",
        "roles/add",
        "roles/remove",
        "deactivate",
        "reactivate",
        "password-reset",
    ):
        assert (
            client.post(url(change, person), {"version": 1, "role": "administrator"}).status_code
            == 404
        )
    assert not Membership.objects.filter(user=person).exists()


def test_the_list_filters_by_role_place_status_and_text(as_admin, admin, person) -> None:
    services.membership_add(user=person, role=Role.FOCAL_POINT, actor=admin,
                            agency=Agency.objects.get(code="mee"))  # fmt: skip
    other = services.user_create(actor=admin, username="zhang.san", email="z@example.org")
    services.user_deactivate(user=other, actor=admin, version=None)
    page = as_admin.get("/en/users/").content.decode()
    assert "li.wei" in page and "zhang.san" in page and "agency focal point" in page
    by_agency = as_admin.get("/en/users/", {"agency": "mee"}).content.decode()
    assert "li.wei" in by_agency and "zhang.san" not in by_agency
    by_role = as_admin.get("/en/users/", {"role": "administrator"}).content.decode()
    assert "root" in by_role and "li.wei" not in by_role
    inactive = as_admin.get("/en/users/", {"status": "inactive"}).content.decode()
    assert "zhang.san" in inactive and "li.wei" not in inactive
    assert "li.wei" in as_admin.get("/en/users/", {"q": "li@exa"}).content.decode()
    assert as_admin.get("/en/users/", {"role": "emperor", "page": "abc"}).status_code == 200


def test_the_list_costs_the_same_whatever_the_number_of_users(as_admin, admin, person) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert as_admin.get("/en/users/").status_code == 200
        return len(captured)

    mee = Agency.objects.get(code="mee")
    services.membership_add(user=person, role=Role.FOCAL_POINT, actor=admin, agency=mee)
    few = queries()
    for n in range(15):
        user = services.user_create(actor=admin, username=f"user{n}")
        services.membership_add(user=user, role=Role.LEAD_REVIEWER, actor=admin, agency=mee)
    assert queries() == few


def test_an_administrator_adds_an_account_and_grants_and_takes_roles(as_admin, admin) -> None:
    Agency.objects.create(code="mee", name={"en": "MEE"})
    Jurisdiction.objects.create(code="CN-BJ", name={"en": "Beijing"}, level=2)
    created = as_admin.post(
        "/en/users/add/",
        {"username": "wang.wu", "email": "w@example.org", "language": "en", "send_reset": ""},
    )
    user = get_user_model().objects.get(username="wang.wu")
    assert created.status_code == 302 and created["Location"] == f"/en/users/{user.pk}/"
    granted = as_admin.post(
        url("roles/add", user), {"version": 1, "role": "focal_point", "agency": "mee"}
    )
    assert granted.status_code == 302
    regional = as_admin.post(url("roles/add", user),
                             {"version": 2, "role": "regional_focal_point", "jurisdiction": "CN-BJ"})  # fmt: skip
    assert regional.status_code == 302
    page = as_admin.get(f"/en/users/{user.pk}/").content.decode()
    assert "agency focal point" in page and "regional focal point" in page
    assert "membership.add" in page  # the account's history
    taken = as_admin.post(
        url("roles/remove", user), {"version": 3, "role": "focal_point", "agency": "mee"}
    )
    assert taken.status_code == 302
    assert list(user.memberships.values_list("role", flat=True)) == ["regional_focal_point"]
    actions = list(AuditEvent.objects.filter(target_id=str(user.pk)).order_by("sequence")
                   .values_list("action", flat=True))  # fmt: skip
    assert actions == ["user.create", "membership.add", "membership.add", "membership.remove"]


def test_bad_role_input_comes_back_naming_the_field(as_admin, person) -> None:
    cases = [
        ({"version": 1, "role": "focal_point"}, "This role is for an agency: choose one."),
        ({"version": 1, "role": "emperor"}, "Select a valid choice"),
        ({"version": 1, "role": "focal_point", "agency": "nope"}, "Select a valid choice"),
        ({"version": "abc", "role": "evaluator"}, "Enter a whole number"),
    ]
    for data, says in cases:
        response = as_admin.post(url("roles/add", person), data)
        assert response.status_code == 400, data
        assert says in response.content.decode(), data
    assert not person.memberships.exists()


def test_a_stale_edit_shows_the_saved_account_and_keeps_what_was_typed(
    as_admin, admin, person
) -> None:
    services.user_update(user=person, actor=admin, version=1, email="saved@example.org",
                         first_name="Saved", last_name="", language="en")  # fmt: skip
    stale = as_admin.post(
        url("edit", person),
        {"version": 1, "email": "typed@example.org", "first_name": "Typed", "language": "en"},
    )
    page = stale.content.decode()
    assert stale.status_code == 409 and "Changed by someone else meanwhile" in page
    assert "saved@example.org" in page and 'value="typed@example.org"' in page
    person.refresh_from_db()
    assert person.email == "saved@example.org"
    role = as_admin.post(url("roles/add", person), {"version": 1, "role": "evaluator"})
    assert role.status_code == 409 and not person.memberships.exists()


def test_deactivate_reactivate_and_send_a_password_link(as_admin, person) -> None:
    assert as_admin.post(url("deactivate", person), {"version": "abc"}).status_code == 400
    assert as_admin.post(url("deactivate", person), {"version": 1}).status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    page = as_admin.get(f"/en/users/{person.pk}/").content.decode()
    assert "Reactivate the account" in page
    assert as_admin.post(url("reactivate", person), {"version": 2}).status_code == 302
    sent = as_admin.post(url("password-reset", person), follow=True)
    assert "A link to choose a password is on its way to li@example.org." in sent.content.decode()
    assert AuditEvent.objects.filter(action="user.password_reset_sent").exists()


def test_the_system_account_is_shown_and_never_changed(as_admin) -> None:
    system = system_actor()
    page = as_admin.get(f"/en/users/{system.pk}/").content.decode()
    assert "It never signs in and cannot be changed." in page and 'action="/en/users/' not in page
    assert as_admin.post(url("reactivate", system), {"version": system.version}).status_code == 403
    refused = as_admin.post(
        url("roles/add", system), {"version": system.version, "role": "administrator"}
    )
    assert refused.status_code == 403
    system.refresh_from_db()
    assert not system.is_active and not system.memberships.exists()


def test_user_pages_are_in_the_navigation_for_administrators_only(as_admin, person) -> None:
    assert 'href="/en/users/"' in as_admin.get("/en/plans/").content.decode()
    client = Client()
    client.force_login(person)
    assert 'href="/en/users/"' not in client.get("/en/plans/").content.decode()
