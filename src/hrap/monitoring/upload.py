"""Observation uploads (CSV or XLSX): read and check every cell, as plain data, before any write.

The sheet has one row per value under these headings (the template HRAP generates has them):
indicator, jurisdiction, period, disaggregation, value, source, status.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from hrap.core.errors import InvalidInput, Problem

HEADINGS = ["indicator", "jurisdiction", "period", "disaggregation", "value", "source", "status"]
PERIOD = re.compile(r"\d{4}(-(Q[1-4]|H[12]|\d{2}))?")
STATUSES = {"provisional", "final", ""}
MAX_ROWS = 200_000


@dataclass(frozen=True)
class Row:
    indicator: int
    jurisdiction: str
    period: str
    disaggregation: dict[str, str]
    value: Decimal
    source: str
    status: str


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cells(raw: bytes, name: str) -> Iterator[tuple[str, int, list[Any]]]:
    """(sheet, row number, cells) for every row, CSV or XLSX by content."""
    if raw[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise InvalidInput(
                [Problem(name, f"not a readable XLSX workbook ({type(exc).__name__})")]
            ) from None
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            yield sheet.title, number, list(row)
        book.close()
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput([Problem(name, "the CSV file is not UTF-8")]) from None
    for number, row in enumerate(csv.reader(io.StringIO(text)), 1):
        yield "csv", number, list(row)


def _problem(
    problems: list[Problem], cell: str, header: dict[str, int], heading: str, what: str
) -> None:
    problems.append(Problem(cell.format(_column(header[heading])), f"{heading}: {what}"))


def parse(
    raw: bytes, *, name: str, indicators: dict[int, set[str]], jurisdictions: set[str]
) -> list[Row]:
    """Every row, or InvalidInput naming the sheet, row, column and reason of every problem.

    `indicators` maps each indicator the uploader may report on to its allowed disaggregations;
    `jurisdictions` holds the codes they may report for.
    """
    rows: list[Row] = []
    problems: list[Problem] = []
    columns: dict[str, int] = {}
    for sheet, number, cells in _cells(raw, name):
        if not columns:
            found = {str(c).strip().lower(): i for i, c in enumerate(cells) if c is not None}
            missing = [h for h in HEADINGS if h not in found]
            if missing:
                raise InvalidInput(
                    [Problem(f"{sheet}!row {number}", f"missing columns: {', '.join(missing)}")]
                )
            columns = found
            continue
        if len(rows) + len(problems) > MAX_ROWS:
            raise InvalidInput([Problem(sheet, f"more than {MAX_ROWS:,} rows")])
        header = columns
        get = {h: cells[header[h]] if header[h] < len(cells) else None for h in HEADINGS}
        if all(v in (None, "") for v in get.values()):
            continue

        bad = partial(_problem, problems, f"{sheet}!{{}}{number}", header)

        before = len(problems)
        try:
            indicator = int(str(get["indicator"]).strip())
            if indicator not in indicators:
                bad("indicator", f"{indicator} is not an indicator you report on")
        except ValueError:
            indicator = 0
            bad("indicator", f"{get['indicator']!r} is not an indicator number")
        jurisdiction = str(get["jurisdiction"] or "").strip()
        if jurisdiction not in jurisdictions:
            bad("jurisdiction", f"{jurisdiction!r} is not a jurisdiction you report for")
        period = str(get["period"] or "").strip()
        if period.endswith(".0"):  # a year typed as a number in a spreadsheet
            period = period[:-2]
        if not PERIOD.fullmatch(period):
            bad("period", f"{period!r} is not a period such as 2023 or 2023-Q1")
        disaggregation: dict[str, str] = {}
        for part in filter(None, str(get["disaggregation"] or "").split(";")):
            key, _, val = part.partition("=")
            if not val or key.strip() not in indicators.get(indicator, set()):
                bad(
                    "disaggregation", f"{part!r} is not an allowed disaggregation (dimension=value)"
                )
            disaggregation[key.strip()] = val.strip()
        try:
            value = Decimal(str(get["value"]).strip().replace(",", ""))
            if not value.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            value = Decimal(0)
            bad("value", f"{get['value']!r} is not a number")
        status = str(get["status"] or "").strip().lower()
        if status not in STATUSES:
            bad("status", f"{status!r} is not provisional or final")
        if len(problems) == before:
            rows.append(
                Row(
                    indicator,
                    jurisdiction,
                    period,
                    disaggregation,
                    value,
                    str(get["source"] or "").strip()[:300],
                    status or "provisional",
                )
            )
    if not columns:
        raise InvalidInput([Problem(name, "the file is empty")])
    if problems:
        raise InvalidInput(problems)
    return rows
