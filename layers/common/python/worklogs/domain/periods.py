"""Local days, weeks and periods in a workspace's time zone.

Pure functions on aware datetimes. A local day runs from its 00:00 to the next day's 00:00 in the zone,
so it is 23 or 25 hours long on daylight-saving days. How an entry's time falls into these days is the
accounting rule (`worklogs.domain.accounting`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from worklogs.errors import ValidationFailed

PeriodKind = Literal["today", "week", "month", "custom"]
WeekStart = Literal["monday", "sunday"]
MAX_PERIOD_DAYS = 366


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `day` begins in `tz` (its local 00:00)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def week_start_of(day: date, week_start: WeekStart) -> date:
    """The first day of the week containing `day` (Monday or Sunday)."""
    offset = day.weekday() if week_start == "monday" else (day.weekday() + 1) % 7
    return day - timedelta(days=offset)


@dataclass(frozen=True)
class Period:
    """Whole local days `first_day`..`last_day` (inclusive) in `tz`: [start, end) as UTC instants."""

    kind: PeriodKind
    first_day: date
    last_day: date
    tz: ZoneInfo

    @property
    def start(self) -> datetime:
        return day_start(self.first_day, self.tz)

    @property
    def end(self) -> datetime:
        return day_start(self.last_day + timedelta(days=1), self.tz)

    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]


def _invalid(message: str, loc: str, kind: str = "period") -> ValidationFailed:
    return ValidationFailed(message, details=[{"loc": ["query", loc], "msg": message, "type": kind}])


def resolve_period(
    kind: str,
    *,
    today: date,
    tz: ZoneInfo,
    week_start: WeekStart = "monday",
    first: date | None = None,
    last: date | None = None,
) -> Period:
    """`today` (the day), `week` (the week containing it, from `week_start`), `month` (its calendar month)
    or `custom` (`first`..`last`, both required, inclusive, at most 366 days)."""
    if kind != "custom" and (first is not None or last is not None):
        raise _invalid("`from` and `to` go with period=custom.", "from" if first is not None else "to")
    if kind == "today":
        return Period("today", today, today, tz)
    if kind == "week":
        begin = week_start_of(today, week_start)
        return Period("week", begin, begin + timedelta(days=6), tz)
    if kind == "month":
        begin = today.replace(day=1)
        following = (begin + timedelta(days=32)).replace(day=1)
        return Period("month", begin, following - timedelta(days=1), tz)
    if kind == "custom":
        if first is None or last is None:
            raise _invalid("period=custom needs both `from` and `to` (dates, inclusive).", "to" if first else "from")
        if first > last:
            raise _invalid(f"`from` ({first}) is after `to` ({last}).", "from")
        if (last - first).days + 1 > MAX_PERIOD_DAYS:
            raise _invalid(f"A custom period spans at most {MAX_PERIOD_DAYS} days.", "to")
        return Period("custom", first, last, tz)
    raise _invalid(f"Unknown period '{kind}': use today, week, month or custom.", "period")
