"""The structure parser: blocks into a tree of introduction, parts, sections, tasks, sub-tasks.

Structure comes from numbering and layout, never from known titles. Each numbering style has a
place in the conventional outline of plans and official documents (Part/Roman/一、 above
1./（一） above (1)/1. …); a document's own set of styles decides which style is which level.
Bullets are always the leaves under the nearest numbered heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import zhconv

from hrap.core.errors import IngestError
from hrap.ingest.numerals import en_words_value, han_value, roman_value
from hrap.ingest.readers import Block
from hrap.ingest.targets import FoundTarget, extract

_HAN_NUM = "一二三四五六七八九十百零〇"


@dataclass(frozen=True)
class Marker:
    style: str
    number: str
    value: int | None
    rest: str


# (style, pattern, minimum depth). Order is the conventional outline, highest level first.
_STYLES: list[tuple[str, re.Pattern[str], int]] = [
    (
        "intro",
        re.compile(
            r"^(导言|導言|前言|序言|引言|introduction|foreword|preamble|preface)[.:：]?$", re.I
        ),
        0,
    ),
    (
        "part-word",
        re.compile(r"^(?:part|chapter)\s+([IVXLC]+|\d{1,2}|[a-z]+)\b[.:：]?\s*(.*)$", re.I),
        0,
    ),
    ("han-chapter", re.compile(rf"^第([{_HAN_NUM}\d]+)(?:章|部分|篇)\s*(.*)$"), 0),
    ("roman", re.compile(r"^([IVXLC]+)[.．]\s*(\S.*)$"), 0),
    ("han-section", re.compile(rf"^第([{_HAN_NUM}\d]+)[节節]\s*(.*)$"), 0),
    ("han-dun", re.compile(rf"^([{_HAN_NUM}]+)、\s*(\S.*)$"), 0),
    ("han-paren", re.compile(rf"^[（(]\s*([{_HAN_NUM}]+)\s*[)）]\s*(\S.*)$"), 1),
    ("digit-dot", re.compile(r"^(\d{1,2})(?:[.．](?!\d)|、)\s*(\S.*)$"), 1),
    ("digit-paren", re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]\s*(\S.*)$"), 1),
    ("letter-paren", re.compile(r"^[（(]\s*([a-z])\s*[)）]\s*(\S.*)$"), 2),
]
_BULLET = re.compile(r"^(——|--|-|–|—|•|・|▪|●|◆|\*|\+)\s*(\S.*)$")
_KINDS = ["part", "section", "task", "subtask"]

# English finite verbs and modals: a bullet whose first sentence has one is a sentence, not a
# heading ("China shall complete …" vs "Improving air quality.").
_EN_FINITE = re.compile(
    r"\b(shall|will|would|should|must|can|may|is|are|was|were|has|have|had|does|do)\b", re.I
)


def classify(text: str) -> Marker | None:
    for style, pattern, _ in _STYLES:
        match = pattern.match(text)
        if not match:
            continue
        if style == "intro":
            return Marker(style, "", None, match.group(1))
        number, rest = match.group(1), match.group(2)
        value = roman_value(number.upper()) if style in ("roman", "part-word") else None
        if value is None and number.isdigit():
            value = int(number)
        if value is None:
            value = han_value(number) if style.startswith("han") else en_words_value(number)
        if style == "roman" and value is None:
            continue
        if style == "letter-paren":
            value = ord(number) - ord("a") + 1
        return Marker(style, number, value, rest.strip())
    bullet = _BULLET.match(text)
    if bullet and not re.match(r"^-\s?\d", text):  # "-5 degrees" is not a bullet
        return Marker("bullet", "", None, bullet.group(2).strip())
    return None


def _is_chinese(text: str) -> bool:
    han = len(re.findall(r"[\u3400-\u9fff]", text))
    return han > len(re.findall(r"[A-Za-z]", text)) / 3 and han > 0


def split_heading(text: str, *, numbered: bool) -> tuple[str, str]:
    """(title, body): the heading sentence of "Heading. Body", or ("", text) for a bare sentence.

    A numbered line that is short and has no sentence inside is all title ("1. Right to Life").
    """
    text = text.strip()
    chinese = _is_chinese(text)
    stop = re.search(r"。" if chinese else r"(?<![A-Z])\.(?=\s|$)(?!\s*\d)", text)
    if numbered and stop is None and not re.search(r"[；;:：]\s*\S", text):
        return text.strip(), ""
    if numbered and stop is not None and stop.end() >= len(text.rstrip()):
        short = len(text) <= (40 if chinese else 120)
        if short and not re.search(r"[；;:：]\s*\S", text):
            return text.rstrip("。.").strip(), ""
    if stop is None or stop.end() >= len(text.rstrip()):
        return "", text
    head, body = text[: stop.start()].strip(), text[stop.end() :].strip()
    if chinese:
        return (head, body) if len(head) <= 40 else ("", text)
    if len(head.split()) <= 40 and not _EN_FINITE.search(head):
        return head, body
    return "", text


@dataclass
class ParsedNode:
    kind: str
    style: str
    number: str
    value: int | None
    title: str
    text: str
    where: str
    source: str
    depth: int = 0
    ref: str = ""
    children: list[ParsedNode] = field(default_factory=list)
    targets: list[FoundTarget] = field(default_factory=list)


@dataclass
class ParsedDocument:
    language: str
    title: str
    nodes: list[ParsedNode]
    preamble: list[str]
    notes: list[str]

    def walk(self) -> list[ParsedNode]:
        out: list[ParsedNode] = []

        def visit(nodes: list[ParsedNode]) -> None:
            for n in nodes:
                out.append(n)
                visit(n.children)

        visit(self.nodes)
        return out


def _depths(styles_present: set[str]) -> dict[str, int]:
    depths: dict[str, int] = {}
    depth = -1
    for style, _, minimum in _STYLES:
        if style == "intro" or style not in styles_present:
            continue
        depth = max(depth + 1, minimum)
        depths[style] = depth
    depths["intro"] = 0
    return depths


def _language(blocks: list[Block]) -> tuple[str, bool]:
    """The document's language tag, and whether traditional script should be folded."""
    sample = "".join(b.text for b in blocks[:400])
    if not _is_chinese(sample):
        return "en", False
    han = re.findall(r"[\u3400-\u9fff]", sample)
    simplified = zhconv.convert("".join(han), "zh-hans")
    changed = sum(a != b for a, b in zip(han, simplified, strict=False))
    # A few traditional characters in a simplified plan are a source's conversion; fold them.
    return ("zh-Hant", False) if changed > len(han) * 0.15 else ("zh-Hans", True)


