"""API shapes of the console (the worker's days and weeks)."""

from datetime import date as CalendarDate
from datetime import datetime
from typing import Literal

from pydantic import Field

from worklogs.models import ApiModel, Rounding, Worklog
from worklogs.timer.models import Timer


class Totals(ApiModel):
    minutes: int = Field(description="Raw minutes: the sum of the entries' whole minutes inside.")
    billableMinutes: int = Field(description="Raw minutes of entries whose data.billable is true.")
    roundedMinutes: int = Field(description="Minutes under the workspace rounding rule (a view only).")
    entryCount: int = Field(description="Worklogs with time inside.")


class DayTotals(Totals):
    date: CalendarDate
    approval: Literal["submitted", "approved", "rejected", "reopened"] | None = Field(
        default=None, description="The worker's timesheet state for the day (its week or month), if submitted."
    )


class WeekTotals(Totals):
    weekStart: CalendarDate = Field(description="First day of the week (the workspace's weekStart).")
    from_: CalendarDate = Field(alias="from", description="First day of the week inside the period.")
    to: CalendarDate = Field(description="Last day of the week inside the period.")


class ConsolePeriod(ApiModel):
    period: Literal["today", "week", "month", "custom"]
    from_: CalendarDate = Field(alias="from", description="First day (inclusive).")
    to: CalendarDate = Field(description="Last day (inclusive).")
    timezone: str
    weekStart: Literal["monday", "sunday"]
    start: datetime = Field(description="The period's first instant (UTC).")
    end: datetime = Field(description="The instant after it (UTC).")


class Console(ApiModel):
    """A worker's worklogs of a period with daily and weekly totals, and the caller's running timer."""

    workerId: str
    period: ConsolePeriod
    rounding: Rounding
    totals: Totals = Field(description="The whole period, whatever page of items this is.")
    days: list[DayTotals] = Field(description="Every day of the period, in order.")
    weeks: list[WeekTotals]
    items: list[Worklog] = Field(description="Worklogs with time in the period, by start time.")
    nextCursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page of items; null on the last page."
    )
    limit: int
    timer: Timer | None = Field(default=None, description="The caller's timer, on the caller's own console.")
