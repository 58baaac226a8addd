"""Observation uploads: seconds for 5,000 XLSX rows, peak memory for 100,000, and how fast
hostile files are refused (a row numbered 1,000,000,000; ten million empty rows); JSON out.

    .venv/bin/python bench/upload.py

Each measurement runs in a fresh process on a fresh SQLite database (or DATABASE_URL).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path


def measure(rows: int) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix="hrap-upload-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrap.settings")
    os.environ["HRAP_DEBUG"] = "0"
    import django

    django.setup()
    from datetime import date

    from django.core.management import call_command
    from openpyxl import Workbook

    from hrap.accounts.system import system_actor
    from hrap.core.database import ensure_database_exists
    from hrap.monitoring import services
    from hrap.plans import planfile
    from hrap.plans import services as plan_services
    from hrap.plans.models import Target
    from hrap.plans.sample import sample_plan_document

    ensure_database_exists()
    call_command("migrate", verbosity=0)
    from hrap.directory.services import jurisdiction_load_country

    system = system_actor()  # the benchmark acts as HRAP itself
    jurisdiction_load_country(code="CN", actor=system)
    document, _ = sample_plan_document()
    plan = plan_services.plan_import(
        raw=planfile.dumps(document).encode(), actor=system, replace=True
    )
    cycle = services.cycle_create(
        plan=plan,
        actor=system,
        period="2023",
        opens=date(2023, 1, 1),
        due=date(2023, 6, 1),
        closes=date(2023, 7, 1),
    )
    indicators = list(Target.objects.filter(node__plan=plan).values_list("indicator_id", flat=True))
    provinces = ["CN-BJ", "CN-SH", "CN-GD", "CN-SC", "CN-YN", "CN-HB", "CN-HN", "CN-ZJ"]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Values")
    sheet.append(
        ["indicator", "jurisdiction", "period", "disaggregation", "value", "source", "status"]
    )
    for n in range(rows):
        sheet.append(
            [
                indicators[n % len(indicators)],
                provinces[n // len(indicators) % len(provinces)],
                f"{1900 + n // 500}-{n // 50 % 10 + 1:02d}",
                "",
                30 + n % 10,
                "synthetic",
                "final",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    raw = out.getvalue()
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    counts = services.observations_upload(raw=raw, name="bench.xlsx", cycle=cycle, actor=system)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert counts["rows"] == rows, counts
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "file_mb": round(len(raw) / 2**20, 2),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "rss_before_upload_mb": round(before_kb / 1024, 1),
    }


def _hostile_xlsx(rows_xml: Iterator[bytes]) -> bytes:
    """A minimal workbook whose sheet's rows are `rows_xml`, streamed into the zip."""
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rels_ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{rels_ns}"><Relationship Id="r1" '
            f'Type="{doc}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main_ns}" xmlns:r="{doc}"><sheets>'
            '<sheet name="Values" sheetId="1" r:id="r1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{rels_ns}"><Relationship Id="r1" '
            f'Type="{doc}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with z.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{main_ns}"><sheetData>'.encode())
            for chunk in rows_xml:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def hostile() -> list[dict[str, object]]:
    """The files that once held a worker for half an hour or took 1 GB, and how they fare."""
    from hrap.core.errors import InvalidInput
    from hrap.monitoring.upload import HEADINGS, parse

    files = {
        "one row numbered 1,000,000,000": _hostile_xlsx(
            iter([b'<row r="1000000000"><c r="A1000000000"><v>1</v></c></row>'])
        ),
        "a heading and 10,000,000 empty rows": _hostile_xlsx(
            itertools.chain(
                [
                    b'<row r="1">'
                    + b"".join(
                        f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>'.encode()
                        for c, h in zip("ABCDEFG", HEADINGS, strict=True)
                    )
                    + b"</row>"
                ],
                (b"<row/>" * 100_000 for _ in range(100)),
            )
        ),
    }
    figures = []
    for name, raw in files.items():
        before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        try:
            parse(raw, name=name, indicators={}, jurisdictions=set(), may_enter=lambda i, c: False)
            refused = "accepted"
        except InvalidInput as exc:
            refused = str(exc.problems[0])
        figures.append(
            {
                "file": name,
                "file_kb": round(len(raw) / 1024, 1),
                "seconds": round(time.perf_counter() - start, 2),
                "peak_rss_growth_mb": round(
                    (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kb) / 1024, 1
                ),
                "answer": refused,
            }
        )
    return figures


def main() -> None:
    if len(sys.argv) > 1:
        print(json.dumps(measure(int(sys.argv[1]))))
        return
    figures = []
    for rows in (5_000, 100_000):
        done = subprocess.run(
            [sys.executable, __file__, str(rows)], capture_output=True, text=True, check=True
        )
        figures.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(json.dumps({"benchmark": "upload", "runs": figures, "hostile": hostile()}))


if __name__ == "__main__":
    main()
