"""Timesheet approval: submit a worker's week or month, approve, reject or reopen it, read and list them."""

from worklogs import coldstart

coldstart.begin()  # first: no collections during init, Powertools' package indexes lazy (worklogs/coldstart.py)

from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import quote

from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from worklogs import bootstrap
from worklogs.api import (
    current_caller,
    error_responses,
    json_response,
    model_response,
    parse_if_match,
)
from worklogs.approvals import service
from worklogs.approvals.models import PERIOD_PATTERN, Approval, ApprovalDecision, ApprovalPage, ApprovalSubmit

function = bootstrap.api_function()
logger, tracer, metrics, app = function.logger, function.tracer, function.metrics, function.require_app()

APPROVALS = "/v1/workspaces/<workspaceId>/approvals"
ApprovalId = Annotated[str, Path(max_length=64, description="The approval's id.")]
IfMatch = Annotated[str | None, Header(description='Optional: the version you read, `"1"`.', max_length=64)]


@app.post(
    APPROVALS,
    operation_id="submitApproval",
    summary="Submit a timesheet (a worker's week or month)",
    description="Snapshots the period's totals and freezes the worker's entries in it: creating, editing, "
    "deleting, restoring, splitting, merging, linking or stopping a timer into it answers 409 `PERIOD_SUBMITTED` "
    "(later `PERIOD_APPROVED`) unless the caller holds `worklog:lock-override`. Workers submit their own; "
    "managers and admins anyone's. A rejected or reopened period may be submitted again.",
    tags=["Approvals"],
    responses={
        **model_response(201, Approval, "Submitted; `ETag` is its version."),
        **error_responses(400, 401, 403, 409, 412, 413, 415, 422),
    },
)
@tracer.capture_method(capture_response=False)
def submit_approval(workspaceId: str, request: ApprovalSubmit):
    submitted = service.submit(workspaceId, current_caller(app), request, datetime.now(UTC))
    metrics.add_metric(name="ApprovalsSubmitted", unit=MetricUnit.Count, value=1)
    location = f"/v1/workspaces/{quote(workspaceId, safe='')}/approvals/{submitted.id}"
    return json_response(201, submitted, headers={"Location": location}, etag_version=submitted.version)


@app.get(
    APPROVALS,
    operation_id="listApprovals",
    summary="List timesheet approvals",
    description="Filter by `state`, `workerId` (`me` allowed) and `period`; pages in id order.",
    tags=["Approvals"],
    responses={**model_response(200, ApprovalPage, "One page."), **error_responses(400, 401, 403, 422)},
)
@tracer.capture_method(capture_response=False)
def list_approvals(
    workspaceId: str,
    state: Annotated[
        Literal["submitted", "approved", "rejected", "reopened"] | None, Query(description="Only this state.")
    ] = None,
    workerId: Annotated[str | None, Query(max_length=128, description="A worker id or `me`.")] = None,
    period: Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="`2026-W47` or `2026-11`.")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size (1-100).")] = 50,
    cursor: Annotated[str | None, Query(max_length=4096, description="`nextCursor` of the previous page.")] = None,
):
    page = service.list_approvals(
        workspaceId, current_caller(app), state=state, worker_id=workerId, period=period, limit=limit, cursor=cursor
    )
    return json_response(200, page)


@app.get(
    f"{APPROVALS}/<approvalId>",
    operation_id="getApproval",
    summary="One timesheet approval",
    description="The approval with its state, totals snapshot and the audited history of its transitions. "
    "Every member of the workspace may read it.",
    tags=["Approvals"],
    responses={
        **model_response(200, Approval, "The approval; `ETag` is its version."),
        **error_responses(401, 404, 422),
    },
)
@tracer.capture_method(capture_response=False)
def get_approval(workspaceId: str, approvalId: ApprovalId):
    found = service.get(workspaceId, current_caller(app), approvalId)
    return json_response(200, found, etag_version=found.version)


# One count per decision, named as its state (a name built from the action read "ApprovalsRejectd").
_DECISION_METRICS = {"approve": "ApprovalsApproved", "reject": "ApprovalsRejected", "reopen": "ApprovalsReopened"}


def _transition(workspace_id: str, approval_id: str, action: str, decision: ApprovalDecision | None, if_match):
    expected = parse_if_match(if_match, required=False)
    comment = decision.comment if decision is not None else None
    changed = service.transition(
        workspace_id, current_caller(app), approval_id, action, comment, expected, datetime.now(UTC)
    )
    metrics.add_metric(name=_DECISION_METRICS[action], unit=MetricUnit.Count, value=1)
    return json_response(200, changed, etag_version=changed.version)


_TRANSITION_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 413, 415, 422)


@app.post(
    f"{APPROVALS}/<approvalId>/approve",
    operation_id="approveApproval",
    summary="Approve a submitted timesheet (manager+)",
    description='The entries stay frozen (409 `PERIOD_APPROVED`). Optional body `{"comment"}`.',
    tags=["Approvals"],
    responses={**model_response(200, Approval, "Approved."), **_TRANSITION_ERRORS},
)
@tracer.capture_method(capture_response=False)
def approve(
    workspaceId: str, approvalId: ApprovalId, decision: ApprovalDecision | None = None, if_match: IfMatch = None
):
    return _transition(workspaceId, approvalId, "approve", decision, if_match)


@app.post(
    f"{APPROVALS}/<approvalId>/reject",
    operation_id="rejectApproval",
    summary="Reject a submitted timesheet (manager+)",
    description="The entries become editable again; the worker may submit the period again.",
    tags=["Approvals"],
    responses={**model_response(200, Approval, "Rejected."), **_TRANSITION_ERRORS},
)
@tracer.capture_method(capture_response=False)
def reject(
    workspaceId: str, approvalId: ApprovalId, decision: ApprovalDecision | None = None, if_match: IfMatch = None
):
    return _transition(workspaceId, approvalId, "reject", decision, if_match)


@app.post(
    f"{APPROVALS}/<approvalId>/reopen",
    operation_id="reopenApproval",
    summary="Reopen a timesheet (manager+, or the worker while it is still submitted)",
    description="The entries become editable again; the period may be submitted again.",
    tags=["Approvals"],
    responses={**model_response(200, Approval, "Reopened."), **_TRANSITION_ERRORS},
)
@tracer.capture_method(capture_response=False)
def reopen(
    workspaceId: str, approvalId: ApprovalId, decision: ApprovalDecision | None = None, if_match: IfMatch = None
):
    return _transition(workspaceId, approvalId, "reopen", decision, if_match)


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
