"""In Chromium: a focal point uploads a file of values, sees what it would change (a new value,
a corrected one, old → new) before anything is written, and writes it by confirming; at phone
width the preview's tables scroll inside their own box. axe-core checks each page visited."""

from __future__ import annotations

import os
import shutil
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.directory.models import Jurisdiction
from hrap.directory.services import agency_create
from hrap.monitoring import services
from hrap.monitoring.models import Observation
from hrap.plans import services as plan_services
from hrap.plans.models import PlanNode, Target
from hrap.plans.sample import PLAN_FILE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
PASSWORD = "pw-Secret-123!"


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    plan = plan_services.plan_import(raw=PLAN_FILE.read_bytes(), actor=system_actor())
    mee = agency_create(
        actor=system_actor(), code="mee", name={"en": "Ministry of Ecology and Environment"}
    )
    node = PlanNode.objects.get(plan=plan, ref="III.1.1")
    plan_services.assignment_set(node=node, actor=system_actor(), agency=mee, role="lead")
    cycle = services.cycle_create(plan=plan, actor=system_actor(), period="2023", opens=date(2023, 11, 1),
                                  due=date(2024, 1, 31), closes=date(2024, 2, 29))  # fmt: skip
    services.cycle_open(cycle=cycle, actor=system_actor())
    user = get_user_model().objects.create_user("focal-mee", password=PASSWORD, language="en")
    Membership.objects.create(user=user, role=Role.FOCAL_POINT, agency=mee)
    indicator = Target.objects.get(
        node__plan=plan, indicator__name__en__startswith="average PM2.5"
    ).indicator
    services.observation_record(
        indicator=indicator,
        jurisdiction=Jurisdiction.objects.get(code="CN"),
        period="2023",
        value=Decimal("37.5"),
        actor=system_actor(),
    )
    return {"plan": plan, "indicator": indicator}


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['nodes'][0]['target']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_an_upload_is_previewed_then_confirmed(
    browser, live_server, world, tmp_path, width
) -> None:
    indicator = world["indicator"].pk
    sheet = tmp_path / "values.csv"
    sheet.write_text(
        "indicator,jurisdiction,period,disaggregation,value,source,status\n"
        f"{indicator},CN,2023,,36.9,bulletin,\n"
        f"{indicator},CN-BJ,2023,,30.2,bulletin,\n",
        encoding="utf-8",
    )
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto(f"{live_server.url}/en/accounts/login/")
    page.fill("#id_username", "focal-mee")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/en/cycles/{world['plan'].slug}/2023/")
    page.get_by_role("link", name="Upload indicator values").click()
    assert serious_violations(page) == []
    page.set_input_files("#id_file", str(sheet))
    page.get_by_role("button", name="Check the file").click()

    page.get_by_role("heading", name="Check the upload").wait_for()
    summary = page.locator("p.summary").inner_text()
    assert "1 new value · 1 corrected · 0 unchanged · 0 refused" in summary
    assert "37.5 → 36.9" in page.locator("#corrected-h + div").inner_text()
    assert "national total" in page.locator("ul.visibility").inner_text()
    assert Observation.objects.get(jurisdiction__code="CN").value == Decimal("37.5")  # not yet
    assert serious_violations(page) == []
    # The page never scrolls sideways; wide tables scroll in their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("button", name="Write 2 values").click()
    page.wait_for_url(f"**/en/cycles/{world['plan'].slug}/2023/")
    assert "Loaded 2 values: 1 new, 1 corrected, 0 unchanged." in page.content()
    assert Observation.objects.get(jurisdiction__code="CN").value == Decimal("36.9")
    assert Observation.objects.get(jurisdiction__code="CN-BJ").value == Decimal("30.2")
