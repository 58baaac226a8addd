"""The PDF reader: the text layer into blocks, with typography (bold, larger type) and the
tables whose text lies in columns; running headers, footers and page numbers dropped."""

from __future__ import annotations

import itertools
import logging
import re
import warnings
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from hrap.core.errors import IngestError
from hrap.ingest.pdf_tables import Chunk, OpenTable, find_tables, lines_of, squash
from hrap.ingest.pdf_tables import Line as PlacedLine
from hrap.ingest.readers import Block, Line, Progress, paragraphs, table_block

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?(?:\s*[-–—])?\s*$|"
    r"^\s*第\s*\d{1,4}\s*页(?:\s*共\s*\d+\s*页)?\s*$",
    re.IGNORECASE,
)


def read_pdf(path: Path, name: str, progress: Progress | None = None) -> list[Block]:
    import pypdf
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    pages: list[str] = []
    chunks: list[tuple[str, float, bool]] = []  # text, font size, bold: the typography
    placed: list[list[Chunk]] = []  # per page, where each text lies: for tables

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            try:
                scale = abs(float(tm[3]) * float(cm[3])) or 1.0
                x = float(cm[0]) * float(tm[4]) + float(cm[2]) * float(tm[5]) + float(cm[4])
                y = float(cm[1]) * float(tm[4]) + float(cm[3]) * float(tm[5]) + float(cm[5])
                base = str(font.get("/BaseFont", "")) if font else ""
            except (TypeError, ValueError, AttributeError, IndexError):
                return
            effective = float(size or 0) * scale
            chunks.append((text.strip(), effective, _BOLD_FONT.search(base) is not None))
            if placed:
                placed[-1].append(Chunk(x, y, text.strip(), effective, chunks[-1][2]))

    # pypdf reports what it repairs through `logging` and `warnings`: the reason for refusing
    # a file is the one line HRAP prints, so its chatter is silenced while it reads.
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    pypdf_logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = pypdf.PdfReader(str(path))
            if reader.is_encrypted and not reader.decrypt(""):
                raise IngestError("the PDF is encrypted and needs a password", where=name)
            total = len(reader.pages)
            for number, page in enumerate(reader.pages, 1):
                placed.append([])
                pages.append(page.extract_text(visitor_text=visit) or "")
                if progress:
                    progress(number, total)
    except FileNotDecryptedError:
        raise IngestError("the PDF is encrypted and needs a password", where=name) from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AttributeError) as exc:
        reason = re.sub(r"\s+", " ", str(exc)).strip()[:200]
        raise IngestError(f"corrupt or unreadable PDF ({reason})", where=name) from None
    finally:
        pypdf_logger.setLevel(level)
    if sum(len(p.strip()) for p in pages) < 20:
        raise IngestError(
            "the PDF has no text layer (a scan?): run OCR on it first, HRAP reads text only",
            where=name,
        )
    strong, body = _strong_texts(chunks)
    page_lines = [[ln for ln in p.splitlines() if ln.strip()] for p in pages]
    repeated = _running_lines(page_lines)
    lines: list[Line | Block] = []
    carried: OpenTable | None = None
    continued: int | None = None  # where in `lines` the last table stands
    for number, plines in enumerate(page_lines, 1):
        carried_in = carried is not None
        running = {squash(ln) for ln in plines if _shape(ln) in repeated or _PAGE_NUMBER.match(ln)}
        placed_lines = lines_of(placed[number - 1]) if placed else []
        spaced = _spaced_lines([ln for ln in placed_lines if ln.key not in running])
        # Typography by position where the page has it: a regular line that repeats a bold
        # heading's words (a list of the themes) is not a heading.
        # The same words twice on a page (a list of the themes, then a theme's heading) are
        # told apart by the order they come in.
        set_strong: dict[str, list[bool]] = defaultdict(list)
        for ln in placed_lines:
            set_strong[ln.key].append(
                bool(ln.cells) and all(c.bold or (body and c.size >= body * 1.15) for c in ln.cells)
            )
        tables, carried = find_tables(placed_lines, running, carried)
        if tables:
            # A page with a table is read from the positions, so the table's lines can be
            # taken out whole and its rows put in their place.
            plines = [" ".join(c.text for c in line.cells) for line in placed_lines]
        starts = {table.start: table for table in tables}
        inside = {i for table in tables for i in range(table.start, table.end)}
        for index, line in enumerate(plines):
            if (
                index in starts
                and index == 0
                and continued is not None
                and tables[0].start == 0
                and carried_in
            ):
                # the rows of a table that began on the page before
                previous = lines[continued]
                assert isinstance(previous, Block) and previous.rows is not None
                rows = _continue_rows(list(previous.rows), starts[index].rows)
                lines[continued] = table_block(rows, previous.where)
            elif index in starts:
                continued = len(lines)
                lines.append(table_block(starts[index].rows, f"page {number}"))
            if index in inside:
                continue
            edge = index < 3 or index >= len(plines) - 3
            if edge and (_PAGE_NUMBER.match(line) or _shape(line) in repeated):
                continue
            if squash(line) in spaced:
                lines.append(("", f"page {number}"))  # a wider gap above: a new paragraph
            if placed_lines:
                flags = set_strong.get(squash(line)) or [False]
                bold = flags.pop(0) if len(flags) > 1 else flags[0]
            else:
                bold = _normal(line) in strong
            lines.append((line, f"page {number}", bold))
    return paragraphs(lines)


def _continue_rows(
    rows: list[tuple[str, ...]], more: list[tuple[str, ...]]
) -> list[tuple[str, ...]]:
    """A table's rows with those from the next page: the first continues the last row."""
    if not more:
        return rows
    first, *rest = more
    last = rows[-1]
    joined = tuple(
        "\n".join(p for p in (a, b) if p)
        for a, b in zip(last, list(first) + [""] * (len(last) - len(first)), strict=False)
    )
    return [*rows[:-1], joined, *rest]


_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)


def _spaced_lines(placed: list[PlacedLine]) -> set[str]:
    """The lines (squashed text) set apart from the line above by more than the page's usual
    line spacing: where a paragraph or heading starts, which the text layer does not say."""
    gaps = [above.y - below.y for above, below in itertools.pairwise(placed)]
    usual = sorted(g for g in gaps if g > 0)
    if len(usual) < 4:
        return set()
    step = usual[len(usual) // 3]  # most gaps are between the lines of one paragraph
    return {
        below.key
        for above, below, gap in zip(placed, placed[1:], gaps, strict=False)
        if gap > step * 1.2 and below.key
    }


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _strong_texts(chunks: list[tuple[str, float, bool]]) -> tuple[set[str], float]:
    """Texts set bold or larger than the body, and the body's size (that of most
    characters)."""
    sizes: Counter[float] = Counter()
    for text, size, _ in chunks:
        sizes[round(size, 1)] += len(text)
    if not sizes:
        return set(), 0.0
    body = sizes.most_common(1)[0][0]
    texts = {
        _normal(text)
        for text, size, bold in chunks
        if (bold or (body and size >= body * 1.15)) and len(text) > 1
    }
    return texts, body


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip())


def _running_lines(page_lines: list[list[str]]) -> set[str]:
    """Headers and footers: lines at the top or bottom of most pages, page numbers aside."""
    if len(page_lines) < 3:
        return set()
    seen: Counter[str] = Counter()
    for plines in page_lines:
        seen.update({_shape(ln) for ln in plines[:2] + plines[-2:]})
    return {shape for shape, count in seen.items() if count >= max(3, len(page_lines) // 2)}
