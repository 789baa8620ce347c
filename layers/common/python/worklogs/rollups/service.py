"""Period rollups (docs/rollup-contract.md): drained from dirty-day markers, recomputed exactly."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from worklogs import reroll
from worklogs.domain import rollup
from worklogs.domain.settings import WorkspaceSettings
from worklogs.repository import ledger
from worklogs.repository import rollups as rollup_store
from worklogs.repository import settings as settings_store

# Period rollups (docs/rollup-contract.md): drained from dirty-day markers, recomputed exactly.

ROLLUP_SETTLE_SECONDS = 5  # a burst of writes to one day is recomputed once (correctness does not depend on it)
ROLLUP_BATCH_DAYS = 25


@dataclass
class RollupRun:
    """What one run did; `complete` is False when it stopped early and left markers for the next run."""

    days_recomputed: int = 0
    periods_recomputed: int = 0
    markers_deleted: int = 0
    markers_rewritten: int = 0
    markers_left: int = 0
    oldest_marker_age_seconds: float = 0.0
    complete: bool = True


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


def _roll_up_batch(markers: list[rollup_store.DirtyDay], now: datetime, run: RollupRun) -> None:
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


def roll_up_dirty_days(
    now: datetime,
    *,
    max_days: int = 500,
    time_left: Callable[[], float] = lambda: math.inf,
    reserve_seconds: float = 15.0,
    settle_seconds: float | None = None,
) -> RollupRun:
    """Drain the dirty-day markers shard by shard. Bounded: stops after `max_days` days or when
    `time_left()` (seconds) runs low, leaving the other markers for the next run. Days are recomputed from
    the consistent day ledger, so `settle_seconds` (markers changed more recently wait for the next run) only
    batches bursts of writes (default ROLLUP_SETTLE_SECONDS); 0 rolls up everything written before `now`."""
    run = RollupRun()
    settle = now - timedelta(seconds=ROLLUP_SETTLE_SECONDS if settle_seconds is None else settle_seconds)
    for shard in range(rollup_store.SHARDS):
        batch: list[rollup_store.DirtyDay] = []
        for marker in rollup_store.dirty_days(shard):
            run.oldest_marker_age_seconds = max(
                run.oldest_marker_age_seconds, (now - marker.first_dirty_at).total_seconds()
            )
            if marker.changed_at > settle:
                run.markers_left += 1
                continue
            if run.days_recomputed + len(batch) >= max_days or time_left() < reserve_seconds:
                run.markers_left += 1
                run.complete = False
                continue
            batch.append(marker)
            if len(batch) >= ROLLUP_BATCH_DAYS:
                _roll_up_batch(batch, now, run)
                batch = []
        if batch:
            _roll_up_batch(batch, now, run)
    # Then the days whose rows still follow earlier settings (worklogs/reroll.py), bounded too.
    rerolled = reroll.run_rerolls(
        now, max_days=max(0, max_days - run.days_recomputed), time_left=time_left, reserve_seconds=reserve_seconds
    )
    run.days_recomputed += rerolled.days_recomputed
    run.periods_recomputed += rerolled.periods_recomputed
    run.complete = run.complete and rerolled.days_left == 0
    return run
