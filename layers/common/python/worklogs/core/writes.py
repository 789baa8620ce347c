"""The write pipeline every change of worklogs goes through: current settings (retried when they or the
worker's day change meanwhile), the checks, and one transaction with its rate and approval guards."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from worklogs.auth import Caller, Role
from worklogs.core.store_errors import worklog_write_errors
from worklogs.domain import lifecycle
from worklogs.domain import types as type_rules
from worklogs.domain.settings import LOCK_OVERRIDE_PRIVILEGE, WorkspaceSettings
from worklogs.domain.worklogs import is_worklog_id, new_worklog
from worklogs.errors import Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, ValidationFailed
from worklogs.models import (
    Warning,
    Worklog,
    WorklogCreate,
)
from worklogs.rates import snapshot as rate_snapshot
from worklogs.repository import ledger
from worklogs.repository import settings as settings_store
from worklogs.repository import types as types_store
from worklogs.repository import worklogs as worklog_store
from worklogs.repository.errors import FrozenDays, LedgerChanged, SettingsChanged
from worklogs.repository.worklogs import ExtraWrite, WorklogChange

T = TypeVar("T")
ATTEMPTS = 3
_LEDGER_RACES = 16  # concurrent writes for one worker and day: each round lets at least one through


@dataclass
class Written:
    worklogs: list[Worklog]
    warnings: list[Warning] = field(default_factory=list)


def with_current_settings(workspace_id: str, operation: Callable[[WorkspaceSettings], T]) -> T:
    """Run `operation` against the cached settings; if they changed before the commit, run it again
    against fresh ones (the commit's ConditionCheck on the settings version detects it)."""
    races = 0
    for attempt in range(ATTEMPTS):
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


def commit_changes(
    caller: Caller,
    changes: list[WorklogChange],
    settings: WorkspaceSettings,
    checks: Sequence[dict[str, Any]] = (),
    extra: Sequence[ExtraWrite] = (),
    ledger_versions: Mapping[ledger.WorkerDay, int] | None = None,
) -> None:
    """Every worklog write goes through here: one transaction, with each worklog's rate snapshot, guarded so
    that it cannot land in a submitted or approved timesheet period."""
    rate_guards = rate_snapshot.snapshot(changes, settings)
    # Lock-override holders write into frozen periods: their ledger updates do not check the marks.
    check_frozen = not caller.has_privilege(LOCK_OVERRIDE_PRIVILEGE)
    with worklog_write_errors():
        try:
            # The common case: no day the change touches is marked frozen (the ledger updates check the marks).
            worklog_store.commit(
                changes,
                settings,
                checks,
                extra=[*extra, *rate_guards],
                ledger_versions=ledger_versions,
                check_frozen=check_frozen,
            )
        except FrozenDays:
            # A marked day may still lie outside the frozen period (periods end at local midnight, days are UTC):
            # check each week and month the change touches against its approval, in the same transaction.
            from worklogs.approvals import service as approvals  # rarely needed: not imported at cold start

            frozen_guards = approvals.freeze_guards(caller, changes, settings)
            worklog_store.commit(
                changes,
                settings,
                checks,
                extra=[*extra, *rate_guards, *frozen_guards],
                ledger_versions=ledger_versions,
                check_frozen=False,
            )


def overlap_warnings(
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


def type_checks(
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


def checked_new_worklog(
    workspace_id: str,
    request: WorklogCreate,
    caller: Caller,
    role: Role,
    worklog_id: str,
    settings: WorkspaceSettings,
    now: datetime,
) -> tuple[Worklog, list[dict]]:
    """A new worklog from a create request under the current settings, checked (type, form, period lock),
    with the transaction checks its type needs. Single creates and each batch item go through here."""
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
    checks = type_checks(settings, caller, created.worklogTypeCode, created.data, now=now, check_validity=True)
    lifecycle.check_period_lock(settings, caller, lifecycle.window_of(created))
    return created, checks


def visible_worklog(workspace_id: str, worklog_id: str, *, include_deleted: bool = False) -> Worklog:
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


def expect_version(current: int, expected: int | None, what: str, **details: object) -> None:
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


def load_for_change(
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
    existing = visible_worklog(workspace_id, worklog_id, include_deleted=include_deleted)
    lifecycle.require_can_modify(caller, role, existing)
    if keeps_entry:
        require_type_privilege(workspace_id, caller, [existing])
    expect_version(existing.version, expected_version, "worklog", worklogId=existing.id)
    return existing
