"""Levels: which numbering style or heading is above which, read from the document.

Evidence, strongest first (decisions 0006, 0024, 0027): sequence (a style whose numbers start
again after each occurrence of another is below it), typography (heading styles, bold, larger
type, capitals, a title the contents page lists), and the conventional outline of plans where
the document says nothing. The deepest numbered level is the action level when its titles open
with action verbs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from hrap.ingest.conventions import action_level, style_family
from hrap.ingest.frontmatter import contents_key
from hrap.ingest.headings import split_heading
from hrap.ingest.markers import LADDER, MINIMUM_DEPTH, Marker, is_capitals
from hrap.ingest.readers import Block


def strong(block: Block, marker: Marker, listed: set[str]) -> bool:
    """Heading evidence beyond the number: a heading style, bold or large type, capitals,
    or a title that the contents page lists."""
    return (
        block.heading is not None
        or block.strong
        or is_capitals(marker.rest[:80])
        or (bool(listed) and contents_key(block.text) in listed)
    )


def rank(sequence: list[tuple[str, int | None, str | None]], styles: list[str]) -> list[str]:
    """Styles from the highest level down. A style whose numbers start again after each
    occurrence of another is below it, and so is a heading above a restarting counter that
    follows a numbered heading with no text between ("一、就业权利" then "主要任务"); without
    such evidence, the conventional order."""
    resets: dict[tuple[str, str], int] = defaultdict(int)
    since: dict[str, set[str]] = {}  # style → styles seen since its last occurrence
    last = {style: position for position, (style, _, _) in enumerate(sequence)}
    for position, (style, value, right_after) in enumerate(sequence):
        if right_after is not None and right_after != style:
            resets[(right_after, style)] += 1
        # a style that starts at 1 has "restarted" after everything seen so far that goes on
        # after it (an introduction's own "1. 2. 3." before "CHAPITRE 1" says nothing); one
        # that first appears at 6 (an excerpt) says nothing
        seen = since.get(style) or {other for other in since if last[other] > position}
        if value == 1:
            for other in seen:
                resets[(other, style)] += 1
        since[style] = set()
        for other in since:
            if other != style:
                since[other].add(style)
    # A decimal number says what it is under ("2.1" under "2"): a list enumerated "(i)" or
    # "a." before it is no level above it.
    for a, b in list(resets):
        if b.startswith("decimal") and default_order(a) > default_order(b):
            del resets[(a, b)]
    above = {
        (a, b)
        for (a, b), count in resets.items()
        if count >= 1 and count > resets.get((b, a), 0) and a in styles and b in styles
    }
    ordered: list[str] = []
    remaining = list(styles)
    while remaining:
        free = [s for s in remaining if not any((o, s) in above for o in remaining if o != s)]
        chosen = free[0] if free else remaining[0]  # a cycle: fall back to the convention
        ordered.append(chosen)
        remaining.remove(chosen)
    return ordered


def default_order(style: str) -> tuple[int, int, int]:
    if style.startswith("h") and style[1:].isdigit():
        return (0, int(style[1:]), 0)
    depth = int(style.rstrip("!")[7:]) if style.startswith("decimal") else 0
    base = _base(style)
    # A label the outline does not know ranks just above the letters (A., B.).
    place = LADDER.index(base) * 10 if base in LADDER else LADDER.index("letter-dot") * 10 - 5
    return (1, place + depth, 0 if style.endswith("!") else 1)


def depths_of(
    order: list[str], sequence: list[tuple[str, int | None, str | None]] | None = None
) -> dict[str, int]:
    """Each style's depth: one below the deepest style it is found under in the document (a
    style ranked between two others that never holds them, an introduction's own "1. 2. 3.",
    takes no level of theirs). A conventional minimum keeps an excerpt's `1.` below the parts
    it does not show, but the first level of a decimal outline (`1.0` above `1.1`) is the
    top."""
    place = {style: i for i, style in enumerate(order)}
    parents: dict[str, set[str]] = defaultdict(set)
    if sequence is None:  # no document: each style under the one ranked above it
        sequence = [(style, None, None) for style in order]
    open_styles: list[str] = []
    for style, _, _ in sequence:
        if style not in place:
            continue
        while open_styles and place[open_styles[-1]] >= place[style]:
            open_styles.pop()
        if open_styles:
            parents[style].add(open_styles[-1])
        open_styles.append(style)
    depths: dict[str, int] = {}
    outline = any(s.rstrip("!") == "decimal2" for s in order)
    for style in order:
        base = _base(style)
        minimum = 0 if style.endswith("!") or base not in MINIMUM_DEPTH else MINIMUM_DEPTH[base]
        if outline and style.rstrip("!") == "digit-dot" and style in parents["decimal2"]:
            minimum = 0  # the first level of the decimal outline, "1.0" above "1.1"
        if f"{style}!" in place:
            # one counter for the parts and for something else: that is the actions (0006)
            minimum = max(minimum, 2)
        depths[style] = max([minimum, *(depths[p] + 1 for p in parents[style])])
    depths["intro"] = 0
    return depths


def _base(style: str) -> str:
    style = style.rstrip("!")
    return "decimal" if style.startswith("decimal") else style_family(style)


def style_key(marker: Marker) -> str:
    if marker.style == "decimal":
        return f"decimal{marker.number.count('.') + 1}"
    return marker.style


@dataclass
class Evidence:
    """What decides each numbered or heading block's style, once the document is read."""

    blocks: list[Block]
    markers: list[Marker | None]
    held: set[int]
    split: set[str]
    listed: set[str]
    labels: set[int]

    def styles(
        self, unnumbered: set[int], above: frozenset[int] = frozenset()
    ) -> tuple[dict[int, str], list[tuple[str, int | None, str | None]]]:
        """Each block's style, and the sequence of (style, number, and for a heading above a
        restarting counter the style of a heading just before it) the ranking reads."""
        style_of: dict[int, str] = {}
        sequence: list[tuple[str, int | None, str | None]] = []
        for index, (block, marker) in enumerate(zip(self.blocks, self.markers, strict=True)):
            if index in self.held or block.rows is not None:
                continue
            if marker is None and block.heading is not None:
                style_of[index] = f"h{block.heading}"
            elif index in unnumbered:
                style_of[index] = "h9"
            elif marker is not None and marker.style not in ("bullet", "intro"):
                key = style_key(marker)
                bold = key in self.split and strong(block, marker, self.listed)
                style_of[index] = key + ("!" if bold else "")
            else:
                continue
            if index in self.labels:
                style_of[index] = "label"
            else:
                before = style_of.get(index - 1) if index in above else None
                value = marker.value if marker else None
                sequence.append((style_of[index], value, None if before == "label" else before))
        return style_of, sequence


def act_on_verbs(
    depths: dict[str, int], order: list[str], style_of: dict[int, str], markers: list[Marker | None]
) -> None:
    """The deepest numbered level is the action level when its titles open with action verbs
    ("1. Improve Public Participation"), even right under the parts."""
    numbered = [s for s in order if not (s.startswith("h") and s[1:].isdigit())]
    if not numbered or depths[numbered[-1]] >= 2:
        return
    deepest = numbered[-1]
    titles = [
        split_heading(m.rest, numbered=True)[0] or m.rest
        for i, s in style_of.items()
        if s == deepest and (m := markers[i]) is not None
    ]
    if action_level(titles):
        depths[deepest] = 2
