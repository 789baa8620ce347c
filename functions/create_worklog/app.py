"""POST /v1/workspaces/{workspaceId}/worklogs — record a worklog."""

import uuid
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from worklogs.api import create_app, current_caller, error_responses, handle, json_response, model_response
from worklogs.auth import Role
from worklogs.domain.worklogs import new_worklog, validate_data
from worklogs.models import Worklog, WorklogCreate
from worklogs.repository import worklogs as worklog_store

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = create_app()


@app.post(
    "/v1/workspaces/<workspaceId>/worklogs",
    operation_id="createWorklog",
    summary="Create a worklog",
    tags=["Worklogs"],
    responses={
        **model_response(201, Worklog, "Created; `Location` and `ETag` headers point at it."),
        **error_responses(400, 401, 403, 413, 415, 422),
    },
)
@tracer.capture_method
def create_worklog(workspaceId: str, worklog: WorklogCreate):
    caller = current_caller(app)
    role = caller.require_collection_access(workspaceId, Role.MEMBER)
    validate_data(worklog.data)
    created = new_worklog(
        workspace_id=workspaceId,
        request=worklog,
        caller=caller,
        role=role,
        worklog_id=str(uuid.uuid4()),
        now=datetime.now(UTC),
    )
    worklog_store.put_new(created)
    metrics.add_metric(name="WorklogsCreated", unit=MetricUnit.Count, value=1)
    return json_response(201, created, headers={"Location": created.self_}, etag_version=created.version)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(app, event, context)