def parse(blocks: list[Block], *, name: str = "document") -> ParsedDocument:
    """The plan tree of one document; IngestError when it has no recognizable structure."""
    language, fold = _language(blocks)
    notes: list[str] = []
    originals = [b.text for b in blocks]  # what the document says, before any folding
    if fold:
        folded = [zhconv.convert(b.text, "zh-hans") for b in blocks]
        changed = sum(f != b.text for f, b in zip(folded, blocks, strict=True))
        if changed:
            notes.append(f"{name}: {changed} paragraphs in traditional script read as simplified")
        blocks = [Block(f, b.where, b.heading) for f, b in zip(folded, blocks, strict=True)]
    marked = [(b, classify(b.text), source) for b, source in zip(blocks, originals, strict=True)]
    styles = {m.style for _, m, _ in marked if m is not None and m.style != "bullet"}
    heading_levels = sorted({b.heading for b, m, _ in marked if m is None and b.heading})
    depths = _depths(styles)
    for level in heading_levels:  # unnumbered headings rank by their level, above numbers
        depths[f"h{level}"] = heading_levels.index(level)
    if depths.keys() == {"intro"} and not any(m and m.style == "bullet" for _, m, _ in marked):
        raise IngestError(
            "no plan structure found: no numbered parts or sections, no headings, no bullet tasks",
            where=name,
        )

    roots: list[ParsedNode] = []
    open_nodes: list[ParsedNode] = []  # the current path from a root down
    preamble: list[str] = []
    for block, marker, source in marked:
        if marker is None and block.heading and f"h{block.heading}" in depths:
            marker = Marker(f"h{block.heading}", "", None, block.text)
        if marker is None:
            if open_nodes and _continues_heading(open_nodes[-1], block.text):
                open_nodes[-1].title = f"{open_nodes[-1].title} {block.text}".strip()
                open_nodes[-1].source += "\n" + source
            elif open_nodes:
                node = open_nodes[-1]
                # Only laid-out pages break lines mid-paragraph; Chinese bullets keep "——标题。"
                # and body on one line, so a break after the stop there is a new paragraph.
                wrapped = block.where.startswith("page") and language == "en"
                if (
                    wrapped
                    and node.style == "bullet"
                    and not node.title
                    and "\n\n" not in node.text
                ):
                    # A line break right after a bullet's heading sentence ("-Heading." then
                    # the body on the next line) still makes "Heading. Body".
                    title, _ = split_heading(f"{node.text} {block.text}", numbered=False)
                    if title and title == node.text.rstrip("。. "):
                        node.title, node.text = title, ""
                node.text = f"{node.text}\n\n{block.text}" if node.text else block.text
                node.source += "\n\n" + source
            else:
                preamble.append(block.text)
            continue
        if marker.style == "bullet":
            numbered = [n for n in open_nodes if n.style != "bullet"]
            depth = numbered[-1].depth + 1 if numbered else 0
        else:
            depth = depths[marker.style]
            # Bullets are leaves: a numbered heading never goes inside one.
            while open_nodes and open_nodes[-1].style == "bullet":
                open_nodes.pop()
        while open_nodes and open_nodes[-1].depth >= depth:
            open_nodes.pop()
        parent = open_nodes[-1] if open_nodes else None
        if marker.style == "intro":
            kind, title, text = "introduction", marker.rest, ""
        else:
            if marker.style == "bullet":
                kind = (
                    "task"
                    if parent is None or parent.kind in ("introduction", "part", "section")
                    else "subtask"
                )
            else:
                kind = _KINDS[min(depth, len(_KINDS) - 1)]
                if parent is not None and _KINDS.index(kind) <= _KINDS.index(
                    _kind_rank(parent.kind)
                ):
                    kind = _KINDS[min(_KINDS.index(_kind_rank(parent.kind)) + 1, len(_KINDS) - 1)]
            title, text = split_heading(marker.rest, numbered=marker.style != "bullet")
        node = ParsedNode(
            kind=kind,
            style=marker.style,
            number=marker.number,
            value=marker.value,
            title=title,
            text=text,
            where=f"{name}, {block.where}",
            source=source,
            depth=depth,
        )
        (parent.children if parent else roots).append(node)
        open_nodes.append(node)

    document = ParsedDocument(
        language=language,
        title=next((p for p in preamble if len(p) <= 120), ""),
        nodes=roots,
        preamble=preamble,
        notes=notes,
    )
    _strip_page_numbers(document)
    _assign_refs(document.nodes, "")
    for node in document.walk():
        node.targets = extract(node.text, language) + extract(node.title, language)
    return document


