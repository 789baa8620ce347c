"""Change worklogs: PATCH (versioned), soft DELETE, restore, split and merge."""

from worklogs import coldstart

coldstart.begin()  # first: no collections during init, Powertools' package indexes lazy (worklogs/coldstart.py)

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.metrics import MetricUnit

from worklogs import bootstrap
from worklogs.api import (
    current_caller,
    error_responses,
    json_response,
    model_response,
    parse_if_match,
)
from worklogs.auth import Role
from worklogs.core import writes as writes
from worklogs.entries import service as worklog_service
from worklogs.models import MergeRequest, MergeResult, SplitRequest, SplitResult, WorklogPatch, WorklogResult

function = bootstrap.api_function()
logger, tracer, metrics, app = function.logger, function.tracer, function.metrics, function.require_app()

WORKLOG = "/v1/workspaces/<workspaceId>/worklogs/<worklogId>"
IfMatch = Annotated[str | None, Header(description='The version you read, as its ETag: `"3"`.', max_length=64)]


def _entity_access(workspace_id: str):
    caller = current_caller(app)
    return caller, caller.require_entity_access(workspace_id, Role.MEMBER)


def _result(written: writes.Written, status: int = 200):
    worklog = written.worklogs[0]
    body = WorklogResult(**worklog.model_dump(by_alias=True), warnings=written.warnings)
    return json_response(status, body, etag_version=worklog.version)


@app.patch(
    WORKLOG,
    operation_id="editWorklog",
    summary="Change a worklog",
    description="Partial update of the fields sent. Needs `If-Match` with the version you read: 412 when it is "
    "stale (the current version is in the error details), 428 when absent.",
    tags=["Worklog lifecycle"],
    responses={
        **model_response(200, WorklogResult, "The changed worklog; `ETag` is its new version."),
        **error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422, 428),
    },
)
@tracer.capture_method(capture_response=False)
def edit_worklog(workspaceId: str, worklogId: str, patch: WorklogPatch, if_match: IfMatch = None):
    caller, role = _entity_access(workspaceId)
    expected = parse_if_match(if_match, required=True)
    written = worklog_service.edit_worklog(workspaceId, worklogId, caller, role, patch, expected, datetime.now(UTC))
    metrics.add_metric(name="WorklogsEdited", unit=MetricUnit.Count, value=1)
    return _result(written)


@app.delete(
    WORKLOG,
    operation_id="deleteWorklog",
    summary="Soft-delete a worklog",
    description="Sets `deletedAt`; the worklog disappears from searches unless `includeDeleted=true` and can be "
    "restored. `If-Match` is optional; when sent it must match.",
    tags=["Worklog lifecycle"],
    responses={
        **model_response(200, WorklogResult, "The deleted worklog (with `deletedAt`)."),
        **error_responses(400, 401, 403, 404, 409, 412, 422),
    },
)
@tracer.capture_method(capture_response=False)
def delete_worklog(workspaceId: str, worklogId: str, if_match: IfMatch = None):
    caller, role = _entity_access(workspaceId)
    expected = parse_if_match(if_match, required=False)
    written = worklog_service.delete_worklog(workspaceId, worklogId, caller, role, expected, datetime.now(UTC))
    return _result(written)


@app.post(
    f"{WORKLOG}/restore",
    operation_id="restoreWorklog",
    summary="Restore a soft-deleted worklog",
    description="Undo a soft delete: the worklog is back in searches and totals, with its version + 1. The "
    "period lock and overlap policy apply as to a new entry; a worklog merged into another cannot be restored "
    "(409 `MERGED`). `If-Match` is optional; when sent it must match.",
    tags=["Worklog lifecycle"],
    responses={
        **model_response(200, WorklogResult, "The restored worklog."),
        **error_responses(400, 401, 403, 404, 409, 412, 422),
    },
)
@tracer.capture_method(capture_response=False)
def restore_worklog(workspaceId: str, worklogId: str, if_match: IfMatch = None):
    caller, role = _entity_access(workspaceId)
    expected = parse_if_match(if_match, required=False)
    written = worklog_service.restore_worklog(workspaceId, worklogId, caller, role, expected, datetime.now(UTC))
    return _result(written)


@app.post(
    f"{WORKLOG}/split",
    operation_id="splitWorklog",
    summary="Split a worklog in two",
    description="The original ends at `at`; a new worklog with the same owner, worker, type, data and "
    "description starts there. Both are written in one transaction.",
    tags=["Worklog lifecycle"],
    responses={
        **model_response(201, SplitResult, "Both parts; `Location` points at the new one."),
        **error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422),
    },
)
@tracer.capture_method(capture_response=False)
def split_worklog(workspaceId: str, worklogId: str, split: SplitRequest, if_match: IfMatch = None):
    caller, role = _entity_access(workspaceId)
    expected = parse_if_match(if_match, required=False)
    written = worklog_service.split_worklog(workspaceId, worklogId, caller, role, split.at, expected, datetime.now(UTC))
    original, created = written.worklogs
    body = SplitResult(original=original, created=created, warnings=written.warnings)
    return json_response(201, body, headers={"Location": created.self_})


@app.post(
    "/v1/workspaces/<workspaceId>/worklogs/merge",
    operation_id="mergeWorklogs",
    summary="Merge worklogs into one",
    description="2 to 25 worklogs of the same worker, owner and type become one from the earliest start to the latest "
    "end (409 `MERGE_GAPS` if they leave gaps, unless `allowGaps`). The earliest survives; descriptions are "
    "joined in start order; in `data` the earliest worklog's keys win and keys only later ones have are added. "
    "The others are soft-deleted with `mergedInto`. One transaction; every version is checked.",
    tags=["Worklog lifecycle"],
    responses={
        **model_response(200, MergeResult, "The merged worklog and the ids merged into it."),
        **error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422),
    },
)
@tracer.capture_method(capture_response=False)
def merge_worklogs(workspaceId: str, merge: MergeRequest):
    caller = current_caller(app)
    role = caller.require_collection_access(workspaceId, Role.MEMBER)
    written = worklog_service.merge_worklogs(workspaceId, caller, role, merge.ids, merge.allowGaps, datetime.now(UTC))
    survivor, *merged_away = written.worklogs
    body = MergeResult(worklog=survivor, mergedIds=[w.id for w in merged_away], warnings=written.warnings)
    return json_response(200, body, etag_version=survivor.version)


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
