"""Worklog items: write (always as one transaction), read, and the timelines that searches page through."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from worklogs.config import environment
from worklogs.domain.durations import format_iso_duration, format_precise, format_utc
from worklogs.domain.rollup import accounting_view, dirty_days
from worklogs.domain.search import WorklogSearch
from worklogs.domain.settings import WorkspaceSettings
from worklogs.domain.worklogs import worklog_path
from worklogs.errors import Conflict, PreconditionFailed, ValidationFailed
from worklogs.models import HistoryEntry, Worklog
from worklogs.repository import keys, ledger
from worklogs.repository import rollups as rollup_store
from worklogs.repository import settings as settings_store
from worklogs.repository import types as types_store
from worklogs.repository.dynamodb import MAX_ITEM_BYTES, client, deserialize, item_size, serialize

ENTITY = "worklog"
CONTINUATION_ENTITY = "worklog-continuation"
LINK_COPY_ENTITY = "worklog-link"
MAX_TRANSACTION_ITEMS = 100
MAX_ENTRY_HOURS = 168
MARKER_CONFLICT_RETRIES = 3  # the highest maxEntryHours a workspace can set
_WORKLOG_FIELDS = {field.alias or name for name, field in Worklog.model_fields.items()}


class SettingsChanged(Exception):
    """The workspace settings (or a worklog type) changed after the write was checked: check again."""


class LedgerChanged(SettingsChanged):
    """Another write for the same worker and UTC day committed after the overlap check: check again."""


def _midnights(start: datetime, end: datetime) -> list[datetime]:
    """UTC midnights strictly inside (start, end)."""
    first = (start + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    found = []
    while first < end:
        found.append(first)
        first += timedelta(days=1)
    return found


def _timeline_keys(worklog: Worklog, sort_key: str) -> dict[str, str]:
    ws = worklog.workspaceId
    found = {
        "GSI1PK": keys.owner_timeline_pk(ws, worklog.ownerType, worklog.ownerId),
        "GSI1SK": sort_key,
        "GSI2PK": keys.worker_timeline_pk(ws, worklog.workerId),
        "GSI2SK": sort_key,
        "GSI6PK": keys.workspace_timeline_pk(ws),
        "GSI6SK": sort_key,
    }
    if worklog.projectId:
        found.update({"GSI3PK": keys.project_timeline_pk(ws, worklog.projectId), "GSI3SK": sort_key})
    if worklog.worklogTypeCode:
        found.update(
            {
                "GSI4PK": keys.type_timeline_pk(ws, worklog.worklogTypeCode),
                "GSI4SK": sort_key,
                "GSI5PK": keys.worker_type_timeline_pk(ws, worklog.workerId, worklog.worklogTypeCode),
                "GSI5SK": sort_key,
            }
        )
    return found


def _body(worklog: Worklog) -> dict[str, Any]:
    body = worklog.model_dump(mode="json", by_alias=True, exclude={"self_", "duration", "durationMinutes"})
    body.pop("self", None)
    body["durationSeconds"] = int((worklog.endDate - worklog.startDate).total_seconds())
    return body


def to_item(worklog: Worklog) -> dict[str, Any]:
    """The worklog's own item: the table key, every timeline it belongs to, and the change feed."""
    start = format_utc(worklog.startDate)
    return {
        **keys.worklog_key(worklog.workspaceId, worklog.id),
        "entity": ENTITY,
        **_timeline_keys(worklog, keys.timeline_sk(start, worklog.id)),
        "GSI7PK": keys.change_feed_pk(worklog.workspaceId),
        "GSI7SK": keys.change_sk(format_precise(worklog.updatedAt), worklog.id),
        **_body(worklog),
    }


def derived_items(worklog: Worklog) -> list[dict[str, Any]]:
    """Copies that let one Query per page answer more questions: one per UTC midnight the worklog runs
    past (in every timeline, at that midnight) and one per link (in the linked record's timeline)."""
    body = _body(worklog)
    pk = keys.worklog_pk(worklog.workspaceId, worklog.id)
    items = []
    for midnight in _midnights(worklog.startDate, worklog.endDate):
        at = format_utc(midnight)
        items.append(
            {
                "PK": pk,
                "SK": keys.continuation_sk(at),
                "entity": CONTINUATION_ENTITY,
                "indexedAt": at,
                **_timeline_keys(worklog, keys.timeline_sk(at, worklog.id)),
                **body,
            }
        )
    start_key = keys.timeline_sk(format_utc(worklog.startDate), worklog.id)
    for link in worklog.links:
        items.append(
            {
                "PK": pk,
                "SK": keys.link_copy_sk(link.refType, link.refId),
                "entity": LINK_COPY_ENTITY,
                "GSI3PK": keys.ref_timeline_pk(worklog.workspaceId, link.refType, link.refId),
                "GSI3SK": start_key,
                **body,
            }
        )
    return items


