"""Editing a plan: every change checked, versioned and recorded with who, when, before and after."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hrap.accounts.system import system_actor
from hrap.core.errors import EditConflict, InvalidInput, PermissionDenied
from hrap.core.models import AuditEvent
from hrap.plans import services
from hrap.plans.models import Assignment, Plan, PlanNode, Target
from hrap.plans.tests.factories import AgencyFactory, NodeFactory, TargetFactory

pytestmark = pytest.mark.django_db


def test_editing_a_node_records_who_and_before_after(staff, sample_plan) -> None:
    node = PlanNode.objects.get(plan=sample_plan, ref="II.1.3")
    services.node_update(
        node=node,
        actor=staff,
        version=node.version,
        number={},
        title={**node.title, "en": "Strictly controlling the death penalty"},
        text=node.text,
    )
    node.refresh_from_db()
    assert node.title["en"] == "Strictly controlling the death penalty"
    assert node.version == 2
    event = AuditEvent.objects.get(action="node.update")
    assert event.actor == staff
    assert event.before == {
        "title": {
            "zh-Hans": "严格慎重适用死刑",
            "en": "Strictly controlling and prudently applying the death penalty",
        }
    }
    assert event.after == {
        "title": {**event.before["title"], "en": "Strictly controlling the death penalty"}
    }
    assert "death penalty" in node.search_text  # search sees the edit at once


def test_a_stale_edit_is_refused_and_the_first_edit_kept(staff, sample_plan) -> None:
    node = PlanNode.objects.get(plan=sample_plan, ref="II.1")
    loaded_version = node.version
    services.node_update(
        node=node,
        actor=staff,
        version=loaded_version,
        number=node.number,
        title={"en": "First"},
        text=node.text,
    )
    with pytest.raises(EditConflict) as conflict:
        services.node_update(
            node=node,
            actor=staff,
            version=loaded_version,
            number=node.number,
            title={"en": "Second"},
            text=node.text,
        )
    assert (conflict.value.current_version, conflict.value.submitted_version) == (2, 1)
    node.refresh_from_db()
    assert node.title == {"en": "First"}


def test_saving_without_a_change_writes_nothing(staff, sample_plan) -> None:
    node = PlanNode.objects.get(plan=sample_plan, ref="II.1")
    services.node_update(
        node=node,
        actor=staff,
        version=1,
        number=node.number,
        title={**node.title},
        text={**node.text},
    )
    node.refresh_from_db()
    assert node.version == 1
    assert not AuditEvent.objects.filter(action="node.update").exists()


def test_people_without_the_right_cannot_edit(member, sample_plan) -> None:
    node = PlanNode.objects.get(plan=sample_plan, ref="II.1")
    with pytest.raises(PermissionDenied):
        services.node_update(
            node=node, actor=member, version=1, number={}, title={"en": "x"}, text={}
        )
    with pytest.raises(PermissionDenied):
        services.target_create(
            node=node,
            actor=member,
            indicator={"en": "x"},
            value=Decimal(1),
            unit="",
            direction="reach",
            relative=False,
        )


def test_targets_are_created_updated_and_deleted_with_audit(staff) -> None:
    node = NodeFactory.create()
    target = services.target_create(
        node=node,
        actor=staff,
        indicator={"en": "PM2.5 intensity"},
        value=Decimal("10"),
        unit="%",
        direction="decrease",
        relative=True,
        year=2025,
        span={"en": "to fall by 10 percent"},
    )
    updated = services.target_update(
        target=target,
        actor=staff,
        version=target.version,
        value=Decimal("12.5"),
        unit="%",
        direction="decrease",
        relative=True,
        year=2025,
    )
    assert updated.value == Decimal("12.5") and updated.version == 2
    event = AuditEvent.objects.get(action="target.update")
    assert event.before is not None and event.after is not None
    assert (event.before["value"], event.after["value"]) == ("10", "12.5")
    with pytest.raises(EditConflict):
        services.target_delete(target=updated, actor=staff, version=1)
    services.target_delete(target=updated, actor=staff, version=2)
    assert not Target.objects.exists()
    assert AuditEvent.objects.filter(action="target.delete", before__value="12.5").exists()


def test_a_target_without_indicator_or_with_a_bad_year_is_refused(staff) -> None:
    target = TargetFactory.create()
    with pytest.raises(InvalidInput) as refused:
        services.target_create(
            node=target.node,
            actor=staff,
            indicator={"en": "  "},
            value=Decimal(1),
            unit="",
            direction="reach",
            relative=False,
            year=1066,
        )
    assert [p.where for p in refused.value.problems] == ["indicator", "year"]
    target.refresh_from_db()
    assert target.version == 1


def test_assignments_are_set_changed_and_removed(staff) -> None:
    node, agency = NodeFactory.create(), AgencyFactory.create()
    services.assignment_set(node=node, actor=staff, agency=agency, role="co")
    assignment = services.assignment_set(node=node, actor=staff, agency=agency, role="lead")
    assert Assignment.objects.get().role == "lead"
    services.assignment_remove(assignment=assignment, actor=staff)
    assert not Assignment.objects.exists()
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "assignment.create",
        "assignment.update",
        "assignment.delete",
    ]


def test_parts_are_not_assigned(staff) -> None:
    with pytest.raises(InvalidInput, match="only sections, tasks"):
        services.assignment_set(
            node=NodeFactory.create(kind="part"),
            actor=staff,
            agency=AgencyFactory.create(),
            role="lead",
        )


def test_reimporting_keeps_assignments_by_ref(staff, sample_plan, sample_bytes) -> None:
    node = PlanNode.objects.get(plan=sample_plan, ref="III.1.1")
    agency = AgencyFactory.create(code="mee")
    services.assignment_set(node=node, actor=staff, agency=agency, role="lead")
    services.plan_import(raw=sample_bytes, actor=system_actor(), replace=True)
    kept = Assignment.objects.get(node__plan__status=Plan.Status.ACTIVE)
    assert (kept.node.ref, kept.agency.code, kept.role) == ("III.1.1", "mee", "lead")
    assert (kept.node.plan.revision, node.assignments.count()) == (2, 1)  # history keeps its own
