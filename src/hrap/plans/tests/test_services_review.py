"""Correcting a draft: bulk corrections audited per node, undo, facts, proposed assignments."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from hrap.accounts.system import system_actor
from hrap.core.errors import EditConflict, InvalidInput, InvalidTransition, NotFound
from hrap.core.models import AuditEvent
from hrap.directory.services import agency_create
from hrap.plans import planfile, review, review_fields, selectors, services
from hrap.plans.models import (
    Assignment,
    Plan,
    PlanNode,
    ProposedAssignment,
    ReviewCheckpoint,
    Target,
)
from hrap.plans.tests.drafts import action_table, import_draft, misread_tree

pytestmark = pytest.mark.django_db


def ids(plan: Plan, **filters) -> list[int]:
    return list(PlanNode.objects.filter(plan=plan, **filters).values_list("pk", flat=True))


def kinds(plan: Plan) -> dict[str, str]:
    return dict(PlanNode.objects.filter(plan=plan).values_list("ref", "kind"))


def fresh(plan: Plan) -> Plan:
    return Plan.objects.get(pk=plan.pk)


def recorded(action: str) -> list[tuple[Any, Any]]:
    """Before and after of each audit event of this action, oldest first."""
    events = AuditEvent.objects.filter(action=action).order_by("id")
    return [(e.before or {}, e.after or {}) for e in events]


def test_a_misread_tree_is_fixed_by_two_bulk_corrections_each_one_audit_event(staff) -> None:
    plan = import_draft(misread_tree())
    assert PlanNode.objects.filter(plan=plan).count() == 64
    review.nodes_set_kind(
        plan=plan, actor=staff, version=plan.version, node_ids=ids(plan, depth=1), kind="section"
    )
    review.nodes_set_kind(
        plan=plan, actor=staff, version=plan.version, node_ids=ids(plan, depth=2), kind="task"
    )
    assert set(kinds(plan).values()) == {"part", "section", "task"}
    assert kinds(plan)["II.3"] == "section" and kinds(plan)["II.3.4"] == "task"
    events = recorded("nodes.kind")
    assert len(events) == 2
    assert events[0][0]["II.3"] == {"kind": "task"}
    assert events[0][1]["II.3"] == {"kind": "section"}
    assert len(events[1][1]) == 48
    assert fresh(plan).version == 3  # each correction bumps the draft's version


def test_a_kind_that_breaks_the_nesting_is_refused_at_its_row(staff) -> None:
    plan = import_draft(misread_tree(parts=1, sections=2, tasks=2))
    with pytest.raises(InvalidInput) as refused:
        review.nodes_set_kind(
            plan=plan, actor=staff, version=plan.version, node_ids=ids(plan, ref="I.1"), kind="part"
        )
    assert [p.where for p in refused.value.problems] == ["I.1"]
    assert kinds(plan)["I.1"] == "task" and fresh(plan).version == 1


def shape(plan: Plan) -> dict[str, tuple[str | None, str, int]]:
    return {
        n.ref: (n.parent.ref if n.parent else None, n.kind, n.depth)
        for n in PlanNode.objects.filter(plan=plan).select_related("parent")
    }


def test_indent_puts_nodes_under_the_previous_sibling_with_refs_kinds_and_depths(staff) -> None:
    plan = import_draft(misread_tree(parts=1, sections=3, tasks=0))
    review.nodes_indent(
        plan=plan, actor=staff, version=plan.version, node_ids=ids(plan, ref__in=["I.2", "I.3"])
    )
    # Tasks under a task become its sub-tasks, and take its ref as prefix.
    assert shape(plan) == {
        "I": (None, "part", 0),
        "I.1": ("I", "task", 1),
        "I.1.2": ("I.1", "subtask", 2),
        "I.1.3": ("I.1", "subtask", 2),
    }
    [(before, after)] = recorded("nodes.indent")
    assert before["I.2"]["ref"] == "I.2" and before["I.2"]["kind"] == "task"
    assert after["I.2"]["ref"] == "I.1.2" and after["I.2"]["kind"] == "subtask"


def test_nothing_goes_below_a_sub_task(staff) -> None:
    plan = import_draft(misread_tree(parts=1, sections=2, tasks=1))
    with pytest.raises(InvalidInput) as refused:
        review.nodes_indent(plan=plan, actor=staff, version=1, node_ids=ids(plan, ref="I.2"))
    assert [p.where for p in refused.value.problems] == ["I.2.1"]
    assert fresh(plan).version == 1


def test_indent_then_outdent(staff) -> None:
    plan = import_draft(misread_tree(parts=1, sections=2, tasks=2))
    review.nodes_set_kind(
        plan=plan, actor=staff, version=plan.version, node_ids=ids(plan, depth=1), kind="section"
    )
    review.nodes_set_kind(
        plan=plan, actor=staff, version=plan.version, node_ids=ids(plan, depth=2), kind="task"
    )
    review.nodes_indent(plan=plan, actor=staff, version=plan.version, node_ids=ids(plan, ref="I.2"))
    # I.1 already has a task 2: the newcomer's ref gets a suffix, its children follow it.
    assert shape(plan)["I.1.2-2"] == ("I.1", "task", 2)
    assert shape(plan)["I.1.2-2.1"] == ("I.1.2-2", "subtask", 3)
    review.nodes_outdent(
        plan=plan, actor=staff, version=plan.version, node_ids=ids(plan, ref="I.1.2-2")
    )
    after = shape(plan)
    assert after["I.2"] == ("I", "task", 1)  # a level up, its kind kept
    assert after["I.2.2"] == ("I.2", "subtask", 2)
    order = PlanNode.objects.filter(plan=plan, depth=1).order_by("position")
    assert list(order.values_list("ref", flat=True)) == ["I.1", "I.2"]


def test_merge_moves_text_children_and_targets_into_the_previous_node(staff) -> None:
    plan = import_draft(action_table())
    second = PlanNode.objects.get(plan=plan, ref="I.2")
    Target.objects.filter(node__plan=plan).update(node=second)
    merged = review.nodes_merge(plan=plan, actor=staff, version=plan.version, node_ids=[second.pk])
    assert [n.ref for n in merged] == ["I.1"]
    first = PlanNode.objects.get(plan=plan, ref="I.1")
    assert first.text["en"].endswith("Legal aid. Extend legal aid to every county.")
    assert first.targets.count() == 1 and first.proposals.count() == 6
    assert not PlanNode.objects.filter(plan=plan, ref="I.2").exists()
    with pytest.raises(InvalidInput):
        review.nodes_merge(plan=plan, actor=staff, version=fresh(plan).version, node_ids=[first.pk])


def test_undo_puts_back_a_deleted_subtree_with_its_targets_and_assignments(staff) -> None:
    plan = import_draft(action_table())
    review_fields.proposals_accept(plan=plan, actor=system_actor(), version=plan.version)
    before = review.review_tree.state(fresh(plan))
    part = PlanNode.objects.get(plan=plan, ref="I")
    review.nodes_delete(plan=plan, actor=staff, version=fresh(plan).version, node_ids=[part.pk])
    assert not PlanNode.objects.filter(plan=plan).exists()
    assert not Target.objects.filter(node__plan=plan).exists()
    review.review_undo(plan=plan, actor=staff, version=fresh(plan).version)
    after = review.review_tree.state(fresh(plan))
    assert after == before
    assert AuditEvent.objects.filter(action="review.undo").count() == 1
    with pytest.raises(InvalidInput):  # one level: nothing left to undo
        review.review_undo(plan=plan, actor=staff, version=fresh(plan).version)


def test_undo_of_a_split_and_of_a_merge_restores_the_tree(staff) -> None:
    plan = import_draft(misread_tree(parts=1, sections=2, tasks=3))
    before = review.review_tree.state(plan)
    review.nodes_merge(
        plan=plan, actor=staff, version=plan.version, node_ids=ids(plan, ref__in=["I.1.2", "I.2"])
    )
    review.review_undo(plan=plan, actor=staff, version=fresh(plan).version)
    node = PlanNode.objects.get(plan=plan, ref="I.1.1")
    node_update_text = {"en": "One.\n\nTwo."}
    PlanNode.objects.filter(pk=node.pk).update(text=node_update_text)
    before = review.review_tree.state(plan)
    review.node_split(plan=plan, actor=staff, version=fresh(plan).version, node_id=node.pk,
                      paragraph=2)  # fmt: skip
    assert PlanNode.objects.get(plan=plan, ref="I.1.1-2").text == {"en": "Two."}
    review.review_undo(plan=plan, actor=staff, version=fresh(plan).version)
    assert review.review_tree.state(plan)["plans.plannode"] == before["plans.plannode"]


def test_undo_is_refused_once_someone_edited_the_draft(staff) -> None:
    plan = import_draft(misread_tree(parts=1, sections=2, tasks=1))
    review.nodes_set_kind(
        plan=plan, actor=staff, version=plan.version, node_ids=ids(plan, depth=1), kind="section"
    )
    node = PlanNode.objects.get(plan=plan, ref="I.1.1")
    services.node_update(node=node, actor=staff, version=node.version, number={},
                         title={"en": "Edited meanwhile"}, text=node.text)  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        review.review_undo(plan=plan, actor=staff, version=fresh(plan).version)
    assert [p.where for p in refused.value.problems] == ["undo"]
    assert PlanNode.objects.get(pk=node.pk).title == {"en": "Edited meanwhile"}


def test_stale_other_plan_and_published_corrections_are_refused(staff, sample_plan) -> None:
    plan = import_draft(misread_tree(parts=1, sections=1, tasks=1))
    review.nodes_set_kind(
        plan=plan, actor=staff, version=1, node_ids=ids(plan, depth=1), kind="section"
    )
    with pytest.raises(EditConflict):  # a second browser, still at version 1
        review.nodes_set_kind(
            plan=plan, actor=staff, version=1, node_ids=ids(plan, depth=1), kind="task"
        )
    with pytest.raises(NotFound):  # a node of another plan
        review.nodes_delete(
            plan=plan, actor=staff, version=2, node_ids=ids(sample_plan, ref="III.1.1")
        )
    assert PlanNode.objects.filter(plan=sample_plan, ref="III.1.1").exists()
    with pytest.raises(InvalidTransition):  # published: frozen
        review.nodes_delete(
            plan=sample_plan,
            actor=staff,
            version=sample_plan.version,
            node_ids=ids(sample_plan, ref="III.1.1"),
        )


def test_people_without_the_review_right_cannot_correct(member) -> None:
    from hrap.core.errors import PermissionDenied

    plan = import_draft(misread_tree(parts=1, sections=1, tasks=1))
    with pytest.raises(PermissionDenied):
        review.nodes_delete(plan=plan, actor=member, version=1, node_ids=ids(plan))
    assert PlanNode.objects.filter(plan=plan).count() == 3


# --- Facts and the plan file ----------------------------------------------------------------


def test_a_draft_may_leave_jurisdiction_and_period_unknown_but_cannot_be_published(staff) -> None:
    document = misread_tree(parts=1, sections=1, tasks=1)
    with pytest.raises(InvalidInput):
        services.plan_import(raw=json.dumps(document).encode(), actor=system_actor())
    plan = import_draft(document)
    assert (plan.jurisdiction, plan.period_start) == (None, None)
    with pytest.raises(InvalidInput) as refused:
        services.plan_publish(plan=plan, actor=staff)
    assert {p.where for p in refused.value.problems} == {"jurisdiction", "period"}
    review.nodes_set_kind(plan=plan, actor=staff, version=plan.version,
                          node_ids=ids(plan, depth=1), kind="section")  # fmt: skip
    review_fields.plan_set_facts(plan=plan, actor=staff, version=plan.version, jurisdiction="za",
                                 period_start=2024, period_end=2027,
                                 issued_by=[{"en": "Department of Justice"}], adopted=None)  # fmt: skip
    plan.refresh_from_db()
    assert plan.jurisdiction is not None and plan.jurisdiction.code == "ZA"
    assert (plan.period_start, plan.period_end) == (2024, 2027)
    [(before, _after)] = recorded("plan.facts")
    assert before == {"jurisdiction": None, "period_start": None, "period_end": None,
                            "issued_by": []}  # fmt: skip
    services.plan_publish(plan=plan, actor=staff)
    assert fresh(plan).status == Plan.Status.ACTIVE
    assert not ReviewCheckpoint.objects.filter(plan=plan).exists()  # nothing left to undo


@pytest.mark.parametrize(
    ("jurisdiction", "start", "end"),
    [("XX", 2024, 2025), ("C\x00", 2024, 2025), ("CN", 2026, 2025), ("CN", 2024, None)],
)
def test_impossible_facts_are_refused(staff, jurisdiction: str, start, end) -> None:
    plan = import_draft(misread_tree(parts=1, sections=1, tasks=1))
    with pytest.raises(InvalidInput):
        review_fields.plan_set_facts(plan=plan, actor=staff, version=1, jurisdiction=jurisdiction,
                                     period_start=start, period_end=end, issued_by=[],
                                     adopted=None)  # fmt: skip
    assert fresh(plan).jurisdiction is None and fresh(plan).version == 1


def test_the_new_plan_file_fields_survive_import_export_import_byte_for_byte(staff) -> None:
    plan = import_draft(action_table())
    first = planfile.dumps(selectors.plan_document(plan=plan))
    exported = json.loads(first)
    assert exported["plan"]["jurisdiction"] is None
    assert exported["plan"]["front_matter"][0]["kind"] == "foreword"
    task = exported["nodes"][0]["children"][0]
    assert task["deadline"]["date"] == "2026-06-30"
    assert task["responsible"][0] == {"name": {"en": "The Ministry of Justice"}, "role": "lead"}
    assert task["details"] == {"budget": {"en": "USD 2 million"}}
    assert task["targets"][0]["baseline"] == {"value": 35.5, "year": 2023}
    again = import_draft(json.loads(first), replace=True)
    assert planfile.dumps(selectors.plan_document(plan=again)) == first
    stored = Target.objects.get(node__plan=again)
    assert (stored.baseline_value, stored.baseline_year) == (Decimal("35.5"), 2023)


def test_a_plan_file_without_the_new_fields_keeps_its_bytes(sample_plan, sample_bytes) -> None:
    assert planfile.dumps(selectors.plan_document(plan=sample_plan)).encode() == sample_bytes


# --- Proposed assignments -------------------------------------------------------------------


@pytest.fixture
def directory(db):
    actor = system_actor()
    return {
        code: agency_create(actor=actor, code=code, name=name)
        for code, name in (
            ("moj", {"zh-Hans": "司法部", "en": "Ministry of Justice"}),
            ("mps", {"zh-Hans": "公安部", "en": "Ministry of Public Security"}),
            (
                "ndrc",
                {
                    "zh-Hans": "国家发展和改革委员会",
                    "en": "National Development and Reform Commission",
                },
            ),
        )
    }


def test_responsible_bodies_are_matched_in_any_language_and_spelling(staff, directory) -> None:
    plan = import_draft(action_table())
    found = {
        (p.node.ref, p.position): (p.agency.code if p.agency else None, p.role)
        for p in ProposedAssignment.objects.filter(node__plan=plan).select_related("node", "agency")
    }
    assert found == {
        ("I.1", 0): ("moj", "lead"),  # "The Ministry of Justice"
        ("I.1", 1): ("mps", "co"),  # 公安部
        ("I.1", 2): (None, "co"),  # Bar Council: not in the directory
        ("I.2", 0): ("moj", "co"),  # "MINISTRY OF JUSTICE (MOJ)"; the document names a lead
        ("I.2", 1): (None, "co"),
        ("I.2", 2): ("ndrc", "lead"),  # 国家发展改革委, the short form
    }
    node = PlanNode.objects.get(plan=plan, ref="I.1")
    assert node.responsible[2] == {"name": {"en": "Bar Council"}, "role": None}  # as printed


def test_one_decision_maps_a_name_on_every_task_and_accepting_assigns(staff, directory) -> None:
    plan = import_draft(action_table())
    bar = agency_create(actor=staff, code="bar", name={"en": "Bar Council"})
    key = ProposedAssignment.objects.filter(node__plan=plan, agency=None)[0].key
    assert (
        review_fields.proposals_map(
            plan=plan, actor=staff, version=plan.version, key=key, agency=bar
        )
        == 2
    )
    made = review_fields.proposals_accept(plan=plan, actor=staff, version=fresh(plan).version)
    assert len(made) == 6
    pairs = set(
        Assignment.objects.filter(node__plan=plan).values_list("node__ref", "agency__code", "role")
    )
    assert ("I.1", "moj", "lead") in pairs and ("I.2", "ndrc", "lead") in pairs
    assert ("I.2", "bar", "co") in pairs
    [(_before, after)] = recorded("proposals.accept")
    assert after["I.1"][0] == {"agency": "moj", "role": "lead"}
    # Accepting again changes nothing: the proposals are accepted.
    assert review_fields.proposals_accept(plan=plan, actor=staff, version=fresh(plan).version) == []


def test_a_second_lead_is_refused_at_its_row(staff, directory) -> None:
    plan = import_draft(action_table())
    node = PlanNode.objects.get(plan=plan, ref="I.1")
    services.assignment_set(node=node, actor=staff, agency=directory["ndrc"], role="lead")
    with pytest.raises(InvalidInput) as refused:
        review_fields.proposals_accept(
            plan=plan, actor=staff, version=fresh(plan).version, node_ids=[node.pk]
        )
    assert [p.where for p in refused.value.problems] == ["I.1"]
    assert Assignment.objects.filter(node=node).count() == 1


def test_publishing_keeps_what_review_assigned_beside_what_it_carries(staff, directory) -> None:
    document = action_table()
    document["plan"]["jurisdiction"] = "CN"
    current = services.plan_import(raw=json.dumps(document).encode(), actor=system_actor())
    services.assignment_set(node=current.nodes.get(ref="I.1"), actor=staff,
                            agency=directory["moj"], role="lead")  # fmt: skip
    draft = import_draft(document)
    review_fields.proposals_accept(plan=draft, actor=staff, version=draft.version)
    services.plan_publish(plan=draft, actor=staff)
    assert (
        Assignment.objects.filter(node__plan=draft, node__ref="I.1", agency__code="moj").count()
        == 1
    )
