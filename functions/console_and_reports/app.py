"""Read-only views of worklogs: the personal console with daily and weekly totals, period totals served from
the rollup table (with freshness), and a detailed worklog export."""

from worklogs import coldstart

coldstart.begin()  # first: no collections during init, Powertools' package indexes lazy (worklogs/coldstart.py)

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from worklogs import bootstrap
from worklogs.api import current_caller, error_responses, json_response, model_response
from worklogs.approvals import service as approvals
from worklogs.console import service as console_service
from worklogs.console.models import Console
from worklogs.domain.search import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from worklogs.models import QueryDate, WorklogPage
from worklogs.report_models import (
    TOTALS_CSV_COLUMNS,
    WORKLOG_CSV_COLUMNS,
    Freshness,
    Granularity,
    GroupBy,
    TotalsReport,
    TotalsRow,
    to_csv,
    totals_csv_row,
    worklog_csv_row,
)
from worklogs.reports import service as report_service

function = bootstrap.api_function()
logger, tracer, metrics, app = function.logger, function.tracer, function.metrics, function.require_app()

CSV = "text/csv; charset=utf-8"
CSV_NOTE = " With `format=csv`: `text/csv` with a header row."


def _csv_response(body: str, filename: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=200,
        content_type=CSV,
        body=body,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', **(headers or {})},
    )


def _csv_content(model: Any, description: str) -> dict[int, OpenAPIResponse]:
    return {
        200: {
            "description": description + CSV_NOTE,
            "content": {"application/json": {"model": model}, "text/csv": {"schema": {"type": "string"}}},
        }
    }


FirstDay = Annotated[QueryDate, Query(alias="from", description="First day (workspace time zone).")]
LastDay = Annotated[QueryDate, Query(description="Last day, inclusive.")]
TotalsGranularity = Annotated[Granularity, Query(description="Row period.")]
TotalsGroupBy = Annotated[GroupBy, Query(description="Dimension of the rows; `total` = one row per period.")]
TotalsConsistency = Annotated[
    Literal["eventual", "strong"], Query(description="`strong`: recompute days not rolled up yet.")
]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size (1-100).")]
PageCursor = Annotated[
    str | None, Query(max_length=4096, description="`nextCursor` (or `Next-Cursor`) of the previous page.")
]


@app.get(
    "/v1/workspaces/<workspaceId>/reports/totals",
    operation_id="reportTotals",
    summary="Period totals from the rollups",
    description="Day, week or month totals per dimension, read from the rollup table (the same rows billing "
    "reads; docs/rollup-contract.md). Periods are those holding `from` … `to` in the workspace time zone. "
    "`freshness.pendingDays` lists days changed since the last rollup run; `consistency=strong` recomputes "
    "them from the worklogs for this answer (at most 31 days, else 409 `TOO_MANY_PENDING_DAYS`). Needs the "
    "manager role.",
    tags=["Reports"],
    responses={**_csv_content(TotalsReport, "The totals."), **error_responses(401, 403, 409, 422)},
)
@tracer.capture_method(capture_response=False)
def report_totals(
    workspaceId: str,
    from_: FirstDay,
    to: LastDay,
    granularity: TotalsGranularity = "day",
    groupBy: TotalsGroupBy = "total",
    consistency: TotalsConsistency = "eventual",
    format: Annotated[
        Literal["json", "csv"], Query(description="Response format; generated clients use `reportTotalsCsv`.")
    ] = "json",
    approval: Annotated[
        Literal["any", "approved"],
        Query(description="`approved`: only rows inside approved timesheets (needs groupBy=worker or worker-owner)."),
    ] = "any",
):
    return _totals(workspaceId, from_, to, granularity, groupBy, consistency, format, approval)


@app.get(
    "/v1/workspaces/<workspaceId>/reports/totals.csv",
    operation_id="reportTotalsCsv",
    summary="Period totals from the rollups, as CSV",
    description="The rows of `reportTotals` as `text/csv` with a header row (its own operation, so that "
    "generated clients read it as text). Needs the manager role.",
    tags=["Reports"],
    responses={
        200: {"description": "The totals, one CSV row each.", "content": {"text/csv": {"schema": {"type": "string"}}}},
        **error_responses(401, 403, 409, 422),
    },
)
@tracer.capture_method(capture_response=False)
def report_totals_csv(
    workspaceId: str,
    from_: FirstDay,
    to: LastDay,
    granularity: TotalsGranularity = "day",
    groupBy: TotalsGroupBy = "total",
    consistency: TotalsConsistency = "eventual",
    approval: Annotated[
        Literal["any", "approved"],
        Query(description="`approved`: only rows inside approved timesheets (needs groupBy=worker or worker-owner)."),
    ] = "any",
):
    return _totals(workspaceId, from_, to, granularity, groupBy, consistency, "csv", approval)


