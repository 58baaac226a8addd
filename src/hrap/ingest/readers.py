"""Document readers: .txt, .md, .html, .docx and .pdf into one stream of blocks.

A block is a paragraph or heading with where it came from. Every reader refuses what it cannot
read with an IngestError that says what is wrong and where, and never reads more than the
limits below into memory.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hrap.core.errors import IngestError

MB = 1024 * 1024
MAX_BYTES = {"text": 20 * MB, "docx": 50 * MB, "pdf": 100 * MB}
MAX_DOCX_UNCOMPRESSED = 200 * MB
MAX_DOCX_RATIO = 200
MAX_CHARACTERS = 5_000_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Block:
    text: str
    where: str
    heading: int | None = None  # heading level from a style or Markdown, when the format says
    strong: bool = False  # set in bold or larger than the body text (DOCX runs, PDF fonts)
    rows: tuple[tuple[str, ...], ...] | None = None  # a table: rows of cells, paragraphs by \n


# --- Lines into paragraphs --------------------------------------------------------------------

_TERMINAL = tuple(".。;；:：!！?？”\"')）]】")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Lines that open a new block whatever precedes them: numbered headings, bullets, intro words.
MARKER = re.compile(
    r"^\s*(?:[IVXLC]+[.．]\s|[A-Z][.)]\s+\S|[ivx]{1,4}[.)]\s+\S|\d{1,2}(?:\.\d{1,2})+\.?\s+\S|\||"
    r"\d{1,2}[.．、]\s*\S|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]+)\s*[)）]|"
    r"[一二三四五六七八九十百]+、|第[一二三四五六七八九十百\d]+[章节節部分篇]|"
    r"(?:——|--|[-–—•・▪●◆■□▫◦‣⁃*+\uf000-\uf0ff])\s*\S|(?:part|chapter)\s+\w+|"
    r"(?:导言|導言|前言|序言|引言|introduction|foreword|preamble|preface)\s*$)",
    re.IGNORECASE,
)
_HEADING_ONLY = re.compile(
    r"^\s*(?:[IVXLC]+[.．]\s|[A-Z][.)]\s|\d{1,2}(?:\.\d{1,2})+\.?\s|"
    r"\d{1,2}[.．]\s|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]+)\s*[)）]|"
    r"[一二三四五六七八九十百]+、|第[一二三四五六七八九十百\d]+[章节節部分篇])",
    re.IGNORECASE,
)


_OPEN_END = re.compile(r"([,，、]|\b(and|or|of|the|to|for|in|on|with|a|an))$", re.IGNORECASE)


_INTRO_LINE = re.compile(
    r"^\s*(导言|導言|前言|序言|引言|introduction|foreword|preamble|preface)\s*$", re.IGNORECASE
)


def _joins(previous: str, line: str) -> bool:
    """Whether `line` continues `previous` (a sentence broken by the line's end)."""
    if re.match(r"^[—–-]\s+[a-z]", line) and not previous.endswith(_TERMINAL):
        return True  # "… Open Government Partnership" / "— the international …": a dash aside
    if re.match(r"^[a-z]", line) and previous.endswith((".", ",")) and not MARKER.match(line):
        return not _HEADING_ONLY.match(previous)  # "… across U.S." / "history, …"
    if MARKER.match(line) or previous.endswith(_TERMINAL) or _INTRO_LINE.match(previous):
        return False
    if _HEADING_ONLY.match(previous):
        # A numbered heading is complete without a full stop, unless visibly cut short.
        return bool(_OPEN_END.search(previous)) or line[:1].islower()
    return True


def _glue(previous: str, line: str) -> str:
    if previous.endswith("-") and line[:1].islower():
        return previous[:-1] + line
    if previous.endswith(("-", "–", "—")) and line[:1].isdigit():
        return previous + line  # 2021-|2025
    if _HAN.search(previous[-1:]) or _HAN.search(line[:1]):
        return previous + line
    return f"{previous} {line}"


Line = tuple[str, str] | tuple[str, str, bool]  # text, where, and whether it is set strong
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|[\s:|-]+\|\s*$")


# Ideographic space and the Symbol font's private-use space (U+F020, as PDFs extract it) are
# spaces; DEL and other controls that text layers leak are dropped.
_SPACES = re.compile(r"[\u3000\uf020]")
# Standard fonts' bullet glyph comes out of some text layers as DEL or the WinAnsi code 0x95.
_BULLET_GLYPH = str.maketrans({"\x7f": "•", "\x95": "•"})


def pipe_cells(line: str) -> tuple[str, ...]:
    """The cells of a Markdown pipe row; "<br>" inside a cell separates its paragraphs."""
    cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
    return tuple(
        "\n".join(p.strip() for p in re.split(r"<br\s*/?>", c, flags=re.I) if p.strip())
        for c in cells
    )


def table_block(rows: list[tuple[str, ...]], where: str) -> Block:
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    text = " ".join(cell.replace("\n", " ") for row in rows for cell in row if cell)
    return Block(text, where, rows=tuple(rows))


def paragraphs(lines: Iterable[Line | Block]) -> list[Block]:
    """Lines into blocks: blank lines end a block; broken sentences are rejoined; pipe tables
    (Markdown rows "| a | b |") become table blocks."""
    blocks: list[Block] = []
    text, where, strong = "", "", False
    table: list[tuple[str, ...]] = []
    table_where = ""

    def flush() -> None:
        nonlocal text
        if text:
            blocks.append(Block(text, where, strong=strong))
        text = ""

    for entry in lines:
        if isinstance(entry, Block):  # a table a reader has already read
            flush()
            if table:
                blocks.append(table_block(table, table_where))
                table = []
            blocks.append(entry)
            continue
        raw, line_where = entry[0], entry[1]
        line_strong = bool(entry[2]) if len(entry) > 2 else False
        line = _SPACES.sub(" ", raw).translate(_BULLET_GLYPH).strip()
        if _PIPE_ROW.match(line):
            flush()
            if not table:
                table_where = line_where
            if not _PIPE_RULE.match(line):
                table.append(pipe_cells(line))
            continue
        if table:
            blocks.append(table_block(table, table_where))
            table = []
        if not line:
            flush()
            continue
        if text and line_strong == strong and _joins(text, line):
            text = _glue(text, line)
        else:
            flush()
            text, where, strong = line, line_where, line_strong
    flush()
    if table:
        blocks.append(table_block(table, table_where))
    return blocks


# --- Plain text and Markdown ------------------------------------------------------------------


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM or not) or GB18030/GBK; else an error."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return _strict(raw[3:], "utf-8", name)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(raw, "utf-16", name)
    head = raw[:4096]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) / 4 and even < odd / 8:
            return _strict(raw, "utf-16-le", name)
        if even > len(head) / 4 and odd < even / 8:
            return _strict(raw, "utf-16-be", name)
        raise IngestError("this is a binary file, not a text document", where=name)
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError("the text is neither UTF-8, UTF-16 nor GB18030/GBK", where=name)


