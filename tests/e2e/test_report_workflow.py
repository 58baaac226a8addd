"""In Chromium: a report goes from draft to published, returned twice for revision on the way.

A co-implementer's focal point types its input and submits it without saving first, the lead
agency's reviewer returns it with a reason, the co-implementer revises and resubmits, the
reviewer consolidates it and follows the link to the lead report; the lead agency's focal point
submits, the secretariat returns it, the focal point revises and resubmits, the secretariat
approves and publishes. axe-core checks the report page on the way.
"""

from __future__ import annotations

import os
import shutil
from datetime import date

import pytest
from django.contrib.auth import get_user_model

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.directory.services import agency_create
from hrap.monitoring import services
from hrap.monitoring.models import ProgressReport
from hrap.plans import services as plan_services
from hrap.plans.models import PlanNode
from hrap.plans.sample import PLAN_FILE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
PASSWORD = "pw-Secret-123!"


@pytest.fixture
def world(transactional_db):
    plan = plan_services.plan_import(raw=PLAN_FILE.read_bytes(), actor=system_actor())
    mee = agency_create(
        actor=system_actor(), code="mee", name={"en": "Ministry of Ecology and Environment"}
    )
    ndrc = agency_create(
        actor=system_actor(), code="ndrc", name={"en": "National Development and Reform Commission"}
    )
    node = PlanNode.objects.get(plan=plan, ref="III.1.1")
    plan_services.assignment_set(node=node, actor=system_actor(), agency=mee, role="lead")
    plan_services.assignment_set(node=node, actor=system_actor(), agency=ndrc, role="co")
    cycle = services.cycle_create(plan=plan, actor=system_actor(), period="2023", opens=date(2023, 11, 1),
                                  due=date(2024, 1, 31), closes=date(2024, 2, 29))  # fmt: skip
    services.cycle_open(cycle=cycle, actor=system_actor())
    User = get_user_model()
    for name, role, agency in (
        ("focal-mee", Role.FOCAL_POINT, mee),
        ("focal-ndrc", Role.FOCAL_POINT, ndrc),
        ("reviewer-mee", Role.LEAD_REVIEWER, mee),
        ("secretariat", Role.SECRETARIAT, None),
    ):
        user = User.objects.create_user(name, password=PASSWORD, language="en")
        Membership.objects.create(user=user, role=role, agency=agency)
    return {
        "plan": plan,
        "lead": ProgressReport.objects.get(lead=True),
        "co": ProgressReport.objects.get(lead=False),
    }


def session(browser, live_server, username: str):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/en/")  # the home page
    return page


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['nodes'][0]['target']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_a_report_from_draft_to_published_in_the_browser(browser, live_server, world) -> None:
    lead_url = f"{live_server.url}/en/cycles/{world['plan'].slug}/2023/reports/{world['lead'].pk}/"
    co_url = f"{live_server.url}/en/cycles/{world['plan'].slug}/2023/reports/{world['co'].pk}/"

    # Typed, and Submit pressed without saving first: the text goes with the submit.
    co = session(browser, live_server, "focal-ndrc")
    co.goto(co_url)
    assert serious_violations(co) == []
    co.fill("#id_narrative", "Funded 40 monitoring stations.")
    co.click("button:has-text('Submit')")
    assert "submitted" in co.locator(".state").first.inner_text()
    assert "Submitted: your input now awaits consolidation" in co.content()
    assert "Funded 40 monitoring stations." in co.locator(".report-text").inner_text()

    # The lead agency's reviewer returns the input to its co-implementer, with a reason.
    reviewer = session(browser, live_server, "reviewer-mee")
    reviewer.goto(f"{live_server.url}/en/")  # what waits: the home page
    reviewer.click("text=2023 · III.1.1")
    assert serious_violations(reviewer) == []
    reviewer.fill("#id_reason", "Say where the stations are.")
    reviewer.click("button:has-text('Return for revision')")
    assert "Returned to National Development and Reform Commission" in reviewer.content()

    co.goto(co_url)
    assert "Say where the stations are." in co.locator(".return-reason").inner_text()
    co.fill("#id_narrative", "Funded 40 monitoring stations in Hebei.")
    co.click("button:has-text('Submit')")
    assert "submitted" in co.locator(".state").first.inner_text()

    # Consolidated, then on to the lead report by its link.
    reviewer.goto(co_url)
    reviewer.click("button:has-text('Consolidate')")
    assert "consolidated" in reviewer.locator(".state").first.inner_text()
    reviewer.click("a.lead-link")
    reviewer.wait_for_url(lead_url)
    assert "National Development and Reform Commission" in reviewer.locator(".inputs").inner_text()
    assert reviewer.locator("button[name=step]").count() == 0  # nothing to consolidate here

    lead = session(browser, live_server, "focal-mee")
    lead.goto(lead_url)
    assert (
        "[National Development and Reform Commission] Funded 40 monitoring stations in Hebei."
        in lead.locator("#id_narrative").input_value()
    )
    lead.select_option("#id_progress", "on_track")
    lead.fill("#id_narrative", "PM2.5 fell in most cities.")
    lead.click("button:has-text('Save draft')")
    assert "Saved." in lead.content()
    lead.click("button:has-text('Submit')")
    assert "awaiting review by the secretariat" in lead.content()

    secretariat = session(browser, live_server, "secretariat")
    secretariat.goto(f"{live_server.url}/en/")  # what waits: the home page
    secretariat.click("text=2023 · III.1.1")
    secretariat.fill("#id_reason", "Give the number of cities.")
    secretariat.click("button:has-text('Return for revision')")
    assert "returned" in secretariat.locator(".state").first.inner_text()
    assert "Returned to the agency for revision." in secretariat.content()

    lead.goto(lead_url)
    assert "Give the number of cities." in lead.locator(".return-reason").inner_text()
    lead.fill("#id_narrative", "PM2.5 fell in 312 of 339 cities.")
    lead.click("button:has-text('Submit')")

    secretariat.goto(lead_url)
    secretariat.click("button:has-text('Approve')")
    assert secretariat.locator("button[value=approve]").count() == 0
    secretariat.click("button:has-text('Publish')")
    assert "published" in secretariat.locator(".state").first.inner_text()
    assert secretariat.locator("button[name=step]").count() == 0  # nothing left to press

    public = browser.new_context().new_page()
    public.goto(lead_url)
    assert "312 of 339 cities" in public.content()
    assert serious_violations(public) == []
    report = ProgressReport.objects.get(pk=world["lead"].pk)
    assert (report.state, report.progress) == ("published", "on_track")


def test_text_typed_before_the_session_expired_is_not_lost(browser, live_server, world) -> None:
    from django.contrib.sessions.models import Session

    url = f"{live_server.url}/en/cycles/{world['plan'].slug}/2023/reports/{world['lead'].pk}/"
    page = session(browser, live_server, "focal-mee")
    page.goto(url)
    page.fill("#id_narrative", "A long account typed over an hour.")
    Session.objects.all().delete()  # the session expires meanwhile
    page.click("button:has-text('Save draft')")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", "focal-mee")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url)
    assert page.locator("#id_narrative").input_value() == "A long account typed over an hour."
    assert page.get_attribute("form[data-keep-draft]", "data-draft-restored") == "true"
    page.click("button:has-text('Save draft')")
    page.wait_for_url(url)
    assert (
        ProgressReport.objects.get(pk=world["lead"].pk).narrative
        == "A long account typed over an hour."
    )
    page.reload()
    assert page.get_attribute("form[data-keep-draft]", "data-draft-restored") is None
