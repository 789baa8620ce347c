from datetime import UTC, datetime, timedelta, timezone

import pytest

from worklogs.domain.durations import format_iso_duration, format_utc, parse_iso_duration, resolve_window
from worklogs.errors import ValidationFailed


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT1H30M", 5400),
        ("PT45M", 2700),
        ("PT90S", 90),
        ("P1D", 8 * 3600),
        ("P3W", 3 * 5 * 8 * 3600),
        ("P1W2DT3H", (5 * 8 + 2 * 8 + 3) * 3600),
        ("pt2h", 7200),
    ],
)
def test_parse_tracker_durations(text, seconds):
    assert parse_iso_duration(text) == seconds


def test_working_day_and_week_follow_settings():
    assert parse_iso_duration("P1D", hours_per_day=6) == 6 * 3600
    assert parse_iso_duration("P1W", hours_per_day=7.5, days_per_week=4) == 30 * 3600


@pytest.mark.parametrize("text", ["", "P", "PT", "P1M", "P1Y", "1H", "PT1.5H", "PT-1H", "P1DT", "PTH", "P 1D"])
def test_reject_non_durations(text):
    with pytest.raises(ValidationFailed):
        parse_iso_duration(text)


@pytest.mark.parametrize(("seconds", "text"), [(5400, "PT1H30M"), (3600, "PT1H"), (61, "PT1M1S"), (0, "PT0S")])
def test_format(seconds, text):
    assert format_iso_duration(seconds) == text


def test_format_utc_is_fixed_width_and_sortable():
    berlin = timezone(timedelta(hours=1))
    assert format_utc(datetime(2026, 3, 1, 9, 5, 7, 999, tzinfo=berlin)) == "2026-03-01T08:05:07Z"


NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_window_from_each_pair():
    assert resolve_window(start=START, end=START + timedelta(hours=1), duration_seconds=None, now=NOW).seconds == 3600
    assert resolve_window(start=START, end=None, duration_seconds=600, now=NOW).end == START + timedelta(minutes=10)
    assert resolve_window(start=None, end=START, duration_seconds=600, now=NOW).start == START - timedelta(minutes=10)
    alone = resolve_window(start=None, end=None, duration_seconds=600, now=NOW)
    assert (alone.start, alone.end) == (NOW - timedelta(minutes=10), NOW)


def test_window_crossing_midnight_is_one_entry():
    start = datetime(2026, 11, 11, 22, 0, tzinfo=UTC)
    window = resolve_window(start=start, end=start + timedelta(hours=4), duration_seconds=None, now=NOW)
    assert window.minutes == 240


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": START, "end": START, "duration_seconds": None},
        {"start": START, "end": START - timedelta(seconds=1), "duration_seconds": None},
        {"start": START, "end": START + timedelta(hours=25), "duration_seconds": None},
        {"start": datetime(2026, 11, 23, 9, 0), "end": START, "duration_seconds": None},
        {"start": START, "end": None, "duration_seconds": None},
        {"start": None, "end": None, "duration_seconds": None},
    ],
)
def test_invalid_windows(kwargs):
    with pytest.raises(ValidationFailed):
        resolve_window(now=NOW, **kwargs)


def test_max_entry_hours_is_a_parameter():
    window = resolve_window(
        start=START, end=START + timedelta(hours=30), duration_seconds=None, now=NOW, max_entry_hours=48
    )
    assert window.seconds == 30 * 3600
