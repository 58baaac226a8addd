"""Ingest speed per format, memory on hostile inputs, and quality per corpus document; JSON.

    .venv/bin/python bench/ingest.py [--characters 60000] [--repeat 5] [--no-quality]
                                     [--documents all|development|held-out] [--no-speed]

Speed: a synthetic plan (hrap.plans.synthetic) written out as text and rendered into each
format the way the tests render the corpus. Quality: every document with a gold file, rendered
into every format, scored for structure and targets (precision, recall, F1); plans of other
governments also for parts and actions found; held-out documents are marked.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from hrap.ingest import read_and_parse
from hrap.ingest.tests import quality, render, render_world
from hrap.plans.synthetic import synthetic_plan


def plan_text(characters: int) -> str:
    tasks = 50
    while True:
        document = synthetic_plan(tasks=tasks)
        lines = ["Synthetic plan for benchmarks", ""]
        for part in document["nodes"]:
            lines += [f"{part['number']['en']}. {part['title']['en']}", ""]
            for section in part["children"]:
                lines += [f"{section['number']['en']}. {section['title']['en']}", ""]
                for task in section["children"]:
                    text = task["text"]["en"] + " The rate shall fall by 10 percent by 2025."
                    lines += [f"-{task['title']['en']}. {text}", ""]
        text = "\n".join(lines)
        if len(text) >= characters:
            return text
        tasks = int(tasks * characters / len(text)) + 10


def peak_memory_mb(path: Path) -> tuple[int, float]:
    """Exit status and peak RSS of `hrap ingest PATH --json`, measured by a fresh process."""
    probe = (
        "import resource, subprocess, sys;"
        "done = subprocess.run([sys.executable, '-m', 'hrap', 'ingest', sys.argv[1], '--json'],"
        " capture_output=True);"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=300
    )
    status, peak_kb = done.stdout.split()
    return int(status), round(int(peak_kb) / 1024, 1)


def _f1(figures: dict[str, float]) -> dict[str, float]:
    p, r = figures["precision"], figures["recall"]
    return {"precision": p, "recall": r, "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def _wanted(gold: dict[str, object], documents: str) -> bool:
    """Held-out documents are measured only when asked for (at the end of a round)."""
    held_out = bool(gold.get("held_out"))
    return documents == "all" or held_out == (documents == "held-out")


def quality_figures(work: Path, documents: str = "all") -> dict[str, object]:
    """Per document and format: structure and targets against the gold files."""
    out: dict[str, object] = {}
    for gold_path in quality.gold_files():
        gold = quality.load(gold_path)
        if not _wanted(gold, documents):
            continue
        source = quality.source_of(gold)
        for fmt in render.formats_for(source):
            score = quality.score(read_and_parse(render.render(source, fmt, work)), gold)
            out[f"{gold_path.stem} {fmt}"] = {
                "held_out": bool(gold.get("held_out")),
                "structure": _f1(score["structure"]),
                "targets": _f1(score["targets"]),
            }
    for gold_path in quality.world_gold_files():
        gold = quality.load(gold_path)
        if not _wanted(gold, documents):
            continue
        source = quality.source_of(gold)
        for fmt in render_world.FORMATS:
            parsed = read_and_parse(render_world.render(source, fmt, work))
            score = quality.world_score(parsed, gold)
            out[f"{gold_path.stem} {fmt}"] = {
                "held_out": bool(gold.get("held_out")),
                "structure": _f1(score["structure"]),
                "targets": _f1(score["targets"]),
                "parts_found": score["parts_found"],
                "actions_found": score["actions_found"],
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--characters", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-quality", action="store_true", help="Skip the corpus figures.")
    parser.add_argument("--no-speed", action="store_true", help="Skip speed and memory.")
    parser.add_argument(
        "--documents",
        choices=["all", "development", "held-out"],
        default="all",
        help="Which corpus documents to score (held-out ones only at the end of a round).",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="hrap-ingest-bench-"))
    figures: dict[str, object] = {"benchmark": "ingest"}
    if not args.no_speed:
        figures |= speed_figures(work, args.characters, args.repeat)
    if not args.no_quality:
        figures["quality"] = quality_figures(work, args.documents)
    json.dump(figures, sys.stdout)
    sys.stdout.write("\n")


def speed_figures(work: Path, characters_wanted: int, repeat: int) -> dict[str, object]:
    """Parse speed per format on a synthetic plan, and peak memory on hostile inputs."""
    source = work / "plan.txt"
    source.write_text(plan_text(characters_wanted), encoding="utf-8")
    characters = len(source.read_text(encoding="utf-8"))
    figures: dict[str, object] = {"characters": characters, "formats": {}}
    for fmt in render.FORMATS:
        path = render.render(source, fmt, work)
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            document = read_and_parse(path)
            timings.append(time.perf_counter() - start)
        median = statistics.median(timings)
        figures["formats"][fmt] = {  # type: ignore[index]
            "ms_per_document": round(median * 1000, 1),
            "characters_per_second": round(characters / median),
            "nodes": len(document.walk()),
        }
    bomb = work / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/filler.bin", "w") as filler:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(300):  # written in pieces, so this process stays small when it forks
                filler.write(chunk)
    huge = work / "huge.txt"
    with huge.open("wb") as handle:
        handle.seek(100 * 1024 * 1024)
        handle.write(b"\n")
    figures["hostile_inputs_peak_rss_mb"] = {}
    # ru_maxrss of children is the largest child so far: measure each input in a fresh parent.
    for name, path in (("docx_zip_bomb_300MB", bomb), ("text_100MB", huge)):
        status, peak = peak_memory_mb(path)
        figures["hostile_inputs_peak_rss_mb"][name] = {"exit": status, "peak_rss_mb": peak}  # type: ignore[index]
    return figures


if __name__ == "__main__":
    main()
