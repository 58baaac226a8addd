"""A document's own numbering conventions: discovered from the document, not known in advance."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrap.ingest import read_and_parse
from hrap.ingest.conventions import is_record, label_marker
from hrap.ingest.readers import Block
from hrap.ingest.structure import ParsedDocument, ParsedNode, parse


def _parse(*paragraphs: str, strong: tuple[int, ...] = ()) -> ParsedDocument:
    blocks = [Block(p, f"line {i}", strong=i in strong) for i, p in enumerate(paragraphs)]
    return parse(blocks)


def _outline(nodes: list[ParsedNode], depth: int = 0) -> list[str]:
    lines: list[str] = []
    for node in nodes:
        lines.append("  " * depth + f"{node.kind} {node.title or node.text[:30]}")
        lines += _outline(node.children, depth + 1)
    return lines


@pytest.mark.parametrize(
    ("text", "label", "value", "rest"),
    [
        ("Action Item 3 – Periodic Updates", "label:action item", 3, "Periodic Updates"),
        ("Action item 2 - Assessment of Needs", "label:action item", 2, "Assessment of Needs"),
        ("Strategy B. Reach rural women", "label:strategy", 2, "Reach rural women"),
        ("Output 1.2: Judges trained", "label:output", 2, "Judges trained"),
        ("Key Result Area 4: Justice", "label:key result area", 4, "Justice"),
        ("目标三、提高妇女健康水平", "label:目标", 3, "提高妇女健康水平"),
        ("第十二条 加强司法保障", "label:第条", 12, "加强司法保障"),
    ],
)
def test_a_label_and_a_counter_are_a_candidate_style(
    text: str, label: str, value: int, rest: str
) -> None:
    marker = label_marker(text)
    assert marker is not None
    assert (marker.style, marker.value, marker.rest) == (label, value, rest)


@pytest.mark.parametrize(
    "text",
    [
        "Figure 4 Peacebuilding framework",  # a caption
        "In 2014, the White House will introduce improvements",  # a year in a sentence
        "Over 700 responses were received",
        "the first 3 judges",  # no capital: not a label
        "Action Item 4",  # a counter with nothing after it
    ],
)
def test_captions_years_and_sentences_are_not_labels(text: str) -> None:
    assert label_marker(text) is None


def test_a_label_whose_counter_counts_up_is_a_numbering_style_whatever_the_label() -> None:
    document = _parse(
        "Language Access Plan",
        "Agency Response to Action Items",
        "Action Item 1 – Coordination",
        "NCD will designate a coordinator.",
        "Action Item 2 – Staff Training",
        "NCD will train its staff every year.",
        "Action Item 3 – Outreach",
        "NCD will work with communities.",
    )
    titles = [n.title for n in document.walk() if n.style == "label:action item"]
    assert titles == ["Coordination", "Staff Training", "Outreach"]
    # "Action" in the label makes these the action level (tasks), as "Commitment 2" would be.
    assert {n.kind for n in document.walk() if n.style == "label:action item"} == {"task"}


def test_a_label_that_does_not_count_is_text() -> None:
    document = _parse(
        "Plan",
        "1. Justice",
        "Goal 16 of the Sustainable Development Goals guides this part.",
        "Goal 4 is about education.",
        "2. Education",
        "The ministry will build 20 schools.",
    )
    assert not any(n.style.startswith("label:") for n in document.walk())


def test_a_line_before_a_counter_that_starts_again_titles_what_follows() -> None:
    document = _parse(
        "Second National Action Plan",
        "Open Government to Increase Public Integrity",
        "1. Improve Public Participation in Government",
        "The Administration will expand public participation.",
        "2. Modernize Management of Government Records",
        "The Administration will modernize records.",
        "Open Government to Manage Resources More Effectively",
        "1. Implement the Extractive Industries Transparency Initiative",
        "The Administration will implement the initiative.",
        "2. Increase Transparency in Spending",
        "The Administration will publish spending data.",
    )
    outline = _outline(document.nodes)
    assert outline == [
        "part Open Government to Increase Public Integrity",
        "  task Improve Public Participation in Government",
        "  task Modernize Management of Government Records",
        "part Open Government to Manage Resources More Effectively",
        "  task Implement the Extractive Industries Transparency Initiative",
        "  task Increase Transparency in Spending",
    ]


def test_labels_of_a_chinese_plan_restart_their_measures_under_them() -> None:
    document = _parse(
        "一、就业权利",
        "主要任务",
        "1、完善就业服务体系",
        "2、加强职业技能培训",
        "保障措施",
        "1、加大财政投入。",
        "2、健全督查机制。",
    )
    outline = _outline(document.nodes)
    assert outline == [
        "part 就业权利",
        "  section 主要任务",
        "    task 完善就业服务体系",
        "    task 加强职业技能培训",
        "  section 保障措施",
        "    task 加大财政投入",
        "    task 健全督查机制",
    ]


def test_run_in_titles_are_items_of_the_numbered_action() -> None:
    document = _parse(
        "Open Government to Increase Public Integrity",
        "1. Modernize the Freedom of Information Act",
        "The Administration has already made progress.",
        "Improve Internal Agency FOIA Processes. Several agencies have analyzed their practices.",
        "Establish a FOIA Modernization Advisory Committee. Improvements must take users' views "
        "into account.",
        "Improve FOIA Training Across Government. Agencies will train their staff.",
        "Open Government to Manage Resources More Effectively",
        "1. Increase Transparency in Spending",
        "The Administration will publish spending data.",
    )
    first = document.nodes[0].children[0]
    assert [c.title for c in first.children] == [
        "Improve Internal Agency FOIA Processes",
        "Establish a FOIA Modernization Advisory Committee",
        "Improve FOIA Training Across Government",
    ]
    assert "already made progress" in first.text


def test_a_list_of_what_was_done_is_a_record_not_actions() -> None:
    assert is_record(
        ["Created a contact list", "Developed promotional materials", "Made presentations"]
    )
    assert not is_record(["Continue research", "Translate documents", "Conduct presentations"])
    document = _parse(
        "Equity Action Plan of the Board",
        "Summary of Early Accomplishments",
        "Board staff have been working toward these goals:",
        "- Created a contact list of professional organizations.",
        "- Developed and began to distribute promotional materials.",
        "- Made presentations to officials.",
        "Equity Action Plan",
        "- Conduct presentations to minority-led organizations.",
        "- Translate Board documents into Spanish.",
    )
    accomplishments = document.nodes[0]
    assert accomplishments.children == []
    assert "Created a contact list" in accomplishments.text
    assert len(document.nodes[1].children) == 2


def test_pasted_lines_that_count_with_a_label_are_blocks_of_their_own(tmp_path: Path) -> None:
    pasted = tmp_path / "plan.txt"
    pasted.write_text(
        "Results framework\n"
        "Key Result Area 1: Access to justice\n"
        "Key Result Area 2: Health for all\n"
        "Key Result Area 3: Education\n",
        encoding="utf-8",
    )
    titles = [n.title for n in read_and_parse(pasted).walk()]
    assert titles == ["Access to justice", "Health for all", "Education"]


def test_a_decimal_outline_has_its_first_level_at_the_top_and_contents_without_leaders() -> None:
    document = _parse(
        "A Strategic Roadmap",
        "TABLE OF CONTENTS",
        "1.0 Context of the Roadmap 10",
        "1.1 Origin of Violence 12",
        "2.0 Strategic Framework 22",
        "1.0 CONTEXT OF THE ROADMAP",
        "Conflict factors identified in 2012 remain critical.",
        "1.1 Origin of Violence and Polarization",
        "History of conflict dates back to the origin of the state.",
        "2.0 STRATEGIC FRAMEWORK",
        "This section elaborates on the priorities of the Roadmap.",
    )
    assert _outline(document.nodes) == [
        "part CONTEXT OF THE ROADMAP",
        "  section Origin of Violence and Polarization",
        "part STRATEGIC FRAMEWORK",
    ]
    assert [f.kind for f in document.front_matter] == ["contents"]


def test_a_results_matrix_without_activities_gives_its_outputs_as_actions() -> None:
    rows = (
        ("Strategic Outcome", "Outputs", "Implementing Structure"),
        (
            "1.0 The wrongs of the civil war addressed",
            "1.1 Ethnographic studies undertaken\n1.2 Public awareness campaign undertaken",
            "Lead: INCHR",
        ),
    )
    blocks = [
        Block("Roadmap", "line 0"),
        Block("4.2.1 Palava Hut process", "line 1"),
        Block("", "line 2", rows=rows),
    ]
    tasks = parse(blocks).nodes[0].children
    assert [t.title or t.text for t in tasks] == [
        "Ethnographic studies undertaken",
        "Public awareness campaign undertaken",
    ]
    assert tasks[0].details["objective"].startswith("1.0 The wrongs")
    assert tasks[0].responsible == [("Lead: INCHR", None)]


def test_an_introductions_own_numbering_is_not_above_the_chapters() -> None:
    document = _parse(
        "Plan d'Action National",
        "INTRODUCTION",
        "La RDC a adhéré à la résolution 1325.",
        "1. Contexte et justification",
        "Le gouvernement avait adopté un premier plan.",
        "2. Méthodologie",
        "(i) Production de la feuille de route ;",
        "(ii) Évaluation du premier plan ;",
        "CHAPITRE 1 : CADRE NORMATIF",
        "1.1. Cadre normatif international",
        "La résolution 1325 renforce les instruments.",
        "CHAPITRE 2 : ÉTAT DES LIEUX",
        "2.1. État de la mise en œuvre",
        "Le PAN 1 couvrait dix thématiques.",
    )
    outline = _outline(document.nodes)
    assert "part CADRE NORMATIF" in outline and "part ÉTAT DES LIEUX" in outline
    assert "  section Cadre normatif international" in outline
    assert outline[0].startswith("introduction")
