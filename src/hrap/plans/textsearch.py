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


_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
          (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip
_HAN_DIGITS = "零一二三四五六七八九"
_LATIN_REF = re.compile(r"([IVXLCDM]+|[0-9]{1,3})((?:\.[0-9]{1,3})*)(\.[a-z])?", re.IGNORECASE)
_HAN_NUMBER = "[零〇一二三四五六七八九十百]+"
_CHINESE_REF = re.compile(
    rf"(?:第)?({_HAN_NUMBER})[、.．]?\s*(?:[（(]\s*({_HAN_NUMBER})\s*[）)])?\s*"
    r"([0-9]{1,3}|[０-９]{1,3})?[.．、]?"
)


def _roman(number: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out, number = out + letters, number - value
    return out


def _from_roman(text: str) -> int | None:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not text or any(letter not in values for letter in text):
        return None
    total = 0
    for i, letter in enumerate(text):
        value = values[letter]
        following = values[text[i + 1]] if i + 1 < len(text) else 0
        total += -value if value < following else value
    return total if 0 < total < 4000 and _roman(total) == text else None


def _han(number: int) -> str:
    """一 … 九十九, as Chinese plans number their parts and sections."""
    tens, ones = divmod(number, 10)
    if number < 10:
        return _HAN_DIGITS[number]
    return (_HAN_DIGITS[tens] if tens > 1 else "") + "十" + (_HAN_DIGITS[ones] if ones else "")


def _from_han(text: str) -> int | None:
    digits = {c: i for i, c in enumerate(_HAN_DIGITS)} | {"〇": 0}
    if "百" in text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        return digits.get(tens, 1 if not tens else -99) * 10 + (digits.get(ones, 0) if ones else 0)
    if len(text) == 1 and text in digits:
        return digits[text]
    return None


def chinese_ref(ref: str) -> str:
    """A ref as a Chinese plan numbers it: III.1.2 → 三（一）2; other refs as they are."""
    head, *rest = ref.split(".")
    part = _from_roman(head)
    if part is None or not all(r.isdigit() for r in rest):
        return ref
    shown = _han(part) if part < 100 else head
    if rest:
        section = int(rest[0])
        shown += f"（{_han(section)}）" if 0 < section < 100 else f".{rest[0]}"
    return shown + ".".join(rest[1:])


def ref_in_query(query: str) -> str | None:
    """The ref a query names, if it is one: "III.1.2", "iii.1.2", "3.1.2", "三、（一）2" or
    "三（一）2" → "III.1.2"; None for ordinary words."""
    text = unicodedata.normalize("NFKC", query).strip()
    latin = _LATIN_REF.fullmatch(text)
    if latin and ("." in text or text.isalpha()):
        head, rest, letter = latin.group(1), latin.group(2), latin.group(3) or ""
        if head.isdigit():
            number = int(head)
        else:
            found = _from_roman(head.upper())
            if found is None:
                return None
            number = found
        if not 0 < number < 4000 or (head.isalpha() and not rest and len(head) < 2):
            return None  # a lone "I" or "v" is a word more often than a part
        return _roman(number) + rest + letter.lower()
    chinese = _CHINESE_REF.fullmatch(text)
    if chinese and (chinese.group(2) or chinese.group(3)):
        part = _from_han(chinese.group(1))
        section = _from_han(chinese.group(2)) if chinese.group(2) else None
        if part is None or part <= 0 or (chinese.group(2) and not section):
            return None
        ref = _roman(part)
        if section:
            ref += f".{section}"
        if chinese.group(3):
            ref += f".{int(chinese.group(3))}"
        return ref
    return None
