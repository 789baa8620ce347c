"""Rollup periods: local days, DST-correct day shares, week starts, rounding of whole minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from worklogs.domain.accounting import day_shares, round_minutes
from worklogs.domain.periods import week_start_of as week_start
from worklogs.domain.rollup import local_day_bounds, period_days
from worklogs.domain.settings import Rounding

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def apportion_to_days(start: datetime, end: datetime, tz: ZoneInfo) -> dict[date, int]:
    return {share.day: share.seconds for share in day_shares(start, end, tz)}


@pytest.mark.parametrize(
    ("day", "tz", "hours"),
    [
        (date(2026, 3, 29), BERLIN, 23),
        (date(2026, 10, 25), BERLIN, 25),
        (date(2026, 3, 8), NEW_YORK, 23),
        (date(2026, 11, 1), NEW_YORK, 25),
        (date(2026, 11, 11), BERLIN, 24),
    ],
)
def test_local_days_are_23_or_25_hours_on_dst_changes(day, tz, hours):
    start, end = local_day_bounds(day, tz)
    assert (end - start).total_seconds() == hours * 3600


def test_an_entry_across_midnight_is_split_by_the_seconds_in_each_local_day():
    # 22:00-02:00 Berlin (winter): 21:00Z-01:00Z
    found = apportion_to_days(datetime(2026, 11, 11, 21, tzinfo=UTC), datetime(2026, 11, 12, 1, tzinfo=UTC), BERLIN)
    assert found == {date(2026, 11, 11): 7200, date(2026, 11, 12): 7200}


def test_a_whole_dst_night_in_berlin_counts_its_real_length():
    # local 00:00 Oct 25 → 00:00 Oct 26 is 25 real hours, all on Oct 25
    start, end = local_day_bounds(date(2026, 10, 25), BERLIN)
    assert apportion_to_days(start, end, BERLIN) == {date(2026, 10, 25): 25 * 3600}


def test_an_entry_ending_exactly_at_midnight_touches_one_day():
    _, end = local_day_bounds(date(2026, 11, 11), BERLIN)
    assert list(apportion_to_days(end - timedelta(hours=2), end, BERLIN)) == [date(2026, 11, 11)]


def test_week_start_follows_the_setting_and_periods_have_bounds():
    assert week_start(date(2026, 11, 11), "monday") == date(2026, 11, 9)
    assert week_start(date(2026, 11, 11), "sunday") == date(2026, 11, 8)
    assert week_start(date(2026, 11, 8), "sunday") == date(2026, 11, 8)
    assert period_days("month", "2026-12") == (date(2026, 12, 1), date(2027, 1, 1))
    assert period_days("week", "2026-11-09") == (date(2026, 11, 9), date(2026, 11, 16))


@pytest.mark.parametrize(
    ("mode", "minutes", "expected"),
    [
        ("up", 16, 30),
        ("down", 29, 15),
        ("nearest", 22, 15),
        ("nearest", 23, 30),
        ("none", 30, 30),
    ],
)
def test_rounding_modes(mode, minutes, expected):
    assert round_minutes(minutes, Rounding(mode=mode, unitMinutes=15)) == expected
