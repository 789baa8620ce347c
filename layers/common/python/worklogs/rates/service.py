"""Rate use cases: read and replace the rules, and reapply them to a range on purpose. (The hook every
worklog write calls is rates/snapshot.py.)"""

from __future__ import annotations

from datetime import date, datetime

from worklogs.approvals import rules as approval_rules
from worklogs.approvals import service as approvals
from worklogs.auth import Caller, Role
from worklogs.core.store_errors import worklog_write_errors
from worklogs.domain import accounting, rollup
from worklogs.domain.durations import audit_stamp
from worklogs.domain.settings import WorkspaceSettings
from worklogs.domain.worklogs import caller_ref
from worklogs.errors import Conflict, PreconditionFailed, ValidationFailed, conflicts_as_version_mismatch
from worklogs.models import Worklog
from worklogs.rates import rules
from worklogs.rates.models import Rates, RatesInput, ReapplyRequest, ReapplyResult
from worklogs.rates.snapshot import resolve
from worklogs.repository import ledger
from worklogs.repository import rates as rates_store
from worklogs.repository import settings as settings_store
from worklogs.repository import worklogs as worklog_store
from worklogs.repository.errors import SettingsChanged
from worklogs.repository.worklogs import WorklogChange

MAX_REAPPLY_DAYS = 92


def get_rates(workspace_id: str, caller: Caller) -> Rates:
    caller.require_collection_access(workspace_id, Role.VIEWER)
    settings = settings_store.get(workspace_id)
    return rates_store.load(workspace_id, settings.currency)


def put_rates(
    workspace_id: str, caller: Caller, request: RatesInput, expected_version: int | None, now: datetime
) -> Rates:
    caller.require_collection_access(workspace_id, Role.ADMIN)
    rules.check_rules(request.rules)
    settings = settings_store.get(workspace_id)
    current = rates_store.load(workspace_id, settings.currency)
    if expected_version is not None and expected_version != current.version:
        raise PreconditionFailed(
            f"The current version of the rates is {current.version}, not {expected_version}; read them again.",
            code="VERSION_MISMATCH",
            details=[{"currentVersion": current.version}],
        )
    ordered = sorted(
        request.rules, key=lambda r: (r.validFrom, r.workerId or "", r.projectId or "", r.worklogTypeCode or "")
    )
    saved = Rates(
        workspaceId=workspace_id,
        rules=ordered,
        currency=settings.currency,
        version=current.version + 1,
        updatedAt=audit_stamp(now),
        updatedBy=caller_ref(caller),
    )
    with conflicts_as_version_mismatch("The rates changed meanwhile; read them again and retry."):
        rates_store.save(saved, current.version)
    return saved


def _frozen_days(workspace_id: str, worklogs: list[Worklog], settings: WorkspaceSettings) -> dict[str, set[date]]:
    days_of: dict[str, set[date]] = {}
    for worklog in worklogs:
        days_of.setdefault(worklog.workerId, set()).update(
            accounting.dirty_days(worklog.startDate, worklog.endDate, settings.tz)
        )
    return {
        worker: {
            day
            for day, state in approvals.day_states(workspace_id, worker, sorted(days), settings).items()
            if state in approval_rules.FROZEN_STATES
        }
        for worker, days in days_of.items()
    }


def _starting_within(workspace_id: str, start: datetime, end: datetime) -> list[Worklog]:
    """Live worklogs starting in [start, end): their ids from the day ledger (read consistently, never an
    index), then the worklogs themselves, 100 per BatchGetItem."""
    ids = sorted(entry.id for entry in ledger.live_entries(workspace_id, start, end) if start <= entry.startDate < end)
    found: list[Worklog] = []
    for offset in range(0, len(ids), 100):
        found += worklog_store.get_many(workspace_id, ids[offset : offset + 100]).values()
    return [worklog for worklog in found if worklog.deletedAt is None]


def reapply(workspace_id: str, caller: Caller, request: ReapplyRequest, now: datetime) -> ReapplyResult:
    """Re-rate the entries starting in [from, to] from the current rules, one transaction each, skipping
    explicit data.rate and entries in submitted or approved timesheets. Rerunning it changes nothing more."""
    caller.require_collection_access(workspace_id, Role.ADMIN)
    first, last = request.from_, request.to
    if last < first or (last - first).days >= MAX_REAPPLY_DAYS:
        raise ValidationFailed(
            f"`to` must be on or after `from`, at most {MAX_REAPPLY_DAYS} days on.",
            details=[{"loc": ["body", "to"], "msg": "Bad range.", "type": "date_range"}],
        )
    settings = settings_store.load(workspace_id)
    current = rates_store.load(workspace_id, settings.currency)
    start, _ = rollup.local_day_bounds(first, settings.tz)
    _, end = rollup.local_day_bounds(last, settings.tz)
    worklogs = _starting_within(workspace_id, start, end)
    frozen = _frozen_days(workspace_id, worklogs, settings)
    result = ReapplyResult(changed=0, unchanged=0, skippedExplicit=0, skippedFrozen=0)
    for worklog in sorted(worklogs, key=lambda w: (w.startDate, w.id)):
        if "rate" in worklog.data:
            result.skippedExplicit += 1
            continue
        if frozen[worklog.workerId] & set(accounting.dirty_days(worklog.startDate, worklog.endDate, settings.tz)):
            result.skippedFrozen += 1
            continue
        resolved = resolve(worklog, current, settings.tz)
        if (resolved.rate, resolved.source) == (worklog.rate, worklog.rateSource):
            result.unchanged += 1
            continue
        updated = worklog.model_copy(
            update={
                "rate": resolved.rate,
                "rateSource": resolved.source,
                "version": worklog.version + 1,
                "updatedAt": audit_stamp(now),
                "updatedBy": caller_ref(caller),
            }
        )
        change = WorklogChange(updated, worklog.version, "reapply-rate", ["rate", "rateSource"], previous=worklog)
        guards = [rates_store.guard(current), *approvals.freeze_guards(caller, [change], settings)]
        try:
            with worklog_write_errors():
                worklog_store.commit([change], settings, extra=guards, check_frozen=False)  # guards are precise
        except SettingsChanged:
            raise Conflict(
                "The rates or settings changed while reapplying; run it again.", code="RATES_CHANGING"
            ) from None
        except Conflict as refused:
            if not refused.code.startswith("PERIOD_"):
                raise
            result.skippedFrozen += 1
            continue
        result.changed += 1
    return result
