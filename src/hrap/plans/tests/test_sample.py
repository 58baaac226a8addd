"""The demo's sample plan is exactly what the ingester reads from the corpus documents."""

from __future__ import annotations

from hrap.plans import planfile
from hrap.plans.sample import PLAN_FILE, sample_plan_document


def test_the_demo_plan_is_what_the_ingester_reads_from_the_corpus() -> None:
    document, report = sample_plan_document()
    assert planfile.dumps(document) == PLAN_FILE.read_text(encoding="utf-8")
    assert report[0] == "7 parts, 34 sections, 31 tasks, 0 sub-tasks, 7 targets (zh-Hans, en)"


def test_alignment_reports_nodes_found_in_one_language_only() -> None:
    _, report = sample_plan_document()
    assert "VII: only in the zh-Hans document (compiled_zh.txt, line 124)" in report
    assert "III.1.1: only in the en document (compiled_en.txt, line 60)" in report
