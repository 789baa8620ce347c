"""One function per API operation: load what it needs, check it with the domain rules, commit it in one
transaction. Handlers call these; only the repository talks to DynamoDB."""

from __future__ import annotations

import math
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from worklogs import reroll  # re-roll hook (put_settings, roll_up_dirty_days, report_totals)
from worklogs.approvals import service as approvals
from worklogs.auth import Caller, Role
from worklogs.domain import accounting, lifecycle, periods, rollup
from worklogs.domain import timer as timer_rules
from worklogs.domain import types as type_rules
from worklogs.domain.cursor import decode_cursor, encode_cursor, filter_fingerprint
from worklogs.domain.durations import audit_stamp, format_utc, to_utc
from worklogs.domain.settings import SettingsInput, WorkspaceSettings
from worklogs.domain.worklogs import caller_ref, is_worklog_id, new_worklog, validate_data
from worklogs.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from worklogs.models import (
    AuditInfo,
    Console,
    ConsolePeriod,
    DayTotals,
    LinkCreate,
    TimerStart,
    TimerStop,
    TimerStopResult,
    Totals,
    Warning,
    WeekTotals,
    Worklog,
    WorklogCreate,
    WorklogPatch,
    WorklogType,
    WorklogTypeInput,
)
from worklogs.rates import service as rates
from worklogs.repository import ledger
from worklogs.repository import rollups as rollup_store
from worklogs.repository import settings as settings_store
from worklogs.repository import timers as timer_store
from worklogs.repository import types as types_store
from worklogs.repository import worklogs as worklog_store
from worklogs.repository.secrets import cursor_signing_key
from worklogs.repository.timers import TimerChanged, TimerConditionFailed, TimerExists
from worklogs.repository.worklogs import ExtraWrite, LedgerChanged, SettingsChanged, WorklogChange

T = TypeVar("T")
_ATTEMPTS = 3
_LEDGER_RACES = 16  # concurrent writes for one worker and day: each round lets at least one through


@dataclass
class Written:
    worklogs: list[Worklog]
    warnings: list[Warning] = field(default_factory=list)


def _with_current_settings(workspace_id: str, operation: Callable[[WorkspaceSettings], T]) -> T:
    """Run `operation` against the cached settings; if they changed before the commit, run it again
    against fresh ones (the commit's ConditionCheck on the settings version detects it)."""
    races = 0
    for attempt in range(_ATTEMPTS):
        current = settings_store.get(workspace_id) if attempt == 0 else settings_store.load(workspace_id)
        while True:
            try:
                return operation(current)
            except LedgerChanged:
                # The same worker's day changed between the overlap check and the commit: check again.
                races += 1
                if races > _LEDGER_RACES:
                    raise Conflict("This worker's entries are changing; retry.", code="CONCURRENT_CHANGE") from None
                time.sleep(random.uniform(0.005, 0.02) * races)  # noqa: S311 - jitter, not security
            except SettingsChanged:
                break
    raise PreconditionFailed("Workspace settings are changing; retry.", code="SETTINGS_CHANGING")


def _commit(
    caller: Caller,
    changes: list[WorklogChange],
    settings: WorkspaceSettings,
    checks: Sequence[dict[str, Any]] = (),
    extra: Sequence[ExtraWrite] = (),
    ledger_versions: Mapping[ledger.WorkerDay, int] | None = None,
) -> None:
    """Every worklog write goes through here: one transaction, with each worklog's rate snapshot, guarded so
    that it cannot land in a submitted or approved timesheet period."""
    rate_guards = rates.snapshot(changes, settings)
    frozen_guards = approvals.freeze_guards(caller, changes, settings)
    worklog_store.commit(
        changes, settings, checks, extra=[*extra, *rate_guards, *frozen_guards], ledger_versions=ledger_versions
    )


def _overlap_warnings(
    settings: WorkspaceSettings, worklogs: list[Worklog], exclude_ids: set[str]
) -> tuple[list[Warning], dict[ledger.WorkerDay, int]]:
    """The worker's live entries overlapping the changed ones, read consistently from the day ledger (one
    GetItem per UTC day; none under the `allow` policy). Under `reject`, also the ledger versions read,
    which the commit is conditioned on: a write for the same worker and day committed meanwhile makes it
    fail, and the check runs again."""
    if settings.overlapPolicy == "allow":
        return [], {}
    live = [worklog for worklog in worklogs if worklog.deletedAt is None]
    places = {(w.workerId, day) for w in live for day in ledger.utc_days(w.startDate, w.endDate)}
    found = ledger.worker_days(settings.workspaceId, places)
    overlapping = {
        other.id: other
        for other in found.entries
        if other.id not in exclude_ids
        and any(
            other.workerId == w.workerId and other.startDate < w.endDate and other.endDate > w.startDate for w in live
        )
    }
    warnings = lifecycle.overlap_outcome(settings, sorted(overlapping.values(), key=lambda w: (w.startDate, w.id)))
    return warnings, found.versions if settings.overlapPolicy == "reject" else {}


