"""A document's own numbering conventions, discovered rather than known.

Any recurring line prefix made of a label and a counter ("Action Item 3 –", "Goal 2:",
"Objective 1.2", "Strategy B.", "Outcome 1", "目标一、", "第三条", "措施5") whose counter
counts up through the document is a numbering style, whatever the label: the counter is the
evidence, the label only names the style. The labels the conventional outline knows ("Part",
"Objective", "Commitment", …; `markers`) are special cases of the same mechanism that need no
such evidence; a discovered label that contains one of their words takes that word's place in
the fallback order ("Action Item" is an action, "Strategic Objective" an objective).

Headings without numbers are found from the same evidence: a short line that comes just
before a counter starting again at 1 ("Open Government to Increase Public Integrity", then
"1. Improve …") titles what follows, one level above the counter. The pattern must repeat.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from hrap.ingest.markers import DIVISION_WORDS, Marker
from hrap.ingest.numerals import han_value, roman_value

if TYPE_CHECKING:
    from hrap.ingest.readers import Block

_HAN_NUM = "一二三四五六七八九十百零〇两"
# Label words that never name a numbering style: captions, citations and page furniture.
_NOT_LABELS = {
    "figure", "fig", "table", "tableau", "box", "chart", "graph", "map", "photo", "image",
    "page", "p", "pp", "footnote", "note", "annex", "annexe", "appendix", "see", "in", "on",
    "at", "by", "of", "to", "for", "from", "over", "under", "about", "around", "since", "until",
    "the", "a", "an", "and", "or", "le", "la", "les", "du", "de", "des", "et", "en", "au", "aux",
    "phase", "step", "year", "years", "day", "days", "month", "months", "week", "weeks", "fy",
    "level", "grade", "room", "floor", "no", "nos", "number", "vol", "volume", "edition", "sdg",
    "odd", "goal16", "resolution", "résolution", "law", "loi", "decree", "décret", "act",
}  # fmt: skip
# "Action Item 3 – Coordination", "Objectif 4 :Mettre en place", "Strategy B. …", "Output 1.2"
_LATIN = re.compile(
    r"^(?P<label>[^\W\d_][\w’'-]*(?:\s+[^\W\d_][\w’'-]*){0,2}?)\s+"
    r"(?P<counter>\d{1,3}(?:\.\d{1,2}){0,3}|[IVXLC]{1,6}|[A-Z])"
    r"(?=$|[\s.:：\-–—)])\s*[.:：\-–—)]?\s*(?P<rest>.*)$",
    re.DOTALL,
)
# "目标一、", "措施5：", "第三条 …"
_HAN_LABEL = re.compile(
    rf"^(?P<label>[\u4e00-\u9fff]{{1,4}}?)(?P<counter>[{_HAN_NUM}]+|\d{{1,3}})"
    r"(?P<sep>[、.．:：\s])\s*(?P<rest>\S.*)$",
    re.DOTALL,
)
_HAN_ARTICLE = re.compile(
    rf"^第(?P<counter>[{_HAN_NUM}]+|\d{{1,3}})(?P<label>[条款项])\s*(?P<rest>\S.*)$", re.DOTALL
)


def _family(label: str) -> str:
    """The conventional family a label belongs to by one of its words ("label" if none)."""
    words = label.split()
    for family, pattern in DIVISION_WORDS.items():
        if any(re.fullmatch(pattern, word, re.IGNORECASE) for word in words):
            return family
    return "label"


def style_family(style: str) -> str:
    """`label:action item` → `action-word`; other styles are their own family."""
    return _family(style[6:]) if style.startswith("label:") else style


def _counter_value(counter: str) -> int | None:
    if counter.isdigit():
        return int(counter)
    if re.fullmatch(r"\d+(?:\.\d+)+", counter):
        return int(counter.split(".")[-1])
    if re.fullmatch(r"[IVXLC]+", counter):
        if len(counter) == 1 and counter not in "IVX":
            return ord(counter) - ord("A") + 1
        return roman_value(counter)
    if re.fullmatch(r"[A-Z]", counter):
        return ord(counter) - ord("A") + 1
    return han_value(counter)


def label_marker(text: str) -> Marker | None:
    """A label-and-counter prefix, as a candidate marker (not yet a numbering style)."""
    text = text.strip()
    for pattern in (_HAN_ARTICLE, _HAN_LABEL):
        match = pattern.match(text)
        if match:
            label = match.group("label")
            value = _counter_value(match.group("counter"))
            if value is None or label in ("第",) or re.search(rf"[{_HAN_NUM}]", label):
                return None
            style = f"label:第{label}" if pattern is _HAN_ARTICLE else f"label:{label}"
            return Marker(style, match.group("counter"), value, match.group("rest").strip())
    match = _LATIN.match(text)
    if match is None:
        return None
    label = re.sub(r"\s+", " ", match.group("label")).casefold()
    if not match.group("label")[0].isupper() or any(w in _NOT_LABELS for w in label.split()):
        return None
    counter = match.group("counter")
    value = _counter_value(counter)
    if value is None or not match.group("rest").strip():
        return None
    return Marker(f"label:{label}", counter, value, match.group("rest").strip())


def _counts_up(values: list[int]) -> bool:
    """Whether a counter counts through the document: each step adds one or starts again."""
    if len(values) < 2:
        return False
    steps = list(itertools.pairwise(values))
    good = sum(1 for a, b in steps if b == a + 1 or (b == 1 and a >= 1))
    return good >= 1 and good >= 0.75 * len(steps) and any(b == a + 1 for a, b in steps)


def counting_labels(lines: list[str]) -> Callable[[str], bool]:
    """Whether a line opens with a label whose counter counts up through these lines: such a
    line starts a block of its own."""
    found = [label_marker(line) for line in lines]
    by_style: dict[str, list[int]] = defaultdict(list)
    for marker in found:
        if marker is not None:
            by_style[marker.style].append(marker.value or 0)
    styles = {style for style, values in by_style.items() if _counts_up(values)}

    def labelled(line: str) -> bool:
        marker = label_marker(line) if styles else None
        return marker is not None and marker.style in styles

    return labelled


def discover(blocks: list[Block], markers: list[Marker | None]) -> list[Marker | None]:
    """The markers, with label-and-counter styles whose counters count up added where the
    conventional outline saw nothing."""
    candidates: dict[int, Marker] = {}
    for index, (block, marker) in enumerate(zip(blocks, markers, strict=True)):
        if block.rows is None and (marker is None or marker.style == "bullet"):
            found = label_marker(block.text)
            if found is not None:
                candidates[index] = found
    by_style: dict[str, list[int]] = defaultdict(list)
    for index, found in candidates.items():
        by_style[found.style].append(index)
    accepted = {
        style
        for style, indices in by_style.items()
        if _counts_up([candidates[i].value or 0 for i in sorted(indices)])
    }
    return [
        candidates[i] if i in candidates and candidates[i].style in accepted else m
        for i, m in enumerate(markers)
    ]


# --- Headings above counters that start again --------------------------------------------

_CLOSING = (".", ",", ";", ":", "!", "?", "。", "；", "：", "，", "、")
_CAPTION = re.compile(r"^(?:figure|fig\.|table|tableau|box|chart|graph|map|source)\b", re.I)


def _heading_like(block: Block) -> bool:
    text = block.text.strip()
    if not text or block.rows is not None or text.endswith(_CLOSING) or _CAPTION.match(text):
        return False
    if re.search(r"[\u4e00-\u9fff]", text):
        return len(text) <= 30 and "。" not in text
    return (
        len(text) <= 150
        and len(text.split()) <= 20
        and text[0].isupper()
        and not re.search(r"[a-z0-9)]{2}[.!?]\s+[A-Z]", text)
    )


def _body(block: Block, marker: Marker | None) -> bool:
    """Running text between a heading and what it titles."""
    return block.rows is not None or (
        marker is None and (block.text.rstrip().endswith(_CLOSING) or len(block.text) > 150)
    )


def restart_headings(
    blocks: list[Block], markers: list[Marker | None], held: set[int], styles: dict[int, str]
) -> set[int]:
    """Lines without a number that come just before a counter starts at 1 (with only running
    text between): candidates for headings above those counters."""
    recurring = Counter(b.text.strip().casefold() for b in blocks)
    found: set[int] = set()
    for index, style in styles.items():
        marker = markers[index]
        if marker is None or marker.value != 1 or style.startswith(("h", "decimal")):
            continue  # a decimal number says what it is under ("4.2.1")
        j = index - 1
        while j >= 0 and j not in held and _body(blocks[j], markers[j]) and index - j <= 12:
            j -= 1
        if (
            j >= 0
            and j not in held
            and j not in styles
            and markers[j] is None
            and blocks[j].heading is None
            and _heading_like(blocks[j])
            and recurring[blocks[j].text.strip().casefold()] == 1
            and not _wrapped(blocks, markers, j)
        ):
            found.add(j)
    return found


def _wrapped(blocks: list[Block], markers: list[Marker | None], index: int) -> bool:
    """A line that continues the numbered heading just before it ("I. Economic, Social and
    Cultural" / "Rights"): a word or two, or after a heading cut at an open word."""
    before = markers[index - 1] if index > 0 else None
    text = blocks[index].text.strip()
    return (
        before is not None
        and before.style != "bullet"
        and len(before.rest) <= 100
        and not before.rest.rstrip().endswith(_CLOSING)
        and not re.search(r"[\u4e00-\u9fff]", text)
        and (len(text.split()) <= 2 or bool(_OPEN_END.search(before.rest.rstrip())))
    )


_OPEN_END = re.compile(r"(?:,|\b(?:and|or|of|the|to|for|in|on|with|a|an))$", re.IGNORECASE)


# --- What a numbered line is: an action, a record, a run-in title -----------------------------

# Verbs that open an action's title in English ("Improve …", "Modernize …"). Broader than the
# imperatives that make a sentence's numbers commitments (`targets`): a title is not counted.
_EN_ACTION_VERBS = (
    "achieve|adopt|advance|advocate|address|align|allocate|amend|appoint|assess|assign|assist|"
    "build|combat|complete|conduct|connect|consolidate|construct|continue|coordinate|cover|"
    "create|cut|deliver|deploy|design|designate|develop|digiti[sz]e|disseminate|distribute|"
    "document|double|eliminate|employ|empower|enable|enact|encourage|end|engage|enhance|enrol|"
    "enroll|ensure|equip|establish|evaluate|expand|explore|extend|facilitate|finali[sz]e|"
    "foster|fund|further|halve|harmoni[sz]e|hire|hold|identify|implement|improve|include|"
    "increase|install|integrate|introduce|invest|issue|launch|lead|lower|make|mainstream|map|"
    "modernise|modernize|monitor|open|organi[sz]e|pilot|prevent|promote|protect|provide|"
    "publish|put|raise|ratify|reach|recruit|reduce|reform|register|rehabilitate|release|"
    "renovate|repeal|require|review|revise|set|share|simplify|standardi[sz]e|streamline|"
    "strengthen|support|train|transform|undertake|update|upgrade|work"
)
_EN_ACTION_VERB = re.compile(rf"^(?:{_EN_ACTION_VERBS})\b", re.IGNORECASE)


def action_level(titles: list[str]) -> bool:
    """Whether most of a level's titles open with an action verb ("Improve Public …")."""
    titles = [t for t in titles if t.strip()]
    hits = sum(1 for t in titles if _EN_ACTION_VERB.match(t.strip()))
    return len(titles) >= 2 and hits >= 0.6 * len(titles)


_IRREGULAR_PAST = {
    "began", "broke", "brought", "built", "chose", "drew", "fought", "found", "gave", "grew",
    "held", "kept", "led", "made", "met", "paid", "ran", "saw", "sent", "set", "sought",
    "spoke", "spent", "stood", "took", "taught", "told", "undertook", "won", "wrote",
}  # fmt: skip


def is_record(texts: list[str]) -> bool:
    """A list of what was done ("Created a contact list …", "Began translating …"): a record
    in the text, not actions to assign."""
    firsts = [re.match(r"\W*([A-Za-z]+)", t) for t in texts]
    words = [m.group(1).lower() for m in firsts if m]
    past = sum(1 for w in words if w in _IRREGULAR_PAST or (len(w) > 4 and w.endswith("ed")))
    return len(texts) >= 3 and past >= 0.8 * len(texts)


# "Expand and Simplify the Use of We the People. In 2014, the White House will …"
_RUN_IN = re.compile(r"^(?P<title>[A-Z][^.!?]{8,140}?)\.\s+(?P<body>[A-Z“\"(].{20,})$", re.DOTALL)
_SMALL = {
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the",
    "through", "to", "with", "via", "across", "its", "their", "our", "is", "are", "be", "more",
}  # fmt: skip


def _title_case(text: str) -> bool:
    words = re.findall(r"[^\W\d_][\w'’.-]*", text)
    significant = [w for w in words if w.lower() not in _SMALL]
    return 3 <= len(words) <= 16 and bool(significant) and all(w[0].isupper() for w in significant)


def run_ins(blocks: list[Block], markers: list[Marker | None], held: set[int]) -> set[int]:
    """Paragraphs that open with a title-case heading sentence inside a numbered item
    ("Publish Best Practices and Metrics for Public Participation. In the first …"): items of
    their own, where a document does this at least three times."""
    found: set[int] = set()
    numbered_seen = False
    for index, (block, marker) in enumerate(zip(blocks, markers, strict=True)):
        if marker is not None and marker.style not in ("bullet", "intro"):
            numbered_seen = True
        if index in held or marker is not None or block.rows is not None or not numbered_seen:
            continue
        match = _RUN_IN.match(block.text.strip())
        if match and _title_case(match.group("title")):
            found.add(index)
    return found if len(found) >= 3 else set()
