"""The accounting rule: how a worklog's time becomes day minutes, billable minutes, rounded minutes and money.

One rule for every figure the product shows or bills (console, reports, rollup table, CSV):

- An entry's time is cut at the local midnights of the workspace time zone (a day is 23 or 25 hours long
  on daylight-saving days). Its **seconds** per day are exact.
- Its **whole minutes** are counted from its start: the k-th minute ends at start + k minutes and belongs
  to the local day in which it ends (a minute ending exactly at midnight belongs to the day before). So
  the minutes of an entry's days add up to its `durationMinutes` (seconds // 60), and a remainder under a
  minute counts nowhere.
- **Billable minutes** are the minutes of entries whose `data.billable` is JSON `true`.
- **Rounded minutes** round whole minutes to `unitMinutes` (`up`, `down`, `nearest` with half a unit up;
  `none` keeps them): scope `entry` rounds each entry's minutes in the day and sums, scope `day` rounds
  the day's sum.
- **Amount**: the sum of billable seconds times `data.rate` (per hour) / 3600, exact `Decimal`, rounded half-up to
  cents per day.
- Weeks, months and periods are sums of their days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from worklogs.domain.periods import Period, WeekStart, day_start, local_date, week_start_of
from worklogs.models import Rounding, Worklog

CENT = Decimal("0.01")


@dataclass(frozen=True)
class DayShare:
    """One entry's part of one local day: exact seconds and whole minutes (see the module rule)."""

    day: date
    seconds: int
    minutes: int


def day_shares(start: datetime, end: datetime, tz: ZoneInfo) -> list[DayShare]:
    """The entry [start, end)'s parts per local day it has seconds in, in day order. Their seconds add up
    to the entry's seconds, their minutes to its whole minutes (seconds // 60)."""
    # In UTC: Python subtracts two datetimes of the same zone by wall clock, which is wrong across DST.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    shares: list[DayShare] = []
    if end <= start:
        return shares
    day = local_date(start, tz)
    cursor = start
    counted_minutes = 0
    while cursor < end:
        stop = min(end, day_start(day + timedelta(days=1), tz))
        if stop > cursor:
            elapsed = int((stop - start).total_seconds())
            seconds = int((stop - cursor).total_seconds())
            # Minutes completed by the end of this day, minus those completed before it began.
            shares.append(DayShare(day, seconds, elapsed // 60 - counted_minutes))
            counted_minutes = elapsed // 60
            cursor = stop
        day += timedelta(days=1)
    return shares


def is_billable(worklog: Worklog) -> bool:
    """Billable means `data.billable` is JSON `true` (not a truthy string or number)."""
    return worklog.data.get("billable") is True


def hourly_rate(worklog: Worklog) -> Decimal:
    """The rate snapshot taken when the worklog was written (else `data.rate`) per hour as Decimal; absent,
    not a number or not positive: 0."""
    rate = worklog.rate if worklog.rate is not None else worklog.data.get("rate")
    if rate is None or isinstance(rate, bool):
        return Decimal(0)
    try:
        found = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        return Decimal(0)
    return found if found.is_finite() and found > 0 else Decimal(0)


def round_minutes(minutes: int, rounding: Rounding) -> int:
    """Whole minutes rounded to a multiple of the unit: `up`, `down`, `nearest` (half a unit up), `none`."""
    unit = rounding.unitMinutes
    if rounding.mode == "none" or unit <= 1:
        return minutes
    if rounding.mode == "up":
        return -(-minutes // unit) * unit
    if rounding.mode == "down":
        return minutes // unit * unit
    if rounding.mode == "nearest":
        return (2 * minutes + unit) // (2 * unit) * unit
    raise ValueError(f"unknown rounding mode {rounding.mode!r}")


@dataclass(frozen=True)
class EntryShare:
    """One worklog's share of one day, with what billing needs to know about the worklog."""

    worklog: Worklog
    share: DayShare

    @property
    def billable(self) -> bool:
        return is_billable(self.worklog)


@dataclass
class Sums:
    """The figures that add up across days: seconds, minutes (raw, billable, rounded) and the amount. How
    entries are counted differs: `Figures` (console, reports) keeps their ids, so an entry crossing
    midnight counts once in a week; a rollup row (`rollup.Totals`) keeps a count, summed from its days."""

    seconds: int = 0
    billable_seconds: int = 0
    minutes: int = 0
    billable_minutes: int = 0
    rounded_minutes: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal(0))

    def add_sums(self, other: Sums) -> None:
        self.seconds += other.seconds
        self.billable_seconds += other.billable_seconds
        self.minutes += other.minutes
        self.billable_minutes += other.billable_minutes
        self.rounded_minutes += other.rounded_minutes
        self.amount += other.amount

    def sums(self) -> dict[str, Any]:
        """The summed figures as keyword arguments (for another kind of `Sums`)."""
        return {summed.name: getattr(self, summed.name) for summed in fields(Sums)}


@dataclass
class Figures(Sums):
    """The figures of a day (or a sum of days): what the console, reports and rollup rows show."""

    entry_ids: set[str] = field(default_factory=set)

    def add(self, other: Figures) -> None:
        self.add_sums(other)
        self.entry_ids |= other.entry_ids


def day_figures(shares: Iterable[EntryShare], rounding: Rounding) -> Figures:
    """One day's figures from its entries' shares of that day (the rule in the module docstring)."""
    figures = Figures()
    exact_amount = Decimal(0)
    for entry in shares:
        share = entry.share
        figures.seconds += share.seconds
        figures.minutes += share.minutes
        figures.entry_ids.add(entry.worklog.id)
        if entry.billable:
            figures.billable_seconds += share.seconds
            figures.billable_minutes += share.minutes
            exact_amount += hourly_rate(entry.worklog) * share.seconds / 3600
        if rounding.scope == "entry":
            figures.rounded_minutes += round_minutes(share.minutes, rounding)
    if rounding.scope == "day":
        figures.rounded_minutes = round_minutes(figures.minutes, rounding)
    figures.amount = exact_amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return figures


def shares_by_day(worklogs: Iterable[Worklog], tz: ZoneInfo) -> dict[date, list[EntryShare]]:
    """Every live worklog's shares, grouped by local day (days in first-seen order)."""
    found: dict[date, list[EntryShare]] = {}
    for worklog in worklogs:
        if worklog.deletedAt is not None:
            continue
        for share in day_shares(worklog.startDate, worklog.endDate, tz):
            found.setdefault(share.day, []).append(EntryShare(worklog, share))
    return found


def dirty_days(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    """The local days whose figures an entry [start, end) can change (a zero-length span: its start's day)."""
    days = [share.day for share in day_shares(start, end, tz)]
    return days or [local_date(start, tz)]


@dataclass(frozen=True)
class PeriodTotals:
    days: dict[date, Figures]  # every day of the period, in order (zero days included)
    weeks: dict[date, Figures]  # keyed by the week's first day; only the period's days count
    total: Figures


def tally_period(
    worklogs: Iterable[Worklog], period: Period, rounding: Rounding, week_start: WeekStart
) -> PeriodTotals:
    """A period's day figures (the rule), and its weeks and total as sums of its days."""
    shares = shares_by_day(worklogs, period.tz)
    days = {day: day_figures(shares.get(day, []), rounding) for day in period.days()}
    weeks: dict[date, Figures] = {}
    total = Figures()
    for day, figures in days.items():
        weeks.setdefault(week_start_of(day, week_start), Figures()).add(figures)
        total.add(figures)
    return PeriodTotals(days=days, weeks=weeks, total=total)
