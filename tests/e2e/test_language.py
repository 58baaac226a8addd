"""In Chromium whose language is the other one: the switch swaps the address's language prefix,
keeps the page and its query, and keeps working after Back and twice in a row."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
QUERY = "/search/?q=life&plan="


def page_language(page: Any) -> str:
    return page.evaluate("document.documentElement.lang")


def switch_to(page: Any, name: str) -> None:
    page.locator("nav.languages").get_by_role("link", name=name).click()
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("browser_locale", "start", "other", "other_name", "start_name", "start_lang", "other_lang"),
    [
        ("zh-CN", "en", "zh-hans", "简体中文", "English", "en", "zh-Hans"),
        ("en-US", "zh-hans", "en", "English", "简体中文", "zh-Hans", "en"),
    ],
)
def test_the_switch_wins_over_the_browser_language(
    browser: Any,
    live_server: Any,
    transactional_db: None,
    browser_locale: str,
    start: str,
    other: str,
    other_name: str,
    start_name: str,
    start_lang: str,
    other_lang: str,
) -> None:
    context = browser.new_context(locale=browser_locale, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/{start}{QUERY}")
    assert page_language(page) == start_lang

    switch_to(page, other_name)
    assert page.url == f"{live_server.url}/{other}{QUERY}"
    assert page_language(page) == other_lang
    assert page.input_value("#q") == "life"  # the same page, the same query

    switch_to(page, start_name)  # twice in a row
    assert page.url == f"{live_server.url}/{start}{QUERY}"
    assert page_language(page) == start_lang

    page.go_back()
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/{other}{QUERY}"
    assert page_language(page) == other_lang

    switch_to(page, start_name)  # and again after Back
    assert page.url == f"{live_server.url}/{start}{QUERY}"
    assert page_language(page) == start_lang

    switch_to(page, other_name)
    assert page_language(page) == other_lang
    # The chosen language is remembered for addresses without a prefix.
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/{other}/")
    context.close()
