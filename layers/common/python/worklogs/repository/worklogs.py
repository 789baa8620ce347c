"""Worklog items: write (always as one transaction), read, and the timelines that searches page through."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from worklogs.config import environment
from worklogs.domain.durations import format_utc
from worklogs.domain.rollup import accounting_view, dirty_days
from worklogs.domain.settings import WorkspaceSettings
from worklogs.models import HistoryEntry, Worklog
from worklogs.repository import keys, ledger
from worklogs.repository import rollups as rollup_store
from worklogs.repository import settings as settings_store
from worklogs.repository import types as types_store
from worklogs.repository.dynamodb import (
    MAX_ITEM_BYTES,
    batch_get_items,
    client,
    deserialize,
    item_size,
    serialize,
)
from worklogs.repository.errors import (
    AlreadyExists,
    FrozenDays,
    ItemTooLarge,
    LedgerChanged,
    SettingsChanged,
    TooManyItems,
    WorklogVersionChanged,
)
from worklogs.repository.worklog_items import ENTITY, derived_items, from_item, to_item

HISTORY_ENTITY = "history"
MAX_TRANSACTION_ITEMS = 100
MARKER_CONFLICT_RETRIES = 3


@dataclass(frozen=True)
class WorklogChange:
    """One worklog's new state, the version it must still have (None: it must not exist yet), its state
    before (to retire copies it no longer needs), and what the audit trail records about the change."""

    worklog: Worklog
    expected_version: int | None
    action: str
    fields: list[str] = field(default_factory=list)
    related_ids: list[str] = field(default_factory=list)
    previous: Worklog | None = None


def _history_item(change: WorklogChange) -> dict[str, Any]:
    worklog = change.worklog
    entry = HistoryEntry(
        version=worklog.version,
        action=change.action,
        at=worklog.updatedAt,
        by=worklog.updatedBy,
        fields=change.fields,
        relatedIds=change.related_ids,
    )
    return {
        **keys.history_key(worklog.workspaceId, worklog.id, worklog.version),
        "entity": HISTORY_ENTITY,
        **entry.model_dump(mode="json"),
    }


def _is_plain_create(change: WorklogChange) -> bool:
    return (
        change.expected_version is None and change.action == "create" and not change.fields and not change.related_ids
    )


@dataclass(frozen=True)
class ExtraWrite:
    """Another item written in the same transaction (e.g. the timer a stop deletes), and the error to raise
    when its condition fails (given the item as it was, or None)."""

    request: dict[str, Any]
    on_condition_failed: Callable[[dict[str, Any] | None], Exception]


def commit(
    changes: list[WorklogChange],
    checked_against: WorkspaceSettings,
    extra_checks: Sequence[dict[str, Any]] = (),
    extra: Sequence[ExtraWrite] = (),
    ledger_versions: Mapping[ledger.WorkerDay, int] | None = None,
    *,
    check_frozen: bool = True,
) -> None:
    """All changes in one TransactWriteItems: each worklog conditioned on its version, its derived copies
    rewritten (stale ones deleted), an audit entry per change, any `extra` writes that must happen with
    them, and checks that the workspace settings (and any worklog type used) are still the ones the changes
    were validated with. The day ledger follows the changes in the same transaction; `ledger_versions` are
    the ledger versions an overlap check read (the commit fails if another write changed them since)."""
    table = environment().worklogs_table
    items: list[dict[str, Any]] = []
    for change in changes:
        # lastAction: what the change-event publisher names the change (created, split, merged, ...).
        item = {**to_item(change.worklog), "lastAction": change.action}
        put: dict[str, Any] = {"TableName": table, "Item": serialize(item)}
        if item_size(put["Item"]) > MAX_ITEM_BYTES:
            # Only a merge can grow a worklog past the limit (each part fits): the caller's input, not a 5xx.
            raise ItemTooLarge(change.worklog.id, MAX_ITEM_BYTES)
        if change.expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :expected"
            put["ExpressionAttributeValues"] = serialize({":expected": change.expected_version})
        put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        items.append({"Put": put})
    for change in changes:
        if not _is_plain_create(change):  # a plain create's entry is the worklog's creation (see history())
            items.append({"Put": {"TableName": table, "Item": serialize(_history_item(change))}})
        copies = derived_items(change.worklog)
        items += [{"Put": {"TableName": table, "Item": serialize(copy)}} for copy in copies]
        if change.previous is not None:
            kept = {copy["SK"] for copy in copies}
            for stale in derived_items(change.previous):
                if stale["SK"] not in kept:
                    items.append(
                        {"Delete": {"TableName": table, "Key": serialize({"PK": stale["PK"], "SK": stale["SK"]})}}
                    )
    first_ledger = len(items)
    pairs = [(change.worklog, change.previous) for change in changes]
    items += ledger.ledger_updates(
        table, checked_against.workspaceId, pairs, ledger_versions, check_frozen=check_frozen
    )
    first_extra = len(items)
    items += [write.request for write in extra]
    first_marker = len(items)
    items += _dirty_day_markers(changes, checked_against)
    checks = [settings_store.guard(checked_against), *extra_checks]
    if len(items) + len(checks) > MAX_TRANSACTION_ITEMS:
        raise TooManyItems()
    for attempt in range(MARKER_CONFLICT_RETRIES + 1):
        try:
            # One token per attempt: botocore's retries of a lost response reuse it, so DynamoDB applies it once.
            client().transact_write_items(TransactItems=items + checks, ClientRequestToken=str(uuid.uuid4()))
            return
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            ledger_failures = [
                index
                for index, code in enumerate(_codes(error)[first_ledger:first_extra], start=first_ledger)
                if code == "ConditionalCheckFailed"
            ]
            if ledger_failures:
                if check_frozen and any(_frozen_ledger(error, index, items[index]) for index in ledger_failures):
                    raise FrozenDays from error
                raise LedgerChanged from error
            retryable = [*range(first_ledger, first_extra), *range(first_marker, len(items))]
            if attempt < MARKER_CONFLICT_RETRIES and _only_marker_conflicts(error, retryable):
                # Another write marked the same day at the same moment: nothing was written, try again.
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))  # noqa: S311 - jitter, not security
                continue
            _raise_cancellation(error, changes, checked_against, extra, first_extra=first_extra, first_check=len(items))


def _dirty_day_markers(changes: list[WorklogChange], checked_against: WorkspaceSettings) -> list[dict[str, Any]]:
    """One marker per (workspace, local day) whose accounted time the changes alter: old and new days of an
    edit; none for changes rollups do not see (description, links). Deduplicated: one item per transaction."""
    tz = checked_against.tz
    days = set()
    for change in changes:
        if change.previous is not None and accounting_view(change.previous) == accounting_view(change.worklog):
            continue
        days.update(dirty_days(change.worklog, tz))
        if change.previous is not None:
            days.update(dirty_days(change.previous, tz))
    now = datetime.now(UTC)
    return [rollup_store.marker_update(checked_against.workspaceId, day, now) for day in sorted(days)]


def _frozen_ledger(error: ClientError, index: int, request: dict[str, Any]) -> bool:
    """Whether the ledger item whose condition failed carries a freeze mark (read again if not returned)."""
    reasons = error.response.get("CancellationReasons") or []
    old = reasons[index].get("Item") if index < len(reasons) else None
    if old is None:
        ((_, target),) = request.items()
        old = client().get_item(TableName=target["TableName"], Key=target["Key"], ConsistentRead=True).get("Item")
    return ledger.is_frozen(old)


def _codes(error: ClientError) -> list[str]:
    return [reason.get("Code", "None") for reason in error.response.get("CancellationReasons") or []]


def _only_marker_conflicts(error: ClientError, retryable: list[int]) -> bool:
    """Only shared counters (dirty-day markers, ledger items) met another transaction: nothing was written."""
    codes = _codes(error)
    failed = {index for index, code in enumerate(codes) if code not in {"None", None}}
    return bool(failed) and all(index in retryable and codes[index] == "TransactionConflict" for index in failed)


def _raise_cancellation(
    error: ClientError,
    changes: list[WorklogChange],
    checked: WorkspaceSettings,
    extra: Sequence[ExtraWrite],
    *,
    first_extra: int,
    first_check: int,
) -> None:
    reasons = error.response.get("CancellationReasons") or []
    codes = [reason.get("Code", "None") for reason in reasons]
    if any(code == "ConditionalCheckFailed" for code in codes[first_check:]):
        settings_store.invalidate(checked.workspaceId)
        types_store.invalidate(checked.workspaceId)
        raise SettingsChanged from error
    for offset, write in enumerate(extra, start=first_extra):
        if offset < len(codes) and codes[offset] in {"ConditionalCheckFailed", "TransactionConflict"}:
            old = reasons[offset].get("Item")
            raise write.on_condition_failed(deserialize(old) if old else None) from error
    for index, change in enumerate(changes):
        code = codes[index] if index < len(codes) else "None"
        if code not in {"ConditionalCheckFailed", "TransactionConflict"}:
            continue
        if change.expected_version is None:
            raise AlreadyExists(change.worklog.id) from error
        current = reasons[index].get("Item") if index < len(reasons) else None
        current_version = int(deserialize(current)["version"]) if current else None
        if current_version is None:
            found = get(change.worklog.workspaceId, change.worklog.id)
            current_version = found.version if found else None
        raise WorklogVersionChanged(change.worklog.id, current_version) from error
    raise error


def get(workspace_id: str, worklog_id: str) -> Worklog | None:
    """One GetItem (strongly consistent, so a read after a write sees it)."""
    response = client().get_item(
        TableName=environment().worklogs_table,
        Key=serialize(keys.worklog_key(workspace_id, worklog_id)),
        ConsistentRead=True,
    )
    item = response.get("Item")
    return from_item(item) if item else None


def get_many(workspace_id: str, worklog_ids: list[str]) -> dict[str, Worklog]:
    """BatchGetItem (strongly consistent); unprocessed keys are retried."""
    items = batch_get_items(keys.worklog_key(workspace_id, worklog_id) for worklog_id in worklog_ids)
    return {worklog.id: worklog for worklog in map(from_item, items)}


def _day_floor(moment: datetime) -> str:
    return format_utc(moment.replace(hour=0, minute=0, second=0, microsecond=0))


def find_overlapping(
    workspace_id: str, worker_id: str, start: datetime, end: datetime, *, exclude_ids: set[str]
) -> list[Worklog]:
    """The worker's live entries overlapping [start, end): one Query on the worker timeline from 00:00 UTC of
    the start's day (an entry begun earlier is found through its copy at that midnight)."""
    floor = _day_floor(start)
    request: dict[str, Any] = {
        "TableName": environment().worklogs_table,
        "IndexName": "GSI2",
        "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK BETWEEN :low AND :high",
        "FilterExpression": "endDate > :start AND attribute_not_exists(deletedAt) "
        "AND (entity = :main OR indexedAt = :low)",
        "ExpressionAttributeValues": serialize(
            {
                ":pk": keys.worker_timeline_pk(workspace_id, worker_id),
                ":low": floor,
                ":high": format_utc(end),  # "<end>#id" sorts after "<end>": entries starting at `end` touch
                ":start": format_utc(start),
                ":main": ENTITY,
            }
        ),
    }
    overlapping: dict[str, Worklog] = {}
    while True:
        response = client().query(**request)
        for worklog in map(from_item, response.get("Items", [])):
            if worklog.id not in exclude_ids:
                overlapping[worklog.id] = worklog
        if not response.get("LastEvaluatedKey"):
            return list(overlapping.values())
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


