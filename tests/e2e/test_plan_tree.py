"""In Chromium: the plan tree numbers its tasks, opens and closes without JavaScript links
nested in its disclosure buttons, and axe-core finds nothing serious, in both languages."""

from __future__ import annotations

import os
import shutil

import pytest
from tests.e2e.test_upload_preview import serious_violations

from hrap.accounts.system import system_actor
from hrap.plans import services as plan_services
from hrap.plans.sample import PLAN_FILE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.mark.parametrize(("language", "ref"), [("en", "III.1.2"), ("zh-hans", "三（一）2")])
def test_the_plan_tree_numbers_tasks_and_passes_axe(
    browser, live_server, transactional_db, language, ref
) -> None:
    plan = plan_services.plan_import(raw=PLAN_FILE.read_bytes(), actor=system_actor())
    page = browser.new_context(viewport={"width": 390, "height": 900}).new_page()
    page.goto(f"{live_server.url}/{language}/plans/{plan.slug}/")
    part = page.locator("li.kind-part").nth(2)  # part III
    # Parts start open, their sections closed: the triangle beside a section opens it.
    section = part.locator("li.kind-section").first
    section.locator("> details > summary").click()
    task = section.locator("li.kind-task").nth(1)
    assert task.locator(".ref").inner_text() == ref
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    task.locator("a").click()
    page.wait_for_url(f"**/plans/{plan.slug}/III.1.2/")
