"""Publishes the main table's committed changes (its stream) as change events to the event bus."""

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from worklogs.events import service

logger = Logger()
tracer = Tracer()
metrics = Metrics()


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event.get("Records") or []
    published = service.publish_records(records)
    metrics.add_metric(name="ChangeEventsPublished", unit=MetricUnit.Count, value=published)
    logger.info("Published change events", extra={"records": len(records), "events": published})
    return {"records": len(records), "events": published}