@dataclass
class HistoryRead:
    entries: list[HistoryEntry]
    worklog: Worklog | None  # on the first page: the worklog's own item comes first (newest first)
    last_key: dict[str, Any] | None


def history(workspace_id: str, worklog_id: str, *, limit: int, start_key: dict[str, Any] | None) -> HistoryRead:
    """The audit trail, newest first: one Query on the worklog's partition from its own item down through its
    history entries (link copies sort in between and are filtered out). The first page reads one more item,
    the worklog itself."""
    request: dict[str, Any] = {
        "TableName": environment().worklogs_table,
        "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
        "FilterExpression": "#entity IN (:history, :worklog)",
        "ExpressionAttributeNames": {"#entity": "entity"},
        "ExpressionAttributeValues": serialize(
            {
                ":pk": keys.worklog_pk(workspace_id, worklog_id),
                ":low": keys.HISTORY_PREFIX,
                ":high": keys.WORKLOG_SK,
                ":history": HISTORY_ENTITY,
                ":worklog": ENTITY,
            }
        ),
        "ScanIndexForward": False,
        "Limit": limit if start_key else limit + 1,
    }
    if start_key:
        request["ExclusiveStartKey"] = start_key
    response = client().query(**request)
    entries, worklog = [], None
    for item in response.get("Items", []):
        if item["entity"]["S"] == ENTITY:
            worklog = from_item(item)
            continue
        plain = {key: value for key, value in deserialize(item).items() if key not in ("PK", "SK", "entity")}
        entries.append(HistoryEntry.model_validate(plain))
    last_key = response.get("LastEvaluatedKey")
    if last_key is None and len(entries) >= limit:
        # A full page goes on, as DynamoDB's own LastEvaluatedKey would: the creation entry may come next.
        last_key = serialize(keys.history_key(workspace_id, worklog_id, entries[-1].version))
    return HistoryRead(entries, worklog, last_key)
