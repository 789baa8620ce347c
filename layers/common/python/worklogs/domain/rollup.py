"""The rows of the rollup contract (docs/rollup-contract.md) for a day, week or month: a day row holds the
accounting rule's figures (`worklogs.domain.accounting`) of the entries of one dimension value; week and
month rows are sums of their day rows.

Everything here is pure: the repository reads worklogs and stored rows, these functions compute.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from worklogs.domain import accounting
from worklogs.domain.accounting import CENT, is_billable
from worklogs.domain.periods import WeekStart, day_start, week_start_of
from worklogs.domain.settings import WorkspaceSettings
from worklogs.models import Worklog

CONTRACT_VERSION = "2.0"
GRANULARITIES = ("day", "week", "month")
DIMENSIONS = ("total", "worker", "owner", "project", "type", "billable", "worker-owner")
DimensionKey = tuple[str, tuple[str, ...]]


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[00:00, next 00:00) of a local day, in UTC: 23 h or 25 h long on DST days."""
    return day_start(day, tz), day_start(day + timedelta(days=1), tz)


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


def local_days(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    """The local days whose figures a span [start, end) can change (approvals and rates freeze these days)."""
    return accounting.dirty_days(start, end, tz)


def dirty_days(worklog: Worklog, tz: ZoneInfo) -> list[date]:
    return accounting.dirty_days(worklog.startDate, worklog.endDate, tz)


def period_of(granularity: str, day: date, first_weekday: WeekStart) -> str:
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
class Totals(accounting.Sums):
    """One row's figures while they are being added up; entries are counted per day row and summed (an
    entry crossing midnight counts once per day: the contract's `entryCount`)."""

    entry_count: int = 0

    def add_row(self, row: dict[str, Any]) -> None:
        self.add_sums(
            accounting.Sums(
                seconds=int(row["seconds"]),
                billable_seconds=int(row["billableSeconds"]),
                minutes=int(row["minutes"]),
                billable_minutes=int(row["billableMinutes"]),
                rounded_minutes=int(row["roundedMinutes"]),
                amount=Decimal(str(row["amount"])),
            )
        )
        self.entry_count += int(row["entryCount"])


def day_totals(worklogs: Iterable[Worklog], day: date, settings: WorkspaceSettings) -> dict[DimensionKey, Totals]:
    """One local day's rows per dimension value, each the accounting rule's figures of its entries."""
    shares = accounting.shares_by_day(worklogs, settings.tz).get(day, [])
    groups: dict[DimensionKey, list[accounting.EntryShare]] = {}
    for share in shares:
        for key in dimension_keys(share.worklog):
            groups.setdefault(key, []).append(share)
    found: dict[DimensionKey, Totals] = {}
    for key, members in groups.items():
        figures = accounting.day_figures(members, settings.rounding)
        found[key] = Totals(**figures.sums(), entry_count=len(figures.entry_ids))
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