def _type_checks(
    settings: WorkspaceSettings,
    caller: Caller,
    code: str | None,
    data: dict,
    *,
    now: datetime,
    check_validity: bool,
) -> list[dict]:
    """The worklog type must exist, be visible to the caller, be valid today (when newly chosen), and
    `data` must satisfy its form. Returns the transaction check that the type did not change meanwhile."""
    if code is None:
        return []
    worklog_type = types_store.find(settings.workspaceId, code)
    where = {"loc": ["body", "worklogTypeCode"], "type": "worklog_type"}
    if worklog_type is None or not type_rules.visible_to(worklog_type, caller):
        raise ValidationFailed(f"Unknown worklog type '{code}'.", details=[{**where, "msg": "Unknown type."}])
    today = now.astimezone(settings.tz).date()
    if check_validity and not type_rules.is_valid(worklog_type, today):
        raise ValidationFailed(
            f"Worklog type '{code}' is not valid on {today} (valid {worklog_type.validityFrom or '…'} to "
            f"{worklog_type.validityTo or '…'}).",
            details=[{**where, "msg": "Out of validity."}],
        )
    if worklog_type.form:
        problems = type_rules.form_problems(worklog_type.form, data)
        if problems:
            raise ValidationFailed(f"`data` does not match the form of worklog type '{code}'.", details=problems)
    return [types_store.guard(worklog_type, settings.workspaceId)]


def _visible(workspace_id: str, worklog_id: str, *, include_deleted: bool = False) -> Worklog:
    worklog = worklog_store.get(workspace_id, worklog_id) if is_worklog_id(worklog_id) else None
    if worklog is None or (worklog.deletedAt is not None and not include_deleted):
        raise NotFound("Worklog not found.")
    return worklog


def raise_if_match_required(what: str) -> None:
    raise PreconditionRequired(
        f'Replacing saved {what} needs If-Match: "<version>" with the version you read (the ETag of your GET), '
        "or If-Match: * to replace whatever is stored. PATCH changes only the fields you send.",
        code="PRECONDITION_REQUIRED",
    )


def _expect_version(current: int, expected: int | None, what: str, **details: object) -> None:
    """An If-Match that was sent must name the current version (412 with it in the details otherwise)."""
    if expected is not None and expected != current:
        raise PreconditionFailed(
            f"The current version of the {what} is {current}, not {expected}; read it again and retry.",
            code="VERSION_MISMATCH",
            details=[{**details, "currentVersion": current}],
        )


def require_type_privilege(workspace_id: str, caller: Caller, worklogs: list[Worklog]) -> None:
    """The one privilege check for every change that makes or keeps an entry of a privileged worklog type
    (edit, split, merge, restore, links; create and the timer check it with the type itself): without the
    type's privilege the entry cannot be changed, whatever field the change touches."""
    for code in sorted({w.worklogTypeCode for w in worklogs if w.worklogTypeCode}):
        worklog_type = types_store.find(workspace_id, code)
        if worklog_type is not None and not type_rules.visible_to(worklog_type, caller):
            raise Forbidden(
                f"Worklogs of type '{code}' need the {worklog_type.privilege} privilege to be changed.",
                code="PRIVILEGE_REQUIRED",
                details=[{"worklogTypeCode": code, "privilege": worklog_type.privilege}],
            )


def _load_for_change(
    workspace_id: str,
    worklog_id: str,
    caller: Caller,
    role: Role,
    expected_version: int | None,
    *,
    include_deleted: bool = False,
    keeps_entry: bool = True,
) -> Worklog:
    """The worklog a change applies to: visible, the caller may change it (and holds its type's privilege
    when the change keeps the entry), and If-Match (if sent) holds."""
    existing = _visible(workspace_id, worklog_id, include_deleted=include_deleted)
    lifecycle.require_can_modify(caller, role, existing)
    if keeps_entry:
        require_type_privilege(workspace_id, caller, [existing])
    _expect_version(existing.version, expected_version, "worklog", worklogId=existing.id)
    return existing


