"""The structure parser: blocks into a tree of introduction, parts, sections, tasks, sub-tasks.

Structure comes from evidence, never from known titles: each block's numbering style
(`markers`, and the document's own label-and-counter styles and headings above restarting
counters from `conventions`), the document's typography (heading levels, bold, size,
capitals), a contents page that lists a heading, and sequence (a `1.` that starts again under
each `A.` is below it; `levels`). The conventional outline of plans and official documents
(Part/Roman/一、 above 1./（一） above (1) …) decides only where the document gives no
evidence. Bullets and run-in titles are leaves under the
nearest numbered heading; action tables (`tables`) give tasks with their responsible bodies,
deadlines and indicators. Front matter (`frontmatter`) is kept apart from the tree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import zhconv

from hrap.core.errors import IngestError
from hrap.ingest.conventions import (
    discover,
    is_record,
    restart_headings,
    run_ins,
)
from hrap.ingest.dates import Deadline
from hrap.ingest.frontmatter import FrontMatter, contents_key, front_kind, is_contents_entry
from hrap.ingest.headings import is_chinese, is_title_case, split_heading, unnumbered_headings
from hrap.ingest.levels import (
    Evidence,
    act_on_verbs,
    default_order,
    depths_of,
    rank,
    strong,
    style_key,
)
from hrap.ingest.markers import (
    CITATION,
    Marker,
    classify,
    resolve_letters,
)
from hrap.ingest.readers import Block
from hrap.ingest.tables import TableAction, read_action_table
from hrap.ingest.targets import FoundTarget, extract, table_targets

__all__ = ["Marker", "ParsedDocument", "ParsedNode", "classify", "parse", "split_heading"]

_KINDS = ["part", "section", "task", "subtask"]


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
    deadline: Deadline | None = None
    deadline_text: str = ""
    responsible: list[tuple[str, str | None]] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    table: TableAction | None = None


@dataclass
class ParsedDocument:
    language: str
    title: str
    nodes: list[ParsedNode]
    preamble: list[str]
    notes: list[str]
    front_matter: list[FrontMatter] = field(default_factory=list)

    def walk(self) -> list[ParsedNode]:
        out: list[ParsedNode] = []

        def visit(nodes: list[ParsedNode]) -> None:
            for n in nodes:
                out.append(n)
                visit(n.children)

        visit(self.nodes)
        return out


def _language(blocks: list[Block]) -> tuple[str, bool]:
    """The document's language tag, and whether traditional script should be folded."""
    sample = "".join(b.text for b in blocks[:400])
    if not is_chinese(sample):
        french = len(re.findall(r"\b(?:le|la|les|des|du|et|pour|dans)\b", sample, re.I))
        english = len(re.findall(r"\b(?:the|and|of|for|to|in)\b", sample, re.I))
        return ("fr" if french > english else "en"), False
    han = re.findall(r"[\u3400-\u9fff]", sample)
    simplified = zhconv.convert("".join(han), "zh-hans")
    changed = sum(a != b for a, b in zip(han, simplified, strict=False))
    # A few traditional characters in a simplified plan are a source's conversion; fold them.
    return ("zh-Hant", False) if changed > len(han) * 0.15 else ("zh-Hans", True)


_ITEM_START = re.compile(r"^\s*(\d{1,2})\s*[、.．]")


def split_run_on_items(blocks: list[Block]) -> list[Block]:
    """A Chinese page that lost a line break runs the next numbered goal into this one
    ("……85%。10、全省农村住院分娩率……"): after a full stop, the item's own counter plus one
    followed by "、" starts a block of its own. Only the next number counts, so "2.5" or a
    count inside a sentence never splits."""
    out: list[Block] = []
    for block in blocks:
        start = _ITEM_START.match(block.text) if block.rows is None else None
        if start is None:
            out.append(block)
            continue
        text, number = block.text, int(start.group(1))
        while True:
            after = re.search(rf"(?<=[。；;])\s*(?={number + 1}\s*、)", text)
            if after is None:
                break
            head = text[: after.start()].strip()
            out.append(Block(head, block.where, block.heading, block.strong))
            text, number = text[after.end() :], number + 1
        out.append(
            block if text == block.text else Block(text, block.where, block.heading, block.strong)
        )
    return out


