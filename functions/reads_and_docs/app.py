"""GET one worklog, search worklogs, and serve the API's OpenAPI schema and Swagger UI."""

import gc

gc.disable()  # no collections during init (see worklogs/coldstart.py)

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query

from worklogs import bootstrap, coldstart, openapi
from worklogs.api import current_caller, error_responses, json_response, model_response
from worklogs.domain.cursor import decode_cursor, encode_cursor, filter_fingerprint
from worklogs.domain.search import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, WorklogSearch, feed_until, plan_search
from worklogs.domain.worklogs import is_worklog_id
from worklogs.entries import service as worklog_service
from worklogs.errors import NotFound
from worklogs.models import HistoryPage, QueryTimestamp, Worklog, WorklogPage
from worklogs.repository import worklogs as worklog_store
from worklogs.repository.secrets import cursor_signing_key

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


def _page(workspace_id: str, search: WorklogSearch, limit: int, cursor: str | None) -> WorklogPage:
    """One page: one Query on the index the filter picks; the cursor is bound to workspace and filter."""
    binding = filter_fingerprint(workspace_id, search.canonical())
    key = cursor_signing_key()
    position = decode_cursor(cursor, binding=binding, key=key) if cursor else {}
    until = None
    if search.updated_since is not None:
        until = datetime.fromisoformat(position["u"]) if "u" in position else feed_until(datetime.now(UTC))
    items, last_key = worklog_store.search_page(
        workspace_id, search, limit=limit, start_key=position.get("k"), feed_until=until
    )
    next_cursor = None
    if last_key:
        next_position = {"k": last_key, **({"u": until.isoformat()} if until else {})}
        next_cursor = encode_cursor(next_position, binding=binding, key=key)
    next_since = until if until is not None and not last_key else None
    return WorklogPage(items=items, nextCursor=next_cursor, limit=limit, nextSince=next_since)


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
    caller = current_caller(app)
    caller.require_collection_access(workspaceId)
    search = plan_search(
        caller=caller,
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
    )
    return json_response(200, _page(workspaceId, search, limit, cursor))


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
    caller = current_caller(app)
    caller.require_collection_access(workspaceId)
    search = plan_search(caller=caller, owner_type=ownerType, owner_id=ownerId, include_deleted=includeDeleted)
    return json_response(200, _page(workspaceId, search, limit, cursor))


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
    current_caller(app).require_entity_access(workspaceId)
    if not is_worklog_id(worklogId):
        raise NotFound("Worklog not found.")
    binding = filter_fingerprint(workspaceId, {"history": worklogId})
    key = cursor_signing_key()
    start_key = decode_cursor(cursor, binding=binding, key=key)["k"] if cursor else None
    entries, last_key = worklog_store.history(workspaceId, worklogId, limit=limit, start_key=start_key)
    if not entries and start_key is None:
        raise NotFound("Worklog not found.")
    next_cursor = encode_cursor({"k": last_key}, binding=binding, key=key) if last_key else None
    return json_response(200, HistoryPage(items=entries, nextCursor=next_cursor))


@app.get("/v1/openapi.json", include_in_schema=False)
def openapi_schema():
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=openapi.schema_json())


@app.get("/v1/docs", include_in_schema=False)
def swagger_ui():
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=openapi.swagger_html())


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