def create_worklog(workspace_id: str, caller: Caller, role: Role, request: WorklogCreate, now: datetime) -> Written:
    validate_data(request.data)
    worklog_id = str(uuid.uuid4())

    def attempt(settings: WorkspaceSettings) -> Written:
        created = new_worklog(
            workspace_id=workspace_id,
            request=request,
            caller=caller,
            role=role,
            worklog_id=worklog_id,
            now=now,
            hours_per_day=settings.hoursPerDay,
            days_per_week=settings.daysPerWeek,
            max_entry_hours=settings.maxEntryHours,
        )
        checks = _type_checks(settings, caller, created.worklogTypeCode, created.data, now=now, check_validity=True)
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(created))
        warnings, guards = _overlap_warnings(settings, [created], {created.id})
        _commit(caller, [WorklogChange(created, None, "create")], settings, checks, ledger_versions=guards)
        return Written([created], warnings)

    return _with_current_settings(workspace_id, attempt)


def edit_worklog(
    workspace_id: str,
    worklog_id: str,
    caller: Caller,
    role: Role,
    patch: WorklogPatch,
    expected_version: int,
    now: datetime,
) -> Written:
    def attempt(settings: WorkspaceSettings) -> Written:
        existing = _load_for_change(workspace_id, worklog_id, caller, role, expected_version)
        updated, changed = lifecycle.apply_patch(existing, patch, caller=caller, role=role, settings=settings, now=now)
        if not changed:
            return Written([existing])
        checks = []
        if {"worklogTypeCode", "data"} & set(changed):
            checks = _type_checks(
                settings,
                caller,
                updated.worklogTypeCode,
                updated.data,
                now=now,
                check_validity="worklogTypeCode" in changed,
            )
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(existing), lifecycle.window_of(updated))
        warnings, guards = _overlap_warnings(settings, [updated], {updated.id})
        _commit(
            caller,
            [WorklogChange(updated, existing.version, "edit", changed, previous=existing)],
            settings,
            checks,
            ledger_versions=guards,
        )
        return Written([updated], warnings)

    return _with_current_settings(workspace_id, attempt)


def delete_worklog(
    workspace_id: str, worklog_id: str, caller: Caller, role: Role, expected_version: int | None, now: datetime
) -> Written:
    def attempt(settings: WorkspaceSettings) -> Written:
        existing = _load_for_change(workspace_id, worklog_id, caller, role, expected_version, keeps_entry=False)
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(existing))
        deleted = lifecycle.soft_delete(existing, caller=caller, now=now)
        _commit(
            caller, [WorklogChange(deleted, existing.version, "delete", ["deletedAt"], previous=existing)], settings
        )
        return Written([deleted])

    return _with_current_settings(workspace_id, attempt)


def restore_worklog(
    workspace_id: str, worklog_id: str, caller: Caller, role: Role, expected_version: int | None, now: datetime
) -> Written:
    def attempt(settings: WorkspaceSettings) -> Written:
        existing = _load_for_change(workspace_id, worklog_id, caller, role, expected_version, include_deleted=True)
        restored = lifecycle.restore(existing, caller=caller, now=now)
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(restored))
        warnings, guards = _overlap_warnings(settings, [restored], {restored.id})
        _commit(
            caller,
            [WorklogChange(restored, existing.version, "restore", ["deletedAt"], previous=existing)],
            settings,
            ledger_versions=guards,
        )
        return Written([restored], warnings)

    return _with_current_settings(workspace_id, attempt)


def split_worklog(
    workspace_id: str,
    worklog_id: str,
    caller: Caller,
    role: Role,
    at: datetime,
    expected_version: int | None,
    now: datetime,
) -> Written:
    new_id = str(uuid.uuid4())

    def attempt(settings: WorkspaceSettings) -> Written:
        existing = _load_for_change(workspace_id, worklog_id, caller, role, expected_version)
        first, second = lifecycle.split(
            existing,
            at,
            new_id=new_id,
            caller=caller,
            now=now,
            link_ids=[str(uuid.uuid4()) for _ in existing.links],
        )
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(existing))
        warnings, guards = _overlap_warnings(settings, [first, second], {first.id, second.id})
        _commit(
            caller,
            [
                WorklogChange(first, existing.version, "split", ["endDate"], [second.id], previous=existing),
                WorklogChange(second, None, "split", [], [first.id]),
            ],
            settings,
            ledger_versions=guards,
        )
        return Written([first, second], warnings)

    return _with_current_settings(workspace_id, attempt)


