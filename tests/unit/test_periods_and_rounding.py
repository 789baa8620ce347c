"""Local days, weeks and periods; the accounting rule's day shares (midnight, DST); rounding."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from worklogs.domain.accounting import EntryShare, day_figures, day_shares, round_minutes, tally_period
from worklogs.domain.periods import day_start, resolve_period, week_start_of
from worklogs.errors import ValidationFailed
from worklogs.models import Rounding, UserRef, Worklog

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def local(text: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


def apportion_to_days(start: datetime, end: datetime, tz: ZoneInfo) -> dict[date, int]:
    return {share.day: share.seconds for share in day_shares(start, end, tz)}


def apportion_minutes(start: datetime, end: datetime, tz: ZoneInfo) -> dict[date, int]:
    return {share.day: share.minutes for share in day_shares(start, end, tz)}


# --- days and DST ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "hours"),
    [
        (BERLIN, date(2026, 3, 29), 23),
        (BERLIN, date(2026, 10, 25), 25),
        (NEW_YORK, date(2026, 3, 8), 23),
        (NEW_YORK, date(2026, 11, 1), 25),
        (BERLIN, date(2026, 6, 1), 24),
    ],
)
def test_dst_days_are_23_or_25_hours_and_a_whole_day_entry_counts_them(tz, day, hours):
    start, end = day_start(day, tz), day_start(day + timedelta(days=1), tz)
    assert (end - start) == timedelta(hours=hours)
    assert apportion_to_days(start, end, tz) == {day: hours * 3600}
    assert apportion_minutes(start, end, tz) == {day: hours * 60}


@pytest.mark.parametrize(
    ("tz", "start", "end", "expected"),
    [
        # 22:00-02:00 local across an ordinary midnight
        (BERLIN, "2026-11-11T22:00", "2026-11-12T02:00", {date(2026, 11, 11): 120, date(2026, 11, 12): 120}),
        # across the spring-forward night in Berlin (02:00 -> 03:00 on the 29th): 3 real hours
        (BERLIN, "2026-03-28T23:00", "2026-03-29T03:00", {date(2026, 3, 28): 60, date(2026, 3, 29): 120}),
        # across the fall-back night in Berlin (03:00 -> 02:00 on 25 Oct): 5 real hours
        (BERLIN, "2026-10-24T23:00", "2026-10-25T03:00", {date(2026, 10, 24): 60, date(2026, 10, 25): 240}),
        # New York spring forward (02:00 -> 03:00 on 8 Mar) and fall back (02:00 -> 01:00 on 1 Nov)
        (NEW_YORK, "2026-03-07T22:00", "2026-03-08T04:00", {date(2026, 3, 7): 120, date(2026, 3, 8): 180}),
        (NEW_YORK, "2026-10-31T22:00", "2026-11-01T04:00", {date(2026, 10, 31): 120, date(2026, 11, 1): 300}),
        # three days
        (
            UTC_ZONE,
            "2026-01-01T12:00",
            "2026-01-03T06:00",
            {date(2026, 1, 1): 720, date(2026, 1, 2): 1440, date(2026, 1, 3): 360},
        ),
    ],
)
def test_entries_across_midnight_count_toward_each_day(tz, start, end, expected):
    begin, finish = local(start, tz), local(end, tz)
    minutes = apportion_minutes(begin, finish, tz)
    assert minutes == expected
    real_seconds = int((finish.astimezone(UTC) - begin.astimezone(UTC)).total_seconds())
    assert sum(minutes.values()) == real_seconds // 60


def test_fall_back_times_are_unambiguous_instants():
    """01:30 happens twice in New York on 2026-11-01; the instants, not the wall clock, count."""
    first = utc("2026-11-01T05:30:00Z")  # 01:30 EDT
    second = utc("2026-11-01T06:30:00Z")  # 01:30 EST, an hour later
    assert apportion_to_days(first, second, NEW_YORK) == {date(2026, 11, 1): 3600}


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # 70 s: 30 s before midnight, 40 s after. The running total reaches a whole minute only after midnight.
        ("2026-01-01T23:59:30Z", "2026-01-02T00:00:40Z", {date(2026, 1, 1): 0, date(2026, 1, 2): 1}),
        # 89 min 01 s: 29 min 01 s before midnight → 29 + 60
        ("2026-01-01T23:30:59Z", "2026-01-02T01:00:00Z", {date(2026, 1, 1): 29, date(2026, 1, 2): 60}),
        # 3 h 59 min 30 s → 119 + 120 = 239 (its durationMinutes)
        ("2026-01-01T22:00:30Z", "2026-01-02T02:00:00Z", {date(2026, 1, 1): 119, date(2026, 1, 2): 120}),
    ],
)
def test_minutes_are_floored_on_the_running_total_so_days_add_up_to_the_entry(start, end, expected):
    begin, finish = utc(start), utc(end)
    seconds = apportion_to_days(begin, finish, UTC_ZONE)
    assert sum(seconds.values()) == int((finish - begin).total_seconds())
    minutes = apportion_minutes(begin, finish, UTC_ZONE)
    assert minutes == expected
    assert sum(minutes.values()) == int((finish - begin).total_seconds()) // 60


def test_empty_or_backwards_windows_apportion_nothing():
    moment = utc("2026-01-01T10:00:00Z")
    assert apportion_to_days(moment, moment, UTC_ZONE) == {}
    assert apportion_to_days(moment, moment - timedelta(hours=1), UTC_ZONE) == {}


# --- periods ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "week_start", "expected"),
    [
        (date(2026, 11, 11), "monday", date(2026, 11, 9)),  # a Wednesday
        (date(2026, 11, 9), "monday", date(2026, 11, 9)),
        (date(2026, 11, 15), "monday", date(2026, 11, 9)),  # Sunday ends the Monday week
        (date(2026, 11, 15), "sunday", date(2026, 11, 15)),
        (date(2026, 11, 14), "sunday", date(2026, 11, 8)),
    ],
)
def test_week_start(day, week_start, expected):
    assert week_start_of(day, week_start) == expected


def test_periods_resolve_in_the_workspace_zone():
    today = date(2026, 3, 29)
    day = resolve_period("today", today=today, tz=BERLIN)
    assert (day.start, day.end) == (utc("2026-03-28T23:00:00Z"), utc("2026-03-29T22:00:00Z"))
    week = resolve_period("week", today=today, tz=BERLIN, week_start="monday")
    assert (week.first_day, week.last_day) == (date(2026, 3, 23), date(2026, 3, 29))
    sunday_week = resolve_period("week", today=today, tz=BERLIN, week_start="sunday")
    assert (sunday_week.first_day, sunday_week.last_day) == (date(2026, 3, 29), date(2026, 4, 4))
    month = resolve_period("month", today=date(2026, 2, 14), tz=NEW_YORK)
    assert (month.first_day, month.last_day, len(month.days())) == (date(2026, 2, 1), date(2026, 2, 28), 28)
    december = resolve_period("month", today=date(2026, 12, 31), tz=UTC_ZONE)
    assert (december.first_day, december.last_day) == (date(2026, 12, 1), date(2026, 12, 31))
    custom = resolve_period("custom", today=today, tz=BERLIN, first=date(2026, 1, 1), last=date(2026, 1, 1))
    assert custom.days() == [date(2026, 1, 1)]


@pytest.mark.parametrize(
    ("kind", "first", "last"),
    [
        ("custom", None, None),
        ("custom", date(2026, 1, 1), None),
        ("custom", None, date(2026, 1, 1)),
        ("custom", date(2026, 1, 2), date(2026, 1, 1)),
        ("custom", date(2026, 1, 1), date(2027, 1, 2)),  # 367 days
        ("week", date(2026, 1, 1), None),
        ("today", None, date(2026, 1, 1)),
        ("year", None, None),
    ],
)
def test_invalid_periods_are_422(kind, first, last):
    with pytest.raises(ValidationFailed):
        resolve_period(kind, today=date(2026, 1, 1), tz=UTC_ZONE, first=first, last=last)


# --- rounding --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "mode", "unit", "expected"),
    [
        (37, "none", 15, 37),
        (37, "up", 15, 45),
        (37, "down", 15, 30),
        (37, "nearest", 15, 30),
        (38, "nearest", 15, 45),  # 38 is past 37.5
        (5, "nearest", 10, 10),  # exactly half a unit rounds up
        (4, "nearest", 10, 0),
        (45, "up", 15, 45),  # multiples stay
        (0, "up", 15, 0),  # nothing stays nothing
        (1, "up", 60, 60),
        (59, "down", 60, 0),
        (7, "up", 1, 7),
    ],
)
def test_round_minutes(minutes, mode, unit, expected):
    assert round_minutes(minutes, Rounding(mode=mode, unitMinutes=unit)) == expected


@pytest.mark.parametrize(
    ("mode", "scope", "expected"),
    [
        ("none", "entry", 37),
        ("none", "day", 37),
        ("up", "entry", 60),  # 15 + 15 + 30
        ("up", "day", 45),
        ("down", "entry", 15),  # 0 + 0 + 15
        ("down", "day", 30),
        ("nearest", "entry", 30),  # 0 + 15 + 15
        ("nearest", "day", 30),
    ],
)
def test_rounding_scope_entry_rounds_each_part_and_day_rounds_the_sum(mode, scope, expected):
    start = utc("2026-01-05T08:00:00Z")
    shares = [
        EntryShare(
            a_worklog(f"w{n}", start, start + timedelta(minutes=minutes)),
            day_shares(start, start + timedelta(minutes=minutes), UTC_ZONE)[0],
        )
        for n, minutes in enumerate([7, 8, 22])
    ]
    assert day_figures(shares, Rounding(mode=mode, unitMinutes=15, scope=scope)).rounded_minutes == expected


# --- totals ----------------------------------------------------------------------------------------------


def a_worklog(worklog_id: str, start: datetime, end: datetime, billable: bool = False) -> Worklog:
    seconds = int((end - start).total_seconds())
    return Worklog(
        id=worklog_id,
        workspaceId="acme",
        ownerType="Ticket",
        ownerId="T-1",
        workerId="bob",
        data={"billable": billable},
        startDate=start,
        endDate=end,
        durationMinutes=seconds // 60,
        duration="PT0S",
        version=1,
        createdAt=start,
        createdBy=UserRef(id="bob"),
        updatedAt=start,
        updatedBy=UserRef(id="bob"),
        loggedBy=UserRef(id="bob"),
        self="/x",
    )


def test_tally_days_weeks_and_total_add_up():
    period = resolve_period(
        "custom", today=date(2026, 1, 1), tz=BERLIN, first=date(2026, 3, 27), last=date(2026, 3, 30)
    )
    worklogs = [
        # before the period, reaching into it: only its 2 h inside count
        a_worklog("a", local("2026-03-26T22:00", BERLIN), local("2026-03-27T02:00", BERLIN), billable=True),
        # across the spring-forward midnight: 22:00 Sat to 04:00 Sun = 5 real hours (2 h + 3 h)
        a_worklog("b", local("2026-03-28T22:00", BERLIN), local("2026-03-29T04:00", BERLIN)),
        # Monday 30th, into the next week
        a_worklog("c", local("2026-03-30T09:00", BERLIN), local("2026-03-30T09:07", BERLIN), billable=True),
    ]
    totals = tally_period(worklogs, period, Rounding(mode="up", unitMinutes=15, scope="entry"), "monday")
    by_day = {
        day: (t.minutes, t.billable_minutes, t.rounded_minutes, len(t.entry_ids)) for day, t in totals.days.items()
    }
    assert by_day == {
        date(2026, 3, 27): (120, 120, 120, 1),
        date(2026, 3, 28): (120, 0, 120, 1),
        date(2026, 3, 29): (180, 0, 180, 1),
        date(2026, 3, 30): (7, 7, 15, 1),
    }
    assert list(totals.weeks) == [date(2026, 3, 23), date(2026, 3, 30)]
    assert (totals.weeks[date(2026, 3, 23)].minutes, len(totals.weeks[date(2026, 3, 23)].entry_ids)) == (420, 2)
    assert (totals.total.minutes, totals.total.billable_minutes, totals.total.rounded_minutes) == (427, 127, 435)
    assert len(totals.total.entry_ids) == 3
