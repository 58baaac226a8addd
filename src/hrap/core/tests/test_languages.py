"""The language switch: the address's prefix decides the language, over the browser's wish and
the remembered cookie, and the switch links to the same page under the other prefix."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hrap.core.languages import bcp47, swap_prefix

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "code", "expected"),
    [
        ("/en/plans/x/?q=1", "zh-hans", "/zh-hans/plans/x/?q=1"),
        ("/zh-hans/plans/x/?q=1&part=II", "en", "/en/plans/x/?q=1&part=II"),
        ("/en/", "zh-hans", "/zh-hans/"),
        ("/en", "zh-hans", "/zh-hans/"),
        ("/en/search/?q=%E7%94%9F", "en", "/en/search/?q=%E7%94%9F"),
        ("/api/v1/docs", "en", "/en/"),
        ("//evil.example/x", "en", "/en/"),
        ("/", "zh-hans", "/zh-hans/"),
    ],
)
def test_the_switch_swaps_only_the_prefix(path: str, code: str, expected: str) -> None:
    assert swap_prefix(path, code) == expected


def test_lang_attributes_are_bcp47() -> None:
    assert bcp47("zh-hans") == "zh-Hans" and bcp47("en") == "en"


def switch_links(html: str) -> dict[str, str]:
    nav = re.search(r'<nav class="languages".*?</nav>', html, re.S)
    assert nav, "no language switch on the page"
    return dict(
        (lang, href) for href, lang in re.findall(r'<a href="([^"]+)" lang="([^"]+)"', nav[0])
    )


def test_the_prefix_wins_over_the_browser_and_the_cookie(client: Client) -> None:
    client.cookies["django_language"] = "zh-hans"
    response = client.get("/en/search/?q=life", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html and "Search the plans" in html
    links = switch_links(html)
    assert links["zh-Hans"] == "/zh-hans/search/?q=life"
    assert links["en"] == "/en/search/?q=life"
    # The page's language is remembered: an address without a prefix now opens in English.
    assert response.cookies["django_language"].value == "en"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN")["Location"].startswith("/en/")

    chinese = client.get(links["zh-Hans"], HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-Hans">' in chinese.content.decode()
    assert chinese.cookies["django_language"].value == "zh-hans"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en")["Location"].startswith("/zh-hans/")


def test_a_page_already_in_the_remembered_language_sets_no_cookie(client: Client) -> None:
    client.cookies["django_language"] = "en"
    assert "django_language" not in client.get("/en/plans/").cookies


def test_the_switch_keeps_a_hostile_query_escaped(client: Client) -> None:
    response = client.get('/en/search/?q="><script>x</script>')
    html = response.content.decode()
    assert "<script>x</script>" not in html
    assert switch_links(html)["zh-Hans"].startswith("/zh-hans/search/?q=")


@pytest.mark.parametrize(
    "query",
    ["q=%ED%A0%80", "q=%00", "q=" + "9" * 5000, "q=1e30&version=abc", "q=NaN", "%ff=%fe"],
)
def test_absurd_queries_never_break_the_page_or_its_switch(client: Client, query: str) -> None:
    response = client.get(f"/zh-hans/search/?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert switch_links(response.content.decode())["en"].startswith("/en/search/?")
