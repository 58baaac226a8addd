"""The progress of a target along the straight line from its baseline to its deadline."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from hrap.monitoring.progress import Goal, Point, Status, Unknown, assess, goal_level, yearly

# PM2.5 to fall by 10% from 40 (2020) by 2025: the level is 36; in 2023 the line is at 37.6.
PM25 = Goal(
    baseline=Point(2020, D(40)),
    value=D(10),
    deadline=2025,
    direction="decrease",
    relative=True,
    percent=True,
)


def test_a_relative_target_becomes_a_level() -> None:
    assert goal_level(PM25) == D(36)


def test_on_track_off_track_achieved_and_no_data() -> None:
    assert assess(PM25, []).status == Status.NO_DATA
    on = assess(PM25, [Point(2021, D("39.5")), Point(2023, D("37.5"))])
    assert (on.status, on.expected) == (Status.ON_TRACK, D("37.6"))
    assert assess(PM25, [Point(2023, D(39))]).status == Status.OFF_TRACK
    assert assess(PM25, [Point(2024, D("35.9"))]).status == Status.ACHIEVED


def test_the_latest_observation_counts() -> None:
    assert assess(PM25, [Point(2024, D(39)), Point(2021, D(30))]).status == Status.OFF_TRACK


def test_levels_counts_and_maintenance() -> None:
    coverage = Goal(baseline=Point(2016, D(90)), value=D(95), deadline=2020, direction="at_least")
    assert (
        assess(coverage, [Point(2018, D("92.6"))]).status == Status.ON_TRACK
    )  # the line is at 92.5
    assert assess(coverage, [Point(2018, D(91))]).status == Status.OFF_TRACK
    bases = Goal(baseline=None, value=D(20), deadline=2025, direction="reach")
    assert assess(bases, [Point(2025, D(12))]).status == Status.OFF_TRACK  # deadline passed
    kept = Goal(baseline=Point(2020, D(95)), value=D(95), deadline=2025, direction="maintain")
    assert assess(kept, [Point(2022, D(94))]).status == Status.OFF_TRACK


def test_a_relative_target_without_baseline_is_unknown() -> None:
    goal = Goal(
        baseline=None, value=D(10), deadline=2025, direction="decrease", relative=True, percent=True
    )
    assert assess(goal, []).status == Status.NO_DATA
    found = assess(goal, [Point(2023, D(30))])
    assert (found.status, found.unknown) == (Status.UNKNOWN, Unknown.NO_BASELINE)


values = st.decimals(min_value=0, max_value=1000, places=2)


@given(values, values, st.integers(2000, 2020), st.integers(1, 10), values, st.integers(0, 15))
def test_progress_is_monotone_in_the_observed_value(
    base: D, target: D, start: int, length: int, observed: D, offset: int
) -> None:
    goal = Goal(
        baseline=Point(start, base), value=target, deadline=start + length, direction="increase"
    )
    status = assess(goal, [Point(start + offset, observed)]).status
    better = assess(goal, [Point(start + offset, observed + 1)]).status
    order = [Status.OFF_TRACK, Status.ON_TRACK, Status.ACHIEVED]
    assert order.index(better) >= order.index(status)


def test_without_a_baseline_or_a_deadline_the_pace_is_unknown_and_says_why() -> None:
    bases = Goal(baseline=None, value=D(20), deadline=2025, direction="reach")
    no_line = assess(bases, [Point(2023, D(12))])
    assert (no_line.status, no_line.unknown) == (Status.UNKNOWN, Unknown.NO_BASELINE)
    open_ended = Goal(baseline=Point(2020, D(5)), value=D(20), deadline=None, direction="increase")
    no_end = assess(open_ended, [Point(2023, D(12))])
    assert (no_end.status, no_end.unknown) == (Status.UNKNOWN, Unknown.NO_DEADLINE)
    assert assess(open_ended, [Point(2023, D(21))]).status == Status.ACHIEVED  # reached is known
    backwards = Goal(baseline=Point(2024, D(5)), value=D(20), deadline=2023, direction="increase")
    assert assess(backwards, [Point(2022, D(6))]).unknown == Unknown.DEADLINE_BEFORE_BASELINE


def test_annual_values_count_quarters_only_when_there_is_no_annual_value() -> None:
    mixed = [("2022", D(40)), ("2023-Q1", D(30)), ("2023-Q2", D(50)), ("2021", D(41))]
    assert yearly(mixed) == [Point(2022, D(40)), Point(2021, D(41))]
    quarters = [("2023-Q1", D(30)), ("2023-Q3", D(33)), ("2023-Q2", D(31)), ("2022-H2", D(35))]
    assert sorted(yearly(quarters), key=lambda p: p.year) == [
        Point(2022, D(35), "2022-H2"),
        Point(2023, D(33), "2023-Q3"),
    ]
    assert yearly([("2023-Q1", D(1)), ("2023-03", D(2))]) == [Point(2023, D(2), "2023-03")]