def merge_worklogs(
    workspace_id: str, caller: Caller, role: Role, ids: list[str], allow_gaps: bool, now: datetime
) -> Written:
    if len(set(ids)) != len(ids):
        raise ValidationFailed(
            "Each id may appear once.", details=[{"loc": ["body", "ids"], "msg": "Duplicate ids.", "type": "unique"}]
        )

    def attempt(settings: WorkspaceSettings) -> Written:
        valid = [worklog_id for worklog_id in ids if is_worklog_id(worklog_id)]
        found = worklog_store.get_many(workspace_id, valid) if valid else {}
        missing = [worklog_id for worklog_id in ids if worklog_id not in found]
        if missing:
            raise NotFound(f"Worklog(s) not found: {', '.join(missing)}.", details=[{"worklogIds": missing}])
        worklogs = [found[worklog_id] for worklog_id in ids]
        for worklog in worklogs:
            lifecycle.require_can_modify(caller, role, worklog)
        require_type_privilege(workspace_id, caller, worklogs)
        survivor, merged_away = lifecycle.merge(
            worklogs, allow_gaps=allow_gaps, caller=caller, settings=settings, now=now
        )
        lifecycle.check_period_lock(settings, caller, *(lifecycle.window_of(w) for w in worklogs))
        every_id = {w.id for w in worklogs}
        warnings, guards = _overlap_warnings(settings, [survivor], every_id)
        originals = {w.id: w for w in worklogs}
        merged_ids = [w.id for w in merged_away]
        changes = [
            WorklogChange(
                survivor,
                originals[survivor.id].version,
                "merge",
                ["startDate", "endDate", "description", "data"],
                merged_ids,
                previous=originals[survivor.id],
            )
        ]
        changes += [
            WorklogChange(
                w,
                originals[w.id].version,
                "merged-into",
                ["deletedAt", "mergedInto"],
                [survivor.id],
                previous=originals[w.id],
            )
            for w in merged_away
        ]
        _commit(caller, changes, settings, ledger_versions=guards)
        return Written([survivor, *merged_away], warnings)

    return _with_current_settings(workspace_id, attempt)


def put_settings(
    workspace_id: str,
    caller: Caller,
    request: SettingsInput,
    expected_version: int | None,
    now: datetime,
    *,
    require_match: bool = False,
) -> WorkspaceSettings:
    current = settings_store.load(workspace_id)
    # Hook (If-Match on replace): saved settings are replaced only over the version read, or `If-Match: *`.
    if require_match and expected_version is None and current.version > 0:
        raise_if_match_required("settings")
    _expect_version(current.version, expected_version, "settings")
    updated = WorkspaceSettings(
        **request.model_dump(),
        workspaceId=workspace_id,
        version=current.version + 1,
        updatedAt=audit_stamp(now),
        updatedBy=caller_ref(caller),
    )
    # Hook (re-roll): a change of timezone/weekStart/rounding/currency re-rolls the past (worklogs/reroll.py).
    reroll.save_settings(current, updated, now)
    return updated


def add_link(
    workspace_id: str,
    worklog_id: str,
    caller: Caller,
    role: Role,
    request: LinkCreate,
    expected_version: int | None,
    now: datetime,
) -> Written:
    link_id = str(uuid.uuid4())

    def attempt(settings: WorkspaceSettings) -> Written:
        existing = _load_for_change(workspace_id, worklog_id, caller, role, expected_version)
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(existing))
        linked = lifecycle.add_link(existing, request, link_id=link_id, caller=caller, now=now)
        _commit(
            caller, [WorklogChange(linked, existing.version, "link", ["links"], [link_id], previous=existing)], settings
        )
        return Written([linked])

    return _with_current_settings(workspace_id, attempt)


def delete_link(
    workspace_id: str,
    worklog_id: str,
    link_id: str,
    caller: Caller,
    role: Role,
    expected_version: int | None,
    now: datetime,
) -> Written:
    def attempt(settings: WorkspaceSettings) -> Written:
        existing = _load_for_change(workspace_id, worklog_id, caller, role, expected_version)
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(existing))
        unlinked = lifecycle.remove_link(existing, link_id, caller=caller, now=now)
        _commit(
            caller,
            [WorklogChange(unlinked, existing.version, "unlink", ["links"], [link_id], previous=existing)],
            settings,
        )
        return Written([unlinked])

    return _with_current_settings(workspace_id, attempt)


