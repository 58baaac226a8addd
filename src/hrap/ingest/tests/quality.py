"""Precision and recall of the parser against the hand-written gold files."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from hrap.ingest.structure import ParsedDocument, ParsedNode

GOLD = Path(__file__).parent / "gold"
PACKAGE = Path(__file__).resolve().parents[2]  # src/hrap: gold sources are relative to it


def gold_files() -> list[Path]:
    return sorted(GOLD.glob("*.json"))


def load(gold: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(gold.read_text(encoding="utf-8"))
    return loaded


def source_of(gold: dict[str, Any]) -> Path:
    return PACKAGE / gold["source"]


def _title_key(title: str) -> str:
    return re.sub(r"[\W_]+", "", title.casefold())[:20]


def _prf(found: Counter[Any], expected: Counter[Any]) -> dict[str, float]:
    hits = sum((found & expected).values())
    precision = hits / sum(found.values()) if found else 1.0
    recall = hits / sum(expected.values()) if expected else 1.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "found": sum(found.values()),
        "expected": sum(expected.values()),
    }


def score(parsed: ParsedDocument, gold: dict[str, Any]) -> dict[str, dict[str, float]]:
    nodes = Counter((n.kind, n.ref, _title_key(n.title)) for n in parsed.walk())
    expected_nodes = Counter((k, r, _title_key(t)) for k, r, t in gold["nodes"])
    targets = Counter(
        (n.ref, float(t.value), t.unit, t.direction, t.relative)
        for n in parsed.walk()
        for t in n.targets
    )
    expected_targets = Counter((r, float(v), u, d, rel) for r, v, u, d, rel in gold["targets"])
    return {"structure": _prf(nodes, expected_nodes), "targets": _prf(targets, expected_targets)}


# --- Plans of other governments (gold/world/*.json) -------------------------------------------
#
# Their refs are the parser's own invention, so a node is matched the way a person would match
# it: by the start of its title or, where an action has no heading sentence, of its text; a
# title that keeps the document's label and counter ("Action Item 1 – Coordination") matches
# the bare title ("Coordination"). Parts must be parts. An action (a gold task) is found when a
# node of any kind below the parts has its title or text and is a leaf or holds only leaves
# (its sub-tasks): a plan read correctly is not scored 0 because the parser called the
# document's actions sub-tasks or its objectives sections. Targets match by value, unit and
# direction. Decision 0027 writes the metric down.

WORLD = GOLD / "world"


def world_gold_files(*, held_out: bool | None = None) -> list[Path]:
    files = sorted(WORLD.glob("*.json"))
    if held_out is None:
        return files
    return [f for f in files if load(f).get("held_out", False) == held_out]


def _key(text: str) -> str:
    return _title_key(re.sub(r"\s+", " ", text))


# A label and counter that open a heading: "Action Item 3 –", "Objectif 4 :", "Commitment 2.",
# "4.2.1", "(iii)", "第三条", "目标一、".
_LABEL = re.compile(
    r"^\s*(?:[^\W\d_]+(?:\s+[^\W\d_]+)?\s*)?"
    r"(?:\d+(?:\.\d+)*|[IVXLC]+|[A-Z]|[一二三四五六七八九十百]+|\([ivx\d]+\))"
    r"(?:\s*[.:：、\-–—)]\s*|\s+)(?=\S)"
)


def _keys(node: ParsedNode) -> list[str]:
    """Every start of a node a person would recognise it by, best first."""
    title, text = node.title.strip(), node.text.strip()
    candidates = [title, _LABEL.sub("", title, count=1), f"{title} {text}", text]
    keys: list[str] = []
    for candidate in candidates:
        key = _key(candidate)
        if key and key not in keys:
            keys.append(key)
    return keys


def _f1(p: float, r: float) -> float:
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def _match(found: list[tuple[str, list[str]]], expected: Counter[tuple[str, str]]) -> int:
    """How many found (kind, keys) meet an expected (kind, key), each expected entry once."""
    left = Counter(expected)
    hits = 0
    for kind, keys in found:
        key = next((k for k in keys if left[(kind, k)] > 0), None)
        if key is not None:
            left[(kind, key)] -= 1
            hits += 1
    return hits


def _is_action_node(node: ParsedNode) -> bool:
    return node.kind not in ("part", "introduction") and all(
        not child.children for child in node.children
    )


def world_score(parsed: ParsedDocument, gold: dict[str, Any]) -> dict[str, Any]:
    nodes = list(parsed.walk())
    expected = Counter((k, _key(t)) for k, t in gold["nodes"])
    found = [(n.kind, _keys(n)) for n in nodes]
    hits = _match(found, expected)
    total_expected = sum(expected.values())
    structure: dict[str, float] = {
        "precision": round(hits / len(found), 4) if found else 1.0,
        "recall": round(hits / total_expected, 4) if total_expected else 1.0,
        "found": len(found),
        "expected": total_expected,
    }
    structure["f1"] = _f1(structure["precision"], structure["recall"])

    def recall_of(kind: str, candidates: list[ParsedNode]) -> float:
        wanted = Counter(("", key) for k, key in expected.elements() if k == kind)
        if not wanted:
            return 1.0
        got = _match([("", _keys(n)) for n in candidates], wanted)
        return round(got / sum(wanted.values()), 4)

    targets = _prf(
        Counter((float(t.value), t.unit, t.direction) for n in nodes for t in n.targets),
        Counter((float(v), u, d) for v, u, d in gold["targets"]),
    )
    targets["f1"] = _f1(targets["precision"], targets["recall"])
    return {
        "structure": structure,
        "parts_found": recall_of("part", [n for n in nodes if n.kind == "part"]),
        "actions_found": recall_of("task", [n for n in nodes if _is_action_node(n)]),
        "targets": targets,
    }
