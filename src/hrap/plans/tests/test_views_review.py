"""Reviewing an ingested draft: source beside each node, corrections recorded, publication."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils.html import strip_tags

from hrap.core.models import AuditEvent
from hrap.directory.models import Agency
from hrap.plans import review, services
from hrap.plans.models import Assignment, Plan, PlanNode, ProposedAssignment
from hrap.plans.sample import DOCUMENTS
from hrap.plans.tests.drafts import action_table, import_draft, misread_tree
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


# --- The review screen under attack ---------------------------------------------------------


@pytest.fixture
def misread(db) -> Plan:
    return import_draft(misread_tree())


def review_url(plan: Plan, tail: str = "") -> str:
    return f"/en/plans/{plan.slug}/revisions/{plan.revision}/review/{tail}"


def node_ids(plan: Plan, **filters) -> list[int]:
    return list(PlanNode.objects.filter(plan=plan, **filters).values_list("pk", flat=True))


def test_the_page_opens_one_part_and_filters_flagged_rows(client: Client, staff, misread) -> None:
    Plan.objects.filter(pk=misread.pk).update(
        ingest_report=["64 nodes", "III.2: read as a task; its number is a section's", "other"]
    )
    client.force_login(staff)
    html = client.get(review_url(misread)).content.decode()
    # The part with a flagged row is the one open; the problem links to its row.
    assert '<details class="part" id="part-III" data-part="III" open>' in html
    assert '<details class="part" id="part-I" data-part="I">' in html
    assert 'href="?part=III#node-III.2"' in html
    flagged = client.get(review_url(misread), {"flagged": "1"}).content.decode()
    assert flagged.count('<li id="node-') == 1 and 'id="node-III.2"' in flagged


@pytest.mark.parametrize(
    "data",
    [
        {"version": "abc"},
        {"version": "1e30"},
        {"nodes": "abc"},
        {"nodes": "9" * 5000},
        {"nodes": "1\x00"},
        {"action": "explode"},
        {"action": "kind", "kind": "chapter"},
        {"nodes": ""},
    ],
)
def test_absurd_posts_are_refused_with_400_and_change_nothing(
    client: Client, staff, misread, data
) -> None:
    client.force_login(staff)
    post = {"action": "delete", "confirm": "1", "version": 1, "nodes": node_ids(misread)[:1]}
    response = client.post(review_url(misread, "bulk/"), {**post, **data})
    assert response.status_code == 400
    assert PlanNode.objects.filter(plan=misread).count() == 64
    assert Plan.objects.get(pk=misread.pk).version == 1


def test_a_lone_surrogate_is_refused(client: Client, staff, misread) -> None:
    client.force_login(staff)
    for tail, body in (
        ("bulk/", "action=delete&confirm=1&version=1&nodes=%ED%A0%80"),
        ("facts/", "version=1&jurisdiction=%ED%A0%80&period_start=2021&period_end=2025"),
    ):
        response = client.generic(
            "POST", review_url(misread, tail), body, "application/x-www-form-urlencoded"
        )
        assert response.status_code == 400
    assert PlanNode.objects.filter(plan=misread).count() == 64


def test_nodes_of_another_plan_are_not_found(client: Client, staff, misread, sample_plan) -> None:
    client.force_login(staff)
    other = node_ids(sample_plan, ref="III.1.1")
    response = client.post(
        review_url(misread, "bulk/"),
        {"action": "delete", "confirm": "1", "version": 1, "nodes": other},
    )
    assert response.status_code == 404
    assert PlanNode.objects.filter(pk__in=other).exists()


def test_roles_without_review_cannot_correct(client: Client, member, misread) -> None:
    from hrap.accounts.models import Membership, Role

    evaluator = type(member).objects.create_user("evaluator", password="pw-Secret-123")
    Membership.objects.create(user=evaluator, role=Role.EVALUATOR)
    post = {"action": "delete", "confirm": "1", "version": 1, "nodes": node_ids(misread)}
    for user, status in ((member, 404), (evaluator, 403)):
        client.force_login(user)
        assert client.post(review_url(misread, "bulk/"), post).status_code == status
        assert client.post(review_url(misread, "undo/"), {"version": 1}).status_code == status
    assert PlanNode.objects.filter(plan=misread).count() == 64


def test_merge_and_delete_ask_first(client: Client, staff, misread) -> None:
    client.force_login(staff)
    ids = node_ids(misread, ref__in=["I.1.2", "I.1.3"])
    asked = client.post(
        review_url(misread, "bulk/"), {"action": "merge", "nodes": ids, "version": 1}
    )
    assert asked.status_code == 200
    page = text_of(asked)
    assert "Confirm: Merge into previous" in page and "I.1.2" in page and "I.1.3" in page
    assert PlanNode.objects.filter(plan=misread).count() == 64
    done = client.post(
        review_url(misread, "bulk/"),
        {"action": "merge", "nodes": ids, "version": 1, "confirm": "1"},
    )
    assert done.status_code == 302 and done["Location"].endswith("?part=I#node-I.1.1")
    assert PlanNode.objects.filter(plan=misread).count() == 62


def test_a_second_browser_with_the_old_page_is_told_and_keeps_its_selection(
    client: Client, staff, misread
) -> None:
    client.force_login(staff)
    sections = node_ids(misread, depth=1)
    first = {"action": "kind", "kind": "section", "nodes": sections, "version": 1}
    assert client.post(review_url(misread, "bulk/"), first).status_code == 302
    stale = client.post(review_url(misread, "bulk/"), {**first, "kind": "part"})
    assert stale.status_code == 409
    assert "Someone changed this draft after you loaded the page" in text_of(stale)
    html = stale.content.decode()
    assert all(f'value="{pk}" id="sel-{pk}" checked' in html for pk in sections)
    assert set(PlanNode.objects.filter(pk__in=sections).values_list("kind", flat=True)) == {
        "section"
    }


def test_a_refused_correction_is_explained_at_its_row(client: Client, staff, misread) -> None:
    client.force_login(staff)
    response = client.post(
        review_url(misread, "bulk/"),
        {"action": "kind", "kind": "part", "nodes": node_ids(misread, ref="II.2"), "version": 1},
    )
    assert response.status_code == 400
    html = response.content.decode()
    row = html[html.index('id="node-II.2"') : html.index('id="node-II.2.1"')]
    assert "a Part cannot be inside a Part" in row or "cannot be inside" in row
    assert '<details class="part" id="part-II" data-part="II" open>' in html
    # The alert at the top, where the page opens, says it too and links to the row.
    top = html[html.index('id="problems"') : html.index('id="node-II.2"')]
    assert '<a href="?part=II#node-II.2">II.2</a>: ' in top


def test_a_done_correction_is_announced_at_its_row(client: Client, staff, misread) -> None:
    client.force_login(staff)
    response = client.post(
        review_url(misread, "bulk/"),
        {"action": "outdent", "nodes": node_ids(misread, ref="II.2.2"), "version": 1},
        follow=True,
    )
    html = response.content.decode()
    row = html[html.index('id="node-II.2-2"') :]
    assert "Outdented: 1 node." in row[: row.index("</li>")]
    assert 'class="messages"' not in html  # not at the top, out of view


def test_the_review_page_costs_the_same_queries_at_two_sizes(
    client: Client, staff, django_assert_max_num_queries
) -> None:
    small = import_draft(
        {**misread_tree(parts=1), "plan": {**misread_tree()["plan"], "slug": "small"}}
    )
    large = import_draft(misread_tree(parts=6, sections=5, tasks=5))
    client.force_login(staff)
    client.get(review_url(small))
    with django_assert_max_num_queries(14) as small_count:
        client.get(review_url(small))
    with django_assert_max_num_queries(len(small_count.captured_queries)):
        assert client.get(review_url(large)).status_code == 200


@pytest.mark.parametrize(
    "facts",
    [
        {"jurisdiction": "C\x00"},
        {"jurisdiction": "XX"},
        {"period_start": "1e30", "period_end": "2025"},
        {"period_start": "NaN", "period_end": "2025"},
        {"period_start": "9" * 5000, "period_end": "2025"},
        {"period_start": "2026", "period_end": "2025"},
        {"adopted": "2025-02-30"},
        {"version": "abc"},
    ],
)
def test_facts_that_cannot_be_right_are_refused(client: Client, staff, misread, facts) -> None:
    client.force_login(staff)
    data = {"version": 1, "jurisdiction": "CN", "period_start": "2021", "period_end": "2025"}
    response = client.post(review_url(misread, "facts/"), {**data, **facts})
    assert response.status_code == 400
    assert Plan.objects.get(pk=misread.pk).jurisdiction is None


def test_publishing_waits_for_the_facts_and_for_the_version_seen(
    client: Client, staff, misread
) -> None:
    client.force_login(staff)
    publish = f"/en/plans/{misread.slug}/revisions/1/publish/"
    preview = client.get(publish)
    assert "Publishing waits" in text_of(preview) and b"disabled" in preview.content
    refused = client.post(publish, {"version": 1})
    assert refused.status_code == 400
    assert Plan.objects.get(pk=misread.pk).status == Plan.Status.DRAFT
    client.post(review_url(misread, "facts/"),
                {"version": 1, "jurisdiction": "CN", "period_start": 2021, "period_end": 2025})  # fmt: skip
    stale = client.post(publish, {"version": 1})
    assert stale.status_code == 409 and Plan.objects.get(pk=misread.pk).status == "draft"
    assert client.post(publish, {"version": 2}).status_code == 302
    assert Plan.objects.get(pk=misread.pk).status == Plan.Status.ACTIVE


def test_names_are_decided_once_for_every_task(client: Client, staff) -> None:
    plan = import_draft(action_table())
    client.force_login(staff)
    page = text_of(client.get(review_url(plan)))
    assert "responsible bodies not in the directory" in page or "not in the directory" in page
    key = review.name_key({"en": "Bar Council"})
    created = client.post(
        review_url(plan, "names/"),
        {"version": 1, "key": key, "decision": "create", "code": "bar-council"},
    )
    assert created.status_code == 302
    agency = Agency.objects.get(code="bar-council")
    assert agency.name == {"en": "Bar Council"}
    assert ProposedAssignment.objects.filter(node__plan=plan, agency=agency).count() == 2
    assert "<td>Bar Council</td>" not in client.get(review_url(plan)).content.decode()
    # The decision may be changed: dropped, the name is assigned to nobody.
    again = client.post(review_url(plan, "names/"), {"version": 2, "key": key, "decision": "drop"})
    assert again.status_code == 302
    assert set(
        ProposedAssignment.objects.filter(node__plan=plan, key=key).values_list("state", flat=True)
    ) == {"dropped"}
    gone = client.post(review_url(plan, "names/"), {"version": 3, "key": key, "decision": "drop"})
    assert gone.status_code == 404


def test_one_nodes_proposals_and_deadline_are_changed_on_its_page(client: Client, staff) -> None:
    plan = import_draft(action_table())
    agency = AgencyFactory.create(code="moj")
    client.force_login(staff)
    url = f"/en/plans/{plan.slug}/revisions/1/I.1/fields/"
    page = text_of(client.get(url))
    assert "The Ministry of Justice" in page and "USD 2 million" in page and "35.5" in page
    proposal = ProposedAssignment.objects.get(node__plan=plan, node__ref="I.1", position=0)
    saved = client.post(url, {"form": "proposal", "version": 1, "proposal": proposal.pk,
                              "agency": agency.pk, "role": "co", "state": "proposed"})  # fmt: skip
    assert saved.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.agency, proposal.role, proposal.matched_by) == (agency, "co", "reviewer")
    bad = client.post(url, {"form": "deadline", "version": 2, "year": "2026", "day": "2027-01-01"})
    assert bad.status_code == 400
    ok = client.post(url, {"form": "deadline", "version": 2, "year": "", "day": "2027-03-31",
                           "text_en": "end of Q1 2027"})  # fmt: skip
    assert ok.status_code == 302
    node = PlanNode.objects.get(plan=plan, ref="I.1")
    assert node.deadline == {"year": 2027, "date": "2027-03-31", "text": {"en": "end of Q1 2027"}}
    other = ProposedAssignment.objects.get(node__plan=plan, node__ref="I.2", position=0)
    assert client.post(url, {"form": "proposal", "version": 3, "proposal": other.pk,
                             "role": "co", "state": "dropped"}).status_code == 404  # fmt: skip


def test_the_plan_page_shows_front_matter_collapsed_and_unknown_facts(
    client: Client, staff
) -> None:
    plan = import_draft(action_table())
    client.force_login(staff)
    html = client.get(f"/en/plans/{plan.slug}/revisions/1/").content.decode()
    assert '<details class="front-matter"><summary>Front matter (2 parts)</summary>' in html
    assert "We commit." in html and "None" not in text_of(client.get("/en/plans/"))


@pytest.mark.parametrize(
    ("tail", "data"),
    [
        ("names/", {"version": 1, "key": "k" * 5000, "decision": "drop"}),
        ("names/", {"version": 1, "key": "bar council", "decision": "map", "agency": "abc"}),
        ("names/", {"version": 1, "key": "bar council", "decision": "create", "code": "a b\x00"}),
        ("names/", {"version": "abc", "key": "bar council", "decision": "drop"}),
        ("undo/", {"version": "9" * 5000}),
    ],
)
def test_absurd_decisions_are_refused(client: Client, staff, tail: str, data) -> None:
    plan = import_draft(action_table())
    client.force_login(staff)
    assert client.post(review_url(plan, tail), data).status_code == 400
    assert not ProposedAssignment.objects.filter(node__plan=plan).exclude(state="proposed").exists()
    assert Plan.objects.get(pk=plan.pk).version == 1


@pytest.mark.parametrize(
    "data",
    [
        {"form": "deadline", "version": 1, "year": "1e30"},
        {"form": "deadline", "version": 1, "year": "2026", "text_en": "by\x00 2026"},
        {"form": "deadline", "version": 1, "day": "2026-13-01"},
        {"form": "proposal", "version": 1, "proposal": "abc", "role": "lead", "state": "proposed"},
        {"form": "proposal", "version": 1, "proposal": "1", "role": "boss", "state": "proposed"},
    ],
)
def test_absurd_node_fields_are_refused(client: Client, staff, data) -> None:
    plan = import_draft(action_table())
    client.force_login(staff)
    response = client.post(f"/en/plans/{plan.slug}/revisions/1/I.1/fields/", data)
    assert response.status_code == 400
    assert PlanNode.objects.get(plan=plan, ref="I.1").deadline["date"] == "2026-06-30"
