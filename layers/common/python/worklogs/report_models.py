"""API shapes of the reports (pydantic v2), and their CSV form."""

import csv
import io
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from pydantic import Field

from worklogs.models import ApiModel, Worklog

Granularity = Literal["day", "week", "month"]
GroupBy = Literal["total", "worker", "owner", "project", "type", "billable", "worker-owner"]


class TotalsRow(ApiModel):
    """One rollup row (docs/rollup-contract.md): a period and one value of the grouped dimension."""

    period: str = Field(description="`2026-11-23` (day), the week's first day (week), `2026-11` (month).")
    periodStart: date
    periodEnd: date = Field(description="First day after the period.")
    dimension: str
    workerId: str | None = None
    ownerType: str | None = None
    ownerId: str | None = None
    projectId: str | None = Field(default=None, description="Empty: worklogs without a project.")
    worklogTypeCode: str | None = Field(default=None, description="Empty: worklogs without a type.")
    billable: str | None = Field(default=None, description="`true` or `false`.")
    minutes: int
    billableMinutes: int
    roundedMinutes: int
    amount: str = Field(description="Decimal string, rounded half-up to cents.")
    currency: str = Field(description="The workspace currency the row was computed with (see `timezone`).")
    timezone: str | None = Field(
        default=None,
        description="The workspace time zone the row's days were cut in. After a settings change, rows not yet "
        "re-rolled keep the zone and currency they were computed with, and their days are in "
        "`freshness.pendingDays`.",
    )
    entryCount: int
    computedAt: datetime


class Freshness(ApiModel):
    asOf: datetime | None = Field(
        description="The oldest `computedAt` of the rows returned: every figure is at least this recent."
    )
    consistency: Literal["eventual", "strong"]
    pendingDays: list[date] = Field(
        description="Days of the range changed since the last rollup run, or not yet re-rolled after a change of "
        "timezone, weekStart, rounding or currency (not yet in the figures; such rows still carry the zone and "
        "currency they were computed with). Empty with consistency=strong: those days were recomputed from the "
        "worklogs for this answer."
    )
    recomputedDays: list[date] = Field(default_factory=list, description="Days recomputed for this answer.")


class TotalsReport(ApiModel):
    workspaceId: str
    granularity: Granularity
    groupBy: GroupBy
    firstPeriod: str
    lastPeriod: str
    timezone: str
    rows: list[TotalsRow]
    freshness: Freshness


TOTALS_CSV_COLUMNS = (
    "period",
    "periodStart",
    "periodEnd",
    "dimension",
    "workerId",
    "ownerType",
    "ownerId",
    "projectId",
    "worklogTypeCode",
    "billable",
    "minutes",
    "hours",
    "billableMinutes",
    "billableHours",
    "roundedMinutes",
    "roundedHours",
    "amount",
    "currency",
    "entryCount",
    "computedAt",
)
WORKLOG_CSV_COLUMNS = (
    "id",
    "workerId",
    "ownerType",
    "ownerId",
    "projectId",
    "worklogTypeCode",
    "startDate",
    "endDate",
    "durationMinutes",
    "durationHours",
    "billable",
    "rate",
    "description",
)


def decimal_hours(minutes: int) -> str:
    """Whole minutes as decimal hours for CSV exports: exact `Decimal`, rounded half-up to two places
    (90 -> `1.50`, 7 -> `0.12`, 20 -> `0.33`)."""
    return str((Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def totals_csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """A totals row (JSON form) with decimal hours beside its minutes."""
    return {
        **row,
        "hours": decimal_hours(row["minutes"]),
        "billableHours": decimal_hours(row["billableMinutes"]),
        "roundedHours": decimal_hours(row["roundedMinutes"]),
    }


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet: quote it as text.
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def to_csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def worklog_csv_row(worklog: Worklog) -> dict[str, Any]:
    plain = worklog.model_dump(mode="json", by_alias=True)
    plain["billable"] = "true" if worklog.data.get("billable") is True else "false"
    plain["rate"] = worklog.data.get("rate")
    plain["durationHours"] = decimal_hours(plain["durationMinutes"])
    return plain
