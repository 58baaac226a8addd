"""Numbers as plans write them: digits, English number words, Chinese numerals, Roman numerals."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
EN_NUMBER_WORDS = sorted([*_EN_UNITS, *_EN_SCALES], key=len, reverse=True)

_HAN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_HAN_SMALL = {"十": 10, "百": 100, "千": 1000}
_HAN_LARGE = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
HAN_NUMERAL_CHARS = "".join([*_HAN_DIGITS, *_HAN_SMALL, *_HAN_LARGE])

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def roman_value(text: str) -> int | None:
    """III → 3; None when `text` is not a well-formed Roman numeral."""
    if not text or not re.fullmatch(
        r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})", text
    ):
        return None
    total = 0
    for char, following in zip(text, [*text[1:], ""], strict=True):
        value = _ROMAN[char]
        total += -value if following and _ROMAN[following] > value else value
    return total


def han_value(text: str) -> int | None:
    """二十 → 20, 一百零五 → 105, 三万 → 30000; None when not a Chinese numeral."""
    if not text or any(c not in HAN_NUMERAL_CHARS for c in text):
        return None
    if not any(c in _HAN_DIGITS for c in text) and text[0] not in _HAN_SMALL:
        return None  # 万 or 亿 alone is a word, not a number
    if all(c in _HAN_DIGITS for c in text) and len(text) > 1:  # 二〇二五 read digit by digit
        return int("".join(str(_HAN_DIGITS[c]) for c in text))
    total = section = digit = 0
    for char in text:
        if char in _HAN_DIGITS:
            digit = _HAN_DIGITS[char]
        elif char in _HAN_SMALL:
            section += (digit or 1) * _HAN_SMALL[char]
            digit = 0
        else:
            total = (total + section + digit) * _HAN_LARGE[char]
            section = digit = 0
    return total + section + digit


def en_words_value(text: str) -> int | None:
    """'Twenty' → 20, 'one hundred and fifty' → 150; None when not number words."""
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w and w != "and"]
    if not words:
        return None
    total = current = 0
    for word in words:
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in _EN_SCALES:
            total += (current or 1) * _EN_SCALES[word]
            current = 0
        else:
            return None
    return total + current


def decimal_value(text: str) -> Decimal | None:
    """Digits with thousands separators and a decimal point, full-width or not: 89,000 → 89000."""
    cleaned = text.translate(str.maketrans("０１２３４５６７８９．，", "0123456789.,")).replace(
        ",", ""
    )
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def number_value(text: str) -> Decimal | None:
    """Any of the above, with a trailing 万/亿 or million/billion scale: 5000万 → 50000000."""
    text = text.strip()
    match = re.fullmatch(r"(.+?)\s*(万|萬|亿|億|million|billion)", text, flags=re.IGNORECASE)
    if match:
        base = number_value(match.group(1))
        scale = {
            "万": 10**4,
            "萬": 10**4,
            "亿": 10**8,
            "億": 10**8,
            "million": 10**6,
            "billion": 10**9,
        }[match.group(2).lower()]
        return None if base is None else base * scale
    for reader in (decimal_value, han_value, en_words_value):
        value = reader(text)
        if value is not None:
            return Decimal(value)
    return None
