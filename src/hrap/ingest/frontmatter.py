"""Front matter: contents, foreword, acronyms, acknowledgements, summary, annexes.

Kept apart from the plan's body, never made into nodes. A contents page is read as a hint:
the titles it lists are heading evidence for the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    (
        "contents",
        re.compile(
            r"^(?:table\s+of\s+contents?|contents?|sommaire|table\s+des?\s+mati[èe]res|"
            r"目\s*录|目\s*次)[.:：]?$",
            re.I,
        ),
    ),
    (
        "foreword",
        re.compile(
            r"^(?:(?:ministerial\s+|joint\s+)?forewords?(?:\s+(?:by|from)\b.{0,80})?|preface|"
            r"avant[- ]propos|pr[ée]face|"
            r"message\s+(?:from|of)\b.{0,60}|statement\s+(?:from|by)\b.{0,60}|致辞|序)[.:：]?$",
            re.I,
        ),
    ),
    (
        "acronyms",
        re.compile(
            r"^(?:list\s+of\s+)?(?:acronyms|abbreviations|acronyms\s+(?:and|&)\s+abbreviations|"
            r"abbreviations\s+(?:and|&)\s+acronyms|sigles(?:\s+et\s+abr[ée]viations)?|"
            r"liste\s+des\s+(?:sigles|abr[ée]viations).{0,30}|abr[ée]viations|缩略语|缩写)[.:：]?$",
            re.I,
        ),
    ),
    (
        "acknowledgements",
        re.compile(r"^(?:acknowledge?ments?|remerciements|致谢)[.:：]?$", re.I),
    ),
    (
        "summary",
        re.compile(
            r"^(?:executive\s+summary(?:\s*[–—:-]\s*[^.!?]{1,60})?|r[ée]sum[ée](?:\s+ex[ée]cutif)?|"
            r"摘要|内容提要)[.:：]?$",
            re.I,
        ),
    ),
    (
        "annex",
        re.compile(
            r"^(?:annex(?:es|e|es)?|appendix|appendices|附件|附录)(?:\s+[A-Z0-9IVX]{1,4})?\b"
            r"[^.!?]{0,100}$",
            re.I,
        ),
    ),
]
# A contents entry: a title, dot leaders, a page number ("3. CIVIL RIGHTS ........ 6").
_LEADER = re.compile(r"(?:\.\s*){4,}|…{2,}|_{4,}|·{4,}")
_PAGE = re.compile(r"\s+(?:\d{1,3}|[ivxlc]{1,6})$", re.I)


@dataclass
class FrontMatter:
    kind: str
    title: str
    text: list[str] = field(default_factory=list)


def front_kind(text: str) -> str | None:
    """The kind of front matter a heading opens, or None."""
    text = text.strip()
    if len(text) > 100:
        return None
    for kind, pattern in _HEADINGS:
        if pattern.match(text):
            return kind
    return None


def is_contents_entry(text: str, *, in_contents: bool = False) -> bool:
    """A contents entry: dot leaders, or inside a contents page a title ending in its page
    number ("1.0 Context of the Roadmap 10")."""
    if bool(_LEADER.search(text)) and len(text) <= 300:
        return True
    if len(text) <= 3000 and len(re.findall(rf"(?:{_LEADER.pattern})\s*\d{{1,3}}\b", text)) >= 2:
        return True  # several entries a reader ran together
    return in_contents and len(text) <= 200 and bool(re.search(r"\S\s+\d{1,3}$", text))


def contents_key(text: str) -> str:
    """A contents entry or a heading reduced to comparable letters: no number, no page."""
    text = _LEADER.split(text)[0]
    text = _PAGE.sub("", text)
    text = re.sub(
        r"^\s*(?:[\dIVXivx]+(?:\.\d+)*[.)、]?|[A-Z][.)]|[（(][^)）]{1,4}[)）])\s*", "", text
    )
    return re.sub(r"[\W_]+", "", text.casefold())[:40]
