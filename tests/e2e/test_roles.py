"""In Chromium, on the demo's data: every demo role starts at `/`, logs in, and finishes its
everyday task by clicking (the only address typed is the first); axe-core finds no serious or
critical violation on any page visited; the home page fits a 390 px screen.
"""

from __future__ import annotations

import io
import os
import shutil
from typing import Any

import pytest
from django.core.management import call_command
from tests.e2e.test_review import serious_violations

from hrap.monitoring.models import ProgressReport

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def demo(transactional_db) -> None:
    call_command("demo", "--no-serve", stdout=io.StringIO())


class Visit:
    """One person's browser tab: every page it reaches is checked with axe-core."""

    def __init__(self, browser: Any, live_server: Any, locale: str = "en-GB") -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
        self.page = self.context.new_page()
        self.live_server = live_server
        self.violations: dict[str, list[str]] = {}

    def check(self) -> None:
        self.page.wait_for_load_state()
        found = serious_violations(self.page)
        if found:
            self.violations[self.page.url] = found

    def start(self) -> None:
        self.page.goto(f"{self.live_server.url}/")  # the one address typed
        self.check()

    def click(self, selector: str) -> None:
        self.page.click(selector)
        self.check()

    def log_in(self, username: str) -> None:
        self.start()
        self.click("header .account a")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", f"hrap-demo-{username}")
        self.click("main button[type=submit]")
        assert self.page.url.endswith("/en/"), self.page.url  # the person's home page
        self.fits_a_phone()

    def fits_a_phone(self) -> None:
        self.page.set_viewport_size({"width": 390, "height": 800})
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{self.page.url} is {width} px wide at 390 px"
        self.page.set_viewport_size({"width": 1280, "height": 900})

    def waiting(self) -> str:
        return self.page.locator("#waiting-h + *").inner_text()

    def done(self) -> None:
        assert self.violations == {}, self.violations
        self.context.close()


def test_a_focal_point_revises_the_returned_report(browser, live_server, demo) -> None:
    me = Visit(browser, live_server)
    me.log_in("focal-mee")
    assert "Revise and resubmit" in me.waiting() and "overdue" in me.waiting()
    assert "Please add the figures" in me.waiting()  # why it came back, on the home page
    me.click("table.worklist tr.late >> nth=0 >> a")
    me.page.fill("#id_narrative", "[SYNTHETIC demo data] Figures for 2023: 312 of 339 cities.")
    me.click("button:has-text('Save')")
    me.click("button:has-text('Submit')")
    assert "submitted" in me.page.locator(".state").first.inner_text()
    me.click("header nav >> text=Home")
    assert "Revise and resubmit" not in me.waiting()
    me.done()


def test_the_lead_reviewer_consolidates_an_input(browser, live_server, demo) -> None:
    me = Visit(browser, live_server)
    me.log_in("reviewer-mee")
    assert "Consolidate a co-implementer" in me.waiting()
    me.click("#waiting-h + * a >> nth=0")
    me.click("button:has-text('Consolidate')")
    assert "consolidated" in me.page.locator(".state").first.inner_text()
    me.click("header nav >> text=Home")
    assert "Nothing is waiting for you." in me.waiting()
    me.done()


def test_the_regional_focal_point_writes_its_places_report(browser, live_server, demo) -> None:
    me = Visit(browser, live_server)
    me.log_in("regional-bj")
    assert "Beijing" in me.page.locator("#tasks-h").inner_text()
    before = me.waiting().count("Write and submit")
    assert before >= 1
    # The last: the first waits for a co-implementer's input before it can be submitted.
    me.click("#waiting-h + * a >> nth=-1")
    me.page.fill("#id_narrative", "[SYNTHETIC demo data] Beijing closed 12 coal boilers.")
    me.click("button:has-text('Save')")
    me.click("button:has-text('Submit')")
    assert "submitted" in me.page.locator(".state").first.inner_text()
    me.click("header nav >> text=Home")
    assert me.waiting().count("Write and submit") == before - 1
    me.done()


def test_the_secretariat_approves_and_publishes(browser, live_server, demo) -> None:
    me = Visit(browser, live_server)
    me.log_in("secretariat")
    assert "overdue" in me.page.locator("#cycles-h").inner_text()
    me.click("#waiting-h + * tr:has-text('Review') a >> nth=0")
    me.click("button:has-text('Approve')")
    me.click("button:has-text('Publish')")
    assert "published" in me.page.locator(".state").first.inner_text()
    # Then the overdue reports of the cycle, from the counts on the home page.
    me.click("header nav >> text=Home")
    me.click("#cycles-h ~ * a.overdue")
    assert me.page.locator("table.list tbody tr").count() == len(
        [r for r in ProgressReport.objects.select_related("cycle") if r.is_overdue]
    )
    me.done()


def test_the_evaluator_reads_the_published_reports_of_a_cycle(browser, live_server, demo) -> None:
    me = Visit(browser, live_server)
    me.log_in("evaluator")
    me.click("#cycles-h ~ * a.state-published")
    rows = me.page.locator("table.list tbody tr")
    assert rows.count() == ProgressReport.objects.filter(state="published").count()
    me.click("table.list tbody a >> nth=0")
    assert "SYNTHETIC" in me.page.locator("main").inner_text()
    me.click("header nav >> text=Audit trail")
    assert "published a report" in me.page.locator("main").inner_text()
    me.done()


@pytest.mark.parametrize(
    ("locale", "language", "reports"),
    [("en-GB", "en", "Progress reports"), ("zh-CN", "zh-hans", "进展报告")],
)
def test_the_public_finds_a_published_report(
    browser, live_server, demo, locale, language, reports
) -> None:
    report = ProgressReport.objects.filter(state="published").select_related("node").first()
    assert report is not None
    me = Visit(browser, live_server, locale=locale)
    me.start()
    assert f"/{language}/plans/" in me.page.url
    me.page.fill("#quick-q", report.node.ref)
    with me.page.expect_navigation():
        me.page.keyboard.press("Enter")
    me.check()
    me.click(f"main a:has-text('{report.node.ref}') >> nth=0")
    assert reports in me.page.locator(".progress-panel").inner_text()
    me.click(".progress-panel li a >> nth=0")
    assert "SYNTHETIC" in me.page.locator("main").inner_text()
    me.done()
