"""Headings: the heading sentence of a numbered line (`split_heading`), and headings without
numbers, found from typography or, in plain text, from layout.

Used only where the document gives no better evidence (no heading styles, no numbered heading
in bold, large type or capitals, no numbered top-level division used twice):
- typography: a short line set in bold or larger type that does not end a sentence;
- layout, where the document has no typography at all (plain text): a short line with no
  closing punctuation, in title case or capitals, followed by body text; or a line that the
  same recurring sub-heading follows each time ("Open data: radically opening up …" followed
  by "Progress to date"). Either pattern must repeat: one such line is not an outline.
A line whose text recurs ("Progress to date", "Barrier") is a label inside a division, never a
division's title.
"""

from __future__ import annotations

import re
from collections import Counter

from hrap.ingest.markers import Marker
from hrap.ingest.readers import Block

# Top-level numbering styles: a document that numbers its divisions this way (twice or more)
# does not leave them unnumbered.
TOP_STYLES = {"part-word", "han-chapter", "roman", "han-dun", "area-word", "letter-dot"}

_SMALL_WORDS = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the",
    "through", "to", "under", "with", "via", "vs", "per", "across", "among", "between", "its",
    "their", "our", "is", "are", "be", "if", "not", "does", "do",
}  # fmt: skip
_CLOSING = (".", ",", ";", ":", "!", "?", "。", "；", "：", "，", "、")
_SENTENCE_INSIDE = re.compile(r"[a-z0-9)]{2}[.!?]\s+[A-Z]")
_HAN = re.compile(r"[\u3400-\u9fff]")

# English finite verbs and modals: a bullet whose first sentence has one is a sentence, not a
# heading ("China shall complete …" vs "Improving air quality.").
_EN_FINITE = re.compile(
    r"\b(shall|will|would|should|must|can|may|is|are|was|were|has|have|had|does|do)\b", re.I
)
# Abbreviations whose full stop does not end a sentence ("(e.g. Zwedru Prison)").
_ABBREVIATION = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|cf|vs|viz|no|nos|art|arts|para|paras|mr|mrs|ms|dr|st|fig|vol|"
    r"approx|incl|govt|dept|inc|ltd|co|jr|sr)|\b[A-Za-z])$",
    re.I,
)


def is_chinese(text: str) -> bool:
    han = len(re.findall(r"[\u3400-\u9fff]", text))
    return han > len(re.findall(r"[A-Za-z]", text)) / 3 and han > 0


def _sentence_stop(text: str) -> re.Match[str] | None:
    """The first full stop that ends a sentence: not a decimal, an initial or "e.g."."""
    for match in re.finditer(r"(?<![A-Z])\.(?=\s|$)(?!\s*\d)", text):
        if not _ABBREVIATION.search(text[: match.start()]):
            return match
    return None


def split_heading(text: str, *, numbered: bool) -> tuple[str, str]:
    """(title, body): the heading sentence of "Heading. Body", or ("", text) for a bare sentence.

    A numbered line that is short and has no sentence inside is all title ("1. Right to Life").
    """
    text = text.strip()
    chinese = is_chinese(text)
    stop = re.search(r"。", text) if chinese else _sentence_stop(text)
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
        # A Chinese heading sentence is a phrase ("健全社会保障体系"): one with a comma or a
        # semicolon inside is the body's first sentence ("在……过程中,尊重……。").
        titled = len(head) <= 40 and not re.search(r"[,，;；]", head)
        return (head, body) if titled else ("", text)
    if len(head.split()) <= 40 and not _EN_FINITE.search(head):
        return head, body
    return "", text


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_][\w'’.-]*", text)


def is_title_case(text: str) -> bool:
    """Every word but the small ones starts with a capital ("Increase Civic Space to Engage the
    Public"), or the whole line is in capitals."""
    words = _words(text)
    if not words:
        return False
    significant = [w for w in words if w.lower() not in _SMALL_WORDS]
    return bool(significant) and all(w[0].isupper() for w in significant)


def _short_open(text: str, limit: int) -> bool:
    """A line that could be a heading: short, Latin script, not ending or containing a
    sentence, starting with a capital."""
    text = text.strip()
    return (
        0 < len(text) <= limit
        and len(text.split()) <= 20
        and text[0].isupper()
        and not text.endswith(_CLOSING)
        and not _SENTENCE_INSIDE.search(text)
        and not _HAN.search(text)
    )


def _body(block: Block, marker: Marker | None) -> bool:
    text = block.text.strip()
    return block.rows is None and (
        (marker is not None and marker.style == "bullet")
        or (
            marker is None
            and (text.endswith(_CLOSING) or (len(text) >= 80 and not is_title_case(text)))
        )
    )


def unnumbered_headings(
    blocks: list[Block], markers: list[Marker | None], held: set[int]
) -> set[int]:
    """Indices of the blocks that are headings without numbers (empty when the document
    gives better evidence of its divisions)."""
    if any(b.heading is not None for b in blocks):
        return set()
    top = Counter(m.style for i, m in enumerate(markers) if m is not None and i not in held)
    if any(top[style] >= 2 for style in TOP_STYLES):
        return set()
    plain = [
        i
        for i, (b, m) in enumerate(zip(blocks, markers, strict=True))
        if i not in held and m is None and b.rows is None
    ]
    recurring = Counter(blocks[i].text.strip().casefold() for i in plain)

    def following(i: int) -> int | None:
        return next((j for j in range(i + 1, len(blocks)) if j not in held), None)

    def once(indices: set[int]) -> set[int]:
        """Without the lines whose text recurs among them: labels, not titles."""
        seen = Counter(blocks[i].text.strip().casefold() for i in indices)
        return {i for i in indices if seen[blocks[i].text.strip().casefold()] == 1}

    if any(b.strong for b in blocks):
        found = once(
            {i for i in plain if i > 0 and blocks[i].strong and _short_open(blocks[i].text, 120)}
        )
        return found if len(found) >= 2 else set()
    # Plain text: title-case lines before body text, and lines before a recurring label.
    labels = {
        text
        for text, count in recurring.items()
        if count >= 2 and _short_open(text.capitalize(), 60)
    }
    before_label: dict[int, str] = {}
    titled: set[int] = set()
    for i in plain:
        text = blocks[i].text.strip()
        j = following(i)
        if i == 0 or j is None or not _short_open(text, 150):
            continue
        label = blocks[j].text.strip().casefold()
        if label in labels and markers[j] is None and text.casefold() not in labels:
            before_label[i] = label
        elif is_title_case(text) and len(text) <= 100 and _body(blocks[j], markers[j]):
            titled.add(i)
    titled = once(titled)
    per_label = Counter(before_label.values())
    found = {i for i in once(set(before_label)) if per_label[before_label[i]] >= 2}
    if len(titled) >= 2:
        found |= titled
    return found
