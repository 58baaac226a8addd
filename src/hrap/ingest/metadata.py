"""A plan's jurisdiction and period as its document states them, and how each was found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

# Demonyms and the names plans use that the ISO catalogue spells otherwise.
_NAMES = {
    "chinese": "CN",
    "中国": "CN",
    "中华人民共和国": "CN",
    "國家": None,
    "liberian": "LR",
    "congolese": "CD",
    "république démocratique du congo": "CD",
    "rdc": "CD",
    "drc": "CD",
    "american": "US",
    "united states": "US",
    "u.s.": "US",
    "british": "GB",
    "united kingdom": "GB",
    "uk": "GB",
    "scottish": "GB",
    "kenyan": "KE",
    "nigerian": "NG",
    "ghanaian": "GH",
    "south african": "ZA",
    "filipino": "PH",
    "indonesian": "ID",
    "nepali": "NP",
    "mexican": "MX",
    "australian": "AU",
    "canadian": "CA",
    "irish": "IE",
    "german": "DE",
    "french": "FR",
    "dutch": "NL",
    "finnish": "FI",
    "swedish": "SE",
    "norwegian": "NO",
    "danish": "DK",
    "viet nam": "VN",
    "vietnamese": "VN",
    "korean": "KR",
    "japanese": "JP",
    "thai": "TH",
    "ugandan": "UG",
    "tanzanian": "TZ",
    "zambian": "ZM",
    "rwandan": "RW",
}
_PERIOD = re.compile(
    r"((?:19|20)\d\d)\s*(?:[-–—~至到]+|\s+to\s+|\s+à\s+|\s+-\s+)\s*((?:19|20)\d\d|\d\d)\b(?!\s*%)"
)
_ZH_PERIOD = re.compile(r"((?:19|20)\d\d)\s*[—－-]+\s*((?:19|20)\d\d)\s*年")


@dataclass(frozen=True)
class Found:
    value: str | tuple[int, int] | None
    how: str  # a sentence for the ingest report


@lru_cache(maxsize=1)
def _country_names() -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name and len(name) > 3:
                names.append((name.lower(), country.alpha_2))
    names += [(name, code) for name, code in _NAMES.items() if code]
    return sorted(names, key=lambda pair: -len(pair[0]))


def jurisdiction_in(texts: list[tuple[str, str]]) -> Found:
    """The country a plan belongs to, from (where, text) pairs in the order to trust them:
    the title first, then the first page."""
    for where, text in texts:
        lowered = f" {text.lower()} "
        for name, code in _country_names():
            pattern = rf"(?<![\w]){re.escape(name)}(?![\w])" if name.isascii() else re.escape(name)
            if re.search(pattern, lowered):
                return Found(code, f"jurisdiction {code}: '{name}' in {where}")
    return Found(
        None, "jurisdiction: not stated in the title or the first page (use --jurisdiction)"
    )


def period_in(texts: list[tuple[str, str]]) -> Found:
    """The years a plan covers ("(2021-2025)", "2013 - 2018", "2013 to 2015", "2021—2025年")."""
    for where, text in texts:
        for pattern in (_ZH_PERIOD, _PERIOD):
            for match in pattern.finditer(text):
                start, end = int(match.group(1)), match.group(2)
                end_year = int(end) if len(end) == 4 else start // 100 * 100 + int(end)
                if start < end_year <= start + 30:
                    return Found((start, end_year), f"period {start}-{end_year}: in {where}")
    return Found(None, "period: not stated in the title or the first page (use --period)")


def parse_period(text: str) -> tuple[int, int] | None:
    """`--period 2021-2025`; None when it is not two years in order."""
    match = re.fullmatch(r"\s*((?:19|20|21)\d\d)\s*[-–/:]\s*((?:19|20|21)\d\d)\s*", text)
    if not match:
        return None
    start, end = int(match.group(1)), int(match.group(2))
    return (start, end) if 1900 <= start <= end <= 2200 else None
