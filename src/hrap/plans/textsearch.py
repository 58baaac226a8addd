"""Text normalization and query terms for plan search in Chinese and other languages.

Plain functions, no ORM. Chinese text is folded to simplified script (plans circulate in both
scripts) and queries are cut into words with jieba, so 生命权 finds 生命權 and a phrase such as
死刑复核程序 finds nodes that mention 死刑, 复核 and 程序 anywhere.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import zhconv

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Full-width forms folded (NFKC), simplified script, case-folded."""
    folded = unicodedata.normalize("NFKC", text)
    if _HAN.search(folded):
        folded = zhconv.convert(folded, "zh-hans")
    return folded.casefold()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


def query_terms(query: str) -> list[str]:
    """The words a query asks for, each to be found in a node's normalized text."""
    terms: list[str] = []
    for token in _TOKEN.findall(normalize(query)):
        if _HAN.match(token):
            words = [w for w in _jieba().cut(token) if w.strip()] if len(token) > 2 else [token]
            terms.extend(words)
        else:
            terms.append(token)
    # Keep order, drop repeats and one-letter Latin noise ("a", "s").
    seen: dict[str, None] = {}
    for term in terms:
        if _HAN.match(term) or len(term) > 1:
            seen.setdefault(term, None)
    return list(seen)


def excerpt(text: str, terms: list[str], width: int = 80) -> tuple[str, str, str]:
    """A window of `text` around the first term found: (before, match, after)."""
    folded = normalize(text)
    for term in terms:
        at = folded.find(term)
        # NFKC and script folding keep the length of CJK and Latin text, so offsets carry over.
        if at >= 0 and len(folded) == len(text):
            start = max(0, at - width // 2)
            end = at + len(term)
            before = ("…" if start > 0 else "") + text[start:at]
            after = text[end : end + width] + ("…" if end + width < len(text) else "")
            return before, text[at:end], after
    short = text[:width] + ("…" if len(text) > width else "")
    return short, "", ""
