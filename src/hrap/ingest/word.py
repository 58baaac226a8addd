"""The DOCX reader: Word paragraphs, their heading and outline levels, list numbering as
Word draws it, bold runs, and tables; a zip bomb or a broken archive is refused."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hrap.core.errors import IngestError
from hrap.ingest.readers import (
    MAX_CHARACTERS,
    MAX_DOCX_RATIO,
    MAX_DOCX_UNCOMPRESSED,
    MB,
    Block,
    Progress,
    table_block,
)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _check_zip(path: Path, name: str) -> None:
    if not zipfile.is_zipfile(path):
        raise IngestError("not a Word document (.docx is a zip archive; this is not)", where=name)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_DOCX_UNCOMPRESSED or any(
                m.file_size > 10 * MB and m.file_size > MAX_DOCX_RATIO * max(m.compress_size, 1)
                for m in members
            ):
                raise IngestError(
                    f"the archive expands to {total / MB:,.0f} MB: refused as a zip bomb",
                    where=name,
                )
            if "word/document.xml" not in archive.namelist():
                raise IngestError("not a Word document: word/document.xml is missing", where=name)
    except zipfile.BadZipFile as exc:
        raise IngestError(f"corrupt archive ({exc})", where=name) from None


def _han_numeral(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out, n = out + numeral, n - value
    return out


def _format_counter(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt.startswith(("chinese", "ideograph", "taiwanese", "japaneseCounting")):
        return _han_numeral(n)
    return str(n)


class _WordNumbering:
    """Computes the labels Word shows for numbered paragraphs (III., （一）, 1.)."""

    def __init__(self, numbering_element: object | None) -> None:
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.num_to_abstract: dict[str, str] = {}
        self.start_overrides: dict[tuple[str, int], int] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if numbering_element is None:
            return
        for abstract in numbering_element.iter(f"{_W}abstractNum"):  # type: ignore[attr-defined]
            levels = {}
            for lvl in abstract.iter(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                start = lvl.find(f"{_W}start")
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                levels[ilvl] = (
                    int(start.get(f"{_W}val", "1")) if start is not None else 1,
                    fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{_W}val", "") if text is not None else "",
                )
            self.levels[abstract.get(f"{_W}abstractNumId", "")] = levels
        for num in numbering_element.iter(f"{_W}num"):  # type: ignore[attr-defined]
            num_id = num.get(f"{_W}numId", "")
            abstract_id = num.find(f"{_W}abstractNumId")
            if abstract_id is not None:
                self.num_to_abstract[num_id] = abstract_id.get(f"{_W}val", "")
            for override in num.iter(f"{_W}lvlOverride"):
                start = override.find(f"{_W}startOverride")
                if start is not None:
                    level = int(override.get(f"{_W}ilvl", "0"))
                    self.start_overrides[(num_id, level)] = int(start.get(f"{_W}val", "1"))

    def label(self, num_id: str, ilvl: int) -> str:
        abstract = self.num_to_abstract.get(num_id)
        levels = self.levels.get(abstract or "", {})
        if ilvl not in levels or num_id == "0":
            return ""
        counters = self.counters.setdefault(num_id, {})
        start = self.start_overrides.get((num_id, ilvl), levels[ilvl][0])
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        _, fmt, text = levels[ilvl]
        if fmt == "bullet":
            return "•"
        if fmt == "none":
            return ""

        def fill(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            level_start, level_fmt, _ = levels.get(level, (1, "decimal", ""))
            return _format_counter(counters.get(level, level_start), level_fmt)

        return re.sub(r"%(\d)", fill, text)


def _paragraph_numbering(
    paragraph: object, styles_numbering: dict[str, tuple[str, int]]
) -> tuple[str, int] | None:
    p = paragraph._p  # type: ignore[attr-defined]
    num_pr = p.pPr.numPr if p.pPr is not None else None
    if num_pr is not None and num_pr.numId is not None:
        ilvl = num_pr.ilvl.val if num_pr.ilvl is not None else 0
        return str(num_pr.numId.val), int(ilvl)
    style_id = p.style
    return styles_numbering.get(style_id) if style_id else None


def read_docx(path: Path, name: str, progress: Progress | None = None) -> list[Block]:
    _check_zip(path, name)
    import docx  # python-docx, imported here so other formats do not pay for lxml
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise IngestError(f"corrupt Word document ({exc})", where=name) from None
    except Exception as exc:  # lxml raises its own errors for broken XML
        raise IngestError(f"corrupt Word document ({type(exc).__name__})", where=name) from None
    try:
        numbering_element = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        numbering_element = None
    numbering = _WordNumbering(numbering_element)
    styles_numbering: dict[str, tuple[str, int]] = {}
    for style in document.styles:
        pPr = getattr(style.element, "pPr", None)
        if pPr is not None and pPr.numPr is not None and pPr.numPr.numId is not None:
            ilvl = pPr.numPr.ilvl.val if pPr.numPr.ilvl is not None else 0
            styles_numbering[style.style_id] = (str(pPr.numPr.numId.val), int(ilvl))
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[Block] = []
    body = list(document.element.body.iterchildren())
    total = len(body)
    characters = 0

    def paragraph_text(paragraph: Paragraph) -> str:
        text = paragraph.text.strip()
        numbered = _paragraph_numbering(paragraph, styles_numbering)
        label = numbering.label(*numbered) if numbered else ""
        if text and label:
            sep = "" if label.endswith(("、", ")", "）")) else " "
            text = f"{label}{sep}{text}"
        return text

    for index, element in enumerate(body, 1):
        if element.tag == f"{_W}tbl":
            rows = _docx_rows(Table(element, document), paragraph_text)
            characters += sum(len(cell) for row in rows for cell in row)
            if rows:
                blocks.append(table_block(rows, f"table at paragraph {index}"))
        elif element.tag == f"{_W}p":
            paragraph = Paragraph(element, document)
            text = paragraph_text(paragraph)
            if not text:
                continue
            characters += len(text)
            style_name = (paragraph.style.name if paragraph.style is not None else "") or ""
            heading = re.match(r"^(?:Heading|标题|標題)\s*(\d)$", style_name, re.IGNORECASE)
            level = int(heading.group(1)) if heading else (0 if style_name == "Title" else None)
            blocks.append(Block(text, f"paragraph {index}", level, strong=_docx_bold(paragraph)))
        if characters > MAX_CHARACTERS:
            raise IngestError(f"more than {MAX_CHARACTERS:,} characters of text", where=name)
        if progress and index % 200 == 0:
            progress(index, total)
    return blocks


def _docx_bold(paragraph: object) -> bool:
    """Whether every run with text is bold, by the run or by the paragraph's style."""
    runs = [r for r in paragraph.runs if r.text.strip()]  # type: ignore[attr-defined]
    style = paragraph.style  # type: ignore[attr-defined]
    style_bold = bool(style is not None and style.font is not None and style.font.bold)
    return bool(runs) and all(r.bold or (r.bold is None and style_bold) for r in runs)


def _docx_rows(table: object, paragraph_text: Callable[[Any], str]) -> list[tuple[str, ...]]:
    """A Word table's rows; a cell merged across columns counts once, its paragraphs by \\n."""
    rows: list[tuple[str, ...]] = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            texts = [paragraph_text(p) for p in cell.paragraphs]
            for inner in cell.tables:  # a table inside a cell: its text, row by row
                texts += [" ".join(c) for c in _docx_rows(inner, paragraph_text)]
            cells.append("\n".join(t for t in texts if t))
        if any(cells):
            rows.append(tuple(cells))
    return rows
