"""Totals of worklogs per local day and per week of a period: raw, billable and rounded minutes.

Each worklog's minutes are apportioned to the days it touches (`periods.apportion_*`); a day's figures are
the sums of its entries' parts, rounded by the workspace rule; weeks and the period sum their days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from worklogs.domain.periods import Period, WeekStart, apportion_to_days, week_start_of, whole_minutes
from worklogs.domain.rounding import rounded_day
from worklogs.models import Rounding, Worklog


def is_billable(worklog: Worklog) -> bool:
    """Billable means `data.billable` is JSON `true` (not a truthy string or number)."""
    return worklog.data.get("billable") is True


@dataclass
class Tally:
    minutes: int = 0
    billable_minutes: int = 0
    rounded_minutes: int = 0
    entry_ids: set[str] = field(default_factory=set)

    def add(self, other: Tally) -> None:
        self.minutes += other.minutes
        self.billable_minutes += other.billable_minutes
        self.rounded_minutes += other.rounded_minutes
        self.entry_ids |= other.entry_ids


@dataclass(frozen=True)
class PeriodTotals:
    days: dict[date, Tally]  # every day of the period, in order (zero days included)
    weeks: dict[date, Tally]  # keyed by the week's first day; only the period's days count
    total: Tally


def tally_period(
    worklogs: Iterable[Worklog], period: Period, rounding: Rounding, week_start: WeekStart
) -> PeriodTotals:
    parts: dict[date, list[tuple[str, int, bool]]] = {day: [] for day in period.days()}
    for worklog in worklogs:
        billable = is_billable(worklog)
        for day, minutes in whole_minutes(apportion_to_days(worklog.startDate, worklog.endDate, period.tz)).items():
            if day in parts:
                parts[day].append((worklog.id, minutes, billable))
    days: dict[date, Tally] = {}
    for day, entries in parts.items():
        days[day] = Tally(
            minutes=sum(minutes for _, minutes, _ in entries),
            billable_minutes=sum(minutes for _, minutes, billable in entries if billable),
            rounded_minutes=rounded_day((minutes for _, minutes, _ in entries), rounding),
            entry_ids={worklog_id for worklog_id, _, _ in entries},
        )
    weeks: dict[date, Tally] = {}
    total = Tally()
    for day, tally in days.items():
        weeks.setdefault(week_start_of(day, week_start), Tally()).add(tally)
        total.add(tally)
    return PeriodTotals(days=days, weeks=weeks, total=total)
