"""Fixtures of the monitoring tests: a task carried out nationally and in places of two regions
with a person in every role (`places`); a plan with two agencies on a task and a cycle (`world`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.directory.models import Agency, Jurisdiction
from hrap.directory.services import agency_create
from hrap.monitoring import services
from hrap.monitoring.models import ProgressReport, ReportingCycle
from hrap.plans import services as plan_services
from hrap.plans.models import Plan, PlanNode

AGENCIES = {
    # Sorts before "mee": a lead found "first of any place" would be this local one.
    "bjepb": "Beijing Municipal Ecology and Environment Bureau",
    "mee": "Ministry of Ecology and Environment",
    "ndrc": "National Development and Reform Commission",
    "moj": "Ministry of Justice",
}
# (agency, role, place): III.1.1 is led nationally by mee, and in Beijing by Beijing's bureau,
# which alone carries it out in one town below Haidian (two levels below Beijing).
ASSIGNMENTS = [
    ("mee", "lead", None),
    ("ndrc", "co", None),
    ("bjepb", "lead", "CN-BJ"),
    ("ndrc", "co", "CN-BJ"),
    ("bjepb", "lead", "CN-BJ-HD-1"),
]
# (name, role, agency or jurisdiction code)
PEOPLE = [
    ("admin", Role.ADMINISTRATOR, ""),
    ("secretariat", Role.SECRETARIAT, ""),
    ("evaluator", Role.EVALUATOR, ""),
    ("member", "", ""),
    ("focal-mee", Role.FOCAL_POINT, "mee"),
    ("focal-ndrc", Role.FOCAL_POINT, "ndrc"),
    ("focal-moj", Role.FOCAL_POINT, "moj"),
    ("focal-bjepb", Role.FOCAL_POINT, "bjepb"),
    ("reviewer-mee", Role.LEAD_REVIEWER, "mee"),
    ("reviewer-ndrc", Role.LEAD_REVIEWER, "ndrc"),
    ("reviewer-bjepb", Role.LEAD_REVIEWER, "bjepb"),
    ("regional-cn", Role.REGIONAL_FOCAL_POINT, "CN"),
    ("regional-bj", Role.REGIONAL_FOCAL_POINT, "CN-BJ"),
    ("regional-haidian", Role.REGIONAL_FOCAL_POINT, "CN-BJ-HD"),
    ("regional-sh", Role.REGIONAL_FOCAL_POINT, "CN-SH"),
]


@dataclass
class Places:
    plan: Plan
    node: PlanNode
    cycle: ReportingCycle
    people: dict[str, Any]
    agencies: dict[str, Agency]

    def report(self, agency: str, place: str | None = None) -> ProgressReport:
        return ProgressReport.objects.get(
            cycle=self.cycle, agency__code=agency, jurisdiction__code=place
        )

    def key(self, report: ProgressReport) -> str:
        """`mee`, `ndrc@CN-BJ`: how the tests name a report."""
        place = report.jurisdiction.code if report.jurisdiction_id else None  # type: ignore[union-attr]
        return report.agency.code + (f"@{place}" if place else "")


def person(name: str, role: str = "", scope: str = "") -> Any:
    user = get_user_model().objects.create_user(
        name, email=f"{name}@example.org", password="pw-Secret-123!", language="en"
    )
    if role == Role.ADMINISTRATOR:
        user.is_staff = user.is_superuser = True
        user.save()
    if role:
        Membership.objects.create(
            user=user,
            role=role,
            agency=Agency.objects.get(code=scope) if role in (Role.FOCAL_POINT, Role.LEAD_REVIEWER) else None,
            jurisdiction=Jurisdiction.objects.get(code=scope) if role == Role.REGIONAL_FOCAL_POINT else None,
        )  # fmt: skip
    return user


def add_places() -> None:
    """Haidian (a district of Beijing) and a town in it: the levels below a province."""
    beijing = Jurisdiction.objects.get(code="CN-BJ")
    haidian = Jurisdiction.objects.create(
        code="CN-BJ-HD", name={"en": "Haidian", "zh-Hans": "海淀区"}, level=2, parent=beijing
    )
    Jurisdiction.objects.create(
        code="CN-BJ-HD-1", name={"en": "Haidian Town", "zh-Hans": "海淀镇"}, level=3, parent=haidian
    )


def open_cycle(plan: Plan, period: str = "2023") -> ReportingCycle:
    year = int(period)
    cycle = services.cycle_create(
        plan=plan,
        actor=system_actor(),
        period=period,
        opens=date(year, 11, 1),
        due=date(year + 1, 1, 31),
        closes=date(year + 1, 2, 28),
    )
    services.cycle_open(cycle=cycle, actor=system_actor())
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def places(sample_plan: Plan) -> Places:
    system = system_actor()
    add_places()
    agencies = {
        code: agency_create(actor=system, code=code, name={"en": name})
        for code, name in AGENCIES.items()
    }
    node = PlanNode.objects.get(plan=sample_plan, ref="III.1.1")
    for agency, role, place in ASSIGNMENTS:
        plan_services.assignment_set(
            node=node,
            actor=system,
            agency=agencies[agency],
            role=role,
            jurisdiction=Jurisdiction.objects.get(code=place) if place else None,
        )
    people = {name: person(name, role, scope) for name, role, scope in PEOPLE}
    return Places(sample_plan, node, open_cycle(sample_plan), people, agencies)


def member(
    name: str, role: str, agency: Agency | None = None, jurisdiction: Jurisdiction | None = None
):
    """A user with one membership, given by the objects themselves."""
    user = get_user_model().objects.create_user(name, password="pw-Secret-123!")
    Membership.objects.create(user=user, role=role, agency=agency, jurisdiction=jurisdiction)
    return user


@pytest.fixture
def cycle(sample_plan, staff):
    """The plan's 2023 reporting cycle, not yet open."""
    return services.cycle_create(
        plan=sample_plan,
        actor=staff,
        period="2023",
        opens=date(2023, 11, 1),
        due=date(2024, 1, 31),
        closes=date(2024, 2, 29),
    )


@pytest.fixture
def world(sample_plan, staff, cycle):
    mee = agency_create(
        actor=system_actor(),
        code="mee",
        name={"en": "Ministry of Ecology and Environment", "zh-Hans": "生态环境部"},
    )
    ndrc = agency_create(
        actor=system_actor(), code="ndrc", name={"en": "National Development and Reform Commission"}
    )
    node = PlanNode.objects.get(plan=sample_plan, ref="III.1.1")
    plan_services.assignment_set(node=node, actor=staff, agency=mee, role="lead")
    plan_services.assignment_set(node=node, actor=staff, agency=ndrc, role="co")
    return {
        "plan": sample_plan,
        "node": node,
        "cycle": cycle,
        "secretariat": staff,
        "focal_mee": member("focal-mee", Role.FOCAL_POINT, mee),
        "focal_ndrc": member("focal-ndrc", Role.FOCAL_POINT, ndrc),
        "reviewer_mee": member("reviewer-mee", Role.LEAD_REVIEWER, mee),
    }


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.in_post = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.in_post = (found.get("method") or "").lower() == "post"
        elif tag == "input" and self.in_post and found.get("name"):
            self.fields[found["name"] or ""] = found.get("value") or ""
        elif tag == "select" and self.in_post and found.get("name"):
            self.fields[found["name"] or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_post = False


def posted_form(page: bytes) -> dict[str, str]:
    """What a browser would send from the page's POST form, untouched."""
    parser = _Inputs()
    parser.feed(page.decode())
    parser.fields.pop("csrfmiddlewaretoken", None)
    return parser.fields