def _strict(raw: bytes, encoding: str, name: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(f"invalid {encoding} at byte {exc.start}", where=name) from None


def _check_text(text: str, name: str) -> str:
    sample = text[:20000]
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > max(8, len(sample) // 100):
        raise IngestError("this is a binary file, not a text document", where=name)
    if len(text) > MAX_CHARACTERS:
        raise IngestError(f"{len(text):,} characters is more than a plan holds", where=name)
    return text


def read_text(raw: bytes, name: str) -> list[Block]:
    text = _check_text(decode(raw, name), name)
    return paragraphs((line, f"line {n}") for n, line in enumerate(text.splitlines(), 1))


def read_markdown(raw: bytes, name: str) -> list[Block]:
    text = _check_text(decode(raw, name), name)
    lines: list[tuple[str, str]] = []
    headings: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", line)  # bold
        line = re.sub(r"^\s*[*+]\s+", "- ", line)  # list items as bullets
        if heading:
            # A heading stands alone: blank lines around it keep it from joining its neighbours.
            title = re.sub(r"(\*\*|__)(.+?)\1", r"\2", heading.group(2))
            headings[f"line {n}"] = len(heading.group(1))
            lines += [("", ""), (title, f"line {n}"), ("", "")]
        else:
            lines.append((line, f"line {n}"))
    return [
        Block(b.text, b.where, headings.get(b.where)) if b.where in headings else b
        for b in paragraphs(lines)
    ]


# --- HTML -------------------------------------------------------------------------------------


class _HtmlBlocks(HTMLParser):
    BLOCK = {
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "dt",
        "dd",
        "section",
        "article",
        "blockquote",
        "pre",
        "title",
    }
    SKIP = {"script", "style", "nav", "noscript", "template", "head"}
    STRONG = {"b", "strong"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, str, int | None, bool]] = []
        self.tables: dict[int, list[tuple[str, ...]]] = {}  # index in lines → rows
        self.current: list[str] = []
        self.heading: int | None = None
        self.skipping = 0
        self.bold = 0
        self.bold_chars = 0
        self.lists: list[list[int]] = []  # one counter per open <ol>; [-1] for <ul>
        self.prefix = ""
        # An open table: its rows, the open row, the open cell's paragraphs; nested tables
        # are read into the cell that holds them.
        self.table_depth = 0
        self.rows: list[tuple[str, ...]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text and self.cell is not None:
            self.cell.append(self.prefix + text)
        elif text:
            line, _ = self.getpos()
            strong = self.bold_chars >= len(text) * 0.9
            self.lines.append((self.prefix + text, f"line {line}", self.heading, strong))
        self.current, self.prefix, self.bold_chars = [], "", 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.STRONG:
            self.bold += 1
        elif tag == "table":
            self._flush()
            self.table_depth += 1
            if self.table_depth == 1:
                self.rows, self.row, self.cell = [], None, None
        elif tag == "tr" and self.table_depth == 1:
            self._flush()
            self.row = []
        elif tag in ("td", "th") and self.table_depth == 1:
            self._flush()
            self.cell = []
            if self.row is None:
                self.row = []
        elif tag == "br":
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([0] if tag == "ol" else [-1])
        elif tag in self.BLOCK:
            self._flush()
            if tag[0] == "h" and tag[1:].isdigit():
                self.heading = int(tag[1:])
            if tag == "li" and self.lists:
                counter = self.lists[-1]
                if counter[0] >= 0:
                    counter[0] += 1
                    self.prefix = f"{counter[0]}. "
                else:
                    self.prefix = "• "

    def _end_cell(self) -> None:
        self._flush()
        if self.cell is not None and self.row is not None:
            self.row.append("\n".join(self.cell))
        self.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self.row:
            self.rows.append(tuple(self.row))
        self.row = None

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.STRONG:
            self.bold = max(0, self.bold - 1)
        elif tag in ("td", "th") and self.table_depth == 1:
            self._end_cell()
        elif tag == "tr" and self.table_depth == 1:
            self._end_row()
        elif tag == "table" and self.table_depth:
            self.table_depth -= 1
            if self.table_depth == 0:
                self._end_row()
                if self.rows:
                    line, _ = self.getpos()
                    self.tables[len(self.lines)] = self.rows
                    self.lines.append(("", f"line {line}", None, False))
                self.rows = []
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag in self.BLOCK:
            self._flush()
            self.heading = None

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)
            if self.bold:
                self.bold_chars += len(data.strip())


def read_html(raw: bytes, name: str) -> list[Block]:
    declared = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", raw[:4096], re.IGNORECASE)
    try:
        text = raw.decode(declared.group(1).decode()) if declared else decode(raw, name)
    except (LookupError, UnicodeDecodeError):
        text = decode(raw, name)
    parser = _HtmlBlocks()
    parser.feed(_check_text(text, name))
    parser.close()
    parser._flush()
    blocks: list[Block] = []
    for index, (line, where, heading, strong) in enumerate(parser.lines):
        if index in parser.tables:
            blocks.append(table_block(parser.tables[index], where))
        elif heading is not None:
            blocks.append(Block(line, where, heading, strong=strong))
        else:
            blocks.extend(paragraphs([(line, where, strong), ("", "")]))
    return blocks


# --- DOCX -------------------------------------------------------------------------------------

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


# --- Dispatch ---------------------------------------------------------------------------------

FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}


