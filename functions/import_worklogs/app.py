"""POST /v1/workspaces/{workspaceId}/worklogs/batch — up to 100 creates at once (optionally idempotent)."""

from worklogs import coldstart

coldstart.begin()  # first: no collections during init, Powertools' package indexes lazy (worklogs/coldstart.py)

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.metrics import MetricUnit

from worklogs import bootstrap
from worklogs.api import current_caller, error_responses, model_response
from worklogs.auth import Role
from worklogs.batch import service
from worklogs.batch.models import BatchCreate, BatchResult
from worklogs.core.idempotency import IdempotentOperation

function = bootstrap.api_function()
logger, tracer, metrics, app = function.logger, function.tracer, function.metrics, function.require_app()

# Records keep the names they had when this handler decorated them itself: keys sent before a deploy replay.
IDEMPOTENT = IdempotentOperation(
    record_name="app:create_worklogs_batch.<locals>.import_once",
    key_parts="[workspaceId, callerId, idempotencyKey, 'batch']",
)


def _import(workspace_id: str, batch: BatchCreate) -> dict[str, Any]:
    caller = current_caller(app)
    role = caller.require_collection_access(workspace_id, Role.MEMBER)
    result = service.create_batch(workspace_id, caller, role, batch, datetime.now(UTC))
    metrics.add_metric(name="WorklogsCreated", unit=MetricUnit.Count, value=result.created)
    metrics.add_metric(name="BatchItemsRefused", unit=MetricUnit.Count, value=result.refused)
    return result.model_dump(mode="json", by_alias=True)


@app.post(
    "/v1/workspaces/<workspaceId>/worklogs/batch",
    operation_id="createWorklogsBatch",
    summary="Create up to 100 worklogs",
    description="Each item is checked like a single create (types, forms, locks, overlap, frozen timesheets, "
    "privileges); accepted items are written (a few transactions for the whole batch), refused ones say why "
    "with the status a single create would have answered. 200 even when some are refused. With an "
    "`Idempotency-Key` a retried request returns the first response for 24 hours.",
    tags=["Worklogs"],
    responses={
        **model_response(200, BatchResult, "One result per item, in order."),
        **error_responses(400, 401, 403, 413, 415, 422),
    },
)
@tracer.capture_method(capture_response=False)
def create_worklogs_batch(
    workspaceId: str,
    batch: BatchCreate,
    idempotency_key: Annotated[
        str | None,
        Header(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$", description="Marks retries of the batch."),
    ] = None,
):
    caller = current_caller(app)
    caller.require_collection_access(workspaceId, Role.MEMBER)
    outcome, replayed = IDEMPOTENT.run(
        lambda: _import(workspaceId, batch),
        workspace_id=workspaceId,
        caller=caller,
        key=idempotency_key,
        raw_body=app.current_event.body,
        lambda_context=app.lambda_context,
    )
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return Response(
        status_code=200, content_type=content_types.APPLICATION_JSON, body=json.dumps(outcome), headers=headers
    )


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
