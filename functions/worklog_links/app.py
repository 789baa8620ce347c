"""Related records of a worklog (Worklog Related Entity): link, list, unlink."""

from worklogs import coldstart

coldstart.begin()  # first: no collections during init, Powertools' package indexes lazy (worklogs/coldstart.py)

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header

from worklogs import bootstrap
from worklogs.api import (
    current_caller,
    error_responses,
    json_response,
    model_response,
    parse_if_match,
)
from worklogs.auth import Role
from worklogs.entries import service as worklog_service
from worklogs.models import Link, LinkCreate, LinkPage

function = bootstrap.api_function()
logger, tracer, metrics, app = function.logger, function.tracer, function.metrics, function.require_app()

LINKS = "/v1/workspaces/<workspaceId>/worklogs/<worklogId>/links"
IfMatch = Annotated[str | None, Header(description='Optional: the worklog version you read, `"3"`.', max_length=64)]


@app.post(
    LINKS,
    operation_id="createLink",
    summary="Link a worklog to another record",
    description="One link per `(refType, refId)` (409 `LINK_EXISTS`), at most 50 (409 `TOO_MANY_LINKS`). A link "
    "of refType `TASK` (any case) sets the worklog's read-only `taskEntityRefId`. The worklog's version grows; "
    "`ETag` carries it. The worklog is then found by `refType` + `refId` searches.",
    tags=["Links"],
    responses={
        **model_response(201, Link, "The link; `Location` points at it."),
        **error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422),
    },
)
@tracer.capture_method(capture_response=False)
def create_link(workspaceId: str, worklogId: str, link: LinkCreate, if_match: IfMatch = None):
    caller = current_caller(app)
    role = caller.require_entity_access(workspaceId, Role.MEMBER)
    expected = parse_if_match(if_match, required=False)
    written = worklog_service.add_link(workspaceId, worklogId, caller, role, link, expected, datetime.now(UTC))
    worklog = written.worklogs[0]
    created = worklog.links[-1]
    return json_response(
        201, created, headers={"Location": f"{worklog.self_}/links/{created.id}"}, etag_version=worklog.version
    )


@app.get(
    LINKS,
    operation_id="listLinks",
    summary="A worklog's links",
    description="The related records of one worklog, oldest first; `ETag` carries the worklog's version.",
    tags=["Links"],
    responses={
        **model_response(200, LinkPage, "Every link of the worklog (at most 50)."),
        **error_responses(401, 404, 422),
    },
)
@tracer.capture_method(capture_response=False)
def list_links(workspaceId: str, worklogId: str):
    worklog = worklog_service.get_worklog(workspaceId, worklogId, current_caller(app))
    return json_response(200, LinkPage(items=worklog.links), etag_version=worklog.version)


@app.delete(
    f"{LINKS}/<linkId>",
    operation_id="deleteLink",
    summary="Remove a link",
    description="`taskEntityRefId` is recomputed from the remaining links. The worklog's version grows.",
    tags=["Links"],
    responses={
        **model_response(200, LinkPage, "The remaining links; `ETag` is the worklog's new version."),
        **error_responses(400, 401, 403, 404, 409, 412, 422),
    },
)
@tracer.capture_method(capture_response=False)
def delete_link(workspaceId: str, worklogId: str, linkId: str, if_match: IfMatch = None):
    caller = current_caller(app)
    role = caller.require_entity_access(workspaceId, Role.MEMBER)
    expected = parse_if_match(if_match, required=False)
    written = worklog_service.delete_link(workspaceId, worklogId, linkId, caller, role, expected, datetime.now(UTC))
    worklog = written.worklogs[0]
    return json_response(200, LinkPage(items=worklog.links), etag_version=worklog.version)


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
