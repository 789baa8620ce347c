"""Approval use cases: submit, approve, reject, reopen, read, list; and the two hooks other capabilities
call: `freeze_guards` (every worklog write) and `day_states` (the console)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from worklogs.approvals import rules
from worklogs.approvals.models import (
    Approval,
    ApprovalEvent,
    ApprovalPage,
    ApprovalState,
    ApprovalSubmit,
    ApprovalTotals,
)
from worklogs.auth import Caller, Role
from worklogs.core.store_errors import cursor_signing_key
from worklogs.domain import accounting, rollup
from worklogs.domain.cursor import decode_cursor, encode_cursor, filter_fingerprint
from worklogs.domain.durations import audit_stamp
from worklogs.domain.settings import LOCK_OVERRIDE_PRIVILEGE, WorkspaceSettings
from worklogs.domain.worklogs import caller_ref
from worklogs.errors import Conflict, NotFound, PreconditionFailed, ValidationFailed, conflicts_as_version_mismatch
from worklogs.models import Worklog, first_day
from worklogs.repository import approvals as approval_store
from worklogs.repository import ledger
from worklogs.repository import settings as settings_store
from worklogs.repository.errors import LedgerMoved
from worklogs.repository.worklogs import ExtraWrite, WorklogChange

_SUBMIT_ATTEMPTS = 5
_STATE_PRECEDENCE: tuple[ApprovalState, ...] = (rules.APPROVED, rules.SUBMITTED, rules.REJECTED, rules.REOPENED)


def approval_path(workspace_id: str, approval_id: str) -> str:
    return f"/v1/workspaces/{workspace_id}/approvals/{approval_id}"


def period_totals(
    worklogs: list[Worklog], first: date, last: date, settings: WorkspaceSettings, now: datetime
) -> rollup.Totals:
    """The period's figures as reports compute them: exact day totals, summed as week and month rows are.
    (The one place approvals depend on the accounting rule.)"""
    day_rows = []
    day = first
    while day <= last:
        totals = rollup.day_totals(worklogs, day, settings)
        day_rows += rollup.rows_for(settings.workspaceId, "day", day.isoformat(), totals, settings, now)
        day += timedelta(days=1)
    return rollup.period_totals(day_rows).get(("total", ()), rollup.Totals())


@dataclass(frozen=True)
class _Snapshot:
    totals: ApprovalTotals
    days: dict[date, int]  # UTC day → the ledger version read


def _snapshot(
    workspace_id: str, worker_id: str, span: rules.PeriodSpan, settings: WorkspaceSettings, now: datetime
) -> _Snapshot:
    start, end = _instants(span.first, span.last, settings)
    # The day ledger, read consistently: a write acknowledged before this read is in the snapshot.
    days = ledger.utc_days(start, end)
    read = ledger.worker_days(workspace_id, [(worker_id, day) for day in days])
    worklogs = [entry for entry in read.entries if entry.endDate > start and entry.startDate < end]
    totals = period_totals(worklogs, span.first, span.last, settings, now)
    return _Snapshot(
        ApprovalTotals(
            minutes=totals.minutes,
            billableMinutes=totals.billable_minutes,
            roundedMinutes=totals.rounded_minutes,
            amount=str(totals.amount.quantize(accounting.CENT)),
            currency=settings.currency,
            entryCount=totals.entry_count,
        ),
        {day: read.versions[(worker_id, day)] for day in days},
    )


def _instants(first: date, last: date, settings: WorkspaceSettings) -> tuple[datetime, datetime]:
    """The period's local days [first, last] as the instants [start, end)."""
    return rollup.local_day_bounds(first, settings.tz)[0], rollup.local_day_bounds(last, settings.tz)[1]


def _marked_days(workspace_id: str, approval: Approval) -> dict[date, int]:
    """The UTC days whose marks the approval set, as its submission stored them (versions are not needed to
    remove marks). An approval stored before the days were kept: its period's days in the current zone."""
    if approval.marked_days is not None:
        return dict.fromkeys(approval.marked_days, 0)
    start, end = _instants(approval.from_, approval.to, settings_store.get(workspace_id))
    return dict.fromkeys(ledger.utc_days(start, end), 0)


