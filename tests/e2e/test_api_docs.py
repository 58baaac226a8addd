"""In Chromium: the API's documentation page draws Swagger UI from this site's own files, under
the site's content security policy, and lists the operations."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


def test_the_api_docs_list_the_operations_with_the_csp_intact(browser, live_server) -> None:
    page = browser.new_context().new_page()
    refused: list[str] = []
    elsewhere: list[str] = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.on(
        "request",
        lambda r: (
            elsewhere.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
            else None
        ),
    )
    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None and response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe" not in csp
    page.wait_for_selector(".opblock", timeout=20_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert {"/api/v1/plans", "/api/v1/plans/{slug}", "/api/v1/agencies/{code}"} <= {
        p.replace("\u200b", "") for p in paths
    }
    assert refused == [] and elsewhere == []
