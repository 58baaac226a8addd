"""Cells of every file HRAP exports (CSV, XLSX): text can never become a live formula.

A spreadsheet treats a cell starting with =, +, -, @ (or a tab or carriage return before one)
as a formula, so a name such as `=HYPERLINK(…)` typed into HRAP would run on the reader's
machine. Every exported text cell goes through `safe_cell`, which prefixes such text with an
apostrophe (shown as text, the usual defence); numbers, dates and empty cells pass unchanged.
"""

from __future__ import annotations

# Full-width forms too: some spreadsheet programs fold them to the ASCII signs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(values: list[object]) -> list[object]:
    return [safe_cell(v) for v in values]
