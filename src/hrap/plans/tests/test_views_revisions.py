"""Publishing a new revision keeps what staff did to the current one, and the document's order."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import strip_tags

from hrap.accounts.system import system_actor
from hrap.core.models import AuditEvent
from hrap.plans import planfile, selectors, services
from hrap.plans.models import Plan, PlanNode, Target
from hrap.plans.sample import DOCUMENTS

pytestmark = pytest.mark.django_db
SLUG = "cn-nhrap-2021-2025"


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def pm25(plan: Plan) -> Target:
    return Target.objects.get(
        node__plan=plan, node__ref="III.1.1", span__en__startswith="the average PM2.5"
    )


def edit_to_12_percent(target: Target, staff: Any, binding: bool | None = None) -> Target:
    """Staff correct the PM2.5 commitment: 12 percent by 2025."""
    return services.target_update(
        target=target,
        actor=staff,
        version=target.version,
        value=Decimal("12"),
        unit="%",
        direction="decrease",
        relative=True,
        year=2025,
        binding=binding,
    )


def test_publishing_an_ingested_draft_keeps_staff_work_and_the_documents_order(
    client: Client, staff: Any, sample_plan: Plan
) -> None:
    node = PlanNode.objects.get(plan=sample_plan, ref="III.1.1")
    added = services.target_create(
        node=node,
        actor=staff,
        indicator={"en": "days of good air quality", "zh-Hans": "空气质量优良天数比率"},
        value=Decimal("87.5"),
        unit="%",
        direction="at_least",
        relative=False,
        year=2025,
    )
    target = pm25(sample_plan)
    edit_to_12_percent(target, staff, binding=True)
    services.target_set_baseline(target=target, actor=staff, value=Decimal("40"), year=2020)
    services.indicator_update(
        indicator=target.indicator,
        actor=staff,
        version=target.indicator.version,
        name={"en": "PM2.5 concentration in cities"},
        definition={"en": "Annual mean"},
        unit="μg/m³",
        source="MEE",
        type="outcome",
        disaggregations=[],
        sdg_code="11.6.2",
    )
    # The English document first: the introduction exists in the Chinese one only.
    call_command("ingest", *map(str, DOCUMENTS[::-1]), "--plan", SLUG, stdout=None, stderr=None)
    draft = Plan.objects.get(slug=SLUG, status=Plan.Status.DRAFT)
    assert (draft.issued_by, draft.adopted) == ([], None)
    client.force_login(staff)
    published = client.post(
        f"/en/plans/{SLUG}/revisions/{draft.revision}/publish/",
        {"version": draft.version},
        follow=True,
    )
    assert published.status_code == 200
    shown = text_of(published)
    assert "1 target that staff added is carried over" in shown
    assert "1 target keeps the edits staff made" in shown

    plan_page = text_of(client.get(f"/en/plans/{SLUG}/"))
    assert "Issued byState Council Information Office" in plan_page
    assert "Adopted2021-09-09" in plan_page
    roots = [t.node.ref for t in selectors.plan_tree(plan=draft)]
    assert roots == ["intro", "I", "II", "III", "IV", "V", "VI", "VII"]

    node_page = text_of(client.get(f"/en/plans/{SLUG}/III.1.1/"))
    assert "days of good air quality" in node_page
    carried = pm25(draft)
    assert (carried.value, carried.binding, carried.baseline_value, carried.baseline_year) == (
        12,
        True,
        40,
        2020,
    )
    assert carried.indicator_id == target.indicator_id  # its values and details with it
    copy = Target.objects.get(node__plan=draft, indicator=added.indicator)
    assert (copy.value, copy.imported) == (Decimal("87.5"), {})
    assert AuditEvent.objects.filter(action="plan.carry", target_id=str(draft.pk)).exists()


def test_the_document_wins_where_it_states_a_target_differently(
    staff: Any, sample_plan: Plan, sample_bytes: bytes
) -> None:
    target = pm25(sample_plan)
    edit_to_12_percent(target, staff)
    document = json.loads(sample_bytes, parse_float=Decimal)
    task = document["nodes"][3]["children"][0]["children"][0]
    assert task["ref"] == "III.1.1"
    task["targets"][0]["value"] = 15
    draft = services.plan_import(
        raw=planfile.dumps(document).encode(), actor=system_actor(), draft=True
    )
    carried: list[Any] = []
    services.plan_publish(plan=draft, actor=staff, carried=carried)
    revised = pm25(draft)
    assert revised.value == 15  # the new document's commitment
    counts = {t.key: t.count for t in carried}
    assert (counts["plans.targets_restated"], counts.get("plans.targets_left")) == (1, None)
    assert revised.indicator_id == target.indicator_id  # still the same measure


def test_a_draft_keeps_its_own_facts_and_assignments_over_the_current_ones(
    staff: Any, sample_plan: Plan, sample_bytes: bytes
) -> None:
    from hrap.plans.tests.factories import AgencyFactory

    agency = AgencyFactory.create(code="mee")
    node = PlanNode.objects.get(plan=sample_plan, ref="III.1.1")
    services.assignment_set(node=node, actor=staff, agency=agency, role="lead")
    document = json.loads(sample_bytes, parse_float=Decimal)
    document["plan"]["adopted"] = "2021-09-10"
    draft = services.plan_import(
        raw=planfile.dumps(document).encode(), actor=system_actor(), draft=True
    )
    # The review proposed the same agency as co-implementer: the draft's choice stands.
    services.assignment_set(
        node=PlanNode.objects.get(plan=draft, ref="III.1.1"), actor=staff, agency=agency, role="co"
    )
    services.plan_publish(plan=draft, actor=staff)
    draft.refresh_from_db()
    assert str(draft.adopted) == "2021-09-10"
    assert [a.role for a in PlanNode.objects.get(plan=draft, ref="III.1.1").assignments.all()] == [
        "co"
    ]


def test_a_superseded_revision_is_history_and_takes_no_edits(
    client: Client, staff: Any, sample_plan: Plan, sample_bytes: bytes
) -> None:
    target = pm25(sample_plan)
    draft = services.plan_import(raw=sample_bytes, actor=system_actor(), draft=True)
    services.plan_publish(plan=draft, actor=staff)
    client.force_login(staff)
    old = f"/en/plans/{SLUG}/revisions/1/III.1.1"
    refused = [
        client.post(f"{old}/edit/", {"version": 1, "title_en": "Changed"}),
        client.post(
            f"{old}/targets/{target.pk}/", {"version": 1, "value": "99", "direction": "reach"}
        ),
        client.post(f"{old}/targets/{target.pk}/delete/", {"version": 1}),
    ]
    assert [r.status_code for r in refused] == [409, 409, 409]
    assert "superseded: edit the current revision" in text_of(refused[0])
    assert "Edit text" not in text_of(client.get(f"{old}/"))
    assert "Edit text" in text_of(client.get(f"/en/plans/{SLUG}/III.1.1/"))
    target.refresh_from_db()
    assert (target.value, target.version) == (10, 1)
    current = pm25(draft)
    assert (
        client.post(
            f"/en/plans/{SLUG}/revisions/2/III.1.1/targets/{current.pk}/delete/", {"version": "abc"}
        ).status_code
        == 400
    )
