"""Recomputing rollup rows exactly (docs/rollup-contract.md): a day from the day ledger, a week or month
from its stored day rows, a batch of dirty days with their periods and markers.

Kept apart from the drain loop (rollups/service.py) so that a scheduled run with nothing dirty, the common
case, does not load the accounting rule, the settings model and pydantic it never uses."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from worklogs.domain import rollup
from worklogs.domain.settings import WorkspaceSettings
from worklogs.repository import ledger
from worklogs.repository import rollups as rollup_store
from worklogs.repository import settings as settings_store

if TYPE_CHECKING:
    from worklogs.rollups.service import RollupRun


def day_rows(workspace_id: str, day: date, settings: WorkspaceSettings, now: datetime) -> list[dict[str, Any]]:
    """A local day's rows, exactly, from every live worklog overlapping it: the day ledger, read consistently
    (one paged Query per UTC day the local day spans), never an index."""
    start, end = rollup.local_day_bounds(day, settings.tz)
    worklogs = ledger.live_entries(workspace_id, start, end)
    return rollup.rows_for(
        workspace_id, "day", day.isoformat(), rollup.day_totals(worklogs, day, settings), settings, now
    )


def period_rows_from_days(
    workspace_id: str, granularity: str, period: str, settings: WorkspaceSettings, now: datetime, days: list[dict]
) -> list[dict[str, Any]]:
    return rollup.rows_for(workspace_id, granularity, period, rollup.period_totals(days), settings, now)


def stored_day_rows(workspace_id: str, granularity: str, period: str) -> list[dict[str, Any]]:
    first, end = rollup.period_days(granularity, period)
    return rollup_store.period_rows(workspace_id, "day", first.isoformat(), (end - timedelta(days=1)).isoformat())


def roll_up_batch(markers: list[rollup_store.DirtyDay], now: datetime, run: RollupRun) -> None:
    """Days first, then the weeks and months holding them (from the stored day rows), then the markers:
    a crash anywhere leaves the markers, and the next run redoes the same work to the same result."""
    periods: set[tuple[str, str, str]] = set()
    loaded: dict[str, WorkspaceSettings] = {}
    for marker in markers:
        ws = marker.workspace_id
        settings = loaded.get(ws) or loaded.setdefault(ws, settings_store.load(ws))
        rows = day_rows(ws, marker.day, settings, now)
        rollup_store.replace_period_rows("day", marker.day.isoformat(), ws, rows)
        run.days_recomputed += 1
        periods.add((ws, "week", rollup.period_of("week", marker.day, settings.weekStart)))
        periods.add((ws, "month", rollup.period_of("month", marker.day, settings.weekStart)))
    for ws, granularity, period in sorted(periods):
        days = stored_day_rows(ws, granularity, period)
        rows = period_rows_from_days(ws, granularity, period, loaded[ws], now, days)
        rollup_store.replace_period_rows(granularity, period, ws, rows)
        run.periods_recomputed += 1
    for marker in markers:
        if rollup_store.delete_marker(marker):
            run.markers_deleted += 1
        else:
            run.markers_rewritten += 1  # changed meanwhile: the next run recomputes that day again
