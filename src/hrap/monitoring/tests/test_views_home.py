"""Each person's home page, the navigation, the cycle pages' filters and counts, overdue."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hrap.accounts.system import system_actor
from hrap.monitoring import home_selectors, services
from hrap.monitoring.models import ProgressReport, ReportingCycle, overdue_q
from hrap.monitoring.tests.conftest import open_cycle
from hrap.monitoring.tests.test_views_reports import assign, ids, linked_reports, page
from hrap.plans.models import PlanNode

pytestmark = pytest.mark.django_db
LOCAL = ("bjepb@CN-BJ", "ndrc@CN-BJ", "bjepb@CN-BJ-HD-1")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_overdue_is_one_rule_read_two_ways(places) -> None:
    """Past the due date and not handed in; the filter and the report say the same."""
    cycle = places.cycle
    today = timezone.localdate()
    for due, state in [
        (today - timedelta(days=1), "draft"),
        (today - timedelta(days=1), "returned"),
        (today - timedelta(days=1), "submitted"),
        (today - timedelta(days=1), "published"),
        (today, "draft"),
        (today + timedelta(days=30), "returned"),
    ]:
        ReportingCycle.objects.filter(pk=cycle.pk).update(due=due)
        ProgressReport.objects.filter(cycle=cycle).update(state=state)
        report = ProgressReport.objects.select_related("cycle").filter(cycle=cycle).first()
        assert report is not None
        expected = due < today and state in ("draft", "returned")
        assert report.is_overdue is expected, (due, state)
        listed = ProgressReport.objects.filter(overdue_q(), pk=report.pk).exists()
        assert listed is expected, (due, state)


def test_the_node_panel_marks_overdue_reports(places) -> None:
    html = page(places.people["secretariat"], f"/en/plans/{places.plan.slug}/III.1.1/")
    panel = html[html.index('class="progress-panel"') :]
    assert panel.count(">overdue<") == 5


def test_visitors_see_the_plans_and_people_their_home(places) -> None:
    response = Client().get("/en/")
    assert response.status_code == 302 and response["Location"] == "/en/plans/"
    login = Client().post(
        "/en/accounts/login/", {"username": "regional-bj", "password": "pw-Secret-123!"}
    )
    assert login["Location"] == "/en/"
    assert Client().get("/en/inbox/").status_code == 302  # to log in


def test_the_home_page_lists_what_waits_with_one_click_each(places) -> None:
    html = page(places.people["regional-bj"], "/en/")
    waiting = html[html.index('id="waiting-h"') : html.index('id="tasks-h"')]
    assert linked_reports(waiting) == ids(places, *LOCAL)
    assert waiting.count("Write and submit") == 3
    assert waiting.count(">overdue<") == 3  # the 2023 cycle was due on 2024-01-31
    # What Beijing must report: the tasks carried out there, with their reports.
    tasks = html[html.index('id="tasks-h"') :]
    assert "Beijing" in tasks and "what this place must report" in tasks
    assert linked_reports(tasks) == ids(places, *LOCAL)
    assert linked_reports(page(places.people["regional-sh"], "/en/")) == set()

    report = places.report("ndrc", "CN-BJ")
    services.report_submit(report=report, actor=places.people["focal-ndrc"], version=1)
    reviewer = page(places.people["reviewer-bjepb"], "/en/")
    assert "Consolidate a co-implementer" in reviewer
    assert ids(places, "ndrc@CN-BJ") <= linked_reports(reviewer)

    services.report_submit(report=places.report("ndrc"), actor=system_actor(), version=1)
    services.report_consolidate(report=places.report("ndrc"), actor=system_actor(), version=2)
    lead = places.report("mee")
    services.report_submit(report=lead, actor=system_actor(), version=lead.version)
    secretariat = page(places.people["secretariat"], "/en/")
    assert "Review: approve or return" in secretariat
    lead.refresh_from_db()
    services.report_approve(report=lead, actor=system_actor(), version=lead.version)
    secretariat = page(places.people["secretariat"], "/en/")
    waiting = secretariat[secretariat.index('id="waiting-h"') : secretariat.index('id="cycles-h"')]
    assert "Publish" in waiting and linked_reports(waiting) == ids(places, "mee")
    # The secretariat's cycles: counts by state and overdue, each opening the filtered page.
    cycles = secretariat[secretariat.index('id="cycles-h"') :]
    assert "approved: 1" in cycles and "?state=approved" in cycles and "?overdue=1" in cycles


def test_returned_reports_say_why_and_overdue_comes_first(places) -> None:
    later = open_cycle(places.plan, "2030")  # due 2031-01-31: not overdue
    lead = places.report("bjepb", "CN-BJ-HD-1")
    services.report_submit(report=lead, actor=system_actor(), version=1)
    services.report_return(
        report=lead, actor=system_actor(), version=2, reason="Give the number of stations."
    )
    html = page(places.people["regional-haidian"], "/en/")
    waiting = html[html.index('id="waiting-h"') : html.index('id="tasks-h"')]
    assert "Give the number of stations." in waiting
    order = [int(pk) for pk in re.findall(r"/reports/(\d+)/", waiting)]
    later_report = ProgressReport.objects.get(cycle=later, jurisdiction__code="CN-BJ-HD-1")
    assert order == [lead.pk, later_report.pk]  # overdue first
    assert waiting.index("Revise and resubmit") < waiting.index("Write and submit")


def test_the_evaluator_sees_reports_counted_by_plan_and_cycle(places) -> None:
    html = page(places.people["evaluator"], "/en/")
    assert "Reports by plan and cycle" in html
    assert "draft: 5" in html and "Waiting for you" not in html
    assert linked_reports(html) == set()  # counts, not a raw list


def test_the_navigation_names_what_each_role_uses(places) -> None:
    def nav(name: str | None) -> set[str]:
        html = page(places.people[name] if name else None, "/en/plans/")
        menu = html[html.index('<nav aria-label="Main">') : html.index("</nav>")]
        return set(re.findall(r">([A-Z][a-z ]+)</a>", menu))

    common = {"Plans", "Search", "Agencies"}
    assert nav(None) == common
    assert nav("focal-ndrc") == common | {"Home", "My reports", "Cycles", "Values"}
    assert nav("regional-bj") == common | {"Home", "My reports", "Cycles", "Values"}
    assert nav("reviewer-mee") == common | {"Home", "My reports", "Cycles"}
    assert nav("evaluator") == common | {"Home", "Cycles", "Audit trail"}
    assert nav("secretariat") == common | {
        "Home", "My reports", "Cycles", "Values", "Review", "Audit trail"
    }  # fmt: skip
    assert nav("member") == common | {"Home"}


def test_the_cycle_page_filters_sorts_and_counts(places) -> None:
    url = f"/en/cycles/{places.plan.slug}/2023/"
    client = signed_in(places.people["secretariat"])

    def shown(**query: str) -> tuple[list[int], str]:
        response = client.get(url, query)
        assert response.status_code == 200
        html = response.content.decode()
        return [int(pk) for pk in re.findall(r"/reports/(\d+)/", html)], html

    every, html = shown()
    assert len(every) == 5 and "Showing 5 reports of 5." in html
    assert "draft: 5" in html and "5 reports overdue" in html
    # Task order: the national reports first (the lead first), then each place's.
    assert every[:2] == [places.report("mee").pk, places.report("ndrc").pk]
    assert set(shown(agency="ndrc")[0]) == ids(places, "ndrc", "ndrc@CN-BJ")
    assert set(shown(place="national")[0]) == ids(places, "mee", "ndrc")
    assert set(shown(place="CN-BJ")[0]) == ids(places, "bjepb@CN-BJ", "ndrc@CN-BJ")
    assert set(shown(part="III")[0]) == set(every)
    assert shown(state="submitted")[0] == []
    assert "Showing 0 reports of 5." in shown(state="submitted")[1]
    assert len(shown(overdue="on")[0]) == 5
    by_agency = shown(sort="agency")[0]
    assert by_agency[:2] == [
        places.report("bjepb", "CN-BJ").pk,
        places.report("bjepb", "CN-BJ-HD-1").pk,
    ]
    # Nonsense filters are named and ignored, never a server error.
    for junk in ({"state": "x" * 5000}, {"sort": "1e30"}, {"agency": "\u00ad"}, {"part": "NaN"}):
        ignored, html = shown(**junk)
        assert ignored == every and "errorlist" in html


def test_a_new_cycle_is_opened_by_the_same_form_or_said_to_be_planned(places) -> None:
    client = signed_in(places.people["secretariat"])
    url = f"/en/cycles/{places.plan.slug}/"
    dates = {"opens": "2024-11-01", "due": "2025-01-31", "closes": "2025-02-28"}
    response = client.post(url, {"period": "2024", **dates, "open_now": "on"}, follow=True)
    cycle = ReportingCycle.objects.get(period="2024")
    assert cycle.status == "open" and cycle.reports.count() == 5
    assert "The 2024 cycle is open: 5 reports to write." in response.content.decode()
    response = client.post(url, {"period": "2025", **dates | {"opens": "2025-11-01", "due": "2026-01-31", "closes": "2026-02-28"}}, follow=True)  # fmt: skip
    html = response.content.decode()
    assert ReportingCycle.objects.get(period="2025").status == "planned"
    assert "The 2025 cycle is planned" in html and "Open the cycle" in html
    listed = client.get(url).content.decode()
    assert "draft: 5" in listed  # the open cycles, counted by state
    refused = client.post(url, {"period": "2024", **dates, "open_now": "on"})
    assert refused.status_code == 200 and "already has a cycle" in refused.content.decode()


def test_reports_are_listed_in_the_plans_tree_order(sample_plan) -> None:
    refs = ["III.1.1", "II.8.1", "II.2.1", "I.5.1", "II.1.1"]
    nodes = [PlanNode.objects.get(plan=sample_plan, ref=ref) for ref in refs]
    for n, node in enumerate(nodes):
        assign(node, f"agency-{n}", "lead", None)
    cycle = open_cycle(sample_plan)
    reports = ProgressReport.objects.filter(cycle=cycle).select_related(
        "node", "agency", "jurisdiction"
    )
    ordered = [r.node.ref for r in home_selectors.in_task_order(reports)]
    assert ordered == ["I.5.1", "II.1.1", "II.2.1", "II.8.1", "III.1.1"]
    assert date.today() > cycle.due  # (the 2023 cycle: every report overdue)


def test_my_reports_lists_every_report_of_mine_with_a_state_filter(places) -> None:
    client = signed_in(places.people["regional-bj"])
    assert linked_reports(client.get("/en/inbox/").content.decode()) == ids(places, *LOCAL)
    assert linked_reports(client.get("/en/inbox/?state=submitted").content.decode()) == set()
    assert client.get("/en/inbox/?state=%00").status_code == 400
    assert client.get("/en/inbox/?state=1e30").status_code == 200


def test_the_values_page_lists_the_indicators_of_ones_scope(places) -> None:
    html = page(places.people["focal-mee"], "/en/values/")
    assert "/en/indicators/" in html and "template.xlsx" in html
    assert signed_in(places.people["evaluator"]).get("/en/values/").status_code == 403
    assert signed_in(places.people["secretariat"]).get("/en/review/").status_code == 200
    assert signed_in(places.people["focal-mee"]).get("/en/review/").status_code == 404


def test_the_audit_trail_links_objects_the_reader_may_open(places) -> None:
    report = places.report("mee")
    services.report_save(
        report=report, actor=places.people["focal-mee"], version=1, progress="on_track",
        narrative="Stations built.", measures="", difficulties="", next_steps="",
    )  # fmt: skip
    html = page(places.people["evaluator"], "/en/audit/?type=monitoring.progressreport")
    assert "saved a report" in html
    assert f"/reports/{report.pk}/" in html
    assert "<td>Stations built.</td>" in html
    assert "progress report" in html
