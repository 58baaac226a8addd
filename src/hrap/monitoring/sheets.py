"""Reading the rows of an uploaded CSV or XLSX file, with every size bounded before it is read.

Plain Python (no Django). Rows come out as lists of cells: text, int, float, bool, None, or
`Unreadable` (a cell the file itself gets wrong, e.g. a shared string that does not exist),
so that one bad cell becomes a problem named at its place instead of a failure of the whole
file. The XLSX reader is HRAP's own, on `zipfile` and expat, building no tree: it
reads only the first worksheet's cells, checks each row number as it comes (a single row
numbered 1,000,000,000 is refused at once, never filled in with empty rows), counts blank rows
towards the limit, and caps the unpacked size of every part, so no file can hold a worker for
long or fill its memory (decision 0020).
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

from hrap.core.catalog import _
from hrap.core.errors import InvalidInput, Problem

MAX_ROWS = 200_000  # rows after the heading, blank rows included
MAX_COLUMNS = 64
MAX_FIELD = 131_072  # characters in one CSV field: the csv module's own limit
MAX_ROW_TEXT = 1_000_000  # characters in one CSV row
MAX_PARTS = 1_000  # files inside an XLSX package
MAX_SHEET_BYTES = 256 * 2**20  # the worksheet's XML, unpacked
MAX_STRINGS_BYTES = 64 * 2**20  # the shared strings, unpacked
MAX_SMALL_PART = 4 * 2**20  # the workbook and relationship parts, unpacked
MAX_STRINGS = 1_000_000
MAX_CELLS = 3_000_000  # cell elements in the sheet (15 a row)
MAX_ELEMENTS = 8_000_000  # XML elements of any kind in one part


@dataclass(frozen=True)
class Unreadable:
    """A cell whose content the file itself gets wrong."""

    reason: str

    def __str__(self) -> str:
        return self.reason


Cell = str | int | float | bool | None | Unreadable


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def rows(raw: bytes, name: str) -> Iterator[tuple[str, int, list[Cell]]]:
    """(sheet name, row number, cells) for every row, CSV or XLSX by content.

    Structural problems (too many rows, not a workbook, no worksheet) raise InvalidInput.
    """
    if raw[:4] == b"PK\x03\x04":
        yield from _xlsx_rows(raw, name)
    else:
        yield from _csv_rows(raw, name)


def row_where(sheet: str, number: int) -> str:
    """Where a row is, as a person reads it: "Values!row 12"."""
    return _("%(sheet)s!row %(number)s") % {"sheet": sheet, "number": number}


def _too_many_rows(sheet: str) -> InvalidInput:
    return InvalidInput(
        [
            Problem(
                sheet,
                _("more than %(n)s rows below the heading (blank rows count)")
                % {"n": f"{MAX_ROWS:,}"},
            )
        ]
    )


# --- CSV --------------------------------------------------------------------------------------


class _RowTooLong(Exception):
    pass


def _csv_rows(raw: bytes, name: str) -> Iterator[tuple[str, int, list[Cell]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput([Problem(name, _("the CSV file is not UTF-8"))]) from None
    read = [0]  # characters read since the last row was handed out

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            read[0] += len(line)
            if read[0] > MAX_ROW_TEXT:
                raise _RowTooLong
            yield line

    reader = csv.reader(lines())
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except _RowTooLong:
            raise InvalidInput(
                [
                    Problem(
                        row_where("csv", number + 1),
                        _("longer than %(n)s characters") % {"n": f"{MAX_ROW_TEXT:,}"},
                    )
                ]
            ) from None
        except csv.Error as exc:
            what = (
                _("a field is longer than %(n)s characters") % {"n": f"{MAX_FIELD:,}"}
                if "field limit" in str(exc)
                else _("not readable as CSV (%(reason)s)") % {"reason": exc}
            )
            raise InvalidInput([Problem(row_where("csv", number + 1), what)]) from None
        number += 1
        read[0] = 0
        if number > MAX_ROWS + 1:
            raise _too_many_rows("csv")
        if len(row) > MAX_COLUMNS and any(row[MAX_COLUMNS:]):
            raise InvalidInput(
                [
                    Problem(
                        row_where("csv", number),
                        _("more than %(n)s columns") % {"n": MAX_COLUMNS},
                    )
                ]
            )
        yield "csv", number, list(row[:MAX_COLUMNS])


# --- XLSX -------------------------------------------------------------------------------------

_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_DIMENSION = re.compile(r"[A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}([0-9]{1,7})")
_NUMBER = re.compile(r"[0-9]{1,12}")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


class _Package:
    """The parts of an XLSX file, each read only after its unpacked size is checked."""

    def __init__(self, raw: bytes, name: str) -> None:
        self.name = name
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise self.broken(_("not a readable XLSX workbook")) from None
        if len(infos) > MAX_PARTS:
            raise self.broken(
                _("more than %(n)s parts: not an XLSX workbook") % {"n": f"{MAX_PARTS:,}"}
            )
        self.sizes = {info.filename: info.file_size for info in infos}

    def broken(self, what: str) -> InvalidInput:
        return InvalidInput([Problem(self.name, what)])

    def open(self, path: str, limit: int) -> IO[bytes]:
        if path not in self.sizes:
            raise self.broken(_("the workbook has no part %(part)r") % {"part": path[:80]})
        if self.sizes[path] > limit:
            raise self.broken(
                _("%(part)s unpacks to more than %(n)s MB")
                % {"part": path[:80], "n": limit // 2**20}
            )
        try:
            return self.zip.open(path)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
            raise self.broken(_("%(part)s cannot be unpacked") % {"part": path[:80]}) from None

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """id → (type, path) of a part's relationships ("" for the package's own)."""
        folder, file = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", file + ".rels")
        if rels not in self.sizes:
            return {}
        found = {}
        for attributes in _Elements(self, "Relationship").read(rels):
            target = attributes.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            kind = attributes.get("Type", "").rsplit("/", 1)[-1]
            found[attributes.get("Id", "")] = (kind, path)
        return found


def _xlsx_rows(raw: bytes, name: str) -> Iterator[tuple[str, int, list[Cell]]]:
    package = _Package(raw, name)
    workbook = next(
        (path for kind, path in package.relationships("").values() if kind == "officeDocument"),
        "xl/workbook.xml",
    )
    sheets = _Elements(package, "sheet").read(workbook)
    if not sheets:
        raise package.broken(_("the workbook has no sheet"))
    parts = package.relationships(workbook)
    title = (sheets[0].get("name") or "Sheet1")[:31]
    kind, path = parts.get(sheets[0].get("id", ""), ("", ""))
    if kind != "worksheet":
        raise package.broken(_("the first sheet, %(title)r, is not a worksheet") % {"title": title})
    strings_path = next((path for kind, path in parts.values() if kind == "sharedStrings"), None)
    strings = _SharedStrings(package).read(strings_path) if strings_path else []
    yield from _Sheet(package, title, strings).rows(path)


class _Stream:
    """An expat parser fed a part in chunks: no tree is built and every element is counted.

    Names are read without their namespace, so transitional and strict XLSX read alike.
    """

    def __init__(self, package: _Package) -> None:
        self.package = package
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        # XLSX parts have no DTD; refusing one rules out entity expansion of any kind.
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.elements = 0
        self.text: list[str] | None = None  # character data being collected
        self.length = 0

    def _doctype(self, *_args: object) -> None:
        raise self.package.broken(_("a part of the workbook declares a DTD"))

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise self.package.broken(
                _("more than %(n)s XML elements in one part") % {"n": f"{MAX_ELEMENTS:,}"}
            )
        self.start(tag.rpartition("}")[2], attributes)

    def _end(self, tag: str) -> None:
        self.end(tag.rpartition("}")[2])

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def collect(self) -> None:
        self.text, self.length = [], 0
        self.parser.CharacterDataHandler = self._characters

    def _characters(self, data: str) -> None:
        assert self.text is not None
        self.length += len(data)
        if self.length > MAX_FIELD:
            raise self.package.broken(
                _("a cell holds more than %(n)s characters") % {"n": f"{MAX_FIELD:,}"}
            )
        self.text.append(data)

    def collected(self) -> str:
        text = "".join(self.text or ())
        self.text = None
        self.parser.CharacterDataHandler = None
        return text

    def chunks(self, path: str, limit: int) -> Iterator[None]:
        """Parse the part; yields after each chunk, so that a reader can hand out rows."""
        try:
            with self.package.open(path, limit) as source:
                while chunk := source.read(2**16):
                    self.parser.Parse(chunk, False)
                    yield
                self.parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise self.package.broken(
                _("%(part)s is not well-formed XML (%(reason)s)")
                % {"part": path[:80], "reason": exc}
            ) from None
        except (zipfile.BadZipFile, OSError, EOFError):
            raise self.package.broken(
                _("%(part)s cannot be unpacked") % {"part": path[:80]}
            ) from None


class _Elements(_Stream):
    """The attributes (without namespaces) of every element of one name in a small part."""

    def __init__(self, package: _Package, name: str) -> None:
        super().__init__(package)
        self.name = name
        self.found: list[dict[str, str]] = []

    def read(self, path: str) -> list[dict[str, str]]:
        for _chunk in self.chunks(path, MAX_SMALL_PART):
            pass
        return self.found

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == self.name:
            self.found.append({k.rpartition("}")[2]: v for k, v in attributes.items()})


class _SharedStrings(_Stream):
    def __init__(self, package: _Package) -> None:
        super().__init__(package)
        self.strings: list[str] = []
        self.runs: list[str] = []
        self.phonetic = False

    def read(self, path: str) -> list[str]:
        for _chunk in self.chunks(path, MAX_STRINGS_BYTES):
            pass
        return self.strings

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "si":
            self.runs = []
        elif tag == "rPh":  # a phonetic guide (CJK files), not part of the text
            self.phonetic = True
        elif tag == "t" and not self.phonetic:
            self.collect()

    def end(self, tag: str) -> None:
        if tag == "t" and self.text is not None:
            self.runs.append(self.collected())
        elif tag == "rPh":
            self.phonetic = False
        elif tag == "si":
            self.strings.append("".join(self.runs))
            if len(self.strings) > MAX_STRINGS:
                raise self.package.broken(
                    _("more than %(n)s shared strings") % {"n": f"{MAX_STRINGS:,}"}
                )


class _Sheet(_Stream):
    def __init__(self, package: _Package, title: str, strings: list[str]) -> None:
        super().__init__(package)
        self.title, self.strings = title, strings
        self.ready: list[tuple[str, int, list[Cell]]] = []
        self.last = 0  # the number of the last row read
        self.row: list[Cell] | None = None
        self.cells = 0  # cell elements in the whole sheet
        self.cell: tuple[str | None, str] | None = None  # (reference, type) of the open cell
        self.value: str | None = None
        self.inline: list[str] = []
        self.done = False

    def rows(self, path: str) -> Iterator[tuple[str, int, list[Cell]]]:
        for _chunk in self.chunks(path, MAX_SHEET_BYTES):
            yield from self.ready
            self.ready.clear()
            if self.done:
                return
        yield from self.ready

    def refuse(self, where: str, what: str) -> InvalidInput:
        """A problem at `where`: a row (`self.row_at(n)`) or a cell of this sheet ("B5")."""
        return InvalidInput([Problem(where if "!" in where else f"{self.title}!{where}", what)])

    def row_at(self, number: int) -> str:
        return row_where(self.title, number)

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        if self.done:
            return
        if self.row is not None:
            if tag == "c":
                self.cells += 1
                if self.cells > MAX_CELLS:
                    raise self.refuse(
                        self.row_at(self.last), _("more than %(n)s cells") % {"n": f"{MAX_CELLS:,}"}
                    )
                self.cell = (attributes.get("r"), attributes.get("t", "n"))
                self.value, self.inline = None, []
            elif tag in ("v", "t") and self.cell is not None:
                self.collect()
        elif tag == "row":
            self.last = self.row_number(attributes.get("r"))
            self.row = []
        elif tag == "dimension":
            match = _DIMENSION.fullmatch(attributes.get("ref", ""))
            if match and int(match.group(1)) > MAX_ROWS + 1:
                raise _too_many_rows(self.title)

    def end(self, tag: str) -> None:
        if self.row is None:
            if tag == "sheetData":
                self.done = True  # what follows the cells (merges, print settings) is not read
            return
        if tag == "v" and self.text is not None:
            self.value = self.collected()
        elif tag == "t" and self.text is not None:
            self.inline.append(self.collected())
        elif tag == "c" and self.cell is not None:
            self.place(*self.cell)
            self.cell = None
        elif tag == "row":
            self.ready.append((self.title, self.last, self.row))
            self.row = None

    def row_number(self, text: str | None) -> int:
        if text is None:
            number = self.last + 1
        elif _NUMBER.fullmatch(text):
            number = int(text)
        else:
            raise self.refuse(
                self.row_at(self.last + 1), _("%(text)r is not a row number") % {"text": text[:20]}
            )
        if number > MAX_ROWS + 1:
            raise _too_many_rows(self.title)
        if number <= self.last:
            raise self.refuse(
                self.row_at(number), _("rows out of order (after row %(n)s)") % {"n": self.last}
            )
        return number

    def place(self, ref: str | None, kind: str) -> None:
        assert self.row is not None
        if ref is None:
            index = len(self.row)
        else:
            match = _CELL_REF.fullmatch(ref)
            if not match or int(match.group(2)) != self.last:
                raise self.refuse(
                    self.row_at(self.last),
                    _("%(ref)r is not a cell of this row") % {"ref": ref[:20]},
                )
            index = _column_index(match.group(1))
        value = self.read_value(kind)
        if index >= MAX_COLUMNS:
            if value is None or value == "":
                return
            raise self.refuse(
                ref or self.row_at(self.last), _("more than %(n)s columns") % {"n": MAX_COLUMNS}
            )
        if index < len(self.row):
            raise self.refuse(
                self.row_at(self.last), _("cells out of order at %(ref)s") % {"ref": ref}
            )
        self.row.extend([None] * (index - len(self.row)))
        self.row.append(value)

    def read_value(self, kind: str) -> Cell:
        if kind == "inlineStr":
            return "".join(self.inline)
        text = self.value
        if text is None or text == "":
            return None
        if kind == "s":
            if not _NUMBER.fullmatch(text) or int(text) >= len(self.strings):
                return Unreadable(
                    _("shared string %(text)r does not exist in the workbook") % {"text": text[:20]}
                )
            return self.strings[int(text)]
        if kind == "b":
            if text not in ("0", "1"):
                return Unreadable(_("%(text)r is not a true/false value") % {"text": text[:20]})
            return text == "1"
        if kind == "n":
            return _number(text)
        return text  # str (a formula's text), e (an error such as #DIV/0!), d (an ISO date)


def _number(text: str) -> Cell:
    """A number cell as Excel holds it: an int, or a double (inf, nan and junk are named)."""
    text = text.strip()
    if len(text) > 64:
        return Unreadable(_("%(text)r… is not a number") % {"text": text[:20]})
    if re.fullmatch(r"-?[0-9]{1,18}", text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return Unreadable(_("%(text)r is not a number") % {"text": text[:20]})
    if value != value or value in (float("inf"), float("-inf")):
        return Unreadable(_("%(text)r is not a finite number") % {"text": text[:20]})
    return value
