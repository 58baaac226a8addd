"""`hrap ingest` at the command line: good documents, every kind of bad one, drafts."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from hrap.plans import planfile
from hrap.plans.models import Plan, PlanNode
from hrap.plans.sample import DOCUMENTS

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ingest", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_json_prints_a_valid_plan_file_and_touches_no_database(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        code, out, err = run(*map(str, DOCUMENTS), "--json", "--jurisdiction", "CN")
    assert code == 0
    document = json.loads(out)
    assert document["plan"]["languages"] == ["zh-Hans", "en"]
    assert (
        err.splitlines()[0]
        == "7 parts, 34 sections, 31 tasks, 0 sub-tasks, 7 targets (zh-Hans, en)"
    )


def test_plan_creates_a_draft_revision_then_refuses_a_second_one() -> None:
    code, out, _ = run(*map(str, DOCUMENTS), "--plan", "cn-nhrap-2021-2025")
    assert code == 0
    assert out.strip().startswith("draft revision 1 of cn-nhrap-2021-2025: 73 nodes")
    draft = Plan.objects.get(slug="cn-nhrap-2021-2025")
    assert draft.status == Plan.Status.DRAFT
    node = PlanNode.objects.get(plan=draft, ref="II.1.3")
    assert node.source["zh-Hans"].startswith("——嚴格慎重適用死刑")  # as the source has it
    assert node.source_where["en"] == "compiled_en.txt, line 36"
    code, _, err = run(*map(str, DOCUMENTS), "--plan", "cn-nhrap-2021-2025")
    assert code == 2 and "is under review" in err
    assert run(*map(str, DOCUMENTS), "--plan", "cn-nhrap-2021-2025", "--replace")[0] == 0
    assert Plan.objects.filter(slug="cn-nhrap-2021-2025").count() == 1


def _bad(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / {"docx": "plan.docx", "pdf": "plan.pdf"}.get(kind.split("-")[0], "plan.txt")
    match kind:
        case "empty":
            path.write_bytes(b"")
        case "binary":
            path.write_bytes(bytes(range(256)) * 64)
        case "docx-corrupt":
            path.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 100)
        case "docx-not-word":
            with zipfile.ZipFile(path, "w") as archive:
                archive.writestr("readme.txt", "hello")
        case "docx-bomb":
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("word/document.xml", "<w:document/>")
                archive.writestr("word/media/filler.bin", b"\x00" * (60 * 1024 * 1024))
        case "pdf-encrypted":
            from reportlab.pdfgen import canvas

            page = canvas.Canvas(str(path), encrypt="secret")
            page.drawString(72, 720, "I. Economic Rights")
            page.save()
        case "pdf-scanned":
            from reportlab.pdfgen import canvas

            page = canvas.Canvas(str(path))
            page.rect(72, 72, 300, 300, fill=1)  # an image of a page: shapes, no text
            page.save()
        case "pdf-corrupt":
            path.write_bytes(b"%PDF-1.4\n" + b"\x00broken" * 200)
        case "huge":
            with path.open("wb") as handle:
                handle.seek(100 * 1024 * 1024)
                handle.write(b"\n")
        case "no-structure":
            path.write_text(
                "This is a letter about the weather.\n\nIt has no numbered parts and no lists.\n",
                encoding="utf-8",
            )
        case "gbk-garbage":
            path.write_bytes(b"\x81\x30\xff\xfe\xfd" * 50)
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("empty", "the file is empty"),
        ("binary", "this is a binary file, not a text document"),
        ("docx-corrupt", "not a Word document (.docx is a zip archive; this is not)"),
        ("docx-not-word", "not a Word document: word/document.xml is missing"),
        ("docx-bomb", "the archive expands to 60 MB: refused as a zip bomb"),
        ("pdf-encrypted", "the PDF is encrypted and needs a password"),
        (
            "pdf-scanned",
            "the PDF has no text layer (a scan?): run OCR on it first, HRAP reads text only",
        ),
        ("pdf-corrupt", "corrupt or unreadable PDF"),
        ("huge", "the file is 100.0 MB; plan documents are read up to 20 MB"),
        (
            "no-structure",
            "no plan structure found: no numbered parts or sections, no headings, no bullet tasks",
        ),
        ("gbk-garbage", "the text is neither UTF-8, UTF-16 nor GB18030/GBK"),
    ],
)
def test_bad_documents_exit_2_with_one_line_and_write_nothing(
    tmp_path: Path, kind: str, message: str
) -> None:
    path = _bad(tmp_path, kind)
    code, out, err = run(str(path), "--plan", "bad-plan")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"hrap ingest: {path}: {message}"), lines[0]
    assert "Traceback" not in err
    assert not Plan.objects.exists()


def test_encodings_are_detected(tmp_path: Path) -> None:
    text = "一、环境权利\n（一）污染防治\n——改善空气质量。细颗粒物浓度下降10%。\n"
    for encoding in ("utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk"):
        path = tmp_path / f"plan-{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        code, out, err = run(str(path), "--json")
        assert code == 0, (encoding, err)
        task = json.loads(out)["nodes"][0]["children"][0]["children"][0]
        assert task["title"] == {"zh-Hans": "改善空气质量"}, encoding
        assert task["targets"][0]["value"] == 10


def test_progress_is_shown_for_long_documents(tmp_path: Path) -> None:
    lines = ["I. Part one"] + [f"{n}. Section {n}\n- Task {n}. Do it." for n in range(1, 60)]
    path = tmp_path / "long.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "long.pdf"
    page = canvas.Canvas(str(pdf))
    for n, line in enumerate("\n".join(lines).splitlines()):
        if n % 5 == 0 and n:
            page.showPage()
        page.drawString(72, 780 - (n % 5) * 18, line)
    page.save()
    code, _, err = run(str(pdf), "--json", "--progress")
    assert code == 0
    assert "reading long.pdf" in err and "[##############################]" in err


@pytest.mark.slow
@pytest.mark.parametrize(
    "kind",
    ["random-bytes", "truncated", "pdf-corrupt", "docx-bomb", "docx-random", "docx-truncated"],
)
def test_hostile_files_print_exactly_one_line_on_the_real_stderr(tmp_path: Path, kind: str) -> None:
    """pypdf reports repairs through `logging` and `warnings`, which call_command's captured
    stream does not see: run the real command and read what a person's terminal would show."""
    import os
    import random
    import subprocess
    import sys

    if kind == "random-bytes":
        path = tmp_path / "plan.pdf"
        path.write_bytes(b"%PDF-1.7\n" + random.Random(7).randbytes(20_000))
    elif kind == "truncated":
        whole = _bad(tmp_path, "pdf-scanned").read_bytes()
        path = tmp_path / "truncated.pdf"
        path.write_bytes(whole[: len(whole) // 2])
    elif kind == "docx-random":
        path = tmp_path / "plan.docx"
        path.write_bytes(b"PK\x03\x04" + random.Random(11).randbytes(20_000))
    elif kind == "docx-truncated":
        import docx

        whole_docx = tmp_path / "whole.docx"
        document = docx.Document()
        for n in range(1, 40):
            document.add_paragraph(f"{n}. Train {n * 10} judges by 2025.")
        document.save(str(whole_docx))
        path = tmp_path / "truncated.docx"
        path.write_bytes(whole_docx.read_bytes()[: whole_docx.stat().st_size // 2])
    else:
        path = _bad(tmp_path, kind)
    done = subprocess.run(
        [sys.executable, "-m", "hrap", "ingest", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONWARNINGS": "default"},
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hrap ingest: "), lines


def test_an_action_table_gives_tasks_with_bodies_deadlines_and_indicators(tmp_path: Path) -> None:
    """A DOCX plan whose actions are a table: the plan file has them as tasks."""
    import docx

    word = docx.Document()
    word.add_paragraph("National Action Plan on Business and Human Rights of Kenya 2020-2024")
    word.add_paragraph("1. LABOUR RIGHTS", style="Heading 1")
    table = word.add_table(rows=3, cols=6)
    for row, cells in zip(
        table.rows,
        [
            ("Action", "Lead agency", "Partners", "Timeline", "Indicator", "Target"),
            (
                "1. Train 200 labour inspectors on human rights due diligence.",
                "Ministry of Labour",
                "KNCHR; Federation of Kenya Employers",
                "By the third quarter of FY 2022",
                "Number of inspectors trained",
                "200 (baseline: 40 in 2019)",
            ),
            (
                "2. Publish guidance on remedy for workers.",
                "State Department for Justice",
                "",
                "Within three years of adoption",
                "Guidance published",
                "",
            ),
        ],
        strict=True,
    ):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    path = tmp_path / "nap.docx"
    word.save(str(path))
    code, out, err = run(str(path), "--json")
    assert code == 0, err
    document, problems = planfile.parse(out.encode())
    assert document is not None and problems == []
    assert planfile.validate(document) == []
    assert "jurisdiction KE: 'kenya' in the title" in err
    plan = document["plan"]
    assert (plan["jurisdiction"], plan["period"]) == ("KE", {"start": 2020, "end": 2024})
    first, second = document["nodes"][0]["children"]
    assert first["kind"] == "task"
    assert first["title"] == {"en": "Train 200 labour inspectors on human rights due diligence"}
    assert first["responsible"] == [
        {"name": {"en": "Ministry of Labour"}, "role": "lead"},
        {"name": {"en": "KNCHR"}, "role": "co"},
        {"name": {"en": "Federation of Kenya Employers"}, "role": "co"},
    ]
    assert first["deadline"] == {
        "year": 2022,
        "date": "2022-06-30",
        "text": {"en": "By the third quarter of FY 2022"},
    }
    assert first["details"]["indicator"] == {"en": "Number of inspectors trained"}
    table_target = first["targets"][0]
    assert (table_target["value"], table_target["baseline"]) == (200, {"value": 40, "year": 2019})
    assert second["deadline"]["year"] == 2023  # three years after the plan's start
    assert "Ministry of Labour" not in first["title"]["en"]