def _shown(worklog_type: WorklogType, settings: WorkspaceSettings, now: datetime, accept_language: str | None):
    valid = type_rules.is_valid(worklog_type, now.astimezone(settings.tz).date())
    return type_rules.localize(worklog_type.model_copy(update={"valid": valid}), accept_language)


def list_types(workspace_id: str, caller: Caller, accept_language: str | None, now: datetime) -> list[WorklogType]:
    settings = settings_store.get(workspace_id)
    found = types_store.load_all(workspace_id)
    return [
        _shown(worklog_type, settings, now, accept_language)
        for code, worklog_type in sorted(found.items())
        if type_rules.visible_to(worklog_type, caller)
    ]


def get_type(workspace_id: str, code: str, caller: Caller, accept_language: str | None, now: datetime) -> WorklogType:
    worklog_type = types_store.load_all(workspace_id).get(code)
    if worklog_type is None or not type_rules.visible_to(worklog_type, caller):
        raise NotFound("Worklog type not found.")
    return _shown(worklog_type, settings_store.get(workspace_id), now, accept_language)


def put_type(
    workspace_id: str,
    code: str,
    caller: Caller,
    definition: WorklogTypeInput,
    expected_version: int | None,
    now: datetime,
    *,
    require_match: bool = False,
) -> tuple[WorklogType, bool]:
    """Create or replace a type; returns it and whether it was created."""
    type_rules.check_definition(definition)
    current = types_store.load_all(workspace_id).get(code)
    if current is not None and not type_rules.visible_to(current, caller):
        raise NotFound("Worklog type not found.")
    version = current.version if current else 0
    # Hook (If-Match on replace): an existing type is replaced only over the version read, or `If-Match: *`.
    if require_match and expected_version is None and current is not None:
        raise_if_match_required("worklog type")
    _expect_version(version, expected_version, "worklog type")
    me = caller_ref(caller)
    stamp = audit_stamp(now)
    audit = AuditInfo(
        createdAt=current.auditInfo.createdAt if current else stamp,
        createdBy=current.auditInfo.createdBy if current else me,
        updatedAt=stamp,
        updatedBy=me,
    )
    saved = WorklogType(**definition.model_dump(), code=code, valid=False, version=version + 1, auditInfo=audit)
    types_store.save(workspace_id, saved, version)
    return _shown(saved, settings_store.get(workspace_id), now, None), current is None


