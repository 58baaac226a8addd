"""Precision and recall of the parser against the hand-written gold files."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from hrap.ingest.structure import ParsedDocument

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
# Their refs are the parser's own invention, so nodes are matched by kind and the first letters
# of their title (or text, where an action has no heading sentence), and targets by value, unit
# and direction.

WORLD = GOLD / "world"


def world_gold_files(*, held_out: bool | None = None) -> list[Path]:
    files = sorted(WORLD.glob("*.json"))
    if held_out is None:
        return files
    return [f for f in files if load(f).get("held_out", False) == held_out]


def _key(text: str) -> str:
    return _title_key(re.sub(r"\s+", " ", text))


def _f1(p: float, r: float) -> float:
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def world_score(parsed: ParsedDocument, gold: dict[str, Any]) -> dict[str, Any]:
    nodes = list(parsed.walk())
    found = Counter((n.kind, _key(n.title or n.text)) for n in nodes)
    expected = Counter((k, _key(t)) for k, t in gold["nodes"])
    structure = _prf(found, expected)
    structure["f1"] = _f1(structure["precision"], structure["recall"])

    def recall_of(kind: str) -> float:
        wanted = Counter(key for k, key in expected.elements() if k == kind)
        got = Counter(key for k, key in found.elements() if k == kind)
        return round(sum((wanted & got).values()) / sum(wanted.values()), 4) if wanted else 1.0

    targets = _prf(
        Counter((float(t.value), t.unit, t.direction) for n in nodes for t in n.targets),
        Counter((float(v), u, d) for v, u, d in gold["targets"]),
    )
    targets["f1"] = _f1(targets["precision"], targets["recall"])
    return {
        "structure": structure,
        "parts_found": recall_of("part"),
        "actions_found": recall_of("task"),
        "targets": targets,
    }
