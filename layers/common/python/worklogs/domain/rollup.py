"""Period rollup math: which local days a worklog touches, how many of its seconds fall in each (DST-correct),
and the rows of the rollup contract (docs/rollup-contract.md) for a day, week or month.

Everything here is pure: the repository reads worklogs and stored rows, these functions compute.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from worklogs.domain.periods import day_start, week_start_of
from worklogs.domain.settings import Rounding, WorkspaceSettings
from worklogs.domain.totals import is_billable
from worklogs.models import Worklog

CONTRACT_VERSION = "1.0"
GRANULARITIES = ("day", "week", "month")
DIMENSIONS = ("total", "worker", "owner", "project", "type", "billable", "worker-owner")
CENT = Decimal("0.01")
DimensionKey = tuple[str, tuple[str, ...]]


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[00:00, next 00:00) of a local day, in UTC: 23 h or 25 h long on DST days."""
    return day_start(day, tz), day_start(day + timedelta(days=1), tz)


def local_days(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    """The local days the span [start, end) has seconds in (a zero-length span: its start's day)."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date() if end > start else first
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def accounting_view(worklog: Worklog) -> tuple[Any, ...]:
    """What rollups depend on: a change to any of it makes the worklog's days dirty."""
    return (
        worklog.startDate,
        worklog.endDate,
        worklog.deletedAt is not None,
        worklog.workerId,
        worklog.ownerType,
        worklog.ownerId,
        worklog.projectId,
        worklog.worklogTypeCode,
        is_billable(worklog),
        worklog.data.get("rate"),
        worklog.rate,
    )


def dirty_days(worklog: Worklog, tz: ZoneInfo) -> list[date]:
    return local_days(worklog.startDate, worklog.endDate, tz)


def period_of(granularity: str, day: date, first_weekday: str) -> str:
    """The period text of the row holding `day`: `2026-11-23` (day), week start date (week), `2026-11` (month)."""
    if granularity == "day":
        return day.isoformat()
    if granularity == "week":
        return week_start_of(day, first_weekday).isoformat()
    return day.strftime("%Y-%m")


def period_days(granularity: str, period: str) -> tuple[date, date]:
    """[first, end) days of a period."""
    if granularity == "month":
        first = date.fromisoformat(f"{period}-01")
        end = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return first, end
    first = date.fromisoformat(period)
    return first, first + timedelta(days=7 if granularity == "week" else 1)


def hourly_rate(worklog: Worklog) -> Decimal:
    """The rate snapshot taken when the worklog was written (else `data.rate`) per hour as Decimal; absent or
    not a number: 0."""
    rate = worklog.rate if worklog.rate is not None else worklog.data.get("rate")
    if rate is None or isinstance(rate, bool):
        return Decimal(0)
    try:
        found = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        return Decimal(0)
    return found if found.is_finite() and found > 0 else Decimal(0)


def round_minutes(minutes: Fraction, rounding: Rounding) -> int:
    """Minutes rounded to the unit by the mode; `none` keeps whole minutes (floor)."""
    if rounding.mode == "none":
        return math.floor(minutes)
    units = minutes / rounding.unitMinutes
    if rounding.mode == "up":
        whole = math.ceil(units)
    elif rounding.mode == "down":
        whole = math.floor(units)
    else:
        whole = math.floor(units + Fraction(1, 2))
    return whole * rounding.unitMinutes


def dimension_keys(worklog: Worklog) -> list[DimensionKey]:
    return [
        ("total", ()),
        ("worker", (worklog.workerId,)),
        ("owner", (worklog.ownerType, worklog.ownerId)),
        ("project", (worklog.projectId or "",)),
        ("type", (worklog.worklogTypeCode or "",)),
        ("billable", ("true" if is_billable(worklog) else "false",)),
        ("worker-owner", (worklog.workerId, worklog.ownerType, worklog.ownerId)),
    ]


_DIMENSION_FIELDS = {
    "total": (),
    "worker": ("workerId",),
    "owner": ("ownerType", "ownerId"),
    "project": ("projectId",),
    "type": ("worklogTypeCode",),
    "billable": ("billable",),
    "worker-owner": ("workerId", "ownerType", "ownerId"),
}


@dataclass
class Totals:
    """One row's figures while they are being added up."""

    seconds: int = 0
    billable_seconds: int = 0
    minutes: int = 0
    billable_minutes: int = 0
    rounded_minutes: int = 0
    amount: Decimal = field(default_factory=lambda: Decimal(0))
    entry_count: int = 0

    def add_row(self, row: dict[str, Any]) -> None:
        self.seconds += int(row["seconds"])
        self.billable_seconds += int(row["billableSeconds"])
        self.minutes += int(row["minutes"])
        self.billable_minutes += int(row["billableMinutes"])
        self.rounded_minutes += int(row["roundedMinutes"])
        self.amount += Decimal(str(row["amount"]))
        self.entry_count += int(row["entryCount"])


def day_totals(worklogs: Iterable[Worklog], day: date, settings: WorkspaceSettings) -> dict[DimensionKey, Totals]:
    """Exact figures of one local day per dimension, from every live worklog overlapping it."""
    tz = settings.tz
    day_start, day_end = local_day_bounds(day, tz)
    found: dict[DimensionKey, Totals] = {}
    exact_amount: dict[DimensionKey, Decimal] = {}
    for worklog in worklogs:
        if worklog.deletedAt is not None:
            continue
        seconds = int((min(worklog.endDate, day_end) - max(worklog.startDate, day_start)).total_seconds())
        if seconds <= 0:
            continue
        billable = is_billable(worklog)
        amount = hourly_rate(worklog) * seconds / 3600 if billable else Decimal(0)
        for key in dimension_keys(worklog):
            totals = found.setdefault(key, Totals())
            totals.seconds += seconds
            totals.billable_seconds += seconds if billable else 0
            totals.entry_count += 1
            if settings.rounding.scope == "entry":
                totals.rounded_minutes += round_minutes(Fraction(seconds, 60), settings.rounding)
            exact_amount[key] = exact_amount.get(key, Decimal(0)) + amount
    for key, totals in found.items():
        totals.minutes = totals.seconds // 60
        totals.billable_minutes = totals.billable_seconds // 60
        if settings.rounding.scope == "day":
            totals.rounded_minutes = round_minutes(Fraction(totals.seconds, 60), settings.rounding)
        totals.amount = exact_amount[key].quantize(CENT, rounding=ROUND_HALF_UP)
    return found


def period_totals(day_rows: Iterable[dict[str, Any]]) -> dict[DimensionKey, Totals]:
    """A week's or month's figures: the sums of its day rows."""
    found: dict[DimensionKey, Totals] = {}
    for row in day_rows:
        found.setdefault(row_dimension_key(row), Totals()).add_row(row)
    return found


def row_dimension_key(row: dict[str, Any]) -> DimensionKey:
    dimension = row["dimension"]
    return dimension, tuple(str(row.get(name) or "") for name in _DIMENSION_FIELDS[dimension])


def rollup_row(
    *,
    workspace_id: str,
    granularity: str,
    period: str,
    key: DimensionKey,
    totals: Totals,
    settings: WorkspaceSettings,
    computed_at: datetime,
) -> dict[str, Any]:
    """One row of the rollup contract (attributes only; the repository adds the keys)."""
    dimension, values = key
    first, end = period_days(granularity, period)
    row: dict[str, Any] = {
        "workspaceId": workspace_id,
        "granularity": granularity,
        "period": period,
        "periodStart": first.isoformat(),
        "periodEnd": end.isoformat(),
        "timezone": settings.timezone,
        "dimension": dimension,
        "seconds": totals.seconds,
        "minutes": totals.minutes,
        "billableSeconds": totals.billable_seconds,
        "billableMinutes": totals.billable_minutes,
        "roundedMinutes": totals.rounded_minutes,
        "amount": str(totals.amount.quantize(CENT)),
        "currency": settings.currency,
        "entryCount": totals.entry_count,
        "computedAt": computed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "contractVersion": CONTRACT_VERSION,
    }
    row.update(dict(zip(_DIMENSION_FIELDS[dimension], values, strict=True)))
    return row


def rows_for(
    workspace_id: str,
    granularity: str,
    period: str,
    totals: dict[DimensionKey, Totals],
    settings: WorkspaceSettings,
    computed_at: datetime,
) -> list[dict[str, Any]]:
    return [
        rollup_row(
            workspace_id=workspace_id,
            granularity=granularity,
            period=period,
            key=key,
            totals=value,
            settings=settings,
            computed_at=computed_at,
        )
        for key, value in sorted(totals.items())
    ]


COMPARED = ("seconds", "minutes", "billableSeconds", "billableMinutes", "roundedMinutes", "amount", "entryCount")
