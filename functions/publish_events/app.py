"""Publishes the main table's committed changes (its stream) as change events to the event bus."""

from worklogs import coldstart

coldstart.begin()  # first: no collections during init, Powertools' package indexes lazy (worklogs/coldstart.py)

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from worklogs import bootstrap
from worklogs.events import service

function = bootstrap.worker_function()
logger, tracer, metrics = function.logger, function.tracer, function.metrics


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records") or []
    published = service.publish_records(records)
    metrics.add_metric(name="ChangeEventsPublished", unit=MetricUnit.Count, value=published)
    logger.info("Published change events", extra={"records": len(records), "events": published})
    return {"records": len(records), "events": published}


lambda_handler = function.entry(_handle)

coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
