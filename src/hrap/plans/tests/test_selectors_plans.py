"""Reading plans: the tree with its counts, one node, and search in Chinese and English."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from hrap.core.errors import NotFound
from hrap.plans import selectors, services
from hrap.plans.models import Plan, PlanNode
from hrap.plans.tests.factories import NodeFactory, PlanFactory

pytestmark = pytest.mark.django_db
anonymous = AnonymousUser()


def refs(hits) -> list[str]:
    return [h.node.ref for h in hits]


def test_tree_counts_sections_tasks_and_targets_per_part(sample_plan) -> None:
    tree = selectors.plan_tree(plan=sample_plan)
    assert [t.node.ref for t in tree] == ["intro", "I", "II", "III", "IV", "V", "VI", "VII"]
    part = {t.node.ref: t for t in tree}
    assert (part["III"].sections, part["III"].tasks, part["III"].total_targets) == (6, 3, 3)
    assert sum(t.sections for t in tree) == 34
    first_section = part["III"].children[0].node
    assert first_section.title["en"] == "Pollution Prevention and Control"


def test_node_page_has_ancestors_children_and_neighbours(sample_plan) -> None:
    page = selectors.node_get(viewer=anonymous, plan=sample_plan, ref="II.1.2")
    assert [a.ref for a in page.ancestors] == ["II", "II.1"]
    assert (page.previous.ref, page.next.ref) == ("II.1.1", "II.1.3")  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        selectors.node_get(viewer=anonymous, plan=sample_plan, ref="IX.9")


def test_drafts_are_hidden_from_the_public(staff) -> None:
    draft = PlanFactory.create(status=Plan.Status.DRAFT)
    assert draft not in selectors.plan_list(viewer=anonymous)
    assert draft in selectors.plan_list(viewer=staff)
    with pytest.raises(NotFound):
        selectors.plan_get(viewer=anonymous, slug=draft.slug)


@pytest.mark.parametrize(
    ("query", "first", "expected"),
    [
        (
            "生命权",
            "II.1",
            {"II.1", "II.1.2"},
        ),  # the section, and the task on the right to life in emergencies
        ("死刑", "II.1.3", {"II.1.3"}),
        ("死刑复核", "II.1.3", {"II.1.3"}),
        ("生命權", "II.1", {"II.1", "II.1.2"}),  # a query in traditional script
        ("法律援助", "II.8.5", {"II.8.5"}),
        ("death penalty", "II.1.3", {"II.1.3"}),
        ("PM2.5", "III.1.1", {"III.1.1"}),
        ("Environmental Rights", "III", {"III"}),
    ],
)
def test_search_finds_the_right_nodes(
    sample_plan, query: str, first: str, expected: set[str]
) -> None:
    _, hits = selectors.node_search(viewer=anonymous, query=query)
    assert refs(hits)[0] == first
    assert expected <= set(refs(hits))


def test_search_reads_traditional_script_in_the_database(sample_plan, staff) -> None:
    node = PlanNode.objects.get(plan=sample_plan, ref="II.1.3")
    # As one source site served it: traditional script.
    services.node_update(
        node=node,
        actor=staff,
        version=1,
        number={},
        title={"zh-Hans": "嚴格慎重適用死刑"},
        text={"zh-Hans": "強化死刑復核程序"},
    )
    _, hits = selectors.node_search(viewer=anonymous, query="死刑复核")
    assert refs(hits) == ["II.1.3"]
    assert hits[0].match == "死刑"


def test_search_needs_every_word_and_skips_drafts(sample_plan) -> None:
    assert selectors.node_search(viewer=anonymous, query="死刑 pollution")[1] == []
    draft = PlanFactory.create(status=Plan.Status.DRAFT)
    NodeFactory.create(plan=draft, title={"zh-Hans": "死刑草案"}, search_text="死刑草案")
    assert refs(selectors.node_search(viewer=anonymous, query="死刑")[1]) == ["II.1.3"]
    assert selectors.node_search(viewer=anonymous, query="   ") == ([], [])
