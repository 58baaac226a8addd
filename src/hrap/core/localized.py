"""Content text per language: a mapping of BCP 47 tag to text, and choosing one to show."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

LanguageTag = str
LocalizedText = dict[LanguageTag, str]

BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

# Interface language codes (Django, lower case) to content language tags (BCP 47).
_UI_TO_CONTENT = {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}


def content_language(ui_language: str | None = None) -> LanguageTag:
    """The content tag for an interface language, by default the active one."""
    code = (ui_language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    return _UI_TO_CONTENT.get(code, code)


def content_languages() -> list[LanguageTag]:
    return list(settings.HRAP_CONTENT_LANGUAGES)


@dataclass(frozen=True)
class Shown:
    """The text chosen for display, in which language, and whether it is a fallback."""

    text: str
    language: LanguageTag
    fallback: bool

    def __str__(self) -> str:
        return self.text


def choose(texts: LocalizedText | None, language: LanguageTag | None = None) -> Shown:
    """The text in `language`, else the first non-empty one in the configured order."""
    wanted = language or content_language()
    texts = texts or {}
    if texts.get(wanted):
        return Shown(texts[wanted], wanted, fallback=False)
    order = content_languages() + sorted(set(texts) - set(content_languages()))
    for tag in order:
        if texts.get(tag):
            return Shown(texts[tag], tag, fallback=True)
    return Shown("", wanted, fallback=False)


def clean(texts: LocalizedText | None) -> LocalizedText:
    """Drop empty entries and surrounding whitespace, so "no text" has one form."""
    return {tag: value.strip() for tag, value in (texts or {}).items() if value and value.strip()}


def sort_key(text: str) -> tuple[bytes, str]:
    """A key that sorts names as a reader of their language expects, without ICU: case-folded
    Latin in alphabetical order, and Chinese by pinyin, which is the order of GB2312's common
    characters (GB18030 keeps it; rarer characters follow by radical)."""
    folded = text.casefold()
    return folded.encode("gb18030", errors="replace"), folded
