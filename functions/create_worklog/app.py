"""POST /v1/workspaces/{workspaceId}/worklogs — record a worklog (optionally idempotent)."""

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

from worklogs import services
from worklogs.api import create_app, current_caller, error_responses, handle, model_response
from worklogs.auth import Role
from worklogs.models import WorklogCreate, WorklogResult
from worklogs.repository.idempotency import persistence_for

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = create_app()

IDEMPOTENCY_TTL_SECONDS = 24 * 3600
_idempotency_config = IdempotencyConfig(
    event_key_jmespath="[workspaceId, callerId, idempotencyKey]",
    payload_validation_jmespath="body",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=IDEMPOTENCY_TTL_SECONDS,
)


def _create(workspace_id: str, worklog: WorklogCreate) -> dict[str, Any]:
    caller = current_caller(app)
    role = caller.require_collection_access(workspace_id, Role.MEMBER)
    written = services.create_worklog(workspace_id, caller, role, worklog, datetime.now(UTC))
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
@tracer.capture_method
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
    if idempotency_key is None:
        outcome, replayed = _create(workspaceId, worklog), False
    else:
        caller = current_caller(app)
        caller.require_collection_access(workspaceId, Role.MEMBER)
        executed: list[bool] = []

        def create_once(request: dict[str, Any]) -> dict[str, Any]:
            executed.append(True)
            return _create(workspaceId, worklog)

        _idempotency_config.register_lambda_context(app.lambda_context)
        once = idempotent_function(
            data_keyword_argument="request",
            persistence_store=persistence_for(workspaceId),
            config=_idempotency_config,
        )(create_once)
        request = {
            "workspaceId": workspaceId,
            "callerId": caller.sub,
            "idempotencyKey": idempotency_key,
            "body": json.loads(app.current_event.body or "{}"),
        }
        outcome, replayed = once(request=request), not executed
    headers = {"Location": outcome["location"], "ETag": f'"{outcome["version"]}"'}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        status_code=201,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps(outcome["body"]),
        headers=headers,
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(app, event, context)
