"""The personal worklog console: a worker's worklogs of a period with daily and weekly totals."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler.openapi.params import Query

from worklogs import services
from worklogs.api import create_app, current_caller, error_responses, handle, json_response, model_response
from worklogs.domain.search import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from worklogs.models import Console, QueryDate

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = create_app()


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
@tracer.capture_method
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
    query = services.ConsoleQuery(
        period=period, first=from_, last=to, anchor=anchor, worker_id=workerId, limit=limit, cursor=cursor
    )
    return json_response(200, services.console(workspaceId, current_caller(app), query, datetime.now(UTC)))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handle(app, event, context)
