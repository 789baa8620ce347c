"""Timer use cases: read, start, pause, resume, discard, stop (which writes the worklog)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from worklogs.auth import Caller, Role
from worklogs.core.writes import (
    ATTEMPTS,
    commit_changes,
    overlap_warnings,
    type_checks,
    with_current_settings,
)
from worklogs.domain import lifecycle
from worklogs.domain import timer as timer_rules
from worklogs.domain.durations import to_utc
from worklogs.domain.settings import WorkspaceSettings
from worklogs.errors import Conflict
from worklogs.models import Warning, Worklog
from worklogs.repository import ledger
from worklogs.repository import settings as settings_store
from worklogs.repository import timers as timer_store
from worklogs.repository import worklogs as worklog_store
from worklogs.repository.timers import TimerChanged, TimerConditionFailed, TimerExists
from worklogs.repository.worklogs import WorklogChange
from worklogs.timer.models import TimerStart, TimerStop, TimerStopResult

# --- timer -----------------------------------------------------------------------------------------------


@dataclass
class TimerStopped:
    result: TimerStopResult
    replayed: bool = False


@dataclass
class TimerStartedOutcome:
    timer: timer_rules.TimerState
    stopped: TimerStopResult | None = None


def get_timer(workspace_id: str, caller: Caller) -> timer_rules.TimerState:
    timer_rules.require_timer_access(caller, workspace_id)
    found = timer_store.get(workspace_id, caller.sub)
    if found is None:
        raise timer_rules.not_found()
    return found


def _timer_overlap_warnings(
    settings: WorkspaceSettings, worklogs: list[Worklog]
) -> tuple[list[Warning], dict[ledger.WorkerDay, int]]:
    """The runs are checked together, like one change (see `overlap_warnings`)."""
    return overlap_warnings(settings, worklogs, {w.id for w in worklogs})


def _stop_changes(plan: timer_rules.StopPlan) -> list[WorklogChange]:
    ids = [worklog.id for worklog in plan.worklogs]
    return [
        WorklogChange(worklog, None, "timer-stop", [], [other for other in ids if other != worklog.id])
        for worklog in plan.worklogs
    ]


def _checked_stop(
    timer: timer_rules.TimerState,
    caller: Caller,
    role: Role,
    settings: WorkspaceSettings,
    request: TimerStop,
    now: datetime,
) -> tuple[timer_rules.StopPlan, list[Warning], dict[ledger.WorkerDay, int]]:
    plan = timer_rules.plan_stop(
        timer,
        caller=caller,
        role=role,
        settings=settings,
        request=request,
        now=now,
        new_id=lambda: str(uuid.uuid4()),
    )
    lifecycle.check_period_lock(settings, caller, *(lifecycle.window_of(w) for w in plan.worklogs))
    warnings, guards = _timer_overlap_warnings(settings, plan.worklogs)
    return plan, [*plan.warnings, *warnings], guards


def _stop_type_checks(
    plan: timer_rules.StopPlan, caller: Caller, settings: WorkspaceSettings, now: datetime
) -> list[dict]:
    """The runs' worklogs are checked against their worklog type like any new worklog."""
    checks: list[dict] = []
    for worklog in plan.worklogs[:1]:  # every run has the same type and data
        checks = type_checks(settings, caller, worklog.worklogTypeCode, worklog.data, now=now, check_validity=True)
    return checks


def _stop_result(plan: timer_rules.StopPlan, warnings: list[Warning]) -> TimerStopResult:
    return TimerStopResult(
        timerId=plan.timer.id,
        stoppedAt=plan.stopped_at,
        worklogs=plan.worklogs,
        skippedSegments=plan.skipped,
        warnings=warnings,
    )


def _replay(workspace_id: str, receipt: timer_rules.StopReceipt) -> TimerStopped:
    """What the first stop wrote, as the worklogs are now (one BatchGetItem; none when it logged nothing)."""
    found = worklog_store.get_many(workspace_id, receipt.worklogIds) if receipt.worklogIds else {}
    result = TimerStopResult(
        timerId=receipt.timerId,
        stoppedAt=receipt.stoppedAt,
        worklogs=[found[worklog_id] for worklog_id in receipt.worklogIds if worklog_id in found],
        skippedSegments=receipt.skippedSegments,
        warnings=receipt.warnings,
    )
    return TimerStopped(result, replayed=True)


