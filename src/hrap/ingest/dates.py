"""Deadlines as plans write them: years, quarters, fiscal years, months, 'within three years'."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from hrap.ingest.numerals import number_value

_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            (),
            ("january", "jan", "janvier"),
            ("february", "feb", "février", "fevrier"),
            ("march", "mar", "mars"),
            ("april", "apr", "avril"),
            ("may", "mai"),
            ("june", "jun", "juin"),
            ("july", "jul", "juillet"),
            ("august", "aug", "août", "aout"),
            ("september", "sep", "sept", "septembre"),
            ("october", "oct", "octobre"),
            ("november", "nov", "novembre"),
            ("december", "dec", "décembre", "decembre"),
        ]
    )
    for name in names
}
_ORDINAL = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}
_YEAR = r"((?:19|20)\d\d)"


@dataclass(frozen=True)
class Deadline:
    year: int | None
    date: str | None  # the last day, ISO, when the text gives one


def _last_day(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def deadline_of(text: str, plan_start: int | None = None) -> Deadline | None:
    """The deadline a phrase states (`deadline_phrase`), else the latest year it names."""
    found = deadline_phrase(text, plan_start)
    if found is not None:
        return found
    years = [int(y) for y in re.findall(rf"(?<!\d){_YEAR}(?!\d)", text)]
    return Deadline(max(years), None) if years else None


def deadline_phrase(text: str, plan_start: int | None = None) -> Deadline | None:
    """The deadline a phrase states, or None: "by the third quarter of FY 2024" → 2024-06-30
    (United States federal fiscal quarters, the usual sense of "FY" with a quarter), "end-2024"
    → 2024-12-31, "June 2023" → 2023-06-30, "2023年6月底前" → 2023-06-30, "within three years
    of adoption" → plan start + 3."""
    lowered = text.lower()
    match = re.search(
        rf"\b(q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)\s*(?:of\s+)?"
        rf"(fy\s*'?)?\s*(?:fiscal\s+year\s+)?{_YEAR}",
        lowered,
    )
    if match:
        quarter = int(match.group(2)) if match.group(2) else _ORDINAL[match.group(3)]
        year = int(match.group(5))
        if match.group(4) or "fiscal" in match.group(0):
            month, in_year = [(12, year - 1), (3, year), (6, year), (9, year)][quarter - 1]
            return Deadline(year, _last_day(in_year, month))
        return Deadline(year, _last_day(year, quarter * 3))
    match = re.search(rf"\b(?:fy|fiscal\s+year)\s*'?{_YEAR}", lowered)
    if match:
        return Deadline(int(match.group(1)), None)
    match = re.search(rf"\b(?:end[\s-]+(?:of\s+)?|year[\s-]end\s+){_YEAR}", lowered)
    if match:
        return Deadline(int(match.group(1)), _last_day(int(match.group(1)), 12))
    match = re.search(rf"{_YEAR}\s*年\s*(\d{{1,2}})\s*月", text)
    if match and 1 <= int(match.group(2)) <= 12:
        year = int(match.group(1))
        return Deadline(year, _last_day(year, int(match.group(2))))
    match = re.search(rf"{_YEAR}\s*年\s*(?:底|末|年底)", text)
    if match:
        return Deadline(int(match.group(1)), _last_day(int(match.group(1)), 12))
    months = "|".join(sorted(_MONTHS, key=len, reverse=True))
    match = re.search(
        rf"\b(?:(\d{{1,2}})\s+)?({months})\.?\s+(?:(\d{{1,2}}),?\s+)?{_YEAR}", lowered
    )
    if match:
        year, month = int(match.group(4)), _MONTHS[match.group(2)]
        day = match.group(1) or match.group(3)
        if day and 1 <= int(day) <= calendar.monthrange(year, month)[1]:
            return Deadline(year, f"{year:04d}-{month:02d}-{int(day):02d}")
        return Deadline(year, _last_day(year, month))
    match = re.search(rf"\b{_YEAR}-(\d\d)-(\d\d)\b", text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]:
            return Deadline(year, f"{year:04d}-{month:02d}-{day:02d}")
    match = re.search(
        r"\bwithin\s+(\w+(?:[\s-]\w+)?)\s+years?\s+(?:of|from|after)\s+(?:the\s+)?"
        r"(?:adoption|approval|launch|start|entry\s+into\s+force|publication)",
        lowered,
    )
    if match and plan_start is not None:
        count = number_value(match.group(1))
        if count is not None and 0 < count <= 50:
            return Deadline(plan_start + int(count), None)
    return None
