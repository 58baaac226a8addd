"""`hrap plan import/export/validate` as a person at a terminal uses them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hrap.conftest import run_command as run
from hrap.plans.models import Plan, PlanNode


@pytest.mark.django_db
def test_import_then_export_reproduces_the_file(tmp_path: Path, sample_bytes: bytes) -> None:
    source = tmp_path / "plan.json"
    source.write_bytes(sample_bytes)
    code, out, _ = run("plan", "import", str(source))
    assert code == 0
    assert out.strip() == "imported cn-nhrap-2021-2025: 73 nodes, 7 targets"
    exported = tmp_path / "out.json"
    assert run("plan", "export", "cn-nhrap-2021-2025", "-o", str(exported))[0] == 0
    assert exported.read_bytes() == sample_bytes


@pytest.mark.django_db
def test_a_bad_file_exits_2_with_one_line_per_problem(tmp_path: Path, sample_bytes: bytes) -> None:
    document = json.loads(sample_bytes)
    document["nodes"][0]["kind"] = "chapter"
    document["nodes"][3]["children"][0]["children"][0]["targets"][0]["unit"] = 10
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("plan", "import", str(bad))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{bad}: $.nodes[0].kind: 'chapter' is not one of")
    assert (
        lines[1]
        == f"{bad}: $.nodes[3].children[0].children[0].targets[0].unit: 10 is not of type 'string'"
    )
    # Rules beyond the schema are checked once the shape is right.
    document["nodes"][0]["kind"] = "introduction"
    document["nodes"][3]["children"][0]["children"][0]["targets"][0]["unit"] = "%"
    document["nodes"][1]["children"][0]["ref"] = "I"
    bad.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    code, _, err = run("plan", "import", str(bad))
    assert code == 2
    assert (
        err.strip() == f"{bad}: $.nodes[1].children[0].ref: 'I' is used twice (first at $.nodes[1])"
    )
    assert Plan.objects.count() == 0 and PlanNode.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_file_and_an_unknown_plan_are_one_line_each(tmp_path: Path) -> None:
    code, _, err = run("plan", "import", str(tmp_path / "nope.json"))
    assert code == 2
    assert (
        err.strip() == f"{tmp_path / 'nope.json'}: cannot read the file: No such file or directory"
    )
    code, _, err = run("plan", "validate", str(tmp_path / "nope.json"))
    assert code == 2


@pytest.mark.slow
def test_the_hrap_command_exits_2_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "hrap-plan/1"', encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "-m", "hrap", "plan", "validate", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"{bad}: line 1 column 25: invalid JSON: Expecting ',' delimiter"
    assert "Traceback" not in done.stderr