def read(path: Path, progress: Progress | None = None) -> list[Block]:
    """The blocks of one document, or an IngestError naming the file."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(f"cannot read the file: {exc.strerror}", where=name) from None
    if size == 0:
        raise IngestError("the file is empty", where=name)
    with path.open("rb") as handle:
        head = handle.read(8)
    kind = FORMATS.get(path.suffix.lower())
    if head.startswith(b"%PDF"):
        kind = "pdf"
    elif head.startswith(b"PK\x03\x04") and kind != "docx":
        raise IngestError("this is a zip archive; only .docx archives are read", where=name)
    if kind is None:
        kind = "text"
    limit = MAX_BYTES["pdf" if kind == "pdf" else "docx" if kind == "docx" else "text"]
    if size > limit:
        raise IngestError(
            f"the file is {size / MB:,.1f} MB; plan documents are read up to {limit // MB} MB",
            where=name,
        )
    if kind == "pdf":
        if not head.startswith(b"%PDF"):
            raise IngestError("not a PDF (it does not start with %PDF)", where=name)
        from hrap.ingest.pdf import read_pdf  # imported here: it builds on this module

        blocks = read_pdf(path, name, progress)
    elif kind == "docx":
        blocks = read_docx(path, name, progress)
    else:
        raw = path.read_bytes()
        reader = {"text": read_text, "markdown": read_markdown, "html": read_html}[kind]
        blocks = reader(raw, name)
    if not blocks:
        raise IngestError("the document holds no text", where=name)
    return blocks
