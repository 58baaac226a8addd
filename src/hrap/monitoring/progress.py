"""Progress of a target from its baseline, its value, its deadline and the observations so far.

A pure function of plain numbers: the expected value at any date lies on the straight line from
the baseline (value, year) to the target (value, deadline year). Without a baseline or a
deadline there is no line, and a target not yet reached is "unknown", with the reason.
Targets are annual, so annual values are what they are judged on (`yearly`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from hrap.monitoring.periods import parse_period


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    UNKNOWN = "unknown"  # values exist, but without a baseline or a deadline no pace is known
    NO_DATA = "no_data"


class Unknown(StrEnum):
    """Why a target's pace is unknown."""

    NO_BASELINE = "no_baseline"
    NO_DEADLINE = "no_deadline"
    DEADLINE_BEFORE_BASELINE = "deadline_before_baseline"


@dataclass(frozen=True)
class Point:
    year: int
    value: Decimal
    period: str = ""  # the period the value is of, when not the whole year ("2023-Q3")

    @property
    def label(self) -> str:
        return self.period or str(self.year)


def yearly(observations: list[tuple[str, Decimal]]) -> list[Point]:
    """The points a target is judged on, from (period, value) pairs: the annual values; only
    when there is none, each year's latest quarter, half or month stands in for its year."""
    annual = [Point(int(p), v) for p, v in observations if p.isdigit()]
    if annual:
        return annual
    latest: dict[int, tuple[str, Decimal]] = {}
    for period, value in observations:
        parsed = parse_period(period)
        if parsed is None:
            continue
        known = latest.get(parsed.year)
        if known is None or _end(parsed.text) > _end(known[0]):
            latest[parsed.year] = (period, value)
    return [Point(year, value, period) for year, (period, value) in latest.items()]


def _end(period: str) -> tuple[int, int]:
    parsed = parse_period(period)
    assert parsed is not None
    # A quarter and a month ending together: the month is the later, finer figure.
    return parsed.end_month, 1 if "Q" in period or "H" in period else 2


@dataclass(frozen=True)
class Goal:
    """A target as numbers: where it starts, where it must get to, by when, and which way."""

    baseline: Point | None
    value: Decimal
    deadline: int | None
    direction: str  # increase, decrease, at_least, at_most, reach, maintain
    relative: bool = False
    percent: bool = False


@dataclass(frozen=True)
class Assessment:
    status: Status
    latest: Point | None
    expected: Decimal | None  # on the trajectory, in the latest observation's year
    goal_level: Decimal | None  # the level the target means (a relative change applied)
    unknown: Unknown | None = None  # why, when the status is UNKNOWN


def goal_level(goal: Goal) -> Decimal | None:
    """The level the target asks for: 'fall by 10%' from a baseline of 40 is 36."""
    if not goal.relative:
        return goal.value
    if goal.baseline is None:
        return None
    change = goal.baseline.value * goal.value / 100 if goal.percent else goal.value
    return (
        goal.baseline.value - change
        if goal.direction == "decrease"
        else goal.baseline.value + change
    )


def _upwards(goal: Goal, level: Decimal) -> bool:
    if goal.direction in ("increase", "at_least"):
        return True
    if goal.direction in ("decrease", "at_most"):
        return False
    return goal.baseline is None or level >= goal.baseline.value


def assess(goal: Goal, observations: list[Point]) -> Assessment:
    if not observations:
        return Assessment(Status.NO_DATA, None, None, goal_level(goal))
    latest = max(observations, key=lambda p: p.year)
    level = goal_level(goal)
    if level is None:  # a relative change without a baseline to apply it to
        return Assessment(Status.UNKNOWN, latest, None, None, Unknown.NO_BASELINE)
    if goal.direction == "maintain":
        base = goal.baseline.value if goal.baseline else level
        ok = latest.value >= base
        return Assessment(Status.ON_TRACK if ok else Status.OFF_TRACK, latest, base, level)
    up = _upwards(goal, level)
    reached = latest.value >= level if up else latest.value <= level
    if reached:
        return Assessment(Status.ACHIEVED, latest, level, level)
    if goal.deadline is not None and latest.year >= goal.deadline:
        return Assessment(Status.OFF_TRACK, latest, level, level)  # the deadline has passed
    # Without a start or an end there is no trajectory: only "not yet" is known.
    if goal.deadline is None:
        return Assessment(Status.UNKNOWN, latest, None, level, Unknown.NO_DEADLINE)
    if goal.baseline is None:
        return Assessment(Status.UNKNOWN, latest, None, level, Unknown.NO_BASELINE)
    if goal.deadline <= goal.baseline.year:
        return Assessment(Status.UNKNOWN, latest, None, level, Unknown.DEADLINE_BEFORE_BASELINE)
    span = goal.deadline - goal.baseline.year
    elapsed = min(max(latest.year - goal.baseline.year, 0), span)
    expected = goal.baseline.value + (level - goal.baseline.value) * Decimal(elapsed) / Decimal(
        span
    )
    on_track = latest.value >= expected if up else latest.value <= expected
    return Assessment(Status.ON_TRACK if on_track else Status.OFF_TRACK, latest, expected, level)
