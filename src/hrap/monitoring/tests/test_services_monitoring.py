"""Cycles, the report workflow with consolidation and return, conflicts, observations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.core.errors import EditConflict, InvalidInput, InvalidTransition, PermissionDenied
from hrap.core.models import AuditEvent
from hrap.directory.models import Agency, Jurisdiction
from hrap.directory.services import agency_create
from hrap.monitoring import services
from hrap.monitoring.models import Observation, ProgressReport, ReportingCycle
from hrap.monitoring.tests.conftest import member
from hrap.plans import services as plan_services
from hrap.plans.models import Target

pytestmark = pytest.mark.django_db
State = ProgressReport.State


def reports(world):
    found = ProgressReport.objects.filter(cycle=world["cycle"])
    return found.get(lead=True), found.get(lead=False)


def test_opening_a_cycle_makes_a_report_for_every_assignment(world) -> None:
    assert services.cycle_open(cycle=world["cycle"], actor=world["secretariat"]) == 2
    lead, co = reports(world)
    assert (lead.agency.code, co.agency.code) == ("mee", "ndrc")
    with pytest.raises(InvalidTransition):
        services.cycle_open(cycle=world["cycle"], actor=world["secretariat"])
    with pytest.raises(PermissionDenied):
        services.cycle_open(cycle=ReportingCycle.objects.get(), actor=world["focal_mee"])


def test_a_bad_cycle_is_refused_with_every_problem(world) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.cycle_create(
            plan=world["plan"],
            actor=world["secretariat"],
            period="last year",
            opens=date(2024, 3, 1),
            due=date(2024, 1, 1),
            closes=date(2024, 2, 1),
        )
    assert [p.where for p in refused.value.problems] == ["period", "due"]


def test_a_report_goes_from_draft_to_published_with_a_return_between(world) -> None:
    services.cycle_open(cycle=world["cycle"], actor=world["secretariat"])
    lead, co = reports(world)
    co = services.report_save(
        report=co,
        actor=world["focal_ndrc"],
        version=co.version,
        narrative="Funded monitoring stations.",
        progress="in_progress",
    )
    with pytest.raises(PermissionDenied):  # one agency cannot write another's report
        services.report_save(
            report=lead, actor=world["focal_ndrc"], version=lead.version, narrative="x"
        )
    co = services.report_submit(report=co, actor=world["focal_ndrc"], version=co.version)
    lead = services.report_save(
        report=lead,
        actor=world["focal_mee"],
        version=lead.version,
        narrative="PM2.5 fell in 300 cities.",
        progress="on_track",
    )
    with pytest.raises(
        InvalidTransition,
        match="National Development and Reform Commission",
    ):
        services.report_submit(report=lead, actor=world["focal_mee"], version=lead.version)
    services.report_consolidate(report=co, actor=world["reviewer_mee"], version=co.version)
    lead.refresh_from_db()
    assert (
        lead.narrative
        == "PM2.5 fell in 300 cities.\n\n[National Development and Reform Commission] Funded monitoring stations."
    )
    lead = services.report_submit(report=lead, actor=world["focal_mee"], version=lead.version)
    lead = services.report_return(
        report=lead,
        actor=world["secretariat"],
        version=lead.version,
        reason="Give the number of cities.",
    )
    assert (lead.state, lead.return_reason) == (State.RETURNED, "Give the number of cities.")
    lead = services.report_save(
        report=lead,
        actor=world["focal_mee"],
        version=lead.version,
        narrative="PM2.5 fell in 312 of 339 cities.",
    )
    lead = services.report_submit(report=lead, actor=world["focal_mee"], version=lead.version)
    lead = services.report_approve(report=lead, actor=world["secretariat"], version=lead.version)
    lead = services.report_publish(report=lead, actor=world["secretariat"], version=lead.version)
    assert lead.state == State.PUBLISHED and lead.published_at is not None
    steps = list(
        AuditEvent.objects.filter(target_type="monitoring.progressreport", target_id=str(lead.pk))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert steps == [
        "report.save",
        "report.submit",
        "report.return",
        "report.save",
        "report.submit",
        "report.approve",
        "report.publish",
    ]
    with pytest.raises(InvalidTransition):
        services.report_publish(report=lead, actor=world["secretariat"], version=lead.version)


def test_the_second_of_two_concurrent_saves_is_refused(world) -> None:
    services.cycle_open(cycle=world["cycle"], actor=world["secretariat"])
    lead, _ = reports(world)
    colleague = member("focal-mee-2", Role.FOCAL_POINT, Agency.objects.get(code="mee"))
    loaded = lead.version
    services.report_save(report=lead, actor=world["focal_mee"], version=loaded, narrative="Mine.")
    with pytest.raises(EditConflict):
        services.report_save(report=lead, actor=colleague, version=loaded, narrative="Theirs.")
    lead.refresh_from_db()
    assert lead.narrative == "Mine."


def test_two_sessions_editing_one_report_lose_nothing(world) -> None:
    services.cycle_open(cycle=world["cycle"], actor=world["secretariat"])
    lead, _ = reports(world)
    colleague = member("focal-mee-2", Role.FOCAL_POINT, Agency.objects.get(code="mee"))
    first, second = Client(), Client()
    first.force_login(world["focal_mee"])
    second.force_login(colleague)
    url = f"/en/cycles/{world['plan'].slug}/2023/reports/{lead.pk}/"
    form = {
        "version": lead.version,
        "progress": "on_track",
        "measures": "",
        "difficulties": "",
        "next_steps": "",
    }
    assert first.get(url).status_code == second.get(url).status_code == 200
    assert first.post(url, {**form, "narrative": "Stations installed."}).status_code == 302
    refused = second.post(url, {**form, "narrative": "Inspections doubled."})
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "Someone saved this report while you were editing it" in page
    assert "Stations installed." in page and "Inspections doubled." in page
    lead.refresh_from_db()
    assert lead.narrative == "Stations installed."
    merged = second.post(
        url,
        {**form, "version": lead.version, "narrative": "Stations installed. Inspections doubled."},
    )
    assert merged.status_code == 302
    lead.refresh_from_db()
    assert lead.narrative == "Stations installed. Inspections doubled."


def test_another_agencys_report_is_not_found(world) -> None:
    services.cycle_open(cycle=world["cycle"], actor=world["secretariat"])
    lead, _ = reports(world)
    stranger = member(
        "focal-moj",
        Role.FOCAL_POINT,
        agency_create(actor=system_actor(), code="moj", name={"en": "Ministry of Justice"}),
    )
    client = Client()
    client.force_login(stranger)
    url = f"/en/cycles/{world['plan'].slug}/2023/reports/{lead.pk}/"
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"version": 1, "progress": "completed", "narrative": "x"}).status_code
        == 404
    )
    assert client.post(url + "submit/", {"version": 1}).status_code == 404


def test_observations_are_recorded_corrected_and_checked(world) -> None:
    target = Target.objects.get(node=world["node"], indicator__name__en__startswith="average PM2.5")
    indicator = target.indicator
    indicator.disaggregations = ["urban_rural"]
    indicator.save()
    country = world["plan"].jurisdiction
    first = services.observation_record(
        indicator=indicator,
        jurisdiction=country,
        period="2023",
        value=Decimal("37.5"),
        actor=world["focal_mee"],
        source="MEE bulletin",
    )
    again = services.observation_record(
        indicator=indicator,
        jurisdiction=country,
        period="2023",
        value=Decimal("37.2"),
        actor=world["focal_mee"],
        status="final",
    )
    assert first.pk == again.pk and Observation.objects.count() == 1
    assert AuditEvent.objects.filter(action="observation.record").order_by(
        "sequence"
    ).last().before == {  # type: ignore[union-attr]
        "value": "37.5",
        "status": "provisional",
        "source": "MEE bulletin",
    }
    with pytest.raises(InvalidInput) as refused:
        services.observation_record(
            indicator=indicator,
            jurisdiction=country,
            period="2023/24",
            value=Decimal(1),
            actor=world["focal_mee"],
            disaggregation={"sex": "female"},
        )
    assert [p.what for p in refused.value.problems] == [
        "'2023/24' is not a period such as 2023 or 2023-Q1",
        "average PM2.5 intensity in cities at or above the prefectural level is not "
        "disaggregated by sex",
    ]


def pm25_target(world, baseline: Decimal | None, baseline_year: int | None, year: int | None):
    target = Target.objects.get(node=world["node"], indicator__name__en__startswith="average PM2.5")
    target.baseline_value, target.baseline_year, target.year = baseline, baseline_year, year
    target.save()
    return target


def national_value(world, target: Target, period: str, value: str) -> None:
    services.observation_record(
        indicator=target.indicator,
        jurisdiction=world["plan"].jurisdiction,
        period=period,
        value=Decimal(value),
        actor=world["focal_mee"],
    )


def test_the_task_page_shows_traffic_lights(world, client: Client) -> None:
    target = pm25_target(world, Decimal(40), 2020, 2025)
    national_value(world, target, "2023", "37.5")
    page = client.get(f"/en/plans/{world['plan'].slug}/III.1.1/").content.decode()
    assert '<span class="light light-on_track">on track</span>' in page
    assert page.count("light-no_data") == 2  # the two other targets have no observation
    section = client.get(f"/en/plans/{world['plan'].slug}/III.1/").content.decode()
    assert "light-on_track" in section  # a section shows its tasks' targets


def test_a_task_carried_out_locally_is_reported_by_its_region(world) -> None:
    beijing = Jurisdiction.objects.get(code="CN-BJ")
    shanghai = Jurisdiction.objects.get(code="CN-SH")
    plan_services.assignment_set(
        node=world["node"],
        actor=world["secretariat"],
        agency=Agency.objects.get(code="mee"),
        role="lead",
        jurisdiction=beijing,
    )
    services.cycle_open(cycle=world["cycle"], actor=world["secretariat"])
    local = ProgressReport.objects.get(cycle=world["cycle"], jurisdiction=beijing)
    region = get_user_model().objects.create_user("regional-bj", password="pw-Secret-123!")
    Membership.objects.create(user=region, role=Role.REGIONAL_FOCAL_POINT, jurisdiction=beijing)
    other = get_user_model().objects.create_user("regional-sh", password="pw-Secret-123!")
    Membership.objects.create(user=other, role=Role.REGIONAL_FOCAL_POINT, jurisdiction=shanghai)
    services.report_save(
        report=local, actor=region, version=local.version, narrative="Beijing: 40 stations."
    )
    with pytest.raises(PermissionDenied):
        services.report_save(report=local, actor=other, version=local.version + 1, narrative="x")
    url = f"/en/cycles/{world['plan'].slug}/2023/reports/{local.pk}/"
    client = Client()
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(region)
    assert "Beijing: 40 stations." in client.get(url).content.decode()
    national = ProgressReport.objects.get(cycle=world["cycle"], jurisdiction=None, lead=True)
    assert (
        client.get(f"/en/cycles/{world['plan'].slug}/2023/reports/{national.pk}/").status_code
        == 404
    )


def test_a_report_shows_its_tasks_targets_and_the_values_of_its_cycle(world) -> None:
    target = Target.objects.get(node=world["node"], indicator__name__en__startswith="average PM2.5")
    services.observation_record(
        indicator=target.indicator,
        jurisdiction=world["plan"].jurisdiction,
        period="2023",
        value=Decimal("37.5"),
        actor=world["focal_mee"],
    )
    services.cycle_open(cycle=world["cycle"], actor=world["secretariat"])
    lead, _ = reports(world)
    client = Client()
    client.force_login(world["focal_mee"])
    page = client.get(f"/en/cycles/{world['plan'].slug}/2023/reports/{lead.pk}/").content.decode()
    assert "average PM2.5 intensity" in page and "Values for 2023" in page
    assert '<td>37.5 <span class="provisional">provisional</span></td>' in page


def test_a_target_without_deadline_or_baseline_is_unknown_not_on_track(world, client) -> None:
    target = pm25_target(world, Decimal(40), 2020, None)
    national_value(world, target, "2023", "37.5")
    url = f"/en/plans/{world['plan'].slug}/III.1.1/"
    page = client.get(url).content.decode()
    assert "light-on_track" not in page
    assert '<span class="light light-unknown">unknown</span>' in page
    assert "no deadline to measure the pace against" in page
    target.baseline_value, target.baseline_year, target.year = None, None, 2025
    target.save()
    page = client.get(url).content.decode()
    assert "light-on_track" not in page
    assert "no baseline to measure the pace from" in page


def test_progress_reads_annual_values_not_a_later_quarter(world, client) -> None:
    target = pm25_target(world, Decimal(40), 2020, 2025)
    for period, number in (("2022", "38.3"), ("2023-Q1", "45"), ("2023-Q2", "20")):
        national_value(world, target, period, number)
    page = client.get(f"/en/plans/{world['plan'].slug}/III.1.1/").content.decode()
    assert "38.3 (2022)" in page and '<span class="light light-on_track">' in page
    Observation.objects.filter(period="2022").delete()
    page = client.get(f"/en/plans/{world['plan'].slug}/III.1.1/").content.decode()
    assert "20 (2023-Q2)" in page  # quarters only when there is no annual value
