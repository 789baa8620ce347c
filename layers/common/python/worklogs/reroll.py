"""Re-rolling the past after a settings change that alters accounting (docs/rollup-contract.md, "Settings
changes").

Changing `timezone`, `weekStart`, `rounding` or `currency` changes how every stored rollup row would be
computed. The settings write records, in the same transaction, a re-roll of the local days that can hold
rows or entries (the workspace's time extent in the old and the new zone, any dirty-day markers, and any
re-roll still unfinished, widened by two days for the zone shift). Each rollup run then recomputes up to
`REROLL_DAYS_PER_RUN` of those days per workspace from the day ledger, rewrites the weeks (deleting week
rows that no longer start a week) and months holding them, and moves the cursor forward. Until the cursor
has passed a day, the reports list it in `freshness.pendingDays`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from worklogs.domain import rollup
from worklogs.domain.settings import WorkspaceSettings
from worklogs.repository import ledger
from worklogs.repository import reroll as reroll_store
from worklogs.repository import rollups as rollup_store
from worklogs.repository import settings as settings_store

ACCOUNTING_FIELDS = ("timezone", "weekStart", "rounding", "currency")
REROLL_DAYS_PER_RUN = 62  # per workspace and run; the rest waits for the next run
MARGIN_DAYS = 2  # UTC offsets span 26 hours: a zone change moves an entry's days by at most two
_EARLIEST, _LATEST = date(1, 1, 1), date(9999, 12, 31)


def changes_accounting(old: WorkspaceSettings, new: WorkspaceSettings) -> bool:
    return any(getattr(old, name) != getattr(new, name) for name in ACCOUNTING_FIELDS)


def days_to_reroll(workspace_id: str, old: WorkspaceSettings, new: WorkspaceSettings) -> tuple[date, date] | None:
    """The local days whose rows may change: None when the workspace has no worklogs, markers or re-roll."""
    days: list[date] = []
    extent = reroll_store.time_extent(workspace_id)
    if extent is not None:
        for tz in (old.tz, new.tz):
            days += [extent[0].astimezone(tz).date(), extent[1].astimezone(tz).date()]
    # Markers are in the base table: they name days of worklogs the (lagging) index may not show yet.
    days += [marker.day for marker in rollup_store.workspace_dirty_days(workspace_id, _EARLIEST, _LATEST)]
    unfinished = reroll_store.get(workspace_id)
    if unfinished is not None:
        days += [unfinished.next_day, unfinished.last_day]
    if not days:
        return None
    return min(days) - timedelta(days=MARGIN_DAYS), max(days) + timedelta(days=MARGIN_DAYS)


def save_settings(current: WorkspaceSettings, updated: WorkspaceSettings, now: datetime) -> None:
    """Save `updated` over `current`; with a re-roll of the past when accounting changes."""
    if not changes_accounting(current, updated):
        settings_store.save(updated, current.version)
        return
    span = days_to_reroll(updated.workspaceId, current, updated)
    if span is None:
        settings_store.save(updated, current.version)
        return
    reroll_store.save_settings_with_reroll(updated, current.version, span[0], span[1], now)


def pending_days(workspace_id: str, first: date, last: date) -> tuple[list[date], datetime | None]:
    """The days of [first, last] the re-roll has not reached yet, and when it was requested."""
    unfinished = reroll_store.get(workspace_id)
    if unfinished is None:
        return [], None
    low, high = max(first, unfinished.next_day), min(last, unfinished.last_day)
    return [low + timedelta(days=n) for n in range((high - low).days + 1)], unfinished.requested_at


def is_current_period(granularity: str, period: str, settings: WorkspaceSettings) -> bool:
    """False for a week row whose first day does not start a week under the current `weekStart`."""
    if granularity != "week":
        return True
    return rollup.period_of("week", date.fromisoformat(period), settings.weekStart) == period


@dataclass
class RerollRun:
    days_recomputed: int = 0
    periods_recomputed: int = 0
    days_left: int = 0


def _stored_days(workspace_id: str, granularity: str, period: str) -> list[dict[str, Any]]:
    first, end = rollup.period_days(granularity, period)
    return rollup_store.period_rows(workspace_id, "day", first.isoformat(), (end - timedelta(days=1)).isoformat())


def recompute_days(
    workspace_id: str, first: date, last: date, settings: WorkspaceSettings, now: datetime, run: RerollRun
) -> None:
    """Rewrite the day rows of [first, last] under `settings`, delete week rows of the old `weekStart` there,
    then rewrite the weeks and months holding those days from the stored day rows."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    for day in days:
        start, end = rollup.local_day_bounds(day, settings.tz)
        entries = ledger.live_entries(workspace_id, start, end)
        totals = rollup.day_totals(entries, day, settings)
        rows = rollup.rows_for(workspace_id, "day", day.isoformat(), totals, settings, now)
        rollup_store.replace_period_rows("day", day.isoformat(), workspace_id, rows)
        run.days_recomputed += 1
    stored_weeks = rollup_store.period_rows(
        workspace_id, "week", (first - timedelta(days=6)).isoformat(), last.isoformat(), dimension="total"
    )
    for stale in sorted({row["period"] for row in stored_weeks}):
        if not is_current_period("week", stale, settings):
            rollup_store.replace_period_rows("week", stale, workspace_id, [])
            run.periods_recomputed += 1
    periods = sorted(
        {
            (granularity, rollup.period_of(granularity, day, settings.weekStart))
            for day in days
            for granularity in ("week", "month")
        }
    )
    for granularity, period in periods:
        totals = rollup.period_totals(_stored_days(workspace_id, granularity, period))
        rows = rollup.rows_for(workspace_id, granularity, period, totals, settings, now)
        rollup_store.replace_period_rows(granularity, period, workspace_id, rows)
        run.periods_recomputed += 1


def run_rerolls(
    now: datetime,
    pending: Iterable[reroll_store.Reroll],
    *,
    max_days: int,
    time_left: Callable[[], float] = lambda: math.inf,
    reserve_seconds: float = 15.0,
) -> RerollRun:
    """Advance each pending re-roll (`repository.reroll.all_pending()`) by up to REROLL_DAYS_PER_RUN days (at
    most `max_days` in all)."""
    run = RerollRun()
    for unfinished in pending:
        budget = min(REROLL_DAYS_PER_RUN, max_days - run.days_recomputed)
        remaining = (unfinished.last_day - unfinished.next_day).days + 1
        if budget <= 0 or time_left() < reserve_seconds:
            run.days_left += remaining
            continue
        settings = settings_store.load(unfinished.workspace_id)
        chunk_last = min(unfinished.last_day, unfinished.next_day + timedelta(days=budget - 1))
        recompute_days(unfinished.workspace_id, unfinished.next_day, chunk_last, settings, now, run)
        if reroll_store.advance(unfinished, chunk_last + timedelta(days=1)):
            run.days_left += (unfinished.last_day - chunk_last).days
        else:
            run.days_left += 1  # replaced by a newer settings change: the next run starts its re-roll
    return run
