"""Period rollups (docs/rollup-contract.md): drained from dirty-day markers, recomputed exactly.

The drain loop reads the markers and the pending re-rolls; the recomputation (rollups/recompute.py,
worklogs/reroll.py: the accounting rule, the settings model, pydantic) is loaded only by a run that has a
day to recompute, so the common scheduled run with nothing dirty stays light."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from worklogs.repository import reroll as reroll_store
from worklogs.repository import rollups as rollup_store

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


def _roll_up_batch(markers: list[rollup_store.DirtyDay], now: datetime, run: RollupRun) -> None:
    from worklogs.rollups import recompute

    recompute.roll_up_batch(markers, now, run)


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
    pending = reroll_store.all_pending()
    first = next(pending, None)
    if first is None:
        return run
    from worklogs import reroll

    rerolled = reroll.run_rerolls(
        now,
        itertools.chain([first], pending),
        max_days=max(0, max_days - run.days_recomputed),
        time_left=time_left,
        reserve_seconds=reserve_seconds,
    )
    run.days_recomputed += rerolled.days_recomputed
    run.periods_recomputed += rerolled.periods_recomputed
    run.complete = run.complete and rerolled.days_left == 0
    return run
