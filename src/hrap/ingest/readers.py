"""Document readers: .txt, .md, .html, .docx and .pdf into one stream of blocks.

A block is a paragraph or heading with where it came from. Every reader refuses what it cannot
read with an IngestError that says what is wrong and where, and never reads more than the
limits below into memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from hrap.core.errors import IngestError
from hrap.ingest.conventions import counting_labels

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
    r"\d{1,2}[.．、]\s*\S|[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]+|[a-z]|[ivx]{1,5})\s*[)）]|"
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

    lines = list(lines)
    # A document's own numbering ("Goal 2:", "Action Item 3 –") starts a block as the known
    # styles do, where its counter counts up (decision 0027).
    texts = [_SPACES.sub(" ", e[0]).strip() for e in lines if not isinstance(e, Block)]
    labelled = counting_labels(texts)
    # Chinese wraps without spaces or hyphens: a line well short of a full one ended its
    # paragraph ("5、加强儿童卫生保健教育" then "具体目标").
    lengths = sorted(len(t) for t in texts if _HAN.search(t[-1:]))
    full = lengths[int(len(lengths) * 0.9)] if len(lengths) >= 5 else 0
    last = ""
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
        short = bool(full) and len(last) < full * 0.6 and bool(_HAN.search(last[-1:]))
        if (
            text
            and line_strong == strong
            and _joins(text, line)
            and not labelled(line)
            and not (short and _HAN.search(line[:1]))
        ):
            text = _glue(text, line)
        else:
            flush()
            text, where, strong = line, line_where, line_strong
        last = line
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
        from hrap.ingest.word import read_docx  # imported here: it builds on this module

        blocks = read_docx(path, name, progress)
    else:
        raw = path.read_bytes()
        reader = {"text": read_text, "markdown": read_markdown, "html": read_html}[kind]
        blocks = reader(raw, name)
    if not blocks:
        raise IngestError("the document holds no text", where=name)
    return blocks
