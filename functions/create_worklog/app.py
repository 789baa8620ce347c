"""POST /v1/workspaces/{workspaceId}/worklogs — record a worklog (optionally idempotent)."""

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
from worklogs.core.idempotency import IdempotentOperation
from worklogs.entries import service as worklog_service
from worklogs.models import WorklogCreate, WorklogResult

function = bootstrap.api_function()
logger, tracer, metrics, app = function.logger, function.tracer, function.metrics, function.require_app()

# Records keep the names they had when this handler decorated them itself: keys sent before a deploy replay.
IDEMPOTENT = IdempotentOperation(record_name="app:create_worklog.<locals>.create_once")


def _create(workspace_id: str, worklog: WorklogCreate) -> dict[str, Any]:
    caller = current_caller(app)
    role = caller.require_collection_access(workspace_id, Role.MEMBER)
    written = worklog_service.create_worklog(workspace_id, caller, role, worklog, datetime.now(UTC))
    created = written.worklogs[0]
    metrics.add_metric(name="WorklogsCreated", unit=MetricUnit.Count, value=1)
    result = WorklogResult(**created.model_dump(by_alias=True), warnings=written.warnings)
    return {
        "body": result.model_dump(mode="json", by_alias=True),
        "location": created.self_,
        "version": created.version,
    }


@app.post(
    "/v1/workspaces/<workspaceId>/worklogs",
    operation_id="createWorklog",
    summary="Create a worklog",
    description="With an `Idempotency-Key` header a retried request returns the first response (same id) for "
    "24 hours instead of creating a second worklog; the same key with a different body is refused (422).",
    tags=["Worklogs"],
    responses={
        **model_response(201, WorklogResult, "Created; `Location` and `ETag` headers point at it."),
        **error_responses(400, 401, 403, 409, 413, 415, 422),
    },
)
@tracer.capture_method(capture_response=False)
def create_worklog(
    workspaceId: str,
    worklog: WorklogCreate,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=128,
            pattern=r"^[\x21-\x7e]+$",
            description="Any unique string (e.g. a UUID) that marks retries of the same create.",
        ),
    ] = None,
):
    caller = current_caller(app)
    caller.require_collection_access(workspaceId, Role.MEMBER)
    outcome, replayed = IDEMPOTENT.run(
        lambda: _create(workspaceId, worklog),
        workspace_id=workspaceId,
        caller=caller,
        key=idempotency_key,
        raw_body=app.current_event.body,
        lambda_context=app.lambda_context,
    )
    headers = {"Location": outcome["location"], "ETag": f'"{outcome["version"]}"'}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(outcome["body"]),
        headers=headers,
    )


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