# --- Evidence ---------------------------------------------------------------------------------


def _front_matter(
    blocks: list[Block], markers: list[Marker | None]
) -> tuple[list[FrontMatter], set[int], set[str]]:
    """Front matter sections, the blocks they hold, and the titles a contents page lists."""
    sections: list[FrontMatter] = []
    held: set[int] = set()
    listed: set[str] = set()
    current: FrontMatter | None = None
    body_started = False
    for index, (block, marker) in enumerate(zip(blocks, markers, strict=True)):
        kind = front_kind(block.text) if block.rows is None else None
        in_contents = current is not None and current.kind == "contents"
        entry = block.rows is None and is_contents_entry(block.text, in_contents=in_contents)
        if kind is not None and not (kind == "annex" and not _heading_like(block, marker)):
            current = FrontMatter(kind, block.text.strip())
            sections.append(current)
            held.add(index)
            continue
        if entry and (current is None or current.kind != "contents") and not body_started:
            current = FrontMatter("contents", "")
            sections.append(current)
        if current is not None:
            ends = (
                marker is not None and marker.style not in ("bullet",)
            ) or block.heading is not None
            if current.kind == "contents":
                # an entry whose leader and page went to the next line goes on
                wrapped = index + 1 < len(blocks) and _LEADER_LINE.match(blocks[index + 1].text)
                ends = not entry and not wrapped and (ends or contents_key(block.text) in listed)
            elif current.kind == "annex":
                ends = False
            elif current.kind == "summary":
                # A summary lists the actions the body sets out: it ends at a heading, not
                # at its own numbered list.
                ends = block.heading is not None or _titles_body(blocks, index)
            if not ends:
                if current.kind == "contents" and entry:
                    listed.add(contents_key(block.text))
                current.text.append(block.text)
                held.add(index)
                continue
            current = None
        if marker is not None or block.heading is not None:
            body_started = body_started or (marker is not None and marker.style != "bullet")
    listed.discard("")
    return sections, held, listed


_LEADER_LINE = re.compile(r"^\s*(?:\.\s*){4,}|^\s*…{2,}")


def _titles_body(blocks: list[Block], index: int) -> bool:
    """A short title-case line set strong or followed by running text: a division's title."""
    text = blocks[index].text.strip()
    following = blocks[index + 1].text.strip() if index + 1 < len(blocks) else ""
    return (
        blocks[index].rows is None
        and 0 < len(text) <= 100
        and not text.endswith((".", ":", ";", ","))
        and is_title_case(text)
        and (
            blocks[index].strong
            or (len(following) > 100 and following.endswith((".", ":")))
            or classify(following) is not None
        )
    )


def _heading_like(block: Block, marker: Marker | None) -> bool:
    return block.heading is not None or block.strong or len(block.text) <= 80


# --- The parser -------------------------------------------------------------------------------


