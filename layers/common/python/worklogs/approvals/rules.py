"""Pure approval rules: what a period is, which periods a day belongs to, who may make which transition,
and which error a frozen period gives."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from worklogs.auth import Caller, Role
from worklogs.errors import Conflict, Forbidden, ValidationFailed

if TYPE_CHECKING:
    from worklogs.approvals.models import ApprovalState

SUBMITTED: Final = "submitted"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
REOPENED: Final = "reopened"
FROZEN_STATES: tuple[ApprovalState, ...] = (SUBMITTED, APPROVED)
_ID_NAMESPACE = uuid.UUID("6f1d2c3e-8a4b-4e1f-9c7d-0b5a3e2f1a47")


@dataclass(frozen=True)
class PeriodSpan:
    """A submitted period: its text (`2026-W47` or `2026-11`) and its first and last local day."""

    label: str
    first: date
    last: date


def _week_first_day(year: int, week: int, week_start: str) -> date:
    """The ISO week's Monday, or the Sunday before it when the workspace's weeks start on Sunday."""
    monday = date.fromisocalendar(year, week, 1)
    return monday - timedelta(days=1) if week_start == "sunday" else monday


def parse_period(text: str, week_start: str) -> PeriodSpan:
    """`2026-W47` (a week by the workspace's weekStart) or `2026-11` (a month) as its local days."""
    try:
        if "-W" in text:
            year, week = text.split("-W")
            first = _week_first_day(int(year), int(week), week_start)
            return PeriodSpan(text, first, first + timedelta(days=6))
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationFailed(
            f"'{text}' is not a period: use an ISO week like 2026-W47 or a month like 2026-11.",
            details=[{"loc": ["body", "period"], "msg": "No such week or month.", "type": "period"}],
        ) from None
    end = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return PeriodSpan(text, first, end - timedelta(days=1))


def week_label(day: date, week_start: str) -> str:
    """The week period holding a local day: named by the ISO week of its Monday."""
    offset = (day.weekday() + 1) % 7 if week_start == "sunday" else day.weekday()
    first = day - timedelta(days=offset)
    monday = first + timedelta(days=1) if week_start == "sunday" else first
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def periods_of_day(day: date, week_start: str) -> tuple[str, str]:
    """Every period a day belongs to: its week and its month (either may be submitted)."""
    return week_label(day, week_start), day.strftime("%Y-%m")


def approval_id(workspace_id: str, worker_id: str, period: str) -> str:
    """Deterministic: one approval per worker and period, and a write can name the approval it must check
    without reading anything."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{workspace_id}\x1f{worker_id}\x1f{period}"))


def require_can_submit(caller: Caller, role: Role, worker_id: str) -> None:
    if role < Role.MEMBER:
        raise Forbidden("Viewers cannot submit timesheets.")
    if worker_id != caller.sub and role < Role.MANAGER:
        raise Forbidden("Only managers and admins may submit another worker's timesheet.")


def require_resubmittable(state: str | None) -> None:
    """A period is submitted once; after a rejection or a reopening it may be submitted again."""
    if state in FROZEN_STATES:
        raise Conflict(
            f"This period is already {state}; reopen it first to change and submit it again.",
            code="PERIOD_APPROVED" if state == APPROVED else "PERIOD_SUBMITTED",
        )


def next_state(action: str, state: str, caller: Caller, role: Role, worker_id: str) -> ApprovalState:
    """The state after `action` (approve, reject, reopen), or 403/409 when it is not allowed."""
    if action in ("approve", "reject"):
        if role < Role.MANAGER:
            raise Forbidden(f"Only managers and admins may {action} timesheets.")
        if state != SUBMITTED:
            raise Conflict(f"Only a submitted period can be {action}d; this one is {state}.", code="INVALID_TRANSITION")
        return APPROVED if action == "approve" else REJECTED
    # reopen: managers reopen a submitted or approved period; the worker only while it is still submitted.
    if state not in FROZEN_STATES:
        raise Conflict(
            f"Only a submitted or approved period can be reopened; this one is {state}.", code="INVALID_TRANSITION"
        )
    if role >= Role.MANAGER:
        return REOPENED
    if caller.sub == worker_id and role >= Role.MEMBER:
        if state != SUBMITTED:
            raise Forbidden("An approved period can be reopened only by a manager or an admin.")
        return REOPENED
    raise Forbidden("Only the worker (while submitted), managers and admins may reopen a timesheet.")


def frozen(state: str, worker_id: str, period: str) -> Conflict:
    """The 409 a write into a submitted or approved period gets."""
    return Conflict(
        f"The timesheet of {worker_id} for {period} is {state}; its entries cannot be created, changed or deleted "
        "until it is rejected or reopened (or by a caller with the worklog:lock-override privilege).",
        code="PERIOD_APPROVED" if state == APPROVED else "PERIOD_SUBMITTED",
        details=[{"workerId": worker_id, "period": period, "state": state}],
    )