def from_item(item: dict[str, Any]) -> Worklog:
    plain = deserialize(item)
    seconds = int(plain.pop("durationSeconds"))
    plain = {key: value for key, value in plain.items() if key in _WORKLOG_FIELDS}
    return Worklog.model_validate(
        {
            **plain,
            "durationMinutes": seconds // 60,
            "duration": format_iso_duration(seconds),
            "self": worklog_path(plain["workspaceId"], plain["id"]),
        }
    )


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
        "entity": "history",
        **entry.model_dump(mode="json"),
    }


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
            raise ValidationFailed(
                f"Worklog {change.worklog.id} would be larger than the {MAX_ITEM_BYTES // 1024} KB a worklog "
                "can hold (description and data together); merge fewer worklogs or shorten their descriptions.",
                code="WORKLOG_TOO_LARGE",
                details=[{"loc": ["body"], "msg": "Resulting worklog too large.", "type": "item_size"}],
            )
        if change.expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "version = :expected"
            put["ExpressionAttributeValues"] = serialize({":expected": change.expected_version})
        put["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        items.append({"Put": put})
    for change in changes:
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
    items += ledger.ledger_updates(table, checked_against.workspaceId, pairs, ledger_versions)
    first_extra = len(items)
    items += [write.request for write in extra]
    first_marker = len(items)
    items += _dirty_day_markers(changes, checked_against)
    checks = [settings_store.guard(checked_against), *extra_checks]
    if len(items) + len(checks) > MAX_TRANSACTION_ITEMS:
        raise Conflict(
            "This change touches too many stored items for one atomic write (links and days spanned count); "
            "change fewer worklogs at once or remove some links first.",
            code="CHANGE_TOO_LARGE",
        )
    for attempt in range(MARKER_CONFLICT_RETRIES + 1):
        try:
            # One token per attempt: botocore's retries of a lost response reuse it, so DynamoDB applies it once.
            client().transact_write_items(TransactItems=items + checks, ClientRequestToken=str(uuid.uuid4()))
            return
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            if "ConditionalCheckFailed" in _codes(error)[first_ledger:first_extra]:
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
            raise Conflict("A worklog with this id already exists.", code="WORKLOG_EXISTS") from error
        current = reasons[index].get("Item") if index < len(reasons) else None
        current_version = int(deserialize(current)["version"]) if current else None
        if current_version is None:
            found = get(change.worklog.workspaceId, change.worklog.id)
            current_version = found.version if found else None
        raise PreconditionFailed(
            f"Worklog {change.worklog.id} changed meanwhile (version {current_version}); read it again and retry.",
            code="VERSION_MISMATCH",
            details=[{"worklogId": change.worklog.id, "currentVersion": current_version}],
        ) from error
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
    """BatchGetItem (strongly consistent) for up to 100 ids; unprocessed keys are retried."""
    table = environment().worklogs_table
    pending: dict[str, Any] = {
        table: {
            "Keys": [serialize(keys.worklog_key(workspace_id, worklog_id)) for worklog_id in worklog_ids],
            "ConsistentRead": True,
        }
    }
    found: dict[str, Worklog] = {}
    for _attempt in range(10):
        response = client().batch_get_item(RequestItems=pending)
        for item in response.get("Responses", {}).get(table, []):
            worklog = from_item(item)
            found[worklog.id] = worklog
        pending = response.get("UnprocessedKeys") or {}
        if not pending:
            return found
    raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "retry"}}, "BatchGet")


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


def history(workspace_id: str, worklog_id: str, *, limit: int, start_key: dict[str, Any] | None):
    """The audit trail, newest first: one Query on the worklog's partition."""
    request: dict[str, Any] = {
        "TableName": environment().worklogs_table,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": serialize(
            {":pk": keys.worklog_pk(workspace_id, worklog_id), ":prefix": keys.HISTORY_PREFIX}
        ),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if start_key:
        request["ExclusiveStartKey"] = start_key
    response = client().query(**request)
    entries = []
    for item in response.get("Items", []):
        plain = {key: value for key, value in deserialize(item).items() if key not in ("PK", "SK", "entity")}
        entries.append(HistoryEntry.model_validate(plain))
    return entries, response.get("LastEvaluatedKey")


_INDEX_FOR = {
    "owner": "GSI1",
    "worker": "GSI2",
    "project": "GSI3",
    "ref": "GSI3",
    "type": "GSI4",
    "worker_type": "GSI5",
    "timeline": "GSI6",
    "changes": "GSI7",
}


