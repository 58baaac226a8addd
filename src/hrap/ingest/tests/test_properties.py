"""Property-based: any text is parsed or refused cleanly; a generated plan survives text form."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hrap.core.errors import IngestError
from hrap.ingest.readers import read_text
from hrap.ingest.structure import parse


@given(st.text(max_size=2000))
@settings(max_examples=300, deadline=None)
def test_any_text_is_parsed_or_refused_cleanly(text: str) -> None:
    try:
        blocks = read_text(text.encode("utf-8", "surrogatepass"), "any.txt")
        document = parse(blocks, name="any.txt")
    except IngestError as exc:
        assert str(exc)  # a reason, never an empty message
        return
    for node in document.walk():
        assert node.kind in {"introduction", "part", "section", "task", "subtask"}
        for target in node.targets:
            assert target.span and target.span in node.text + node.title


@given(
    st.lists(
        st.sampled_from(["I. ", "1. ", "- ", "——", "(一)", "一、", "\n", "。", ". ", "x"]),
        max_size=300,
    ).map("".join)
)
@settings(max_examples=200, deadline=None)
def test_markers_in_any_order_never_crash(text: str) -> None:
    with contextlib.suppress(IngestError):
        parse(read_text(text.encode(), "markers.txt"), name="markers.txt")


# --- Round trip: a generated plan, written as text, parses back to the same tree --------------

WORDS = [
    "rights",
    "health",
    "education",
    "women",
    "children",
    "courts",
    "housing",
    "water",
    "elderly",
    "justice",
    "labour",
    "culture",
    "privacy",
    "environment",
    "minorities",
]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]

heading = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(
    lambda ws: " ".join(ws).capitalize()
)
sentence = st.lists(st.sampled_from(WORDS), min_size=4, max_size=12).map(
    lambda ws: "The state shall protect " + " ".join(ws) + "."
)


@st.composite
def plans(draw: st.DrawFn) -> list[dict[str, Any]]:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        sections = []
        for _ in range(draw(st.integers(0, 4))):
            tasks = [
                {"title": draw(heading), "text": draw(sentence)}
                for _ in range(draw(st.integers(0, 4)))
            ]
            sections.append({"title": draw(heading), "text": draw(sentence), "tasks": tasks})
        parts.append({"title": draw(heading), "text": draw(sentence), "sections": sections})
    return parts


def as_text(parts: list[dict[str, Any]], bullet: str) -> str:
    lines = ["A generated plan", ""]
    for p, part in enumerate(parts):
        lines += [f"{ROMAN[p]}. {part['title']}", "", part["text"], ""]
        for s, section in enumerate(part["sections"], 1):
            lines += [f"{s}. {section['title']}", "", section["text"], ""]
            for task in section["tasks"]:
                lines += [f"{bullet}{task['title']}. {task['text']}", ""]
    return "\n".join(lines)


@given(plans(), st.sampled_from(["-", "- ", "--", "• ", "・", "▪ "]))
@settings(max_examples=80, deadline=None)
def test_a_generated_plan_parses_back_to_the_same_tree(
    parts: list[dict[str, Any]], bullet: str
) -> None:
    document = parse(
        read_text(as_text(parts, bullet).encode(), "generated.txt"), name="generated.txt"
    )
    expected = [("part", ROMAN[p], part["title"], part["text"]) for p, part in enumerate(parts)]
    got = [(n.kind, n.ref, n.title, n.text) for n in document.nodes]
    assert got == expected
    for part_node, part in zip(document.nodes, parts, strict=True):
        assert [(s.kind, s.title, s.text) for s in part_node.children] == [
            ("section", s["title"], s["text"]) for s in part["sections"]
        ]
        for section_node, section in zip(part_node.children, part["sections"], strict=True):
            assert [(t.kind, t.title, t.text) for t in section_node.children] == [
                ("task", t["title"], t["text"]) for t in section["tasks"]
            ]
