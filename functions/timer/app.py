"""The caller's live timer: start, pause, resume, stop (its runs become worklogs), discard, get."""

from worklogs import coldstart

coldstart.begin()  # first: no collections during init, Powertools' package indexes lazy (worklogs/coldstart.py)

from datetime import UTC, datetime
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Query
from aws_lambda_powertools.metrics import MetricUnit

from worklogs import bootstrap
from worklogs.api import (
    current_caller,
    error_responses,
    json_response,
    model_response,
    parse_if_match,
)
from worklogs.domain.timer import TimerState, timer_path, view
from worklogs.timer import service as timer_service
from worklogs.timer.models import Timer, TimerStart, TimerStarted, TimerStop, TimerStopResult

function = bootstrap.api_function()
logger, tracer, metrics, app = function.logger, function.tracer, function.metrics, function.require_app()

TIMER = "/v1/workspaces/<workspaceId>/timer"
IfMatch = Annotated[
    str | None, Header(description='Optional: only the timer version you read (its ETag, `"3"`).', max_length=64)
]


def _timer_response(timer: TimerState, now: datetime, status: int = 200):
    return json_response(status, view(timer, now), etag_version=timer.version)


@app.get(
    TIMER,
    operation_id="getTimer",
    summary="Your timer",
    description="State, runs and worked seconds so far (pauses excluded). 404 when you have no timer here.",
    tags=["Timer"],
    responses={
        **model_response(200, Timer, "Your timer; `ETag` carries its version."),
        **error_responses(401, 403, 404, 422),
    },
)
@tracer.capture_method(capture_response=False)
def get_timer(workspaceId: str):
    now = datetime.now(UTC)
    return _timer_response(timer_service.get_timer(workspaceId, current_caller(app)), now)


@app.post(
    f"{TIMER}/start",
    operation_id="startTimer",
    summary="Start a timer",
    description="One timer per user per workspace: 409 `TIMER_RUNNING` (the running timer in `details`) when you "
    "have one, unless `replace=true`, which stops it (writing its worklogs, shown in `stopped`) and starts the new "
    "one in one transaction.",
    tags=["Timer"],
    responses={
        **model_response(201, TimerStarted, "Started; `Location` is the timer, `ETag` its version."),
        **error_responses(400, 401, 403, 409, 413, 415, 422),
    },
)
@tracer.capture_method(capture_response=False)
def start_timer(
    workspaceId: str,
    start: TimerStart,
    replace: Annotated[bool, Query(description="Stop a running timer (logging it) and start this one.")] = False,
):
    now = datetime.now(UTC)
    outcome = timer_service.start_timer(workspaceId, current_caller(app), start, replace=replace, now=now)
    metrics.add_metric(name="TimersStarted", unit=MetricUnit.Count, value=1)
    body = TimerStarted(**view(outcome.timer, now).model_dump(by_alias=True), stopped=outcome.stopped)
    return json_response(201, body, headers={"Location": timer_path(workspaceId)}, etag_version=outcome.timer.version)


@app.post(
    f"{TIMER}/pause",
    operation_id="pauseTimer",
    summary="Pause your timer",
    description="Closes the current run; the pause is not logged. 409 `TIMER_NOT_RUNNING` when already paused.",
    tags=["Timer"],
    responses={
        **model_response(200, Timer, "The paused timer."),
        **error_responses(400, 401, 403, 404, 409, 412, 422),
    },
)
@tracer.capture_method(capture_response=False)
def pause_timer(workspaceId: str, if_match: IfMatch = None):
    now = datetime.now(UTC)
    expected = parse_if_match(if_match, required=False)
    return _timer_response(timer_service.pause_timer(workspaceId, current_caller(app), expected, now), now)


@app.post(
    f"{TIMER}/resume",
    operation_id="resumeTimer",
    summary="Resume your paused timer",
    description="Opens a new run. 409 `TIMER_NOT_PAUSED` when it is running, `TIMER_SEGMENT_LIMIT` after 40 runs.",
    tags=["Timer"],
    responses={
        **model_response(200, Timer, "The running timer."),
        **error_responses(400, 401, 403, 404, 409, 412, 422),
    },
)
@tracer.capture_method(capture_response=False)
def resume_timer(workspaceId: str, if_match: IfMatch = None):
    now = datetime.now(UTC)
    expected = parse_if_match(if_match, required=False)
    return _timer_response(timer_service.resume_timer(workspaceId, current_caller(app), expected, now), now)


@app.post(
    f"{TIMER}/stop",
    operation_id="stopTimer",
    summary="Stop your timer and log its runs",
    description="Writes one worklog per run (pauses are not logged), leaving out runs shorter than the workspace's "
    "`minTimerSeconds`, capping each at `maxEntryHours`, under the overlap policy and period lock, and deletes the "
    "timer — all in one transaction. Name the timer (`timerId`) to make retries safe: a stop of an already "
    "stopped timer returns the worklogs it wrote (`Idempotent-Replayed: true`) for 24 hours.",
    tags=["Timer"],
    responses={
        **model_response(200, TimerStopResult, "The worklogs written (or, for a retry, written before)."),
        **error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422),
    },
)
@tracer.capture_method(capture_response=False)
def stop_timer(
    workspaceId: str,
    stop: Annotated[TimerStop | None, Body(description="Optional; fields sent override the timer's.")] = None,
    if_match: IfMatch = None,
):
    now = datetime.now(UTC)
    expected = parse_if_match(if_match, required=False)
    stopped = timer_service.stop_timer(workspaceId, current_caller(app), stop or TimerStop(), expected, now)
    headers = {"Idempotent-Replayed": "true"} if stopped.replayed else {}
    if not stopped.replayed:
        metrics.add_metric(name="WorklogsCreated", unit=MetricUnit.Count, value=len(stopped.result.worklogs))
    return json_response(200, stopped.result, headers=headers)


@app.delete(
    TIMER,
    operation_id="discardTimer",
    summary="Discard your timer",
    description="Deletes the timer without logging anything; returns it as it was.",
    tags=["Timer"],
    responses={
        **model_response(200, Timer, "The discarded timer."),
        **error_responses(400, 401, 403, 404, 412, 422),
    },
)
@tracer.capture_method(capture_response=False)
def discard_timer(workspaceId: str, if_match: IfMatch = None):
    now = datetime.now(UTC)
    expected = parse_if_match(if_match, required=False)
    discarded = timer_service.discard_timer(workspaceId, current_caller(app), expected)
    return json_response(200, view(discarded, now))


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
