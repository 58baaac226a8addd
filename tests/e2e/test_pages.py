"""In Chromium, every main page at phone width (390 px) and on a desktop (1280 px), in both
languages, anonymously and as the secretariat: nothing makes the page wider than the screen
(wide tables scroll inside their own container), and axe-core finds no serious or critical
violation. Screenshots go to $HRAP_SHOTS when it is set, to be looked at."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.directory.services import agency_create, jurisdiction_load_country
from hrap.monitoring import services
from hrap.monitoring.models import ProgressReport
from hrap.plans import services as plan_services
from hrap.plans.models import PlanNode, Target
from hrap.plans.sample import PLAN_FILE
from hrap.plans.tests.drafts import import_draft, misread_tree

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]
PASSWORD = "pw-Secret-123!"
SHOTS = os.environ.get("HRAP_SHOTS")


@pytest.fixture
def world(transactional_db) -> dict[str, Any]:
    actor = system_actor()
    jurisdiction_load_country(code="CN", actor=actor)
    plan = plan_services.plan_import(raw=PLAN_FILE.read_bytes(), actor=actor)
    mee = agency_create(actor=actor, code="mee", name={"en": "Ministry of Ecology and Environment", "zh-Hans": "生态环境部"})  # fmt: skip
    ndrc = agency_create(actor=actor, code="ndrc", name={"en": "National Development and Reform Commission", "zh-Hans": "国家发展和改革委员会"})  # fmt: skip
    node = PlanNode.objects.get(plan=plan, ref="III.1.1")
    plan_services.assignment_set(node=node, actor=actor, agency=mee, role="lead")
    plan_services.assignment_set(node=node, actor=actor, agency=ndrc, role="co")
    cycle = services.cycle_create(plan=plan, actor=actor, period="2023", opens=date(2023, 11, 1),
                                  due=date(2024, 1, 31), closes=date(2024, 2, 29))  # fmt: skip
    services.cycle_open(cycle=cycle, actor=actor)
    import_draft(misread_tree())
    user = get_user_model().objects.create_user("secretariat", password=PASSWORD, language="en")
    Membership.objects.create(user=user, role=Role.SECRETARIAT)
    Membership.objects.create(user=user, role=Role.ADMINISTRATOR)  # the user pages too
    target = Target.objects.filter(node__plan=plan).select_related("indicator").first()
    assert target is not None
    return {
        "user": user.pk,
        "plan": plan,
        "report": ProgressReport.objects.filter(lead=True).first(),
        "indicator": target.indicator_id,
    }


def public_pages(world: dict[str, Any]) -> list[str]:
    slug = world["plan"].slug
    return [
        "plans/",
        f"plans/{slug}/",
        f"plans/{slug}/III.1.1/",
        "search/?q=environment",
        "agencies/",
        "agencies/mee/",
        f"indicators/{world['indicator']}/",
        "accounts/login/",
    ]


def staff_pages(world: dict[str, Any]) -> list[str]:
    slug = world["plan"].slug
    return [
        *public_pages(world)[:-1],
        "",
        "cycles/",
        "values/",
        "review/",
        f"cycles/{slug}/",
        f"cycles/{slug}/2023/",
        f"cycles/{slug}/2023/reports/{world['report'].pk}/",
        f"cycles/{slug}/2023/upload/",
        f"indicators/{world['indicator']}/values/",
        "jurisdictions/",
        "inbox/",
        "audit/",
        "accounts/security/",
        "plans/misread/revisions/1/review/?part=all",
        "plans/misread/revisions/1/review/?flagged=1",
        "plans/misread/revisions/1/publish/",
        f"plans/{slug}/III.1.1/edit/",
        f"plans/{slug}/III.1.1/assignments/",
        f"plans/{slug}/III.1.1/targets/add/",
        f"indicators/{world['indicator']}/",
        "plans/misread/revisions/1/I.1/fields/",
        "agencies/new/",
        "agencies/mee/edit/",
        "users/",
        "users/add/",
        f"users/{world['user']}/",
        "accounts/second-factor/",
    ]


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/en/accounts/login/")
    page.fill("#id_username", "secretariat")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def check_pages(browser: Any, base: str, paths: list[str], *, staff: bool, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    if staff:
        log_in(page, base)
    problems = []
    for language in ("en", "zh-hans"):
        for path in paths:
            response = page.goto(f"{base}/{language}/{path}")
            assert response is not None and response.status == 200, (path, response)
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                problems.append(f"/{language}/{path}: {wide} px wide at {width} px")
            problems += [f"/{language}/{path}: {v}" for v in serious_violations(page)]
            if SHOTS:
                name = f"{'staff' if staff else 'public'}-{width}-{language}-{path}"
                shot = Path(SHOTS) / (name.replace("/", "_").replace("?", "_") + ".png")
                page.screenshot(path=str(shot), full_page=True)
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [390, 1280])
def test_public_pages_fit_the_screen_and_pass_axe(
    browser: Any, live_server: Any, world: dict[str, Any], width: int
) -> None:
    check_pages(browser, live_server.url, public_pages(world), staff=False, width=width)


@pytest.mark.parametrize("width", [390, 1280])
def test_staff_pages_fit_the_screen_and_pass_axe(
    browser: Any, live_server: Any, world: dict[str, Any], width: int
) -> None:
    check_pages(browser, live_server.url, staff_pages(world), staff=True, width=width)
