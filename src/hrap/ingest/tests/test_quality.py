"""The parser on the corpus, rendered into every format, against hand-written gold files.

Gold files (gold/*.json) list every part, section and task and every quantitative target of
each corpus document, as a person reads it. The figures printed here are the ones reported.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from hrap.ingest import ingest, read_and_parse
from hrap.ingest.tests import quality, render, render_world

CASES = [
    (gold, fmt)
    for gold in quality.gold_files()
    for fmt in render.formats_for(quality.source_of(quality.load(gold)))
]
WORLD_CASES = [(gold, fmt) for gold in quality.world_gold_files() for fmt in render_world.FORMATS]


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict]:
    out = tmp_path_factory.mktemp("rendered")
    results = {}
    for gold_path, fmt in CASES:
        gold = quality.load(gold_path)
        path = render.render(quality.source_of(gold), fmt, out)
        results[(gold_path.stem, fmt)] = quality.score(read_and_parse(path), gold)
    return results


def test_every_document_renders_in_every_format() -> None:
    formats = {fmt for _, fmt in CASES}
    assert formats == set(render.FORMATS)
    assert len(quality.gold_files()) == 13
    assert {fmt for _, fmt in WORLD_CASES} == set(render_world.FORMATS)
    assert len(quality.world_gold_files(held_out=False)) >= 3
    # Between rounds every plan may have been read: each says how it stands in the split.
    for gold in quality.world_gold_files():
        loaded = quality.load(gold)
        assert (
            loaded.get("held_out")
            or "moved_to_development" in loaded
            or gold.stem in ("lr-nhrap-2013-2018")
        ), gold


def _held_out(document: str) -> bool:
    return bool(quality.load(quality.GOLD / f"{document}.json").get("held_out"))


@pytest.mark.slow
def test_structure_is_found_in_every_format(scores: dict) -> None:
    by_format: dict[str, list[float]] = defaultdict(list)
    for (document, fmt), score in scores.items():
        s = score["structure"]
        if _held_out(document):
            continue  # measured, not asserted: see test_held_out_plans_are_measured
        by_format[fmt] += [s["precision"], s["recall"]]
        # Every part, section and task of every document, whatever the format.
        assert s["recall"] >= 0.98 and s["precision"] >= 0.98, (document, fmt, s)
    print(json.dumps({fmt: min(v) for fmt, v in by_format.items()}))


@pytest.mark.slow
def test_targets_are_found_in_every_format(scores: dict) -> None:
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (document, fmt), score in scores.items():
        if _held_out(document):
            continue
        t = score["targets"]
        totals[fmt]["hits_p"] += t["precision"] * t["found"]
        totals[fmt]["hits_r"] += t["recall"] * t["expected"]
        totals[fmt]["found"] += t["found"]
        totals[fmt]["expected"] += t["expected"]
    figures = {
        fmt: {
            "precision": round(v["hits_p"] / v["found"], 3),
            "recall": round(v["hits_r"] / v["expected"], 3),
        }
        for fmt, v in totals.items()
    }
    print(json.dumps(figures))
    for fmt, figure in figures.items():
        # Misses measured today: "double" (×2) and a figure sharing "an additional" with another.
        assert figure["recall"] >= 0.85 and figure["precision"] >= 0.9, (fmt, figure)


def test_gold_files_are_complete(tmp_path: Path) -> None:
    for gold_path in quality.gold_files():
        gold = quality.load(gold_path)
        assert quality.source_of(gold).exists(), gold_path
        assert gold["nodes"], gold_path


def test_two_documents_in_two_formats_align_into_one_tree(tmp_path: Path) -> None:
    zh_gold = quality.load(quality.GOLD / "compiled_zh.json")
    en_gold = quality.load(quality.GOLD / "compiled_en.json")
    zh = render.render(quality.source_of(zh_gold), "docx-numbering", tmp_path)
    en = render.render(quality.source_of(en_gold), "pdf", tmp_path)
    result = ingest([zh, en], slug="cn-nhrap-2021-2025", jurisdiction="CN")
    part_three = next(n for n in result.document["nodes"] if n["ref"] == "III")
    assert part_three["number"] == {"zh-Hans": "三", "en": "III"}
    assert part_three["title"] == {"zh-Hans": "环境权利", "en": "Environmental Rights"}
    assert [s["title"].get("zh-Hans") for s in part_three["children"]][:2] == [
        "污染防治",
        "生态环境信息公开",
    ]
    assert (
        result.report[0] == "7 parts, 34 sections, 31 tasks, 0 sub-tasks, 7 targets (zh-Hans, en)"
    )
    assert "VII: only in the zh-Hans document" in " ".join(result.report)


@pytest.fixture(scope="module")
def world_scores(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict]:
    out = tmp_path_factory.mktemp("rendered-world")
    results = {}
    for gold_path, fmt in WORLD_CASES:
        gold = quality.load(gold_path)
        path = render_world.render(quality.source_of(gold), fmt, out)
        results[(gold_path.stem, fmt)] = quality.world_score(read_and_parse(path), gold)
    return results


# Lowest figures measured on the development set (2026-12-02, third round), per plan where it
# falls below the common floor: parts, actions, target precision, structure F1.
FLOORS = {"parts": 0.95, "actions": 0.9, "target_precision": 0.75, "structure_f1": 0.65}
EXCEPTIONS = {
    # the heading over all areas and the overall goal are lines without typography: not found
    "cn-ln-children-2001-2010": {"parts": 0.5},
    # the gold reads the components 4.2.N as sections and their outputs as tasks; the parser
    # follows the decimal depth (4.2.N tasks, outputs sub-tasks)
    "lr-reconciliation-roadmap-2013": {"structure_f1": 0.1},
    # narrative third-level sections and lists are nodes the gold leaves as text
    "cd-pan1325-2": {"structure_f1": 0.4},
}


@pytest.mark.slow
def test_plans_of_other_governments_are_read_in_every_format(world_scores: dict) -> None:
    """The plans developed on: parts, actions as tasks, targets, whatever the format."""
    for (document, fmt), score in world_scores.items():
        if quality.load(quality.WORLD / f"{document}.json").get("held_out"):
            continue
        floor = FLOORS | EXCEPTIONS.get(document, {})
        assert score["parts_found"] >= floor["parts"], (document, fmt, score)
        assert score["actions_found"] >= floor["actions"], (document, fmt, score)
        assert score["targets"]["precision"] >= floor["target_precision"], (document, fmt, score)
        assert score["structure"]["f1"] >= floor["structure_f1"], (document, fmt, score)


@pytest.mark.slow
def test_held_out_plans_are_measured(world_scores: dict, scores: dict) -> None:
    """Plans kept out of development: their figures are printed (and reported), not tuned to.
    Each must at least be read into a tree."""
    figures = {
        f"{document} {fmt}": {
            "parts": score["parts_found"],
            "actions": score["actions_found"],
            "structure_f1": score["structure"]["f1"],
            "target_precision": score["targets"]["precision"],
        }
        for (document, fmt), score in world_scores.items()
        if quality.load(quality.WORLD / f"{document}.json").get("held_out")
    }
    figures |= {
        f"{document} {fmt}": {"structure_recall": score["structure"]["recall"]}
        for (document, fmt), score in scores.items()
        if _held_out(document)
    }
    print(json.dumps(figures, indent=1))
    assert figures
    assert all(score["structure"]["found"] for score in world_scores.values())
