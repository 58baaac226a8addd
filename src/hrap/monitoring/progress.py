"""Progress of a target from its baseline, its value, its deadline and the observations so far.

A pure function of plain numbers: the expected value at any date lies on the straight line from
the baseline (value, year) to the target (value, deadline year).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Status(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


@dataclass(frozen=True)
class Point:
    year: int
    value: Decimal


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
    if level is None:
        return Assessment(Status.NO_DATA, latest, None, None)
    if goal.direction == "maintain":
        base = goal.baseline.value if goal.baseline else level
        ok = latest.value >= base
        return Assessment(Status.ON_TRACK if ok else Status.OFF_TRACK, latest, base, level)
    up = _upwards(goal, level)
    reached = latest.value >= level if up else latest.value <= level
    if reached:
        return Assessment(Status.ACHIEVED, latest, level, level)
    if goal.baseline is None or goal.deadline is None or goal.deadline <= goal.baseline.year:
        # Without a start or an end there is no trajectory: only "not yet" is known.
        past_deadline = goal.deadline is not None and latest.year >= goal.deadline
        return Assessment(
            Status.OFF_TRACK if past_deadline else Status.ON_TRACK, latest, None, level
        )
    span = goal.deadline - goal.baseline.year
    elapsed = min(max(latest.year - goal.baseline.year, 0), span)
    expected = goal.baseline.value + (level - goal.baseline.value) * Decimal(elapsed) / Decimal(
        span
    )
    on_track = latest.value >= expected if up else latest.value <= expected
    return Assessment(Status.ON_TRACK if on_track else Status.OFF_TRACK, latest, expected, level)
