"""In Chromium, from the keyboard: a 64-node draft whose sections were all read as tasks (and
their tasks as sub-tasks) is fixed with bulk corrections, a merge is undone, the facts the
document did not state are given, and the draft is published after its preview.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hrap.accounts.models import Membership, Role
from hrap.plans.models import Plan, PlanNode
from hrap.plans.tests.drafts import import_draft, misread_tree

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
PASSWORD = "pw-Secret-123!"


@pytest.fixture
def draft(transactional_db) -> Plan:
    user = get_user_model().objects.create_user("secretariat", password=PASSWORD, language="en")
    Membership.objects.create(user=user, role=Role.SECRETARIAT)
    return import_draft(misread_tree())


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['nodes'][0]['target']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def wait_for_focus(page: Any, row: str) -> None:
    """After a correction the page puts the focus on the row it changed, once loaded."""
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.closest"
        " && document.activeElement.closest('li.row')"
        " && document.activeElement.closest('li.row').id === id",
        arg=row,
    )


def shape(plan: Plan) -> dict[str, tuple[str, str | None]]:
    return {
        n.ref: (n.kind, n.parent.ref if n.parent else None)
        for n in PlanNode.objects.filter(plan=plan).select_related("parent")
    }


def test_a_misread_draft_is_fixed_from_the_keyboard_and_published(
    browser, live_server, draft
) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/en/")  # the home page
    review = f"{live_server.url}/en/plans/misread/revisions/1/review/"
    page.goto(review)
    assert serious_violations(page) == []

    # The facts the document did not state, typed into the form at the top.
    page.focus("#id_jurisdiction")
    page.keyboard.type("CN")
    page.keyboard.press("Tab")
    page.keyboard.type("2021")
    page.keyboard.press("Tab")
    page.keyboard.type("2025")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "The plan's facts are saved." in page.inner_text("main")

    # j to the first section (read as a task), l ticks all twelve like it, s makes them sections.
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.closest('li').id") == "node-I.1"
    page.keyboard.press("l")
    assert "12 nodes selected" in page.inner_text("#selection")
    assert "(9 in closed parts)" in page.inner_text("#selection")
    with page.expect_navigation(url="**#node-I.1"):
        page.keyboard.press("s")
    assert "Kind changed: 12 nodes" in page.inner_text("#node-I\\.1")  # the message at its row
    # The row of the correction has the focus: j to its first task, l, t.
    wait_for_focus(page, "node-I.1")
    page.keyboard.press("j")
    page.keyboard.press("l")
    assert "48 nodes selected" in page.inner_text("#selection")
    with page.expect_navigation(url="**#node-I.1.1"):
        page.keyboard.press("t")
    tree = shape(draft)
    assert {kind for kind, _ in tree.values()} == {"part", "section", "task"}
    assert tree["IV.3"] == ("section", "IV") and tree["IV.3.4"] == ("task", "IV.3")

    # A merge asks first (Enter confirms, the button has the focus), then is undone with u.
    wait_for_focus(page, "node-I.1.1")
    page.keyboard.press("j")
    page.keyboard.press("x")
    with page.expect_navigation(url="**/review/bulk/"):
        page.keyboard.press("m")
    assert "Confirm" in page.inner_text("h1")
    with page.expect_navigation(url="**#node-I.1.1"):
        page.keyboard.press("Enter")
    assert "Merged into the previous node" in page.inner_text("#node-I\\.1\\.1")
    assert not PlanNode.objects.filter(plan=draft, ref="I.1.2").exists()
    with page.expect_navigation():
        page.keyboard.press("u")
    assert "Undone" in page.inner_text("main")
    assert PlanNode.objects.filter(plan=draft, parent__ref="I.1").count() == 4
    assert shape(draft) == tree

    # Publishing shows what it changes, and waits for a confirmation.
    with page.expect_navigation(url="**/publish/"):
        page.click("text=Preview and publish…")
    assert "64 added, 0 removed, 0 changed" in page.inner_text("main")
    assert serious_violations(page) == []
    with page.expect_navigation(url="**/en/plans/misread/"):
        page.keyboard.press("Enter")
    draft.refresh_from_db()
    assert draft.status == Plan.Status.ACTIVE
    assert draft.jurisdiction is not None and draft.jurisdiction.code == "CN"
    assert (draft.period_start, draft.period_end) == (2021, 2025)
    assert shape(draft) == tree


def test_the_review_screen_fits_a_phone_in_both_languages(browser, live_server, draft) -> None:
    for language in ("en", "zh-hans"):
        page = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
        page.goto(f"{live_server.url}/{language}/accounts/login/")
        page.fill("#id_username", "secretariat")
        page.fill("#id_password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/{language}/")  # the home page
        page.goto(f"{live_server.url}/{language}/plans/misread/revisions/1/review/?part=all")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert serious_violations(page) == []
        height = page.evaluate("document.documentElement.scrollHeight")
        page.goto(f"{live_server.url}/{language}/plans/misread/revisions/1/review/")
        # One part open at a time: a quarter of the tree, not all of it.
        assert page.evaluate("document.documentElement.scrollHeight") < height / 2
        for tail in ("I.1/fields/", "publish/"):
            page.goto(f"{live_server.url}/{language}/plans/misread/revisions/1/{tail}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, tail
            assert serious_violations(page) == [], tail
        # The confirmation of a merge, reached from the keyboard.
        page.goto(f"{live_server.url}/{language}/plans/misread/revisions/1/review/#node-I.1.2")
        wait_for_focus(page, "node-I.1.2")
        with page.expect_navigation():
            page.keyboard.press("x")
            page.keyboard.press("m")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert serious_violations(page) == []


def test_the_corrections_work_without_javascript(browser, live_server, draft) -> None:
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{live_server.url}/en/plans/misread/revisions/1/review/")
    for ref in ("I.1", "I.2", "I.3"):
        page.check(f"#sel-{PlanNode.objects.get(plan=draft, ref=ref).pk}")
    page.select_option("#bulk-kind", "section")
    with page.expect_navigation():
        page.click("button[name=action][value=kind]")
    assert "Kind changed: 3 nodes" in page.inner_text("#node-I\\.1")
    assert {shape(draft)[ref][0] for ref in ("I.1", "I.2", "I.3")} == {"section"}
