"""Matching the names of responsible bodies, as a plan prints them, to the agency directory.

Plain data, no ORM. A name is folded (width, script, case, punctuation, spaces, "the") and, in
Chinese, also taken in its usual short forms (委员会 → 委, 发展和改革 → 发展改革, without
中华人民共和国 or a leading 国家), so "the Ministry of Justice", "MINISTRY OF JUSTICE", "司法部"
and "国家发展改革委" find their agency by its name, abbreviation or code in any language.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hrap.plans.textsearch import normalize

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PARENTHESES = re.compile(r"[(（]([^()（）]{1,40})[)）]")
_NOT_WORD = re.compile(r"[^\w\u3400-\u4dbf\u4e00-\u9fff]+")
_ARTICLES = {"the"}
_CHINESE_PREFIXES = ("中华人民共和国", "中国", "国家")
MAX_NAME = 300


def key(name: str) -> str:
    """The name folded: what two spellings of one body have in common."""
    folded = normalize(name[:MAX_NAME]).replace("&", " and ").replace("'", "").replace("’", "")
    words = [w for w in _NOT_WORD.sub(" ", folded).split() if w not in _ARTICLES]
    if _HAN.search(folded):
        return "".join(words)
    return " ".join(words)


def _chinese_forms(folded: str) -> set[str]:
    forms = {folded}
    for prefix in _CHINESE_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix) + 1:
            forms.add(folded[len(prefix) :])
    for form in list(forms):
        forms.add(form.replace("委员会", "委"))
    for form in list(forms):
        forms.add(form.replace("和", ""))
    return {f for f in forms if len(f) >= 2}


def forms(name: str) -> set[str]:
    """Every folded form a name may be matched by, its parenthesised abbreviation included."""
    found: set[str] = set()
    for part in [_PARENTHESES.sub(" ", name), *_PARENTHESES.findall(name)]:
        folded = key(part)
        if not folded:
            continue
        found |= _chinese_forms(folded) if _HAN.search(folded) else {folded}
    return found


@dataclass(frozen=True)
class Directory:
    """Agencies by every folded form of their names, abbreviations and codes."""

    by_form: dict[str, frozenset[int]]

    @classmethod
    def of(cls, agencies: Iterable[tuple[int, Iterable[str]]]) -> Directory:
        index: dict[str, set[int]] = defaultdict(set)
        for agency_id, names in agencies:
            for name in names:
                for form in forms(name):
                    index[form].add(agency_id)
        return cls({form: frozenset(ids) for form, ids in index.items()})

    def candidates(self, printed: Iterable[str]) -> set[int]:
        """The agencies any language of a printed name matches (one, none, or several)."""
        found: set[int] = set()
        for name in printed:
            for form in forms(name):
                found |= self.by_form.get(form, frozenset())
        return found