def parse(blocks: list[Block], *, name: str = "document") -> ParsedDocument:
    """The plan tree of one document; IngestError when it has no recognizable structure."""
    language, fold = _language(blocks)
    if language.startswith("zh"):
        blocks = split_run_on_items(blocks)
    notes: list[str] = []
    originals = [b.text for b in blocks]  # what the document says, before any folding
    if fold:
        folded = [zhconv.convert(b.text, "zh-hans") for b in blocks]
        changed = sum(f != b.text for f, b in zip(folded, blocks, strict=True))
        if changed:
            notes.append(f"{name}: {changed} paragraphs in traditional script read as simplified")
        blocks = [
            Block(
                f,
                b.where,
                b.heading,
                b.strong,
                None
                if b.rows is None
                else tuple(tuple(zhconv.convert(c, "zh-hans") for c in r) for r in b.rows),
            )
            for f, b in zip(folded, blocks, strict=True)
        ]
    markers = discover(
        blocks, resolve_letters([classify(b.text) if b.rows is None else None for b in blocks])
    )
    front, held, listed = _front_matter(blocks, markers)
    tables = {
        i: read_action_table(b.rows)
        for i, b in enumerate(blocks)
        if b.rows is not None and i not in held
    }
    action_tables = any(tables.values())
    body_seen = False
    for index, marker in enumerate(markers):
        if index in held or marker is None:
            continue
        if marker.style == "intro" and body_seen:
            markers[index] = None  # "Introduction" inside a part is a sub-heading, not a part
        elif marker.style == "bullet" and (CITATION.match(marker.rest) or action_tables):
            # Bullets that cite articles are references; where the plan puts its actions in
            # tables, bullets in the narrative are text, not tasks.
            markers[index] = None
        elif marker.style not in ("bullet", "intro"):
            body_seen = True
    for index in run_ins(blocks, markers, held):
        markers[index] = Marker("bullet", "", None, blocks[index].text.strip())

    # "Objective 1 …" just above an action table labels the table (it is absorbed into the
    # table's actions below), so it is no evidence of the outline.
    labels: set[int] = set()
    for index, marker in enumerate(markers):
        if marker is not None and marker.style == "objective-word" and index not in held:
            following = next(
                (j for j in range(index + 1, len(blocks)) if markers[j] or blocks[j].rows), None
            )
            if following is not None and tables.get(following):
                labels.add(index)

    strength: dict[str, set[bool]] = defaultdict(set)
    for index, (block, marker) in enumerate(zip(blocks, markers, strict=True)):
        if index not in held and marker is not None and marker.style not in ("bullet", "intro"):
            strength[style_key(marker)].add(strong(block, marker, listed))
    # A decimal outline gives depth by its numbers, never by typography (a contents page that
    # spells a title differently is no second level).
    outline = "decimal2" in strength
    split = {
        style
        for style, seen in strength.items()
        if seen == {True, False}
        and not style.startswith("decimal")
        and not (outline and style == "digit-dot")
    }
    # Headings without numbers count where numbered headings carry no typography, or where a
    # line like them titles a counter that starts again at 1 (decision 0027).
    candidates = unnumbered_headings(blocks, markers, held)
    typographic = any(True in seen for seen in strength.values())
    unnumbered = set() if typographic else candidates
    evidence = Evidence(blocks, markers, held, split, listed, labels)
    style_of, sequence = evidence.styles(unnumbered)
    above = restart_headings(blocks, markers, held, style_of) - unnumbered
    alike = {i for i in candidates if blocks[i].strong and any(blocks[a].strong for a in above)}
    if len(above) >= 2 or (above and (unnumbered or alike - above)):
        style_of, sequence = evidence.styles(unnumbered | above | alike, frozenset(above))
    order = rank(sequence, sorted(set(style_of.values()) - {"label"}, key=default_order))
    depths = depths_of(order, sequence)
    act_on_verbs(depths, order, style_of, markers)
    depths["label"] = max(depths.values()) + 1
    has_bullets = any(m is not None and m.style == "bullet" for m in markers)
    if not order and not has_bullets and not action_tables:
        raise IngestError(
            "no plan structure found: no numbered parts or sections, no headings, no bullet tasks",
            where=name,
        )

    roots: list[ParsedNode] = []
    open_nodes: list[ParsedNode] = []  # the current path from a root down
    preamble: list[str] = []
    for index, (block, marker, source) in enumerate(zip(blocks, markers, originals, strict=True)):
        if index in held:
            continue
        if block.rows is not None:
            actions = tables.get(index)
            numbered = [n for n in open_nodes if n.style != "bullet"]
            if actions:
                parent = numbered[-1] if numbered else None
                if parent is not None and parent.style == "label":
                    # "Objective 1 …" printed just above its table (a page apart in a PDF)
                    # is the table's context, not a node of its own
                    _absorb(parent, open_nodes, roots, actions)
                    numbered = [n for n in open_nodes if n.style != "bullet"]
                    parent = numbered[-1] if numbered else None
                for action in actions:
                    node = _table_node(action, parent, f"{name}, {block.where}", language)
                    (parent.children if parent else roots).append(node)
            elif open_nodes:
                table_text = "\n".join(" | ".join(r) for r in block.rows)
                node = open_nodes[-1]
                node.text = f"{node.text}\n\n{table_text}" if node.text else table_text
                node.source += "\n\n" + table_text
            else:
                preamble.append(block.text)
            continue
        style = style_of.get(index)
        if marker is None and style is not None:
            marker = Marker(style, "", None, block.text)
        if marker is None:
            _append_text(open_nodes, block, source, language, preamble)
            continue
        if marker.style == "bullet":
            numbered = [n for n in open_nodes if n.style != "bullet"]
            depth = numbered[-1].depth + 1 if numbered else 0
        else:
            depth = depths[style or "intro"]
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
                kind = _leaf_kind(parent)
            else:
                kind = _KINDS[min(depth, len(_KINDS) - 1)]
                if parent is not None and _KINDS.index(kind) <= _KINDS.index(
                    _kind_rank(parent.kind)
                ):
                    kind = _KINDS[min(_KINDS.index(_kind_rank(parent.kind)) + 1, len(_KINDS) - 1)]
            title, text = split_heading(marker.rest, numbered=marker.style != "bullet")
            if style is not None and style.startswith("h") and not marker.number:
                title, text = marker.rest.strip(), ""  # a heading without a number is all title
        node = ParsedNode(
            kind=kind,
            style=style or marker.style,
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
        front_matter=front,
    )
    _fold_records(document.nodes)
    _strip_page_numbers(document)
    _assign_refs(document.nodes, "")
    for node in document.walk():
        # an action table's output states the action ("… functioning in all 155 districts")
        in_table = node.table is not None
        found = extract(node.text, language) + extract(node.title, language, action=in_table)
        node.targets = (table_targets(node.table, language) if node.table else []) + found
    return document


