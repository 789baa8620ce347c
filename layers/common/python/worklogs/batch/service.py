"""Batch create: every item goes through the single create's checks (types, forms, period lock, overlap,
privileges, frozen timesheets, rate snapshot); accepted items are committed together in a few transactions,
refused ones say why. A transaction that fails is split until the failing item is found, so one bad item
never refuses its neighbours."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from worklogs.auth import Caller, Role
from worklogs.batch.models import BatchCreate, BatchItemResult, BatchResult
from worklogs.core import writes as writes
from worklogs.domain.settings import WorkspaceSettings
from worklogs.domain.worklogs import validate_data
from worklogs.errors import Conflict, PreconditionFailed, WorklogsError
from worklogs.models import ErrorDetail, ErrorInfo, Warning, Worklog, WorklogResult
from worklogs.repository import settings as settings_store
from worklogs.repository.errors import SettingsChanged
from worklogs.repository.worklogs import WorklogChange

WORKLOGS_PER_TRANSACTION = 25  # ~2 items each + shared markers and checks stay under DynamoDB's 100
_ATTEMPTS = 3


@dataclass
class _Accepted:
    index: int
    worklog: Worklog
    checks: list[dict[str, Any]]
    warnings: list[Warning] = field(default_factory=list)
    ledger_versions: dict[tuple[str, Any], int] = field(default_factory=dict)


def _refused(index: int, error: WorklogsError) -> BatchItemResult:
    return BatchItemResult(
        index=index,
        status=error.status,
        error=ErrorInfo(
            code=error.code, message=error.message, details=[ErrorDetail.model_validate(d) for d in error.details]
        ),
    )


def _overlaps_within(settings: WorkspaceSettings, accepted: list[_Accepted], worklog: Worklog) -> Worklog | None:
    """Under the `reject` policy, items of the same batch must not overlap each other either."""
    if settings.overlapPolicy != "reject":
        return None
    for other in accepted:
        same = other.worklog.workerId == worklog.workerId
        if same and other.worklog.startDate < worklog.endDate and worklog.startDate < other.worklog.endDate:
            return other.worklog
    return None


def _prepare(
    workspace_id: str,
    caller: Caller,
    role: Role,
    request: BatchCreate,
    pending: dict[int, str],
    settings: WorkspaceSettings,
    now: datetime,
    results: dict[int, BatchItemResult],
) -> list[_Accepted]:
    accepted: list[_Accepted] = []
    for index, worklog_id in pending.items():
        item = request.items[index]
        try:
            validate_data(item.data)
            created, checks = writes.checked_new_worklog(workspace_id, item, caller, role, worklog_id, settings, now)
            warnings, guards = writes.overlap_warnings(settings, [created], {created.id})
            clash = _overlaps_within(settings, accepted, created)
            if clash is not None:
                raise Conflict(
                    f"Overlaps item for worklog {clash.id} of the same batch ({clash.startDate} to {clash.endDate}).",
                    code="OVERLAP",
                    details=[{"worklogId": clash.id}],
                )
            accepted.append(_Accepted(index, created, checks, warnings, guards))
        except WorklogsError as error:
            results[index] = _refused(index, error)
    return accepted


def _unique(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A transaction may name an item once: the same type check for several worklogs is sent once."""
    seen: dict[str, dict[str, Any]] = {}
    for check in checks:
        seen.setdefault(repr(sorted(check["ConditionCheck"]["Key"].items())), check)
    return list(seen.values())


def _commit(
    caller: Caller, group: list[_Accepted], settings: WorkspaceSettings, results: dict[int, BatchItemResult]
) -> None:
    """Commit a group in one transaction; if it is refused, halve it until the refused item is alone."""
    changes = [WorklogChange(entry.worklog, None, "create") for entry in group]
    # Under `reject`, the ledger versions each item's overlap check read: a write committed meanwhile for the
    # same worker and day cancels the transaction, and the batch is checked again.
    versions: dict[tuple[str, Any], int] = {}
    for entry in group:
        for place, version in entry.ledger_versions.items():
            versions.setdefault(place, version)
    try:
        writes.commit_changes(
            caller,
            changes,
            settings,
            _unique([c for entry in group for c in entry.checks]),
            ledger_versions=versions,
        )
    except SettingsChanged:
        raise
    except WorklogsError as error:
        if len(group) == 1:
            results[group[0].index] = _refused(group[0].index, error)
            return
        middle = len(group) // 2
        _commit(caller, group[:middle], settings, results)
        _commit(caller, group[middle:], settings, results)
        return
    for entry in group:
        body = WorklogResult(**entry.worklog.model_dump(by_alias=True), warnings=entry.warnings)
        results[entry.index] = BatchItemResult(index=entry.index, status=201, worklog=body)


def create_batch(workspace_id: str, caller: Caller, role: Role, request: BatchCreate, now: datetime) -> BatchResult:
    """Each item as a single create would treat it; ids are fixed up front so a rerun after a settings
    change cannot write an item twice."""
    pending = {index: str(uuid.uuid4()) for index in range(len(request.items))}
    results: dict[int, BatchItemResult] = {}
    for attempt in range(_ATTEMPTS):
        settings = settings_store.get(workspace_id) if attempt == 0 else settings_store.load(workspace_id)
        accepted = _prepare(workspace_id, caller, role, request, pending, settings, now, results)
        try:
            for offset in range(0, len(accepted), WORKLOGS_PER_TRANSACTION):
                _commit(caller, accepted[offset : offset + WORKLOGS_PER_TRANSACTION], settings, results)
        except SettingsChanged:
            committed = {index for index, result in results.items() if result.status == 201}
            pending = {index: worklog_id for index, worklog_id in pending.items() if index not in committed}
            for index in pending:  # checked against stale settings: check them again
                results.pop(index, None)
            continue
        break
    else:
        raise PreconditionFailed("Workspace settings are changing; retry.", code="SETTINGS_CHANGING")
    ordered = [results[index] for index in sorted(results)]
    created = sum(1 for result in ordered if result.status == 201)
    return BatchResult(created=created, refused=len(ordered) - created, results=ordered)