def submit(workspace_id: str, caller: Caller, request: ApprovalSubmit, now: datetime) -> Approval:
    """Submit a worker's week or month: snapshot its totals and freeze its entries, in one transaction that
    fails (and is read again) if any of the period's days changed since the snapshot. A rejected or reopened
    period may be submitted again (same approval, next version)."""
    role = caller.require_collection_access(workspace_id, Role.VIEWER)
    worker_id = caller.sub if request.workerId == "me" else request.workerId
    rules.require_can_submit(caller, role, worker_id)
    settings = settings_store.get(workspace_id)
    span = rules.parse_period(request.period, settings.weekStart)
    approval_id = rules.approval_id(workspace_id, worker_id, span.label)
    existing = approval_store.get(workspace_id, approval_id)
    rules.require_resubmittable(existing.state if existing else None)
    stamp = audit_stamp(now)
    version = existing.version + 1 if existing else 1
    for _attempt in range(_SUBMIT_ATTEMPTS):
        snapshot = _snapshot(workspace_id, worker_id, span, settings, now)
        approval = Approval(
            id=approval_id,
            workspaceId=workspace_id,
            workerId=worker_id,
            period=span.label,
            **first_day(span.first),
            to=span.last,
            state=rules.SUBMITTED,
            submittedAt=stamp,
            submittedBy=caller_ref(caller),
            totals=snapshot.totals,
            history=[
                *(existing.history if existing else []),
                ApprovalEvent(action=rules.SUBMITTED, at=stamp, by=caller_ref(caller), version=version),
            ],
            version=version,
            self=approval_path(workspace_id, approval_id),
        )
        try:
            _save(approval, existing.version if existing else None, days=snapshot.days)
            return approval
        except LedgerMoved:
            continue  # a write landed in the period after the snapshot: snapshot again
    raise Conflict("The worker's entries in this period keep changing; submit again.", code="APPROVAL_CHANGING")


def _save(
    approval: Approval, expected_version: int | None, *, days: Mapping[date, int] | None = None, freeze: bool = True
) -> None:
    with conflicts_as_version_mismatch("The approval changed meanwhile; read it again and retry."):
        approval_store.save(approval, expected_version, days=days, freeze=freeze)


def _visible(workspace_id: str, caller: Caller, approval_id: str) -> tuple[Approval, Role]:
    role = caller.require_entity_access(workspace_id, Role.VIEWER)
    found = approval_store.get(workspace_id, approval_id) if len(approval_id) <= 64 else None
    if found is None:
        raise NotFound("Approval not found.")
    return found, role


def get(workspace_id: str, caller: Caller, approval_id: str) -> Approval:
    return _visible(workspace_id, caller, approval_id)[0]


def transition(
    workspace_id: str,
    caller: Caller,
    approval_id: str,
    action: str,
    comment: str | None,
    expected_version: int | None,
    now: datetime,
) -> Approval:
    """approve | reject | reopen: checked against the version the caller read, audited in `history`."""
    existing, role = _visible(workspace_id, caller, approval_id)
    state = rules.next_state(action, existing.state, caller, role, existing.workerId)
    if expected_version is not None and expected_version != existing.version:
        raise PreconditionFailed(
            f"The current version of the approval is {existing.version}, not {expected_version}; read it again.",
            code="VERSION_MISMATCH",
            details=[{"approvalId": existing.id, "currentVersion": existing.version}],
        )
    stamp = audit_stamp(now)
    version = existing.version + 1
    event = ApprovalEvent(action=state, at=stamp, by=caller_ref(caller), comment=comment or None, version=version)
    updated = existing.model_copy(
        update={
            "state": state,
            "decidedAt": stamp,
            "decidedBy": caller_ref(caller),
            "comment": comment or None,
            "history": [*existing.history, event],
            "version": version,
        }
    )
    unfreezes = existing.state in rules.FROZEN_STATES and state not in rules.FROZEN_STATES
    if unfreezes:  # rejected or reopened: its days lose this approval's freeze marks in the same transaction
        _save(updated, existing.version, days=_marked_days(workspace_id, existing), freeze=False)
    else:
        _save(updated, existing.version)
    return updated


def list_approvals(
    workspace_id: str,
    caller: Caller,
    *,
    state: str | None,
    worker_id: str | None,
    period: str | None,
    limit: int,
    cursor: str | None,
) -> ApprovalPage:
    caller.require_collection_access(workspace_id, Role.VIEWER)
    worker = caller.sub if worker_id == "me" else worker_id
    binding = filter_fingerprint(workspace_id, {"approvals": [state, worker, period]})
    key = cursor_signing_key()
    after = decode_cursor(cursor, binding=binding, key=key).get("after") if cursor else None
    items, last = approval_store.query(
        workspace_id, state=state, worker_id=worker, period=period, limit=limit, after=str(after) if after else None
    )
    next_cursor = encode_cursor({"after": last}, binding=binding, key=key) if last else None
    return ApprovalPage(items=items, nextCursor=next_cursor)