def _totals(workspaceId, from_, to, granularity, groupBy, consistency, format, approval="any") -> Response:
    caller = current_caller(app)
    result = report_service.report_totals(
        workspaceId,
        caller,
        granularity=granularity,
        first=from_,
        last=to,
        group_by=groupBy,
        strong=consistency == "strong",
        now=datetime.now(UTC),
    )
    if approval == "approved":
        result.rows = approvals.approved_rows(workspaceId, groupBy, granularity, result.rows, result.settings)
    known = TotalsRow.model_fields
    rows = [TotalsRow.model_validate({k: v for k, v in row.items() if k in known}) for row in result.rows]
    if format == "csv":
        plain = [totals_csv_row(row.model_dump(mode="json")) for row in rows]  # hook: decimal hours columns
        return _csv_response(to_csv(TOTALS_CSV_COLUMNS, plain), f"totals-{granularity}-{from_}-{to}.csv")
    computed = [row.computedAt for row in rows]
    report = TotalsReport(
        workspaceId=workspaceId,
        granularity=granularity,
        groupBy=groupBy,
        firstPeriod=result.periods[0],
        lastPeriod=result.periods[1],
        timezone=result.settings.timezone,
        rows=rows,
        freshness=Freshness(
            asOf=min(computed) if computed else None,
            consistency=consistency,
            pendingDays=[marker.day for marker in result.pending],
            recomputedDays=result.recomputed,
        ),
    )
    return json_response(200, report)


@app.get(
    "/v1/workspaces/<workspaceId>/reports/worklogs",
    operation_id="exportWorklogs",
    summary="Detailed worklog export",
    description="Every live worklog overlapping the days `from` … `to` (workspace time zone), newest start "
    "first, one DynamoDB Query per page. JSON pages carry `nextCursor`; CSV pages carry it in the "
    "`Next-Cursor` header. Needs the manager role.",
    tags=["Reports"],
    responses={**_csv_content(WorklogPage, "One page of worklogs."), **error_responses(400, 401, 403, 422, 503)},
)
@tracer.capture_method(capture_response=False)
def export_worklogs(
    workspaceId: str,
    from_: FirstDay,
    to: LastDay,
    format: Annotated[
        Literal["json", "csv"], Query(description="Response format; generated clients use `exportWorklogsCsv`.")
    ] = "json",
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
):
    return _export(workspaceId, from_, to, format, limit, cursor)


@app.get(
    "/v1/workspaces/<workspaceId>/reports/worklogs.csv",
    operation_id="exportWorklogsCsv",
    summary="Detailed worklog export, as CSV",
    description="The worklogs of `exportWorklogs` as `text/csv` with a header row, paged: the `Next-Cursor` "
    "header carries the cursor of the next page (absent on the last). Its own operation, so that generated "
    "clients read it as text. Needs the manager role.",
    tags=["Reports"],
    responses={
        200: {"description": "One page of worklogs as CSV.", "content": {"text/csv": {"schema": {"type": "string"}}}},
        **error_responses(400, 401, 403, 422, 503),
    },
)
@tracer.capture_method(capture_response=False)
def export_worklogs_csv(
    workspaceId: str, from_: FirstDay, to: LastDay, limit: PageSize = DEFAULT_PAGE_SIZE, cursor: PageCursor = None
):
    return _export(workspaceId, from_, to, "csv", limit, cursor)


def _export(workspaceId, from_, to, format, limit, cursor) -> Response:
    items, next_cursor = report_service.export_page(workspaceId, current_caller(app), from_, to, limit, cursor)
    if format == "csv":
        body = to_csv(WORKLOG_CSV_COLUMNS, [worklog_csv_row(worklog) for worklog in items])
        headers = {"Next-Cursor": next_cursor} if next_cursor else {}
        return _csv_response(body, f"worklogs-{from_}-{to}.csv", headers)
    return json_response(200, WorklogPage(items=items, nextCursor=next_cursor, limit=limit))


@app.get(
    "/v1/workspaces/<workspaceId>/console",
    operation_id="getConsole",
    summary="Your worklogs of a period, with daily and weekly totals",
    description="The period is resolved in the workspace time zone (`weekStart` begins weeks): `today`, `week` and "
    "`month` contain `date` (default: today); `custom` runs `from`..`to` (inclusive dates, at most 366 days). Totals "
    "(raw, billable, rounded minutes) cover the whole period on every page; an entry crossing midnight counts "
    "toward each day with its minutes inside it. Items come by start time, `limit` per page.",
    tags=["Console"],
    responses={
        **model_response(200, Console, "The period, its totals, a page of worklogs and your running timer."),
        **error_responses(400, 401, 403, 422, 503),
    },
)
@tracer.capture_method(capture_response=False)
def get_console(
    workspaceId: str,
    period: Annotated[Literal["today", "week", "month", "custom"], Query(description="Which period to show.")] = "week",
    from_: Annotated[QueryDate | None, Query(alias="from", description="First day (period=custom).")] = None,
    to: Annotated[QueryDate | None, Query(description="Last day, inclusive (period=custom).")] = None,
    anchor: Annotated[
        QueryDate | None,
        Query(alias="date", description="A day inside the period (today, week, month); default today."),
    ] = None,
    workerId: Annotated[
        str | None, Query(max_length=128, description="Whose console (managers and admins); default `me`.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Worklogs per page.")] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=4096, description="`nextCursor` of the previous page.")] = None,
):
    query = console_service.ConsoleQuery(
        period=period, first=from_, last=to, anchor=anchor, worker_id=workerId, limit=limit, cursor=cursor
    )
    return json_response(200, console_service.console(workspaceId, current_caller(app), query, datetime.now(UTC)))


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
