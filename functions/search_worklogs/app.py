"""GET one worklog, search worklogs, and serve the API's OpenAPI schema and Swagger UI."""

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query

from worklogs import openapi
from worklogs.api import create_app, current_caller, error_responses, handle, json_response, model_response
from worklogs.domain.cursor import decode_cursor, encode_cursor, filter_fingerprint
from worklogs.domain.search import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, plan_search
from worklogs.domain.worklogs import is_worklog_id
from worklogs.errors import NotFound
from worklogs.models import HistoryPage, Worklog, WorklogPage
from worklogs.repository import worklogs as worklog_store
from worklogs.repository.secrets import cursor_signing_key

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = create_app()


@app.get(
    "/v1/workspaces/<workspaceId>/worklogs/<worklogId>",
    operation_id="getWorklog",
    summary="Get one worklog",
    tags=["Worklogs"],
    responses={
        **model_response(200, Worklog, "The worklog; `ETag` carries its version."),
        **error_responses(401, 404, 422),
    },
)
@tracer.capture_method
def get_worklog(
    workspaceId: str,
    worklogId: str,
    includeDeleted: Annotated[bool, Query(description="Return it even when soft-deleted.")] = False,
):
    current_caller(app).require_entity_access(workspaceId)
    worklog = worklog_store.get(workspaceId, worklogId) if is_worklog_id(worklogId) else None
    if worklog is None or (worklog.deletedAt is not None and not includeDeleted):
        raise NotFound("Worklog not found.")
    return json_response(200, worklog, etag_version=worklog.version)


@app.get(
    "/v1/workspaces/<workspaceId>/worklogs",
    operation_id="searchWorklogs",
    summary="Search worklogs",
    description="By owner record (`ownerType` + `ownerId`) or by worker (`workerId`, `me` for yourself), "
    "newest start first. Pass `nextCursor` back as `cursor` for the next page.",
    tags=["Worklogs"],
    responses={
        **model_response(200, WorklogPage, "One page of worklogs."),
        **error_responses(400, 401, 403, 422, 503),
    },
)
@tracer.capture_method
def search_worklogs(
    workspaceId: str,
    ownerType: Annotated[str | None, Query(max_length=128, description="Owner record type.")] = None,
    ownerId: Annotated[str | None, Query(max_length=256, description="Owner record id.")] = None,
    workerId: Annotated[str | None, Query(max_length=128, description="Worker id, or `me`.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size.")] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=4096, description="`nextCursor` of the previous page.")] = None,
    includeDeleted: Annotated[bool, Query(description="Also return soft-deleted worklogs.")] = False,
):
    caller = current_caller(app)
    caller.require_collection_access(workspaceId)
    search = plan_search(
        caller=caller, owner_type=ownerType, owner_id=ownerId, worker_id=workerId, include_deleted=includeDeleted
    )
    binding = filter_fingerprint(workspaceId, search.canonical())
    key = cursor_signing_key()
    start_key = decode_cursor(cursor, binding=binding, key=key)["k"] if cursor else None
    items, last_key = worklog_store.search_page(workspaceId, search, limit=limit, start_key=start_key)
    next_cursor = encode_cursor({"k": last_key}, binding=binding, key=key) if last_key else None
    return json_response(200, WorklogPage(items=items, nextCursor=next_cursor, limit=limit))


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
@tracer.capture_method
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


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(app, event, context)