# --- hooks ------------------------------------------------------------------------------------------------


def freeze_guards(caller: Caller, changes: Iterable[WorklogChange], settings: WorkspaceSettings) -> list[ExtraWrite]:
    """One ConditionCheck per (worker, week or month) a write touches, before or after the change: the write
    fails with 409 PERIOD_SUBMITTED / PERIOD_APPROVED if any is frozen. Lock-override holders pass."""
    if caller.has_privilege(LOCK_OVERRIDE_PRIVILEGE):
        return []
    touched: dict[tuple[str, str], None] = {}
    for change in changes:
        for worklog in (change.worklog, change.previous):
            if worklog is None:
                continue
            for day in accounting.dirty_days(worklog.startDate, worklog.endDate, settings.tz):
                for period in rules.periods_of_day(day, settings.weekStart):
                    touched[(worklog.workerId, period)] = None
    return [_freeze_guard(settings.workspaceId, worker, period) for worker, period in touched]


def _freeze_guard(workspace_id: str, worker_id: str, period: str) -> ExtraWrite:
    def refused(state: str | None) -> Exception:
        if state is not None and state in rules.FROZEN_STATES:
            return rules.frozen(state, worker_id, period)
        return Conflict("The timesheet of this period is changing; retry.", code="APPROVAL_CHANGING")

    approval_id = rules.approval_id(workspace_id, worker_id, period)
    return approval_store.freeze_guard(workspace_id, approval_id, rules.FROZEN_STATES, refused)


def day_state_ids(workspace_id: str, worker_id: str, days: list[date], settings: WorkspaceSettings) -> list[str]:
    """The ids of the worker's approvals that can hold the days: their weeks and months."""
    wanted = {p for day in days for p in rules.periods_of_day(day, settings.weekStart)}
    return sorted(rules.approval_id(workspace_id, worker_id, p) for p in wanted)


def day_states(
    workspace_id: str, worker_id: str, days: list[date], settings: WorkspaceSettings
) -> dict[date, ApprovalState]:
    """Each day's approval state (approved > submitted > rejected > reopened) from the weeks and months
    holding it: one BatchGetItem."""
    found = approval_store.get_many(workspace_id, day_state_ids(workspace_id, worker_id, days, settings))
    return states_of_days(found, workspace_id, worker_id, days, settings)


def states_of_days(
    approvals: list[Approval], workspace_id: str, worker_id: str, days: list[date], settings: WorkspaceSettings
) -> dict[date, ApprovalState]:
    """Each day's approval state from the approvals read (`day_state_ids`): approved > submitted > rejected >
    reopened among the week and the month holding it."""
    periods = {day: rules.periods_of_day(day, settings.weekStart) for day in days}
    ids = {rules.approval_id(workspace_id, worker_id, p): p for pair in periods.values() for p in pair}
    states = {ids[a.id]: a.state for a in approvals if a.id in ids}
    found: dict[date, ApprovalState] = {}
    for day, pair in periods.items():
        present = [states[p] for p in pair if p in states]
        for state in _STATE_PRECEDENCE:
            if state in present:
                found[day] = state
                break
    return found


def approved_rows(
    workspace_id: str, group_by: str, granularity: str, rows: list[dict[str, Any]], settings: WorkspaceSettings
) -> list[dict[str, Any]]:
    """The report rows whose every day lies in an approved timesheet of the row's worker (one BatchGetItem
    per worker). Only rows that name a worker can be matched to timesheets."""
    if group_by not in ("worker", "worker-owner"):
        raise ValidationFailed(
            "approval=approved needs groupBy=worker or groupBy=worker-owner: timesheets are per worker.",
            details=[{"loc": ["query", "approval"], "msg": "Needs a worker dimension.", "type": "approval_filter"}],
        )
    days_of: dict[str, set[date]] = {}
    spans: list[tuple[dict[str, Any], list[date]]] = []
    for row in rows:
        first, end = rollup.period_days(granularity, row["period"])
        days = [first + timedelta(days=n) for n in range((end - first).days)]
        spans.append((row, days))
        days_of.setdefault(str(row["workerId"]), set()).update(days)
    approved: dict[str, set[date]] = {}
    for worker, worker_days in days_of.items():
        states = day_states(workspace_id, worker, sorted(worker_days), settings)
        approved[worker] = {day for day, state in states.items() if state == rules.APPROVED}
    return [row for row, days in spans if set(days) <= approved[str(row["workerId"])]]
