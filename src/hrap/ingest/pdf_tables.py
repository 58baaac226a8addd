"""Tables in a PDF's text layer: where the text lies in columns under a header row that names
an action column and another one (`tables.column_fields`), its lines are read cell by cell.

Positions come from pypdf's text visitor; a text's width is estimated from its length and font
size, which is enough to tell a column gap from a word gap.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from hrap.ingest.markers import classify
from hrap.ingest.tables import column_fields


@dataclass(frozen=True)
class Chunk:
    x: float
    y: float
    text: str
    size: float
    bold: bool = False

    @property
    def end(self) -> float:
        return self.x + len(self.text) * max(self.size, 1.0) * 0.5


@dataclass
class Line:
    y: float
    cells: list[Chunk]

    @property
    def key(self) -> str:
        return squash("".join(c.text for c in self.cells))


@dataclass
class PdfTable:
    rows: list[tuple[str, ...]]
    start: int  # the page's lines it spans
    end: int


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def lines_of(chunks: list[Chunk]) -> list[Line]:
    """Chunks into lines (top first), and each line's chunks into cells split at wide gaps."""
    rows: list[list[Chunk]] = []
    for chunk in sorted(chunks, key=lambda c: (-c.y, c.x)):
        if rows and abs(rows[-1][0].y - chunk.y) < 2.5:
            rows[-1].append(chunk)
        else:
            rows.append([chunk])
    lines = []
    for row in rows:
        row.sort(key=lambda c: c.x)
        cells: list[Chunk] = []
        for chunk in row:
            if cells and chunk.x - cells[-1].end < 2 * max(chunk.size, 1.0):
                last = cells[-1]
                cells[-1] = Chunk(last.x, last.y, f"{last.text} {chunk.text}", last.size)
            else:
                cells.append(chunk)
        lines.append(Line(row[0].y, cells))
    return lines


def _column(x: float, columns: list[float]) -> int | None:
    for index, start in enumerate(columns):
        if abs(x - start) < 6:
            return index
    return None


def _fits(line: Line, columns: list[float], size: float) -> bool:
    """Every cell starts at a column, in the table's type size, and none runs over into the
    next column."""
    for cell in line.cells:
        if abs(cell.size - size) > 0.6:
            return False
        index = _column(cell.x, columns)
        if index is None:
            return False
        if index + 1 < len(columns) and cell.end > columns[index + 1] + 4:
            return False
    return True


def _join(lines: list[str]) -> str:
    out = ""
    for line in lines:
        if not out:
            out = line
        elif classify(line) is not None or out.endswith((",", ";", ":")):
            out += "\n" + line
        else:
            out += " " + line
    return out


@dataclass
class OpenTable:
    """A table that reached the foot of its page: its columns and type size, to find its
    continuation at the top of the next page."""

    columns: list[float]
    size: float


def find_tables(
    lines: list[Line], skip: set[str], carried: OpenTable | None = None
) -> tuple[list[PdfTable], OpenTable | None]:
    """Action tables on one page's lines, and the table still open at its foot. `skip` holds
    running headers and footers; `carried` is the previous page's open table, whose rows
    continue in the first table of this page (start 0, no header)."""
    tables: list[PdfTable] = []
    index = 0
    if carried is not None:
        end = 0
        while end < len(lines) and (
            _fits(lines[end], carried.columns, carried.size) or lines[end].key in skip
        ):
            end += 1
        if any(line.key not in skip for line in lines[:end]):
            tables.append(_read(lines[:end], -2, carried.columns, skip, 0))
            index = end
    open_table = carried if carried is not None and index >= len(lines) else None
    while index < len(lines):
        line = lines[index]
        fields = column_fields([c.text for c in line.cells])
        if len(line.cells) < 2 or "action" not in fields or len([f for f in fields if f]) < 2:
            index += 1
            continue
        columns, size = [c.x for c in line.cells], line.cells[0].size
        start = index
        while (
            start > 0
            and _fits(lines[start - 1], columns, size)
            and lines[start - 1].key not in skip
        ):
            start -= 1
        end = index + 1
        while end < len(lines) and (_fits(lines[end], columns, size) or lines[end].key in skip):
            end += 1
        tables.append(_read(lines[start:end], index - start, columns, skip, start))
        if all(line.key in skip for line in lines[end:]):
            open_table = OpenTable(columns, size)
        index = end
    return tables, open_table


def _read(
    lines: list[Line], header: int, columns: list[float], skip: set[str], offset: int
) -> PdfTable:
    gaps = sorted(a.y - b.y for a, b in itertools.pairwise(lines) if a.y > b.y)
    usual = gaps[len(gaps) // 2] if gaps else 0.0
    rows: list[list[list[str]]] = []
    previous: Line | None = None
    for position, line in enumerate(lines):
        if line.key in skip:
            continue
        new_row = (
            previous is None
            or position in (header, header + 1)
            or (previous.y > line.y and previous.y - line.y > usual * 1.25)
            or (position < header and _column(line.cells[0].x, columns) == 0)
        )
        if new_row:
            rows.append([[] for _ in columns])
        for cell in line.cells:
            column = _column(cell.x, columns)
            if column is not None:
                rows[-1][column].append(cell.text.strip())
        previous = line
    return PdfTable(
        rows=[tuple(_join(cell) for cell in row) for row in rows],
        start=offset,
        end=offset + len(lines),
    )
