"""Pages that list reports show each person what the policy lets them see, at a fixed cost."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hrap.accounts.system import system_actor
from hrap.directory.models import Jurisdiction
from hrap.directory.services import agency_create
from hrap.monitoring.models import ProgressReport, ReportingCycle
from hrap.monitoring.tests.conftest import add_places, open_cycle, person
from hrap.plans import services as plan_services
from hrap.plans.models import PlanNode

pytestmark = pytest.mark.django_db


def page(user, url: str) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def linked_reports(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r"/reports/(\d+)/", html)}


def ids(places, *keys: str) -> set[int]:
    found = set()
    for key in keys:
        agency, _, place = key.partition("@")
        found.add(places.report(agency, place or None).pk)
    return found


LOCAL = ("bjepb@CN-BJ", "ndrc@CN-BJ", "bjepb@CN-BJ-HD-1")


@pytest.mark.parametrize(
    ("name", "seen"),
    [
        ("regional-bj", LOCAL),
        ("regional-haidian", ("bjepb@CN-BJ-HD-1",)),
        ("regional-sh", ()),
        ("focal-mee", ("mee", "ndrc")),
        ("focal-bjepb", LOCAL),
        ("focal-moj", ()),
        ("member", ()),
        ("secretariat", ("mee", "ndrc", *LOCAL)),
    ],
)
def test_the_node_and_cycle_pages_list_only_what_the_person_may_see(places, name, seen) -> None:
    user = places.people[name]
    slug = places.plan.slug
    assert linked_reports(page(user, f"/en/plans/{slug}/III.1.1/")) == ids(places, *seen)
    assert linked_reports(page(user, f"/en/cycles/{slug}/2023/")) == ids(places, *seen)
    for key in set(LOCAL) - set(seen):
        agency, _, place = key.partition("@")
        report = places.report(agency, place)
        client = Client()
        client.force_login(user)
        assert client.get(f"/en/cycles/{slug}/2023/reports/{report.pk}/").status_code == 404


def test_a_local_report_names_its_place(places) -> None:
    html = page(places.people["regional-bj"], f"/en/plans/{places.plan.slug}/III.1.1/")
    assert "Haidian Town" in html and "Beijing" in html


def test_my_reports_leads_those_who_have_reports_to_them(places) -> None:
    for name in ("focal-mee", "regional-bj", "reviewer-bjepb", "secretariat"):
        html = page(places.people[name], "/en/plans/")
        assert '<a href="/en/inbox/">My reports</a>' in html, name
    for name in ("member", "evaluator", "regional-sh", "focal-moj"):
        assert "My reports" not in page(places.people[name], "/en/plans/"), name
    assert "My reports" not in page(None, "/en/plans/")
    inbox = page(places.people["regional-bj"], "/en/inbox/")
    assert linked_reports(inbox) == ids(places, *LOCAL)
    assert "Write and submit" in inbox


def events(ics: str) -> list[str]:
    return re.findall(r"DTSTART;VALUE=DATE:(\d+)", ics)


def test_the_calendar_holds_the_deadlines_of_ones_own_reports(places) -> None:
    for name, expected in [
        ("regional-bj", ["20240131", "20240228"]),
        ("focal-ndrc", ["20240131", "20240228"]),
        ("secretariat", ["20240131", "20240228"]),
        ("regional-sh", []),
        ("focal-moj", []),
        ("evaluator", []),
    ]:
        token = places.people[name].calendar_token
        response = Client().get(f"/en/calendar/{token}.ics")
        assert response.status_code == 200
        assert events(response.content.decode()) == expected, name
    assert Client().post(f"/en/calendar/{token}.ics").status_code == 405
    system = system_actor()
    assert Client().get(f"/en/calendar/{system.calendar_token}.ics").status_code == 404


def count_queries(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def assign(node, code: str, role: str, place: str | None) -> None:
    agency = agency_create(actor=system_actor(), code=code, name={"en": code})
    where = Jurisdiction.objects.get(code=place) if place else None
    plan_services.assignment_set(
        node=node, actor=system_actor(), agency=agency, role=role, jurisdiction=where
    )


def test_pages_that_list_reports_cost_the_same_for_3_and_30_reports(sample_plan) -> None:
    add_places()
    node = PlanNode.objects.get(plan=sample_plan, ref="III.1.1")
    for code, role, place in (("mee", "lead", None), ("ndrc", "co", None), ("bj", "lead", "CN-BJ")):
        assign(node, code, role, place)
    viewers = {
        "anonymous": None,
        "focal-mee": person("focal-mee", "focal_point", "mee"),
        "reviewer-bj": person("reviewer-bj", "lead_reviewer", "bj"),
        "regional-bj": person("regional-bj", "regional_focal_point", "CN-BJ"),
        "secretariat": person("secretariat", "secretariat"),
    }
    clients = {name: Client() for name in viewers}
    for name, user in viewers.items():
        if user is not None:
            clients[name].force_login(user)

    def measure(period: str) -> dict[tuple[str, str], tuple[int, str]]:
        urls = [
            f"/en/plans/{sample_plan.slug}/III.1.1/",
            f"/en/cycles/{sample_plan.slug}/{period}/",
        ]
        found = {}
        for name in viewers:
            staff_pages = ["/en/inbox/", "/en/", "/en/cycles/", "/en/values/", "/en/review/"]
            staff_pages.append(f"/en/cycles/{sample_plan.slug}/")
            for url in urls + ([] if name == "anonymous" else staff_pages):
                warm = clients[name].get(url)  # sessions, content types, translations
                if warm.status_code in (403, 404):
                    continue  # a page this person may not open costs nothing to measure
                found[(name, url.replace(period, "…"))] = count_queries(clients[name], url)
        return found

    open_cycle(sample_plan, "2015")
    small = measure("2015")
    for n in range(27):  # co-implementers, nationally and in Beijing
        assign(node, f"agency-{n:02}", "co", "CN-BJ" if n % 2 else None)
    ReportingCycle.objects.filter(period="2015").delete()
    open_cycle(sample_plan, "2016")
    assert ProgressReport.objects.filter(node=node).count() == 30
    large = measure("2016")
    assert ("secretariat", "/en/review/") in small and ("focal-mee", "/en/values/") in small
    costs = {key: (small[key][0], large[key][0]) for key in small}
    assert {key: a for key, (a, b) in costs.items() if a != b} == {}, costs
    node_page = ("secretariat", f"/en/plans/{sample_plan.slug}/III.1.1/")
    assert len(linked_reports(small[node_page][1])) == 3
    assert len(linked_reports(large[node_page][1])) == 30
    region = ("regional-bj", f"/en/cycles/{sample_plan.slug}/…/")
    assert (len(linked_reports(small[region][1])), len(linked_reports(large[region][1]))) == (1, 14)


def test_a_refused_workflow_step_is_explained_in_the_pages_language(client: Client, world) -> None:
    """Opening a cycle that is already open: the 409 page says why, in Chinese on a Chinese
    page (the status named by its Chinese label), in English on an English one."""
    cycle = world["cycle"]
    client.force_login(world["secretariat"])
    url = f"/{{}}/cycles/{cycle.plan.slug}/{cycle.period}/open/"
    client.post(url.format("en"))
    chinese = client.post(url.format("zh-hans"))
    assert chinese.status_code == 409
    assert "报告周期的状态为" in chinese.content.decode()
    assert "not planned" not in chinese.content.decode()
    english = client.post(url.format("en"))
    assert english.status_code == 409 and "cycle is open, not planned" in english.content.decode()
