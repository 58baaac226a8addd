"""A new plan revision never orphans monitoring: cycles, reports and values follow by ref."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.test import Client
from django.utils import translation
from django.utils.html import strip_tags

from hrap.accounts.models import Membership, Role
from hrap.accounts.system import system_actor
from hrap.conftest import SAMPLE
from hrap.conftest import run_command as run
from hrap.core import revisions
from hrap.core.errors import InvalidInput, InvalidTransition
from hrap.core.models import AuditEvent
from hrap.directory.models import Jurisdiction
from hrap.directory.services import agency_create
from hrap.monitoring import services
from hrap.monitoring.models import Observation, ProgressReport, ReportingCycle
from hrap.plans import planfile
from hrap.plans import services as plan_services
from hrap.plans.models import Assignment, Plan, PlanNode, Target

pytestmark = pytest.mark.django_db
SLUG = "cn-nhrap-2021-2025"
SAMPLE_BYTES = SAMPLE.read_bytes()
State = ProgressReport.State


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def revised(raw: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    document = json.loads(raw, parse_float=Decimal)
    change(document)
    return planfile.dumps(document).encode()


def drop(ref: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        def prune(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [
                {**n, "children": prune(n.get("children", []))} for n in nodes if n["ref"] != ref
            ]

        document["nodes"] = prune(document["nodes"])

    return change


def person(name: str, role: str, agency: Any = None) -> Any:
    user = get_user_model().objects.create_user(name, password="pw-Secret-123!")
    Membership.objects.create(user=user, role=role, agency=agency)
    return user


def annual_cycle(plan: Plan, actor: Any, year: int) -> ReportingCycle:
    return services.cycle_create(
        plan=plan,
        actor=actor,
        period=str(year),
        opens=date(year, 11, 1),
        due=date(year + 1, 1, 31),
        closes=date(year + 1, 2, 28),
    )


@pytest.fixture
def world(sample_plan: Plan, staff: Any) -> dict[str, Any]:
    """A 2023 cycle mid-way: MEE's report on III.1.1 submitted, MOJ's on III.1.2 published, a
    value for the PM2.5 target of III.1.1."""
    mee = agency_create(actor=system_actor(), code="mee", name={"en": "Ministry of Ecology"})
    moj = agency_create(actor=system_actor(), code="moj", name={"en": "Ministry of Justice"})
    for ref, agency in (("III.1.1", mee), ("III.1.2", moj)):
        node = PlanNode.objects.get(plan=sample_plan, ref=ref)
        plan_services.assignment_set(node=node, actor=staff, agency=agency, role="lead")
    cycle = annual_cycle(sample_plan, staff, 2023)
    services.cycle_open(cycle=cycle, actor=staff)
    focal_mee = person("focal-mee", Role.FOCAL_POINT, mee)
    focal_moj = person("focal-moj", Role.FOCAL_POINT, moj)
    submitted = ProgressReport.objects.get(node__ref="III.1.1")
    submitted = services.report_save(
        report=submitted, actor=focal_mee, version=1, narrative="Coal boilers replaced."
    )
    submitted = services.report_submit(report=submitted, actor=focal_mee, version=2)
    published = ProgressReport.objects.get(node__ref="III.1.2")
    for step in (services.report_submit, services.report_approve, services.report_publish):
        actor = focal_moj if step is services.report_submit else staff
        published = step(report=published, actor=actor, version=published.version)
    pm25 = Target.objects.get(
        node__plan=sample_plan, node__ref="III.1.1", indicator__name__en__startswith="average PM2.5"
    )
    services.observation_record(
        indicator=pm25.indicator,
        jurisdiction=Jurisdiction.objects.get(code="CN"),
        period="2023",
        value=Decimal("29.3"),
        actor=staff,
    )
    return {
        "plan": sample_plan,
        "cycle": cycle,
        "staff": staff,
        "focal_mee": focal_mee,
        "submitted": submitted,
        "published": published,
        "pm25": pm25,
    }


def draft_without(ref: str, raw: bytes) -> Plan:
    return plan_services.plan_import(raw=revised(raw, drop(ref)), actor=system_actor(), draft=True)


def test_publishing_a_revision_keeps_cycles_reports_and_values_on_the_pages(
    client: Client, world: dict[str, Any], sample_bytes: bytes
) -> None:
    draft = draft_without("III.1.2", sample_bytes)
    client.force_login(world["staff"])
    publish = {"version": draft.version}
    assert client.post(f"/en/plans/{SLUG}/revisions/2/publish/", publish).status_code == 302
    current = Plan.objects.get(slug=SLUG, status=Plan.Status.ACTIVE)
    assert current.revision == 2

    cycle_page = client.get(f"/en/cycles/{SLUG}/2023/")
    assert cycle_page.status_code == 200
    assert text_of(cycle_page).count("not in the current revision") == 1
    for report in (world["submitted"], world["published"]):
        page = client.get(f"/en/cycles/{SLUG}/2023/reports/{report.pk}/")
        assert page.status_code == 200
    dropped = client.get(f"/en/cycles/{SLUG}/2023/reports/{world['published'].pk}/")
    assert "not in the current revision: the task is in revision 1 only" in text_of(dropped)

    # The current node page shows the report and the value; the dropped task's report stays
    # on the revision that has the task.
    node_page = text_of(client.get(f"/en/plans/{SLUG}/III.1.1/"))
    assert "2023 · Ministry of Ecology" in node_page
    assert "29.3 (2023)" in node_page
    old_node = text_of(client.get(f"/en/plans/{SLUG}/revisions/1/III.1.2/"))
    assert "2023 · Ministry of Justice" in old_node

    submitted = ProgressReport.objects.get(pk=world["submitted"].pk)
    assert (submitted.node.plan_id, submitted.state, submitted.version) == (
        current.pk,
        State.SUBMITTED,
        world["submitted"].version,
    )
    published = ProgressReport.objects.get(pk=world["published"].pk)
    assert (published.node.plan.revision, published.state) == (1, State.PUBLISHED)
    # What moved is in the audit trail, report by report.
    event = AuditEvent.objects.get(action="cycle.carry")
    assert event.after is not None
    assert [r["ref"] for r in event.after["reports"]] == ["III.1.1"]
    assert [r["ref"] for r in event.after["reports_left"]] == ["III.1.2"]


def test_the_workflow_goes_on_after_a_publish(
    client: Client, world: dict[str, Any], sample_bytes: bytes
) -> None:
    report = world["submitted"]
    focal = Client()
    focal.force_login(world["focal_mee"])
    returned = services.report_return(
        report=report, actor=world["staff"], version=report.version, reason="Add figures."
    )
    # The focal point opens the report; the plan is revised while the form is open.
    form_page = focal.get(f"/en/cycles/{SLUG}/2023/reports/{report.pk}/")
    assert f'name="version" value="{returned.version}"' in form_page.content.decode()
    draft = draft_without("III.1.2", sample_bytes)
    plan_services.plan_publish(plan=draft, actor=world["staff"])
    saved = focal.post(
        f"/en/cycles/{SLUG}/2023/reports/{report.pk}/",
        {"version": returned.version, "progress": "on_track", "narrative": "With figures."},
    )
    assert saved.status_code == 302  # no false conflict: the report's text did not change
    report.refresh_from_db()
    assert report.narrative == "With figures." and report.node.plan_id == draft.pk
    services.report_submit(report=report, actor=world["focal_mee"], version=report.version)
    report.refresh_from_db()
    services.report_approve(report=report, actor=world["staff"], version=report.version)


def test_publishing_twice_is_refused_and_changes_nothing(
    client: Client, world: dict[str, Any], sample_bytes: bytes
) -> None:
    draft = draft_without("III.1.2", sample_bytes)
    client.force_login(world["staff"])
    publish = {"version": draft.version}
    assert client.post(f"/en/plans/{SLUG}/revisions/2/publish/", publish).status_code == 302
    events = AuditEvent.objects.count()
    again = client.post(f"/en/plans/{SLUG}/revisions/2/publish/", {"version": draft.version + 1})
    assert again.status_code == 409
    assert AuditEvent.objects.count() == events
    assert ReportingCycle.objects.get().plan.revision == 2


def test_a_task_dropped_and_brought_back_gets_its_reports_and_assignment_again(
    world: dict[str, Any], sample_bytes: bytes
) -> None:
    staff = world["staff"]
    plan_services.plan_publish(plan=draft_without("III.1.2", sample_bytes), actor=staff)
    assert not Assignment.objects.filter(node__plan__revision=2, node__ref="III.1.2").exists()
    third = plan_services.plan_import(raw=sample_bytes, actor=system_actor(), draft=True)
    plan_services.plan_publish(plan=third, actor=staff)
    back = PlanNode.objects.get(plan=third, ref="III.1.2")
    assert ProgressReport.objects.get(pk=world["published"].pk).node == back
    assert Assignment.objects.get(node=back).agency.code == "moj"
    assert ReportingCycle.objects.get().plan == third
    # Opening a new cycle makes reports for the task again.
    cycle = annual_cycle(third, staff, 2024)
    assert services.cycle_open(cycle=cycle, actor=staff) == 2


def test_the_preview_says_what_publishing_will_carry_and_writes_nothing(
    world: dict[str, Any], sample_bytes: bytes
) -> None:
    draft = draft_without("III.1.2", sample_bytes)
    events = AuditEvent.objects.count()
    translation.activate("en")  # the sentences are in the active language
    preview = revisions.preview(world["plan"], draft)
    assert AuditEvent.objects.count() == events
    assert ReportingCycle.objects.get().plan == world["plan"]
    counts = {t.key: t.count for t in preview}
    assert counts == {
        "plans.assignments": 1,
        "plans.assignments_left": 1,
        "plans.indicators": 7,
        "monitoring.cycles": 1,
        "monitoring.reports": 1,
        "monitoring.reports_left": 1,
        "monitoring.values": 1,
    }
    texts = [str(t) for t in preview]
    assert "1 reporting cycle moves to revision 2" in texts
    assert (
        "1 progress report of a task the new revision drops stays readable, with revision 1"
        in texts
    )
    carried: list[revisions.Tally] = []
    plan_services.plan_publish(plan=draft, actor=world["staff"], carried=carried)
    assert carried == preview


def test_a_revision_holding_monitoring_is_never_deleted(
    client: Client, world: dict[str, Any], sample_bytes: bytes
) -> None:
    draft = draft_without("III.1.2", sample_bytes)
    # A cycle made on the draft itself (the pages do not offer it, the service allows it).
    annual_cycle(draft, world["staff"], 2024)
    client.force_login(world["staff"])
    refused = client.post(f"/en/plans/{SLUG}/revisions/2/discard/", {"confirm": "1"})
    assert refused.status_code == 409
    assert "1 reporting cycle" in text_of(refused)
    assert Plan.objects.filter(pk=draft.pk).exists()
    with pytest.raises(InvalidInput, match="cannot be removed: it holds 1 reporting cycle"):
        plan_services.plan_import(raw=sample_bytes, actor=system_actor(), draft=True, replace=True)
    assert Plan.objects.filter(pk=draft.pk, status=Plan.Status.DRAFT).exists()


def test_replacing_a_plan_with_approved_reports_carries_them(
    tmp_path: Path, world: dict[str, Any], sample_bytes: bytes
) -> None:
    source = tmp_path / "plan.json"
    source.write_bytes(revised(sample_bytes, drop("III.1.2")))
    code, out, err = run("plan", "import", "--replace", str(source))
    assert (code, err) == (0, "")
    lines = out.strip().splitlines()
    assert lines[0] == f"imported {SLUG} revision 2: 72 nodes, 7 targets"
    assert "carried over: 1 reporting cycle moves to revision 2" in lines
    assert "carried over: 1 progress report follows its task by ref" in lines
    assert Plan.objects.filter(slug=SLUG).count() == 2
    assert ProgressReport.objects.count() == 2 and ReportingCycle.objects.get().plan.revision == 2
    assert Observation.objects.get().indicator_id == world["pm25"].indicator_id
    assert (
        Target.objects.get(
            node__plan__revision=2, node__ref="III.1.1", indicator=world["pm25"].indicator
        ).value
        == 10
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway"
)
def test_two_people_publishing_at_once_publish_once(staff: Any) -> None:
    sample = plan_services.plan_import(raw=SAMPLE_BYTES, actor=system_actor())
    annual_cycle(sample, staff, 2023)
    draft = plan_services.plan_import(raw=SAMPLE_BYTES, actor=system_actor(), draft=True)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def publish() -> None:
        try:
            barrier.wait()
            plan_services.plan_publish(plan=draft, actor=staff)
            outcomes.append("published")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["published", "refused"]
    assert AuditEvent.objects.filter(action="plan.publish").count() == 1
    assert AuditEvent.objects.filter(action="cycle.carry").count() == 1
    assert ReportingCycle.objects.get().plan_id == draft.pk
    assert list(Plan.objects.order_by("revision").values_list("status", flat=True)) == [
        Plan.Status.SUPERSEDED,
        Plan.Status.ACTIVE,
    ]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time anyway"
)
def test_an_edit_made_while_a_revision_is_published_is_carried_not_lost(staff: Any) -> None:
    sample = plan_services.plan_import(raw=SAMPLE_BYTES, actor=system_actor())
    draft = plan_services.plan_import(raw=SAMPLE_BYTES, actor=system_actor(), draft=True)
    target = Target.objects.get(
        node__plan=sample, node__ref="III.1.1", span__en__startswith="the average PM2.5"
    )
    editing = threading.Event()

    def edit() -> None:
        try:
            with transaction.atomic():
                plan_services.target_update(
                    target=target,
                    actor=staff,
                    version=1,
                    value=Decimal("12"),
                    unit="%",
                    direction="decrease",
                    relative=True,
                )
                editing.set()
                time.sleep(1)  # the publish starts while this edit is not yet committed
        finally:
            connections.close_all()

    def publish() -> None:
        try:
            editing.wait(timeout=30)
            plan_services.plan_publish(plan=draft, actor=staff)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit), threading.Thread(target=publish)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    carried = Target.objects.get(
        node__plan=draft, node__ref="III.1.1", span__en__startswith="the average PM2.5"
    )
    assert carried.value == 12