def _continues_heading(node: ParsedNode, text: str) -> bool:
    """A heading wrapped onto the next lines: "V. Fulfillment …," then "and International …"."""
    if node.style == "bullet" or node.text or not node.title or len(text) > 100:
        return False
    open_end = re.search(r"([,，、]|\b(and|or|of|the|to|for|in|on|with))$", node.title, re.I)
    return bool(open_end) or text[:1].islower()


_PAGE_SUFFIX = re.compile(r"\s+\d{1,3}$")


def _strip_page_numbers(document: ParsedDocument) -> None:
    """A table of contents gives each heading its page: drop the numbers when most have one."""
    headings = [n for n in document.walk() if n.style != "bullet" and n.title]
    numbered = [n for n in headings if _PAGE_SUFFIX.search(n.title)]
    if len(headings) >= 3 and len(numbered) >= 0.6 * len(headings):
        for node in numbered:
            node.title = _PAGE_SUFFIX.sub("", node.title)


def _kind_rank(kind: str) -> str:
    return "part" if kind == "introduction" else kind


_ROMAN_REF = [
    "",
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
]


def _assign_refs(nodes: list[ParsedNode], prefix: str) -> None:
    """Refs from numbers where the plan numbers (III.1.2), from position where it uses bullets.

    Parts get Roman refs whatever the script (三 → III), so two languages agree.
    """
    used: set[str] = set()
    bullet_count = 0
    for node in nodes:
        if node.kind == "introduction":
            own = "intro"
        elif node.style == "bullet" or node.value is None:
            bullet_count += 1
            own = str(bullet_count)
        elif node.kind == "part" and not prefix and node.value < len(_ROMAN_REF):
            own = _ROMAN_REF[node.value]
        else:
            own = str(node.value)
        ref = f"{prefix}.{own}" if prefix else own
        candidate, n = ref, 2
        while candidate in used:
            candidate, n = f"{ref}-{n}", n + 1
        used.add(candidate)
        node.ref = candidate
        _assign_refs(node.children, candidate)