def delete_type(workspace_id: str, code: str, caller: Caller, expected_version: int | None) -> None:
    current = types_store.load_all(workspace_id).get(code)
    if current is None or not type_rules.visible_to(current, caller):
        raise NotFound("Worklog type not found.")
    _expect_version(current.version, expected_version, "worklog type")
    if types_store.in_use(workspace_id, code):
        raise Conflict(f"Worklogs use type '{code}'; set its validityTo instead of deleting it.", code="TYPE_IN_USE")
    types_store.delete(workspace_id, code, current.version)


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
    """The runs are checked together, like one change (see `_overlap_warnings`)."""
    return _overlap_warnings(settings, worklogs, {w.id for w in worklogs})


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
        checks = _type_checks(settings, caller, worklog.worklogTypeCode, worklog.data, now=now, check_validity=True)
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
    _type_checks(
        settings_store.get(workspace_id), caller, fresh.worklogTypeCode, fresh.data, now=now, check_validity=True
    )
    if not replace:
        for _ in range(_ATTEMPTS):
            try:
                timer_store.create(fresh)
                return TimerStartedOutcome(fresh)
            except TimerExists as exists:
                raise timer_rules.already_running(exists.current, now) from None
            except TimerChanged:
                continue  # the other timer was stopped between the check and the answer: try again
        raise Conflict("The timer is changing; retry.", code="TIMER_CHANGING")

    def attempt(settings: WorkspaceSettings) -> TimerStartedOutcome:
        for _ in range(_ATTEMPTS):
            running = timer_store.get(workspace_id, caller.sub)
            if running is None:
                try:
                    timer_store.create(fresh)
                    return TimerStartedOutcome(fresh)
                except (TimerExists, TimerChanged):
                    continue
            plan, warnings, guards = _checked_stop(running, caller, role, settings, TimerStop(), now)
            try:
                _commit(
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

    return _with_current_settings(workspace_id, attempt)


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
        for _ in range(_ATTEMPTS):
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
                _commit(
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

    return _with_current_settings(workspace_id, attempt)


# --- console ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsoleQuery:
    period: str = "week"
    first: date | None = None
    last: date | None = None
    anchor: date | None = None
    worker_id: str | None = None
    limit: int = 50
    cursor: str | None = None


def console(workspace_id: str, caller: Caller, query: ConsoleQuery, now: datetime) -> Console:
    """The worker's worklogs of the period (one Query on the worker timeline per MB), totals per day and
    week over the whole period, one page of items, and the caller's own timer (one GetItem)."""
    role = caller.require_collection_access(workspace_id, Role.VIEWER)
    worker_id = (query.worker_id or "").strip() or "me"
    worker_id = caller.sub if worker_id == "me" else worker_id
    if worker_id != caller.sub and role < Role.MANAGER:
        raise Forbidden("Only managers and admins may see another worker's console.")
    settings = settings_store.get(workspace_id)
    tz = settings.tz
    period = periods.resolve_period(
        query.period,
        today=query.anchor or periods.local_date(to_utc(now), tz),
        tz=tz,
        week_start=settings.weekStart,
        first=query.first,
        last=query.last,
    )
    worklogs = worklog_store.find_overlapping(
        workspace_id,
        worker_id,
        period.start,
        period.end,
        exclude_ids=set(),
    )
    worklogs.sort(key=lambda w: (w.startDate, w.id))
    totals = accounting.tally_period(worklogs, period, settings.rounding, settings.weekStart)

    binding = filter_fingerprint(
        workspace_id, {"console": worker_id, "start": format_utc(period.start), "end": format_utc(period.end)}
    )
    key = cursor_signing_key()
    after = decode_cursor(query.cursor, binding=binding, key=key).get("after") if query.cursor else None
    remaining = [w for w in worklogs if after is None or _position(w) > str(after)]
    page = remaining[: query.limit]
    next_cursor = (
        encode_cursor({"after": _position(page[-1])}, binding=binding, key=key)
        if len(remaining) > query.limit
        else None
    )
    timer = timer_store.get(workspace_id, caller.sub) if worker_id == caller.sub else None
    approval_states = approvals.day_states(workspace_id, worker_id, list(totals.days), settings)
    days = [
        DayTotals(date=day, approval=approval_states.get(day), **_figures(tally)) for day, tally in totals.days.items()
    ]
    weeks = []
    for week_start, tally in totals.weeks.items():
        inside = [day for day in totals.days if periods.week_start_of(day, settings.weekStart) == week_start]
        weeks.append(WeekTotals(weekStart=week_start, **{"from": inside[0]}, to=inside[-1], **_figures(tally)))
    return Console(
        workerId=worker_id,
        period=ConsolePeriod(
            period=period.kind,
            **{"from": period.first_day},
            to=period.last_day,
            timezone=settings.timezone,
            weekStart=settings.weekStart,
            start=period.start,
            end=period.end,
        ),
        rounding=settings.rounding,
        totals=Totals(**_figures(totals.total)),
        days=days,
        weeks=weeks,
        items=page,
        nextCursor=next_cursor,
        limit=query.limit,
        timer=timer_rules.view(timer, now) if timer is not None else None,
    )


def _position(worklog: Worklog) -> str:
    """Where a worklog sits in the period's list: its worker-timeline sort key (start, then id)."""
    return f"{format_utc(worklog.startDate)}#{worklog.id}"


def _figures(tally: accounting.Figures) -> dict[str, int]:
    return {
        "minutes": tally.minutes,
        "billableMinutes": tally.billable_minutes,
        "roundedMinutes": tally.rounded_minutes,
        "entryCount": len(tally.entry_ids),
    }


# Period rollups (docs/rollup-contract.md): drained from dirty-day markers, recomputed exactly.

ROLLUP_SETTLE_SECONDS = 5  # a burst of writes to one day is recomputed once (correctness does not depend on it)
ROLLUP_BATCH_DAYS = 25
MAX_STRONG_PENDING_DAYS = 31


@dataclass
class RollupRun:
    """What one run did; `complete` is False when it stopped early and left markers for the next run."""

    days_recomputed: int = 0
    periods_recomputed: int = 0
    markers_deleted: int = 0
    markers_rewritten: int = 0
    markers_left: int = 0
    oldest_marker_age_seconds: float = 0.0
    complete: bool = True


def day_rows(workspace_id: str, day: date, settings: WorkspaceSettings, now: datetime) -> list[dict[str, Any]]:
    """A local day's rows, exactly, from every live worklog overlapping it: the day ledger, read consistently
    (one paged Query per UTC day the local day spans), never an index."""
    start, end = rollup.local_day_bounds(day, settings.tz)
    worklogs = ledger.live_entries(workspace_id, start, end)
    return rollup.rows_for(
        workspace_id, "day", day.isoformat(), rollup.day_totals(worklogs, day, settings), settings, now
    )


def _period_rows_from_days(
    workspace_id: str, granularity: str, period: str, settings: WorkspaceSettings, now: datetime, days: list[dict]
) -> list[dict[str, Any]]:
    return rollup.rows_for(workspace_id, granularity, period, rollup.period_totals(days), settings, now)


def _stored_day_rows(workspace_id: str, granularity: str, period: str) -> list[dict[str, Any]]:
    first, end = rollup.period_days(granularity, period)
    return rollup_store.period_rows(workspace_id, "day", first.isoformat(), (end - timedelta(days=1)).isoformat())


def _roll_up_batch(markers: list[rollup_store.DirtyDay], now: datetime, run: RollupRun) -> None:
    """Days first, then the weeks and months holding them (from the stored day rows), then the markers:
    a crash anywhere leaves the markers, and the next run redoes the same work to the same result."""
    periods: set[tuple[str, str, str]] = set()
    loaded: dict[str, WorkspaceSettings] = {}
    for marker in markers:
        ws = marker.workspace_id
        settings = loaded.get(ws) or loaded.setdefault(ws, settings_store.load(ws))
        rows = day_rows(ws, marker.day, settings, now)
        rollup_store.replace_period_rows("day", marker.day.isoformat(), ws, rows)
        run.days_recomputed += 1
        periods.add((ws, "week", rollup.period_of("week", marker.day, settings.weekStart)))
        periods.add((ws, "month", rollup.period_of("month", marker.day, settings.weekStart)))
    for ws, granularity, period in sorted(periods):
        days = _stored_day_rows(ws, granularity, period)
        rows = _period_rows_from_days(ws, granularity, period, loaded[ws], now, days)
        rollup_store.replace_period_rows(granularity, period, ws, rows)
        run.periods_recomputed += 1
    for marker in markers:
        if rollup_store.delete_marker(marker):
            run.markers_deleted += 1
        else:
            run.markers_rewritten += 1  # changed meanwhile: the next run recomputes that day again


def roll_up_dirty_days(
    now: datetime,
    *,
    max_days: int = 500,
    time_left: Callable[[], float] = lambda: math.inf,
    reserve_seconds: float = 15.0,
    settle_seconds: float | None = None,
) -> RollupRun:
    """Drain the dirty-day markers shard by shard. Bounded: stops after `max_days` days or when
    `time_left()` (seconds) runs low, leaving the other markers for the next run. Days are recomputed from
    the consistent day ledger, so `settle_seconds` (markers changed more recently wait for the next run) only
    batches bursts of writes (default ROLLUP_SETTLE_SECONDS); 0 rolls up everything written before `now`."""
    run = RollupRun()
    settle = now - timedelta(seconds=ROLLUP_SETTLE_SECONDS if settle_seconds is None else settle_seconds)
    for shard in range(rollup_store.SHARDS):
        batch: list[rollup_store.DirtyDay] = []
        for marker in rollup_store.dirty_days(shard):
            run.oldest_marker_age_seconds = max(
                run.oldest_marker_age_seconds, (now - marker.first_dirty_at).total_seconds()
            )
            if marker.changed_at > settle:
                run.markers_left += 1
                continue
            if run.days_recomputed + len(batch) >= max_days or time_left() < reserve_seconds:
                run.markers_left += 1
                run.complete = False
                continue
            batch.append(marker)
            if len(batch) >= ROLLUP_BATCH_DAYS:
                _roll_up_batch(batch, now, run)
                batch = []
        if batch:
            _roll_up_batch(batch, now, run)
    # Hook (re-roll): then days whose rows still follow earlier settings (worklogs/reroll.py), bounded too.
    rerolled = reroll.run_rerolls(
        now, max_days=max(0, max_days - run.days_recomputed), time_left=time_left, reserve_seconds=reserve_seconds
    )
    run.days_recomputed += rerolled.days_recomputed
    run.periods_recomputed += rerolled.periods_recomputed
    run.complete = run.complete and rerolled.days_left == 0
    return run


@dataclass
class TotalsResult:
    settings: WorkspaceSettings
    periods: tuple[str, str]
    rows: list[dict[str, Any]]
    pending: list[rollup_store.DirtyDay]
    recomputed: list[date]


def report_totals(
    workspace_id: str,
    caller: Caller,
    *,
    granularity: str,
    first: date,
    last: date,
    group_by: str,
    strong: bool,
    now: datetime,
) -> TotalsResult:
    """Rollup rows of the periods holding [first, last] for one dimension, and the dirty days among them;
    `strong` recomputes those days from the worklogs (at most MAX_STRONG_PENDING_DAYS) so the answer is exact."""
    caller.require_collection_access(workspace_id, Role.MANAGER)
    if last < first:
        raise ValidationFailed(
            "`to` must not be before `from`.",
            details=[{"loc": ["query", "to"], "msg": "Before from.", "type": "date_range"}],
        )
    if (last - first).days > 366 * 2:
        raise ValidationFailed(
            "A report covers at most two years; ask for a shorter range.",
            details=[{"loc": ["query", "to"], "msg": "Range too long.", "type": "date_range"}],
        )
    settings = settings_store.get(workspace_id)
    first_period = rollup.period_of(granularity, first, settings.weekStart)
    last_period = rollup.period_of(granularity, last, settings.weekStart)
    range_start = rollup.period_days(granularity, first_period)[0]
    range_end = rollup.period_days(granularity, last_period)[1] - timedelta(days=1)
    rows = rollup_store.period_rows(workspace_id, granularity, first_period, last_period, dimension=group_by)
    pending = rollup_store.workspace_dirty_days(workspace_id, range_start, range_end)
    # Hook (re-roll): days whose rows still follow earlier settings are pending too; week rows of an earlier
    # weekStart are not shown (worklogs/reroll.py).
    rows = [row for row in rows if reroll.is_current_period(granularity, row["period"], settings)]
    rerolling, requested_at = reroll.pending_days(workspace_id, range_start, range_end)
    marked = {marker.day for marker in pending}
    pending += [
        rollup_store.DirtyDay(workspace_id, day, 0, requested_at, requested_at)
        for day in rerolling
        if day not in marked and requested_at is not None
    ]
    pending.sort(key=lambda marker: marker.day)
    recomputed: list[date] = []
    if strong and pending:
        if len(pending) > MAX_STRONG_PENDING_DAYS:
            raise Conflict(
                f"{len(pending)} days of this range changed since the last rollup; consistency=strong recomputes "
                f"at most {MAX_STRONG_PENDING_DAYS}. Ask again in a few minutes, or without consistency=strong "
                "(freshness.pendingDays lists the days that are not rolled up yet).",
                code="TOO_MANY_PENDING_DAYS",
                details=[{"pendingDays": len(pending), "limit": MAX_STRONG_PENDING_DAYS}],
            )
        rows = _recompute_pending(workspace_id, granularity, settings, rows, pending, group_by, now)
        recomputed = [marker.day for marker in pending]
        pending = []
    rows.sort(key=lambda row: (row["period"], rollup.row_dimension_key(row)))
    return TotalsResult(settings, (first_period, last_period), rows, pending, recomputed)


def _recompute_pending(
    workspace_id: str,
    granularity: str,
    settings: WorkspaceSettings,
    rows: list[dict[str, Any]],
    pending: list[rollup_store.DirtyDay],
    group_by: str,
    now: datetime,
) -> list[dict[str, Any]]:
    fresh_days = {marker.day.isoformat(): day_rows(workspace_id, marker.day, settings, now) for marker in pending}
    affected = {rollup.period_of(granularity, marker.day, settings.weekStart) for marker in pending}
    kept = [row for row in rows if row["period"] not in affected]
    for period in sorted(affected):
        if granularity == "day":
            fresh = fresh_days[period]
        else:
            stored_days = _stored_day_rows(workspace_id, granularity, period)
            stored = [row for row in stored_days if row["period"] not in fresh_days]
            first, end = rollup.period_days(granularity, period)
            days = stored + [
                row for day, found in fresh_days.items() if first.isoformat() <= day < end.isoformat() for row in found
            ]
            fresh = _period_rows_from_days(workspace_id, granularity, period, settings, now, days)
        kept += [row for row in fresh if row["dimension"] == group_by]
    return kept
