"""rollup_periods: on an EventBridge schedule, drain the dirty-day markers and recompute the days, weeks and
months they name in the rollup table (docs/rollup-contract.md)."""

from worklogs import coldstart

coldstart.begin()  # first: no collections during init, Powertools' package indexes lazy (worklogs/coldstart.py)

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from worklogs import bootstrap
from worklogs.rollups import service as rollup_service

function = bootstrap.worker_function()
logger, tracer, metrics = function.logger, function.tracer, function.metrics

MAX_DAYS_PER_RUN = 500  # bounded work per invocation; the rest waits for the next run


def _run(event: dict[str, Any], context: Any) -> dict[str, Any]:
    def time_left() -> float:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        return remaining() / 1000 if remaining else float("inf")

    # Stop with a margin for the last batch: 15 s, or a quarter of a short timeout.
    reserve = min(15.0, time_left() / 4)
    # `{"detail": {"drain": true}}` (`make rollup`): every marker written before now, without a settle window.
    drain = (event.get("detail") or {}).get("drain") is True
    run = rollup_service.roll_up_dirty_days(
        datetime.now(UTC),
        max_days=MAX_DAYS_PER_RUN,
        time_left=time_left,
        reserve_seconds=reserve,
        **({"settle_seconds": 0} if drain else {}),
    )
    metrics.add_metric(name="DaysRecomputed", unit=MetricUnit.Count, value=run.days_recomputed)
    metrics.add_metric(name="PeriodsRecomputed", unit=MetricUnit.Count, value=run.periods_recomputed)
    metrics.add_metric(name="MarkersLeft", unit=MetricUnit.Count, value=run.markers_left)
    metrics.add_metric(name="OldestMarkerAge", unit=MetricUnit.Seconds, value=run.oldest_marker_age_seconds)
    result = {
        "daysRecomputed": run.days_recomputed,
        "periodsRecomputed": run.periods_recomputed,
        "markersDeleted": run.markers_deleted,
        "markersRewritten": run.markers_rewritten,
        "markersLeft": run.markers_left,
        "oldestMarkerAgeSeconds": run.oldest_marker_age_seconds,
        "complete": run.complete,
    }
    logger.info("rollup run", extra={"run": result, "scheduledAt": event.get("time")})
    return result


lambda_handler = function.entry(_run)


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
