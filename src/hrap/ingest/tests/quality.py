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
