"""GET one worklog, search worklogs, and serve the API's OpenAPI schema and Swagger UI."""

from worklogs import coldstart

coldstart.begin()  # first: no collections during init, Powertools' package indexes lazy (worklogs/coldstart.py)

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query

from worklogs import bootstrap, openapi
from worklogs.api import current_caller, error_responses, json_response, model_response
from worklogs.domain.search import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from worklogs.entries import reads
from worklogs.entries import service as worklog_service
from worklogs.models import HistoryPage, QueryTimestamp, Worklog, WorklogPage

function = bootstrap.api_function()
logger, tracer, metrics, app = function.logger, function.tracer, function.metrics, function.require_app()


@app.get(
    "/v1/workspaces/<workspaceId>/worklogs/<worklogId>",
    operation_id="getWorklog",
    summary="Get one worklog",
    description="One worklog with its links; `ETag` carries its version (send it as `If-Match` to edit). "
    "A soft-deleted worklog is 404 unless `includeDeleted=true`.",
    tags=["Worklogs"],
    responses={
        **model_response(200, Worklog, "The worklog; `ETag` carries its version."),
        **error_responses(401, 404, 422),
    },
)
@tracer.capture_method(capture_response=False)
def get_worklog(
    workspaceId: str,
    worklogId: str,
    includeDeleted: Annotated[bool, Query(description="Return it even when soft-deleted.")] = False,
):
    worklog = worklog_service.get_worklog(workspaceId, worklogId, current_caller(app), include_deleted=includeDeleted)
    return json_response(200, worklog, etag_version=worklog.version)


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size (1-100).")]
Cursor = Annotated[str | None, Query(max_length=4096, description="`nextCursor` of the previous page.")]
IncludeDeleted = Annotated[bool, Query(description="Also return soft-deleted worklogs.")]


@app.get(
    "/v1/workspaces/<workspaceId>/worklogs",
    operation_id="searchWorklogs",
    summary="Search worklogs",
    description="Filters combine (AND). Results are newest start first; with `updatedSince` they are the "
    "workspace's change feed, oldest change first, tombstones included, ending with `nextSince`. Each page is "
    "one DynamoDB Query on the index that fits the filter (see docs/access-patterns.md). Pass `nextCursor` "
    "back as `cursor`, with the same filters, for the next page.",
    tags=["Worklogs"],
    responses={**model_response(200, WorklogPage, "One page of worklogs."), **error_responses(400, 401, 403, 422, 503)},
)
@tracer.capture_method(capture_response=False)
def search_worklogs(
    workspaceId: str,
    ownerType: Annotated[str | None, Query(max_length=128, description="Owner record type.")] = None,
    ownerId: Annotated[str | None, Query(max_length=256, description="Owner record id.")] = None,
    workerId: Annotated[str | None, Query(max_length=128, description="Worker id, or `me`.")] = None,
    projectId: Annotated[str | None, Query(max_length=128, description="Project id.")] = None,
    worklogTypeCode: Annotated[str | None, Query(max_length=64, description="Worklog type code.")] = None,
    refType: Annotated[str | None, Query(max_length=64, description="Linked record type.")] = None,
    refId: Annotated[str | None, Query(max_length=256, description="Linked record id.")] = None,
    from_: Annotated[
        QueryTimestamp | None, Query(alias="from", description="Entries ending after this instant (with offset).")
    ] = None,
    to: Annotated[
        QueryTimestamp | None, Query(description="Entries starting before this instant (with offset).")
    ] = None,
    billable: Annotated[bool | None, Query(description="`data.billable` is true (or not).")] = None,
    updatedSince: Annotated[
        QueryTimestamp | None, Query(description="Change feed: everything changed at or after this instant.")
    ] = None,
    includeDeleted: IncludeDeleted = False,
    limit: Limit = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
):
    return json_response(
        200,
        reads.search(
            current_caller(app),
            workspaceId,
            limit=limit,
            cursor=cursor,
            owner_type=ownerType,
            owner_id=ownerId,
            worker_id=workerId,
            project_id=projectId,
            type_code=worklogTypeCode,
            ref_type=refType,
            ref_id=refId,
            window_from=from_,
            window_to=to,
            billable=billable,
            include_deleted=includeDeleted,
            updated_since=updatedSince,
        ),
    )


@app.get(
    "/v1/workspaces/<workspaceId>/owners/<ownerType>/<ownerId>/worklogs",
    operation_id="listOwnerWorklogs",
    summary="Worklogs of one owner record",
    description="Tracker-style view keyed on the record: the same items and paging as searching by "
    "`ownerType` + `ownerId`.",
    tags=["Worklogs"],
    responses={
        **model_response(200, WorklogPage, "One page of the record's worklogs."),
        **error_responses(400, 401, 403, 422, 503),
    },
)
@tracer.capture_method(capture_response=False)
def list_owner_worklogs(
    workspaceId: str,
    ownerType: str,
    ownerId: str,
    includeDeleted: IncludeDeleted = False,
    limit: Limit = DEFAULT_PAGE_SIZE,
    cursor: Cursor = None,
):
    page = reads.search(
        current_caller(app),
        workspaceId,
        limit=limit,
        cursor=cursor,
        owner_type=ownerType,
        owner_id=ownerId,
        include_deleted=includeDeleted,
    )
    return json_response(200, page)


@app.get(
    "/v1/workspaces/<workspaceId>/worklogs/<worklogId>/history",
    operation_id="getWorklogHistory",
    summary="A worklog's audit trail",
    description="Who changed what and when, newest first: one entry per version.",
    tags=["Worklogs"],
    responses={
        **model_response(200, HistoryPage, "One page of audit entries."),
        **error_responses(400, 401, 404, 422, 503),
    },
)
@tracer.capture_method(capture_response=False)
def get_worklog_history(
    workspaceId: str,
    worklogId: str,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size.")] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=4096, description="`nextCursor` of the previous page.")] = None,
):
    page = reads.history(current_caller(app), workspaceId, worklogId, limit=limit, cursor=cursor)
    return json_response(200, page)


@app.get("/v1/openapi.json", include_in_schema=False)
def openapi_schema():
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi.schema_json())


@app.get("/v1/docs", include_in_schema=False)
def swagger_ui():
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=openapi.swagger_html())


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