def _partition(workspace_id: str, search: WorklogSearch) -> str:
    index = search.index
    if index == "owner":
        return keys.owner_timeline_pk(workspace_id, search.owner_type, search.owner_id)  # type: ignore[arg-type]
    if index == "ref":
        return keys.ref_timeline_pk(workspace_id, search.ref_type, search.ref_id)  # type: ignore[arg-type]
    if index == "project":
        return keys.project_timeline_pk(workspace_id, search.project_id)  # type: ignore[arg-type]
    if index == "worker_type":
        return keys.worker_type_timeline_pk(workspace_id, search.worker_id, search.type_code)  # type: ignore[arg-type]
    if index == "worker":
        return keys.worker_timeline_pk(workspace_id, search.worker_id)  # type: ignore[arg-type]
    if index == "type":
        return keys.type_timeline_pk(workspace_id, search.type_code)  # type: ignore[arg-type]
    if index == "timeline":
        return keys.workspace_timeline_pk(workspace_id)
    return keys.change_feed_pk(workspace_id)


def search_page(
    workspace_id: str,
    search: WorklogSearch,
    *,
    limit: int,
    start_key: dict[str, Any] | None,
    feed_until: datetime | None = None,
) -> tuple[list[Worklog], dict[str, Any] | None]:
    """One Query on the index that fits the filter (docs/access-patterns.md), newest start first (the change
    feed: oldest change first); every other filter is a FilterExpression."""
    index = search.index
    gsi = _INDEX_FOR[index]
    names = {"#pk": f"{gsi}PK", "#sk": f"{gsi}SK"}
    values: dict[str, Any] = {":pk": _partition(workspace_id, search)}
    conditions = ["#pk = :pk"]
    filters: list[str] = []

    def equal(attribute: str, value: Any, label: str) -> None:
        names[f"#{label}"] = attribute
        values[f":{label}"] = value
        filters.append(f"#{label} = :{label}")

    if index == "changes":
        values[":since"] = format_precise(search.updated_since)  # type: ignore[arg-type]
        values[":until"] = format_precise(feed_until)  # type: ignore[arg-type]
        conditions.append("#sk BETWEEN :since AND :until")
    else:
        if index == "ref":
            # Link copies have no midnight copies; a linked record has few worklogs, so look back as far as
            # the longest entry the settings can allow.
            low = format_utc(search.window_from - timedelta(hours=MAX_ENTRY_HOURS)) if search.window_from else None
        else:
            low = search.day_floor
            names["#entity"] = "entity"
            values[":main"] = ENTITY
            if low is None:
                filters.append("#entity = :main")  # continuation copies only serve time windows
            else:
                names["#indexedAt"] = "indexedAt"
                values[":floor"] = low
                filters.append("(#entity = :main OR #indexedAt = :floor)")
        high = format_utc(search.window_to) if search.window_to else None
        if low and high:
            values.update({":low": low, ":high": high})
            conditions.append("#sk BETWEEN :low AND :high")
        elif low:
            values[":low"] = low
            conditions.append("#sk >= :low")
        elif high:
            values[":high"] = high
            conditions.append("#sk < :high")
        if search.window_from is not None:
            names["#end"] = "endDate"
            values[":from"] = format_utc(search.window_from)
            filters.append("#end > :from")
        if not search.include_deleted:
            names["#deleted"] = "deletedAt"
            filters.append("attribute_not_exists(#deleted)")
        if search.by_owner and index != "owner":
            equal("ownerType", search.owner_type, "ownerType")
            equal("ownerId", search.owner_id, "ownerId")
        if search.worker_id is not None and index not in {"worker", "worker_type"}:
            equal("workerId", search.worker_id, "workerId")
        if search.project_id is not None and index != "project":
            equal("projectId", search.project_id, "projectId")
        if search.type_code is not None and index not in {"type", "worker_type"}:
            equal("worklogTypeCode", search.type_code, "typeCode")
        if search.billable is not None:
            names.update({"#data": "data", "#billable": "billable"})
            values[":true"] = True
            filters.append("#data.#billable = :true" if search.billable else "NOT (#data.#billable = :true)")
    expressions = " ".join(conditions + filters)
    names = {name: attribute for name, attribute in names.items() if name in expressions}
    values = {name: value for name, value in values.items() if name in expressions}
    request: dict[str, Any] = {
        "TableName": environment().worklogs_table,
        "IndexName": gsi,
        "KeyConditionExpression": " AND ".join(conditions),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": serialize(values),
        "ScanIndexForward": index == "changes",
        "Limit": limit,
    }
    if filters:
        request["FilterExpression"] = " AND ".join(filters)
    if start_key:
        request["ExclusiveStartKey"] = start_key
    response = client().query(**request)
    return [from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")
