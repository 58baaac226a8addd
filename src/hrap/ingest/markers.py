"""Numbering styles: what marks a block as a numbered heading, a bullet or front matter.

A marker is only a candidate: the parser decides each style's level from the document's own
evidence (sequence, typography), with the conventional outline as the fallback order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hrap.ingest.numerals import en_words_value, han_value, roman_value

_HAN_NUM = "一二三四五六七八九十百零〇"

# Words that number a division ("Part 2", "Chapitre 1 :", "Axe 3.", "Objective 4"), highest
# first: their place in the fallback order when the document gives no other evidence.
DIVISION_WORDS = {
    "part-word": r"part|chapter|chapitre|partie|pillar|title|titre|book|livre",
    "area-word": r"axis|axe|area|domain|domaine|theme|thème|priority|priorité|goal|pilier",
    "objective-word": r"objective|objectif|outcome|strategy|stratégie|result|résultat",
    "action-word": r"commitment|engagement|action|measure|mesure|output|activity|activité",
}


@dataclass(frozen=True)
class Marker:
    style: str
    number: str
    value: int | None
    rest: str


# (style, pattern, minimum depth). Order is the conventional outline, highest level first.
STYLES: list[tuple[str, re.Pattern[str], int]] = [
    (
        "intro",
        re.compile(r"^(导言|導言|前言|序言|引言|introduction|preamble)[.:：]?$", re.I),
        0,
    ),
    *(
        (
            style,
            re.compile(
                rf"^(?:{words})\s*([IVXLC]+|\d{{1,2}}|[a-z]+)\b\s*[.:：\-–—]?\s*(.*)$", re.I
            ),
            0,
        )
        for style, words in DIVISION_WORDS.items()
        if style == "part-word"
    ),
    ("han-chapter", re.compile(rf"^第([{_HAN_NUM}\d]+)(?:章|部分|篇)\s*(.*)$"), 0),
    ("roman", re.compile(r"^([IVXLC]+)[.．]\s*(\S.*)$"), 0),
    ("han-section", re.compile(rf"^第([{_HAN_NUM}\d]+)[节節]\s*(.*)$"), 0),
    ("han-dun", re.compile(rf"^([{_HAN_NUM}]+)、\s*(\S.*)$"), 0),
    *(
        (
            style,
            re.compile(rf"^(?:{words})\s*(\d{{1,2}}|[IVX]+)\b\s*[.:：\-–—]?\s*(.*)$", re.I),
            {"area-word": 0, "objective-word": 1, "action-word": 2}[style],
        )
        for style, words in DIVISION_WORDS.items()
        if style != "part-word"
    ),
    ("letter-dot", re.compile(r"^([A-Z])[.)]\s+(\S.*)$"), 0),
    ("han-paren", re.compile(rf"^[（(]\s*([{_HAN_NUM}]+)\s*[)）]\s*(\S.*)$"), 1),
    ("digit-dot", re.compile(r"^(\d{1,2})(?:[.．](?![\d.])|、)\s*(\S.*)$"), 1),
    ("decimal", re.compile(r"^(\d{1,2}(?:\.\d{1,2}){1,4})\.?(?![\d%‰])\s*(\S.*)$"), 1),
    ("roman-lower", re.compile(r"^([ivx]{1,4})[.)]\s+(\S.*)$"), 2),
    ("letter-lower", re.compile(r"^([a-z])[.)]\s+(\S.*)$"), 2),
    ("digit-paren", re.compile(r"^[（(]\s*(\d{1,2})\s*[)）]\s*(\S.*)$"), 1),
    ("roman-paren", re.compile(r"^[（(]\s*([ivx]{1,5})\s*[)）]\s*(\S.*)$"), 2),
    ("letter-paren", re.compile(r"^[（(]\s*([a-z])\s*[)）]\s*(\S.*)$"), 2),
]
LADDER = [style for style, _, _ in STYLES]
MINIMUM_DEPTH = {style: minimum for style, _, minimum in STYLES}

# Bullets: dashes, dots, squares, arrows, and the private-use glyphs of Word's Symbol and
# Wingdings fonts (U+F0B7 is Symbol's bullet) as PDFs and pasted text carry them.
BULLET = re.compile(
    r"^(——|--|-|–|—|‒|•|・|▪|▫|●|○|◆|◇|■|□|◦|‣|⁃|➢|►|▶|✓|✔|\*|\+|[\uf000-\uf0ff])\s*(\S.*)$"
)
# A bullet that only cites a legal provision ("Article 6 ICCPR", "Articles 20, 21") is a
# reference list, not a task.
CITATION = re.compile(
    r"^(?:articles?|art\.|arts\.|section|rule|principle|paragraph|§|第[一二三四五六七八九十百\d]+条)"
    r"\s*[\dIVX(]",
    re.IGNORECASE,
)


def _value(style: str, number: str) -> int | None:
    if style in _ROMAN_STYLES or (style.endswith("-word") and number.isalpha()):
        value = roman_value(number.upper())
        if value is not None or style in _ROMAN_STYLES:
            return value
    if number.isdigit():
        return int(number)
    if style in ("letter-dot", "letter-lower", "letter-paren"):
        return ord(number.lower()) - ord("a") + 1
    if style == "decimal":
        return int(number.split(".")[-1])
    if style.startswith("han"):
        return han_value(number)
    return en_words_value(number)


def classify(text: str) -> Marker | None:
    for style, pattern, _ in STYLES:
        match = pattern.match(text)
        if not match:
            continue
        if style == "intro":
            return Marker(style, "", None, match.group(1))
        number, rest = match.group(1), match.group(2)
        value = _value(style, number)
        if value is None:
            continue  # "Part of the national history": a word, not a number
        if style == "decimal" and number.endswith(".0"):
            # "1.0 Introduction" is the first level of a decimal outline
            style, number, value = "digit-dot", number[:-2], int(number[:-2])
        return Marker(style, number, value, rest.strip())
    bullet = BULLET.match(text)
    if bullet and not re.match(r"^[-–]\s?\d", text):  # "-5 degrees" is not a bullet
        return Marker("bullet", "", None, bullet.group(2).strip())
    return None


# A Roman numeral style and the letter style it can be mistaken for: "C." / "C.", "i." / "i.",
# "(i)" / "(i)".
_LETTER_OF = {"roman": "letter-dot", "roman-lower": "letter-lower", "roman-paren": "letter-paren"}
_ROMAN_STYLES = tuple(_LETTER_OF)


def is_letter_or_roman(marker: Marker) -> bool:
    return marker.style in _ROMAN_STYLES and marker.number.upper() in set("IVXLCDM")


def resolve_letters(markers: list[Marker | None]) -> list[Marker | None]:
    """`C` after `B` is a letter, after `XCIX` a numeral: single letters that are also Roman
    numerals take the reading that continues a sequence."""
    case_of = {**{r: r for r in _LETTER_OF}, **{letter: r for r, letter in _LETTER_OF.items()}}
    letters_used = any(
        m is not None
        and m.style in _LETTER_OF.values()
        and m.style != "letter-paren"
        and m.number.upper() not in "IVXLCDM"
        for m in markers
    )
    last = {r: (0, 0) for r in _LETTER_OF}  # case → (last Roman value, last letter value)
    out: list[Marker | None] = []
    for marker in markers:
        if marker is None or marker.style not in case_of:
            out.append(marker)
            continue
        case = case_of[marker.style]
        roman_last, letter_last = last[case]
        if is_letter_or_roman(marker):
            letter_value = ord(marker.number.lower()) - ord("a") + 1
            roman_ok = marker.value == roman_last + 1
            letter_ok = letter_value == letter_last + 1
            as_letter = (letter_ok and not roman_ok) or (
                not roman_ok and not letter_ok and letters_used
            )
            if roman_ok and letter_ok:
                as_letter = letter_last > 0
            if as_letter:
                marker = Marker(_LETTER_OF[case], marker.number, letter_value, marker.rest)
        if marker.style in _LETTER_OF.values():
            last[case] = (roman_last, marker.value or 0)
        else:
            last[case] = (marker.value or 0, letter_last)
        out.append(marker)
    return out


def is_capitals(text: str) -> bool:
    """A heading set in capitals: "CIVIL AND POLITICAL RIGHTS"."""
    letters = [c for c in text if c.isalpha()]
    upper = sum(1 for c in letters if c.isupper())
    return (
        len(letters) >= 4
        and upper >= 0.8 * len(letters)
        and any(c.islower() or c.isupper() for c in letters)
    )
