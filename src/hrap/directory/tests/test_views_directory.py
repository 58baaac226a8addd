"""Agencies and jurisdictions: versions on every edit (pages and API), and adding an agency."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import strip_tags

from hrap.accounts.models import Membership, Role
from hrap.accounts.services import token_create
from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent
from hrap.directory.models import Agency, Jurisdiction
from hrap.directory.services import agency_create, jurisdiction_load_country

pytestmark = pytest.mark.django_db


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def person(name: str, role: str, **scope: Any) -> Any:
    user = get_user_model().objects.create_user(name, password="pw-Secret-123!")
    Membership.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def mee() -> Agency:
    return agency_create(
        actor=system_actor(), code="mee", name={"en": "Ministry of Ecology and Environment"}
    )


def two_sessions(*users: Any) -> list[Client]:
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_the_second_of_two_agency_edits_is_refused_and_keeps_what_was_typed(
    staff: Any, mee: Agency
) -> None:
    focal = person("focal-mee", Role.FOCAL_POINT, agency=mee)
    first, second = two_sessions(staff, focal)
    url = "/en/agencies/mee/edit/"
    for client in (first, second):
        assert 'name="version" value="1"' in client.get(url).content.decode()
    assert (
        first.post(url, {"version": 1, "name_en": "MEE", "abbreviation_en": ""}).status_code == 302
    )
    stale = second.post(
        url, {"version": 1, "name_en": "Ministry of Ecology", "abbreviation_en": "MEE"}
    )
    assert stale.status_code == 200
    page = text_of(stale)
    assert "Someone saved this while you were editing" in page
    assert "Saved meanwhile" in page and "MEE" in page
    assert 'value="Ministry of Ecology"' in stale.content.decode()  # typed text kept
    assert Agency.objects.get(code="mee").name == {"en": "MEE"}
    assert (
        second.post(
            url, {"version": 2, "name_en": "Ministry of Ecology", "abbreviation_en": "MEE"}
        ).status_code
        == 302
    )
    agency = Agency.objects.get(code="mee")
    assert (agency.name, agency.abbreviation, agency.version) == (
        {"en": "Ministry of Ecology"},
        {"en": "MEE"},
        3,
    )
    for bad in ("abc", "", "1e30", "9" * 5000):
        assert second.post(url, {"version": bad, "name_en": "x"}).status_code == 200
    # A NUL is refused for the whole site before any view (core.middleware): 400, field named.
    assert second.post(url, {"version": 3, "name_en": "x\x00y"}).status_code == 400
    assert Agency.objects.get(code="mee").version == 3


def test_the_second_of_two_jurisdiction_edits_is_refused(staff: Any) -> None:
    jurisdiction_load_country(code="CN", actor=system_actor())
    beijing = Jurisdiction.objects.get(code="CN-BJ")
    regional = person("regional-bj", Role.REGIONAL_FOCAL_POINT, jurisdiction=beijing)
    first, second = two_sessions(staff, regional)
    url = "/en/jurisdictions/CN-BJ/edit/"
    assert (
        first.post(url, {"version": 1, "name_en": "Beijing", "national_code": "110000"}).status_code
        == 302
    )
    stale = second.post(url, {"version": 1, "name_en": "Peking", "national_code": ""})
    assert stale.status_code == 200
    page = text_of(stale)
    assert "110000" in page and 'value="Peking"' in stale.content.decode()
    beijing.refresh_from_db()
    assert (beijing.name["en"], beijing.national_code, beijing.version) == ("Beijing", "110000", 2)


def test_the_api_patch_of_an_agency_takes_a_version(staff: Any, mee: Agency) -> None:
    _, raw = token_create(user=staff, name="script", actor=staff)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = "/api/v1/agencies/mee"
    assert client.get(url).json()["version"] == 1

    def patch(body: dict[str, Any]) -> Any:
        return client.patch(url, json.dumps(body), content_type="application/json")

    missing = patch({"name": {"en": "MEE"}})
    assert missing.status_code == 400
    assert missing.json()["problems"][0]["where"] == "version"
    first = patch({"name": {"en": "MEE"}, "version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = patch({"name": {"en": "Ministry of Ecology"}, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert Agency.objects.get(code="mee").name == {"en": "MEE"}
    assert patch({"name": {"en": "x\x00"}, "version": 2}).status_code == 400
    assert patch({"name": {"en": "\ud800"}, "version": 2}).status_code == 400
    assert patch({"name": {"en": "x"}, "version": "abc"}).status_code in (400, 422)
    assert Agency.objects.get(code="mee").version == 2


def test_the_secretariat_adds_an_agency_on_a_page(client: Client, staff: Any, mee: Agency) -> None:
    client.force_login(staff)
    assert "Add an agency" in text_of(client.get("/en/agencies/"))
    page = client.get("/en/agencies/new/?name=Ministry+of+Justice")
    assert page.status_code == 200 and 'value="Ministry of Justice"' in page.content.decode()
    named = client.get("/en/agencies/new/?name=司法部&language=zh-Hans").content.decode()
    assert 'name="name_zh-Hans" value="司法部"' in named
    refused = {
        "mee": "already exists",
        "new": "is reserved",
        "no spaces": "Enter a valid",
        "x" * 65: "at most 64",
    }
    for code, reason in refused.items():
        response = client.post("/en/agencies/new/", {"code": code, "name_en": "Ministry"})
        assert response.status_code == 200 and reason in text_of(response), code
    nul = client.post("/en/agencies/new/", {"code": "moj", "name_en": "Minis\x00try"})
    assert nul.status_code == 400 and "name_en" in nul.content.decode()
    created = client.post(
        "/en/agencies/new/",
        {
            "code": "mee-air",
            "name_en": "Department of Air",
            "name_zh-Hans": "大气环境司",
            "parent": mee.pk,
            "joint_meeting_member": "",
        },
    )
    assert created.status_code == 302 and created["Location"] == "/en/agencies/mee-air/"
    agency = Agency.objects.get(code="mee-air")
    assert (agency.parent, agency.name["zh-Hans"]) == (mee, "大气环境司")
    event = AuditEvent.objects.get(action="agency.create", target_id=str(agency.pk))
    assert event.actor == staff and event.after is not None and event.after["parent"] == "mee"


def test_only_those_the_policy_allows_add_agencies(client: Client, mee: Agency) -> None:
    assert client.get("/en/agencies/new/").status_code == 302  # to log in
    focal = person("focal-mee", Role.FOCAL_POINT, agency=mee)
    client.force_login(focal)
    assert "Add an agency" not in text_of(client.get("/en/agencies/"))
    assert client.get("/en/agencies/new/").status_code == 403
    assert client.post("/en/agencies/new/", {"code": "x", "name_en": "X"}).status_code == 403
    assert not Agency.objects.filter(code="x").exists()
