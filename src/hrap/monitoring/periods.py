"""Periods of values and cycles: a year (2023), a half (2023-H1), a quarter (2023-Q3) or a month
(2023-07). Plain Python: the upload parser, the services and progress read periods through here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from hrap.core.catalog import _

FIRST_YEAR, LAST_YEAR = 1900, 2200
_SHAPE = re.compile(r"(\d{4})(?:-(?:Q([1-4])|H([12])|(\d{2})))?")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    end_month: int  # the last month it covers: 12 for a year, 9 for Q3, 6 for H1, 7 for July
    text: str

    @property
    def annual(self) -> bool:
        return self.text == str(self.year)


@functools.lru_cache(maxsize=8192)
def parse_period(text: str) -> Period | None:
    """The period `text` names, or None (0000, 2023-13, 2023/24 are not periods)."""
    match = _SHAPE.fullmatch(text)
    if not match:
        return None
    year = int(match.group(1))
    quarter, half, month = match.group(2), match.group(3), match.group(4)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    if month is not None:
        end = int(month)
        if not 1 <= end <= 12:
            return None
    else:
        end = int(quarter) * 3 if quarter else int(half) * 6 if half else 12
    return Period(year, end, text)


def period_problem(text: str) -> str | None:
    """What is wrong with `text` as a period, or None."""
    if parse_period(text) is not None:
        return None
    return _("%(text)r is not a period such as 2023 or 2023-Q1") % {"text": text[:20]}