def _fold_records(nodes: list[ParsedNode]) -> None:
    """A list of what was done ("1. Created …", "- Began …") is text of its parent."""
    for node in nodes:
        _fold_records(node.children)
        leaves = [c for c in node.children if not c.children and c.style != "table"]
        for style in dict.fromkeys(c.style for c in leaves):  # in document order
            group = [c for c in leaves if c.style == style]
            if is_record([f"{c.title} {c.text}" for c in group]):
                folded = {id(c) for c in group}
                node.children = [c for c in node.children if id(c) not in folded]
                node.text = "\n\n".join([node.text, *(c.source for c in group)]).strip()


def _absorb(
    node: ParsedNode,
    open_nodes: list[ParsedNode],
    roots: list[ParsedNode],
    actions: list[TableAction],
) -> None:
    if node.children:
        return
    siblings = open_nodes[-2].children if len(open_nodes) > 1 else roots
    if node in siblings:
        siblings.remove(node)
    open_nodes.remove(node)
    objective = re.sub(r"\s+", " ", f"{node.title} {node.text}").strip()
    for action in actions:
        if not action.details.get("objective", "").strip(" .") or objective.endswith(
            action.details.get("objective", "").strip()
        ):
            action.details["objective"] = objective


def _leaf_kind(parent: ParsedNode | None) -> str:
    return (
        "task"
        if parent is None or parent.kind in ("introduction", "part", "section")
        else "subtask"
    )


def _append_text(
    open_nodes: list[ParsedNode], block: Block, source: str, language: str, preamble: list[str]
) -> None:
    if not open_nodes:
        preamble.append(block.text)
        return
    node = open_nodes[-1]
    if _continues_heading(node, block.text):
        node.title = f"{node.title} {block.text}".strip()
        node.source += "\n" + source
        return
    # Only laid-out pages break lines mid-paragraph; Chinese bullets keep "——标题。" and body
    # on one line, so a break after the stop there is a new paragraph.
    wrapped = block.where.startswith("page") and not language.startswith("zh")
    if wrapped and node.style == "bullet" and not node.title and "\n\n" not in node.text:
        # A line break right after a bullet's heading sentence ("-Heading." then the body on
        # the next line) still makes "Heading. Body".
        title, _ = split_heading(f"{node.text} {block.text}", numbered=False)
        if title and title == node.text.rstrip("。. "):
            node.title, node.text = title, ""
    node.text = f"{node.text}\n\n{block.text}" if node.text else block.text
    node.source += "\n\n" + source


def _table_node(
    action: TableAction, parent: ParsedNode | None, where: str, language: str
) -> ParsedNode:
    title, text = split_heading(action.text, numbered=bool(action.number))
    return ParsedNode(
        kind=_leaf_kind(parent),
        style="table",
        number=action.number,
        value=action.value,
        title=title,
        text=text,
        where=where,
        source=action.text,
        depth=(parent.depth + 1) if parent else 0,
        deadline_text=action.deadline.replace("\n", " ").strip(),
        responsible=action.responsible,
        details=action.details,
        table=action,
    )


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
