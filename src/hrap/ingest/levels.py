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
    for style, value, right_after in sequence:
        if right_after is not None and right_after != style:
            resets[(right_after, style)] += 1
        # a style that starts at 1 has "restarted" after everything seen so far; one that
        # first appears at 6 (an excerpt) says nothing
        seen = since.get(style, set(since))
        if value == 1:
            for other in seen:
                resets[(other, style)] += 1
        since[style] = set()
        for other in since:
            if other != style:
                since[other].add(style)
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


def depths_of(order: list[str]) -> dict[str, int]:
    depths: dict[str, int] = {}
    depth = -1
    for style in order:
        base = _base(style)
        minimum = 0 if style.endswith("!") or base not in MINIMUM_DEPTH else MINIMUM_DEPTH[base]
        depth = max(depth + 1, minimum)
        depths[style] = depth
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
