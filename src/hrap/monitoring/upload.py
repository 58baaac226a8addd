"""Observation uploads (CSV or XLSX): read and check every cell, as plain data, before any write.

The sheet has one row per value under these headings (the template HRAP generates has them):
indicator, jurisdiction, period, disaggregation, value, source, status. `sheets` reads the
file within its bounds; this module checks each row: known indicator and place, one the
uploader may enter values for, a real period, an allowed disaggregation, a storable number
(`hrap.core.numbers`), a status, and no second row for the same value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hrap.core.catalog import _
from hrap.core.errors import InvalidInput, Problem
from hrap.core.numbers import ValueRefused, parse_value
from hrap.monitoring.periods import parse_period, period_problem
from hrap.monitoring.sheets import MAX_ROWS, Unreadable, column_letter, row_where, rows

__all__ = ["HEADINGS", "MAX_ROWS", "Row", "check", "disaggregation_key", "parse"]

HEADINGS = ["indicator", "jurisdiction", "period", "disaggregation", "value", "source", "status"]
STATUSES = {"provisional", "final", ""}
MAX_SOURCE = 300
MAX_KEY = 200  # the stored disaggregation key's length
# Text that a database or a later reader would choke on: NUL and other controls, lone surrogates.
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Row:
    where: str  # "Values!row 12"
    indicator: int
    jurisdiction: str
    period: str
    disaggregation: dict[str, str]
    value: Decimal
    source: str
    status: str  # "" when the row leaves it empty
    # What the value is of: indicator, jurisdiction, period, disaggregation key. No two rows of
    # a file may share it.
    key: tuple[int, str, str, str]


def disaggregation_key(disaggregation: dict[str, str]) -> str:
    """The canonical text of a disaggregation: "sex=female", "" for the total."""
    return ";".join(f"{k}={disaggregation[k]}" for k in sorted(disaggregation))


def parse(
    raw: bytes,
    *,
    name: str,
    indicators: dict[int, set[str]],
    jurisdictions: set[str],
    may_enter: Callable[[int, str | None], bool],
    headings: dict[str, str] | None = None,
    statuses: dict[str, str] | None = None,
) -> list[Row]:
    """Every row, or InvalidInput naming the sheet, row, column and reason of every problem.

    `indicators` maps each indicator the file may name to its allowed disaggregations;
    `jurisdictions` holds the known codes; `may_enter(indicator, code)` says whether the
    uploader may enter values of that indicator for that place (code None: for some place).
    """
    parsed, problems, _blank = check(
        raw,
        name=name,
        indicators=indicators,
        jurisdictions=jurisdictions,
        may_enter=may_enter,
        headings=headings,
        statuses=statuses,
    )
    if problems:
        raise InvalidInput(problems)
    return parsed


def check(
    raw: bytes,
    *,
    name: str,
    indicators: dict[int, set[str]],
    jurisdictions: set[str],
    may_enter: Callable[[int, str | None], bool],
    headings: dict[str, str] | None = None,
    statuses: dict[str, str] | None = None,
) -> tuple[list[Row], list[Problem], int]:
    """The rows that pass every check, a problem for each cell of those that do not (for a
    preview that shows both), and how many rows were skipped for an empty value cell (the
    template lists every place in scope; a place left empty has nothing to report). A file
    that cannot be read at all is InvalidInput.

    `headings` maps a column heading in any interface language (case-folded) to its column
    (the template's headings are in its reader's language); `statuses` likewise maps a status
    as written ("初步") to provisional or final.
    """
    aliases = {h: h for h in HEADINGS} | (headings or {})
    status_words = {s: s for s in STATUSES} | (statuses or {})
    parsed: list[Row] = []
    problems: list[Problem] = []
    blank = 0
    columns: dict[str, int] = {}
    seen: dict[tuple[int, str, str, str], str] = {}
    for sheet, number, cells in rows(raw, name):
        if not columns:
            found: dict[str, int] = {}
            for i, c in enumerate(cells):
                if isinstance(c, str | int | float):
                    found.setdefault(aliases.get(str(c).strip().lower(), str(c).strip().lower()), i)
            missing = [h for h in HEADINGS if h not in found]
            if missing:
                raise InvalidInput(
                    [
                        Problem(
                            row_where(sheet, number),
                            _("missing columns: %(columns)s") % {"columns": ", ".join(missing)},
                        )
                    ]
                )
            columns = found
            continue
        get = {h: cells[columns[h]] if columns[h] < len(cells) else None for h in HEADINGS}
        if all(v in (None, "") for v in get.values()):
            continue
        if get["value"] is None or (isinstance(get["value"], str) and not get["value"].strip()):
            blank += 1
            continue
        row = _row(
            sheet, number, get, columns, indicators, jurisdictions, may_enter, problems,
            status_words,
        )  # fmt: skip
        if row is None:
            continue
        first = seen.setdefault(row.key, row.where)
        if first != row.where:
            problems.append(
                Problem(
                    row.where,
                    _(
                        "the same value as %(first)s (indicator, jurisdiction, period and "
                        "disaggregation): keep one of the two rows"
                    )
                    % {"first": first},
                )
            )
            continue
        parsed.append(row)
    if not columns:
        raise InvalidInput([Problem(name, _("the file is empty"))])
    return parsed, problems, blank


def _row(
    sheet: str,
    number: int,
    get: dict[str, Any],
    columns: dict[str, int],
    indicators: dict[int, set[str]],
    jurisdictions: set[str],
    may_enter: Callable[[int, str | None], bool],
    problems: list[Problem],
    status_words: dict[str, str],
) -> Row | None:
    """The row, or None after adding its problems (each named by its cell)."""
    before = len(problems)

    def bad(heading: str, what: str) -> None:
        where = f"{sheet}!{column_letter(columns[heading])}{number}"
        problems.append(Problem(where, f"{heading}: {what}"))

    for heading, cell in get.items():
        if isinstance(cell, Unreadable):
            bad(heading, _("cannot be read: %(reason)s") % {"reason": cell})
        elif isinstance(cell, str) and _BAD_TEXT.search(cell):
            bad(heading, _("holds a control character or an invalid character"))
    if len(problems) > before:
        return None
    indicator = _indicator(get["indicator"])
    if indicator is None:
        bad(
            "indicator",
            _("%(value)s is not an indicator number") % {"value": _shown(get["indicator"])},
        )
    elif indicator not in indicators:
        bad("indicator", _("%(n)s is not an indicator of this plan") % {"n": indicator})
    elif not may_enter(indicator, None):
        bad("indicator", _("you may not enter values of indicator %(n)s") % {"n": indicator})
        indicator = None
    jurisdiction = _text(get["jurisdiction"])
    if jurisdiction not in jurisdictions:
        bad(
            "jurisdiction",
            _("%(value)s is not a jurisdiction code") % {"value": _shown(jurisdiction)},
        )
    elif indicator in indicators and not may_enter(indicator, jurisdiction):
        bad(
            "jurisdiction",
            _("you may not enter values of indicator %(n)s for %(place)s")
            % {"n": indicator, "place": jurisdiction},
        )
    period = _text(get["period"])
    if period.endswith(".0"):  # a year typed as a number in a spreadsheet
        period = period[:-2]
    if parse_period(period) is None:
        bad("period", str(period_problem(period)))
    disaggregation: dict[str, str] = {}
    allowed = indicators.get(indicator or 0, set())
    for part in filter(None, _text(get["disaggregation"]).split(";")):
        key, _equals, val = part.partition("=")
        if not val.strip() or key.strip() not in allowed:
            what = _("%(value)s is not an allowed disaggregation (dimension=value)") % {
                "value": _shown(part)
            }
            bad("disaggregation", what)
        disaggregation[key.strip()] = val.strip()
    if disaggregation and len(disaggregation_key(disaggregation)) > MAX_KEY:
        bad("disaggregation", _("longer than %(n)s characters") % {"n": MAX_KEY})
    try:
        value = parse_value(get["value"])
    except ValueRefused as refused:
        value = Decimal(0)
        bad("value", _(refused.message) % refused.params)
    source = _text(get["source"])
    if len(source) > MAX_SOURCE:
        bad("source", _("longer than %(n)s characters") % {"n": MAX_SOURCE})
    written = _text(get["status"]).lower()
    status = status_words.get(written, written)
    if status not in STATUSES:
        bad("status", _("%(value)s is not provisional or final") % {"value": _shown(written)})
    if len(problems) > before or indicator is None:
        return None
    return Row(
        row_where(sheet, number),
        indicator,
        jurisdiction,
        period,
        disaggregation,
        value,
        source,
        status,
        (indicator, jurisdiction, period, disaggregation_key(disaggregation)),
    )


def _text(cell: object) -> str:
    if cell is None:
        return ""
    return str(cell).strip()


def _indicator(cell: object) -> int | None:
    text = _text(cell)
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if re.fullmatch(r"[0-9]{1,12}", text) else None


def _shown(text: object) -> str:
    text = str(text)
    return repr(text[:40] + "…") if len(text) > 40 else repr(text)
