"""Effective-dated hourly rates: read (members), replace and reapply (admins)."""

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
from worklogs.rates import service
from worklogs.rates.models import Rates, RatesInput, ReapplyRequest, ReapplyResult

function = bootstrap.api_function()
logger, tracer, metrics, app = function.logger, function.tracer, function.metrics, function.require_app()

RATES = "/v1/workspaces/<workspaceId>/rates"


@app.get(
    RATES,
    operation_id="getRates",
    summary="Hourly rate rules",
    description="The rules in force (version 0 and no rules until an admin saves some), in the workspace currency.",
    tags=["Rates"],
    responses={**model_response(200, Rates, "The rules; `ETag` is their version."), **error_responses(401, 403, 422)},
)
@tracer.capture_method(capture_response=False)
def get_rates(workspaceId: str):
    found = service.get_rates(workspaceId, current_caller(app))
    return json_response(200, found, etag_version=found.version)


@app.put(
    RATES,
    operation_id="putRates",
    summary="Replace the hourly rate rules (admin)",
    description="The most specific rule wins (worker+project > project > worker > type > workspace), and among "
    "equals the latest `validFrom` on or before the entry's start day. Each worklog keeps the rate resolved when "
    "it was written: saving rules changes no stored amount until `POST …/rates/reapply`. `If-Match` optional; "
    "when sent it must match.",
    tags=["Rates"],
    responses={
        **model_response(200, Rates, "The saved rules."),
        **error_responses(400, 401, 403, 412, 413, 415, 422),
    },
)
@tracer.capture_method(capture_response=False)
def put_rates(
    workspaceId: str,
    rates: RatesInput,
    if_match: Annotated[str | None, Header(description='The version you read: `"3"`.', max_length=64)] = None,
):
    expected = parse_if_match(if_match, required=False)
    saved = service.put_rates(workspaceId, current_caller(app), rates, expected, datetime.now(UTC))
    return json_response(200, saved, etag_version=saved.version)


@app.post(
    f"{RATES}/reapply",
    operation_id="reapplyRates",
    summary="Re-rate the entries of a range from the current rules (admin)",
    description="Entries starting between `from` and `to` (local days, at most 92) get the rate the current rules "
    "give them; entries with an explicit `data.rate` and entries in submitted or approved timesheets are skipped. "
    "Answers how many changed.",
    tags=["Rates"],
    responses={
        **model_response(200, ReapplyResult, "What changed."),
        **error_responses(400, 401, 403, 409, 413, 415, 422),
    },
)
@tracer.capture_method(capture_response=False)
def reapply_rates(workspaceId: str, request: ReapplyRequest):
    result = service.reapply(workspaceId, current_caller(app), request, datetime.now(UTC))
    metrics.add_metric(name="WorklogsRerated", unit=MetricUnit.Count, value=result.changed)
    return json_response(200, result)


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
