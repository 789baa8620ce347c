"""Report totals: rollup rows of a range, with its dirty days optionally recomputed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from worklogs import reroll
from worklogs.auth import Caller, Role
from worklogs.domain import rollup
from worklogs.domain.search import WorklogSearch
from worklogs.domain.settings import WorkspaceSettings
from worklogs.entries import reads
from worklogs.errors import Conflict, ValidationFailed
from worklogs.models import Worklog
from worklogs.repository import rollups as rollup_store
from worklogs.repository import settings as settings_store
from worklogs.rollups.recompute import day_rows, period_rows_from_days, stored_day_rows

MAX_STRONG_PENDING_DAYS = 31


def _check_range(first: date, last: date) -> None:
    if last < first:
        raise ValidationFailed(
            "`to` must not be before `from`.",
            details=[{"loc": ["query", "to"], "msg": "Before from.", "type": "date_range"}],
        )


@dataclass
class TotalsResult:
    settings: WorkspaceSettings
    periods: tuple[str, str]
    rows: list[dict[str, Any]]
    pending: list[rollup_store.DirtyDay]
    recomputed: list[date]


def report_totals(
    workspace_id: str,
    caller: Caller,
    *,
    granularity: str,
    first: date,
    last: date,
    group_by: str,
    strong: bool,
    now: datetime,
) -> TotalsResult:
    """Rollup rows of the periods holding [first, last] for one dimension, and the dirty days among them;
    `strong` recomputes those days from the worklogs (at most MAX_STRONG_PENDING_DAYS) so the answer is exact."""
    caller.require_collection_access(workspace_id, Role.MANAGER)
    _check_range(first, last)
    if (last - first).days > 366 * 2:
        raise ValidationFailed(
            "A report covers at most two years; ask for a shorter range.",
            details=[{"loc": ["query", "to"], "msg": "Range too long.", "type": "date_range"}],
        )
    settings = settings_store.get(workspace_id)
    first_period = rollup.period_of(granularity, first, settings.weekStart)
    last_period = rollup.period_of(granularity, last, settings.weekStart)
    range_start = rollup.period_days(granularity, first_period)[0]
    range_end = rollup.period_days(granularity, last_period)[1] - timedelta(days=1)
    rows = rollup_store.period_rows(workspace_id, granularity, first_period, last_period, dimension=group_by)
    pending = rollup_store.workspace_dirty_days(workspace_id, range_start, range_end)
    # Days whose rows still follow earlier settings are pending too; week rows of an earlier weekStart are not
    # shown (worklogs/reroll.py).
    rows = [row for row in rows if reroll.is_current_period(granularity, row["period"], settings)]
    rerolling, requested_at = reroll.pending_days(workspace_id, range_start, range_end)
    marked = {marker.day for marker in pending}
    pending += [
        rollup_store.DirtyDay(workspace_id, day, 0, requested_at, requested_at)
        for day in rerolling
        if day not in marked and requested_at is not None
    ]
    pending.sort(key=lambda marker: marker.day)
    recomputed: list[date] = []
    if strong and pending:
        if len(pending) > MAX_STRONG_PENDING_DAYS:
            raise Conflict(
                f"{len(pending)} days of this range changed since the last rollup; consistency=strong recomputes "
                f"at most {MAX_STRONG_PENDING_DAYS}. Ask again in a few minutes, or without consistency=strong "
                "(freshness.pendingDays lists the days that are not rolled up yet).",
                code="TOO_MANY_PENDING_DAYS",
                details=[{"pendingDays": len(pending), "limit": MAX_STRONG_PENDING_DAYS}],
            )
        rows = _recompute_pending(workspace_id, granularity, settings, rows, pending, group_by, now)
        recomputed = [marker.day for marker in pending]
        pending = []
    rows.sort(key=lambda row: (row["period"], rollup.row_dimension_key(row)))
    return TotalsResult(settings, (first_period, last_period), rows, pending, recomputed)


def _recompute_pending(
    workspace_id: str,
    granularity: str,
    settings: WorkspaceSettings,
    rows: list[dict[str, Any]],
    pending: list[rollup_store.DirtyDay],
    group_by: str,
    now: datetime,
) -> list[dict[str, Any]]:
    fresh_days = {marker.day.isoformat(): day_rows(workspace_id, marker.day, settings, now) for marker in pending}
    affected = {rollup.period_of(granularity, marker.day, settings.weekStart) for marker in pending}
    kept = [row for row in rows if row["period"] not in affected]
    for period in sorted(affected):
        if granularity == "day":
            fresh = fresh_days[period]
        else:
            stored_days = stored_day_rows(workspace_id, granularity, period)
            stored = [row for row in stored_days if row["period"] not in fresh_days]
            first, end = rollup.period_days(granularity, period)
            days = stored + [
                row for day, found in fresh_days.items() if first.isoformat() <= day < end.isoformat() for row in found
            ]
            fresh = period_rows_from_days(workspace_id, granularity, period, settings, now, days)
        kept += [row for row in fresh if row["dimension"] == group_by]
    return kept


def export_page(
    workspace_id: str, caller: Caller, first: date, last: date, limit: int, cursor: str | None
) -> tuple[list[Worklog], str | None]:
    """One page of the worklogs overlapping the local days [first, last] (manager), and the next page's cursor."""
    caller.require_collection_access(workspace_id, Role.MANAGER)
    _check_range(first, last)
    tz = settings_store.get(workspace_id).tz
    search = WorklogSearch(
        window_from=rollup.local_day_bounds(first, tz)[0],
        window_to=rollup.local_day_bounds(last + timedelta(days=1), tz)[0],
    )
    page = reads.page_of(workspace_id, search, {"export": search.canonical()}, limit=limit, cursor=cursor)
    return page.items, page.nextCursor
