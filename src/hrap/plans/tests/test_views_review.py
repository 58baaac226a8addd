"""Reviewing an ingested draft: source beside each node, corrections recorded, publication."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import strip_tags

from hrap.core.models import AuditEvent
from hrap.plans import services
from hrap.plans.models import Assignment, Plan, PlanNode
from hrap.plans.sample import DOCUMENTS
from hrap.plans.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
SLUG = "cn-nhrap-2021-2025"
BASE = f"/en/plans/{SLUG}/revisions/2"


@pytest.fixture
def draft(sample_plan: Plan) -> Plan:
    call_command("ingest", *map(str, DOCUMENTS), "--plan", SLUG, stdout=None, stderr=None)
    return Plan.objects.get(slug=SLUG, status=Plan.Status.DRAFT)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", strip_tags(response.content.decode()))


def test_the_public_sees_the_current_revision_and_never_the_draft(
    client: Client, draft: Plan
) -> None:
    assert draft.revision == 2
    assert client.get(f"{BASE}/").status_code == 404
    assert client.get(f"{BASE}/review/").status_code == 302  # to the login page
    page = text_of(client.get(f"/en/plans/{SLUG}/"))
    assert "revision" not in page.lower() or "Revisions" not in page


def test_members_cannot_review_or_publish(client: Client, member, draft: Plan) -> None:
    client.force_login(member)
    assert client.get(f"{BASE}/review/").status_code == 404
    assert client.post(f"{BASE}/publish/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DRAFT


def test_review_shows_each_node_beside_its_source(client: Client, staff, draft: Plan) -> None:
    client.force_login(staff)
    response = client.get(f"{BASE}/review/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="node-II.1.3"' in html
    assert "——嚴格慎重適用死刑。強化死刑復核程序" in html  # the source in its own script
    assert "compiled_en.txt, line 36" in html
    assert "VII: only in the zh-Hans document" in html  # the ingester's report


def test_row_corrections_are_applied_and_recorded(client: Client, staff, draft: Plan) -> None:
    client.force_login(staff)

    def bulk(action: str, *refs: str, **extra: str):
        ids = [PlanNode.objects.get(plan=draft, ref=r).pk for r in refs]
        version = Plan.objects.get(pk=draft.pk).version
        data = {"action": action, "nodes": ids, "version": version, "confirm": "1", **extra}
        return client.post(f"{BASE}/review/bulk/", data)

    bulk("up", "VI.1.2")
    order = list(
        PlanNode.objects.filter(plan=draft, parent__ref="VI.1")
        .order_by("position")
        .values_list("ref", flat=True)
    )
    assert order[:2] == ["VI.1.2", "VI.1.1"]
    refused = bulk("kind", "VI.1.2", kind="part")
    assert refused.status_code == 400
    assert PlanNode.objects.get(plan=draft, ref="VI.1.2").kind == "task"  # no part in a section
    bulk("kind", "VI.1.2", kind="subtask")
    assert PlanNode.objects.get(plan=draft, ref="VI.1.2").kind == "subtask"
    bulk("merge", "III.1.2")
    merged = PlanNode.objects.get(plan=draft, ref="III.1.1")
    assert not PlanNode.objects.filter(plan=draft, ref="III.1.2").exists()
    assert "Strengthening water treatment and protection. China will continue" in merged.text["en"]
    version = Plan.objects.get(pk=draft.pk).version
    client.post(f"{BASE}/III.1.1/structure/", {"paragraph": "2", "version": version})
    split = PlanNode.objects.get(plan=draft, ref="III.1.1-2")
    assert split.text["en"].startswith("Strengthening water treatment")
    actions = list(
        AuditEvent.objects.filter(action__startswith="node")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["nodes.move", "nodes.kind", "nodes.merge", "node.split"]


def test_publishing_supersedes_the_current_revision_and_keeps_assignments(
    client: Client, staff, draft: Plan
) -> None:
    current = Plan.objects.get(slug=SLUG, status=Plan.Status.ACTIVE)
    agency = AgencyFactory.create(code="mee")
    services.assignment_set(
        node=current.nodes.get(ref="III.1.1"), actor=staff, agency=agency, role="lead"
    )
    client.force_login(staff)
    preview = text_of(client.get(f"{BASE}/publish/"))
    assert "1 carried over by ref" in preview
    response = client.post(f"{BASE}/publish/", {"version": draft.version})
    assert response.status_code == 302 and response["Location"] == f"/en/plans/{SLUG}/"
    draft.refresh_from_db()
    current.refresh_from_db()
    assert (draft.status, current.status) == (Plan.Status.ACTIVE, Plan.Status.SUPERSEDED)
    assert Assignment.objects.get(node__plan=draft).node.ref == "III.1.1"
    assert Assignment.objects.filter(node__plan=current).exists()  # history keeps its own
    page = text_of(client.get(f"/en/plans/{SLUG}/"))
    assert "revision 1" in page and "revision 2" in page
    published = AuditEvent.objects.get(action="plan.publish")
    assert published.after is not None and published.after["assignments_carried"] == 1
    # The published revision's structure is fixed.
    node = PlanNode.objects.get(plan=draft, ref="III.1.2")
    response = client.post(
        f"/en/plans/{SLUG}/review/bulk/",
        {"action": "merge", "nodes": [node.pk], "version": draft.version, "confirm": "1"},
    )
    assert response.status_code == 409
    assert PlanNode.objects.filter(plan=draft, ref="III.1.2").exists()


def test_discarding_a_draft_removes_it(client: Client, staff, draft: Plan) -> None:
    client.force_login(staff)
    asked = client.post(f"{BASE}/discard/")
    assert asked.status_code == 200 and Plan.objects.filter(pk=draft.pk).exists()
    client.post(f"{BASE}/discard/", {"confirm": "1"})
    assert not Plan.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="plan.discard").exists()
