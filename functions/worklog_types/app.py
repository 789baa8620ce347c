"""Workspace settings (and, as the code table lands, worklog types): read by members, written by admins."""

from datetime import UTC, datetime
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler.openapi.params import Header

from worklogs import services
from worklogs.api import (
    create_app,
    current_caller,
    error_responses,
    handle,
    json_response,
    model_response,
    parse_if_match,
)
from worklogs.auth import Role
from worklogs.domain.settings import SettingsInput, WorkspaceSettings
from worklogs.repository import settings as settings_store

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = create_app()

SETTINGS = "/v1/workspaces/<workspaceId>/settings"


@app.get(
    SETTINGS,
    operation_id="getSettings",
    summary="Workspace settings",
    description="Defaults apply until an admin saves settings (then `version` ≥ 1).",
    tags=["Settings"],
    responses={**model_response(200, WorkspaceSettings, "The settings in force."), **error_responses(401, 403, 422)},
)
@tracer.capture_method
def get_settings(workspaceId: str):
    current_caller(app).require_collection_access(workspaceId, Role.VIEWER)
    found = settings_store.load(workspaceId)
    return json_response(200, found, etag_version=found.version)


@app.put(
    SETTINGS,
    operation_id="putSettings",
    summary="Replace workspace settings (admin)",
    description="Omitted fields take their defaults. `If-Match` is optional; when sent it must match. Writes "
    "checked against older settings are re-checked, so a new lock or policy applies to the next write.",
    tags=["Settings"],
    responses={
        **model_response(200, WorkspaceSettings, "The saved settings."),
        **error_responses(400, 401, 403, 412, 413, 415, 422),
    },
)
@tracer.capture_method
def put_settings(
    workspaceId: str,
    settings: SettingsInput,
    if_match: Annotated[str | None, Header(description='The version you read: `"3"`.', max_length=64)] = None,
):
    caller = current_caller(app)
    caller.require_collection_access(workspaceId, Role.ADMIN)
    expected = parse_if_match(if_match, required=False)
    saved = services.put_settings(workspaceId, caller, settings, expected, datetime.now(UTC))
    return json_response(200, saved, etag_version=saved.version)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(app, event, context)