def start_timer(
    workspace_id: str, caller: Caller, request: TimerStart, *, replace: bool, now: datetime
) -> TimerStartedOutcome:
    """One conditional PutItem; with `replace`, the running timer is stopped (its worklogs written) and the
    new one put in its place in one transaction."""
    role = caller.require_collection_access(workspace_id, Role.MEMBER)
    fresh = timer_rules.new_timer(
        workspace_id=workspace_id, caller=caller, request=request, timer_id=str(uuid.uuid4()), now=now
    )
    # An unknown, invalid or privileged type, or data its form refuses, is refused now rather than at stop.
    type_checks(
        settings_store.get(workspace_id), caller, fresh.worklogTypeCode, fresh.data, now=now, check_validity=True
    )
    if not replace:
        for _ in range(ATTEMPTS):
            try:
                timer_store.create(fresh)
                return TimerStartedOutcome(fresh)
            except TimerExists as exists:
                raise timer_rules.already_running(exists.current, now) from None
            except TimerChanged:
                continue  # the other timer was stopped between the check and the answer: try again
        raise Conflict("The timer is changing; retry.", code="TIMER_CHANGING")

    def attempt(settings: WorkspaceSettings) -> TimerStartedOutcome:
        for _ in range(ATTEMPTS):
            running = timer_store.get(workspace_id, caller.sub)
            if running is None:
                try:
                    timer_store.create(fresh)
                    return TimerStartedOutcome(fresh)
                except (TimerExists, TimerChanged):
                    continue
            plan, warnings, guards = _checked_stop(running, caller, role, settings, TimerStop(), now)
            try:
                commit_changes(
                    caller,
                    _stop_changes(plan),
                    settings,
                    _stop_type_checks(plan, caller, settings, now),
                    extra=timer_store.stop_writes(running, plan.receipt(), replacement=fresh),
                    ledger_versions=guards,
                )
            except TimerChanged:
                continue
            return TimerStartedOutcome(fresh, _stop_result(plan, warnings))
        raise Conflict("The timer is changing; retry.", code="TIMER_CHANGING")

    return with_current_settings(workspace_id, attempt)


def pause_timer(
    workspace_id: str, caller: Caller, expected_version: int | None, now: datetime
) -> timer_rules.TimerState:
    timer_rules.require_timer_access(caller, workspace_id)
    try:
        return timer_store.pause(workspace_id, caller.sub, to_utc(now), expected_version)
    except TimerConditionFailed as failed:
        timer_rules.require_pausable(failed.current, expected_version)
        raise Conflict("The timer changed meanwhile; retry.", code="TIMER_CHANGING") from None


def resume_timer(
    workspace_id: str, caller: Caller, expected_version: int | None, now: datetime
) -> timer_rules.TimerState:
    timer_rules.require_timer_access(caller, workspace_id)
    try:
        return timer_store.resume(workspace_id, caller.sub, to_utc(now), expected_version)
    except TimerConditionFailed as failed:
        timer_rules.require_resumable(failed.current, expected_version)
        raise Conflict("The timer changed meanwhile; retry.", code="TIMER_CHANGING") from None


def discard_timer(workspace_id: str, caller: Caller, expected_version: int | None) -> timer_rules.TimerState:
    timer_rules.require_timer_access(caller, workspace_id)
    try:
        return timer_store.discard(workspace_id, caller.sub, expected_version)
    except TimerConditionFailed as failed:
        if failed.current is None:
            raise timer_rules.not_found() from None
        timer_rules.check_version(failed.current, expected_version)
        raise Conflict("The timer changed meanwhile; retry.", code="TIMER_CHANGING") from None


def stop_timer(
    workspace_id: str, caller: Caller, request: TimerStop, expected_version: int | None, now: datetime
) -> TimerStopped:
    """Write one worklog per run and delete the timer in one transaction, with a receipt under the timer's
    id. A stop that names an already stopped timer (or loses a race to another stop) returns the receipt's
    worklogs and writes nothing."""
    role = timer_rules.require_timer_access(caller, workspace_id)

    def attempt(settings: WorkspaceSettings) -> TimerStopped:
        named = str(request.timerId) if request.timerId is not None else None
        for _ in range(ATTEMPTS):
            if named is None:
                timer, receipt = timer_store.get(workspace_id, caller.sub), None
            else:
                timer, receipt = timer_store.get_with_receipt(workspace_id, caller.sub, named)
            if timer is None or (named is not None and timer.id != named):
                if receipt is not None:
                    return _replay(workspace_id, receipt)
                if timer is None:
                    raise timer_rules.not_found()
                raise Conflict(
                    f"Timer {named} is not running; your running timer is {timer.id}.",
                    code="TIMER_MISMATCH",
                    details=[{"timerId": timer.id}],
                )
            timer_rules.check_version(timer, expected_version)
            plan, warnings, guards = _checked_stop(timer, caller, role, settings, request, now)
            try:
                commit_changes(
                    caller,
                    _stop_changes(plan),
                    settings,
                    _stop_type_checks(plan, caller, settings, now),
                    extra=timer_store.stop_writes(timer, plan.receipt()),
                    ledger_versions=guards,
                )
            except TimerChanged:
                named = timer.id  # paused, resumed or stopped meanwhile: look again, receipt included
                continue
            return TimerStopped(_stop_result(plan, warnings))
        raise Conflict("The timer is changing; retry.", code="TIMER_CHANGING")

    return with_current_settings(workspace_id, attempt)
