"""Fixtures of the monitoring tests: a plan with two agencies on a task, a cycle, people."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.directory.models import Agency, Jurisdiction
from hrap.directory.services import agency_create
from hrap.monitoring import services
from hrap.plans import services as plan_services
from hrap.plans.models import PlanNode


def person(
    name: str, role: str, agency: Agency | None = None, jurisdiction: Jurisdiction | None = None
):
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
        "focal_mee": person("focal-mee", Role.FOCAL_POINT, mee),
        "focal_ndrc": person("focal-ndrc", Role.FOCAL_POINT, ndrc),
        "reviewer_mee": person("reviewer-mee", Role.LEAD_REVIEWER, mee),
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
