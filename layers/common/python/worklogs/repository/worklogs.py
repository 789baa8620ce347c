"""Worklog items: write (always as one transaction), read, and the timelines that searches page through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from worklogs.config import settings
from worklogs.domain.durations import format_iso_duration, format_utc
from worklogs.domain.search import WorklogSearch
from worklogs.domain.settings import WorkspaceSettings
from worklogs.domain.worklogs import worklog_path
from worklogs.errors import Conflict, PreconditionFailed, ValidationFailed
from worklogs.models import HistoryEntry, Worklog
from worklogs.repository import keys
from worklogs.repository import settings as settings_store
from worklogs.repository.dynamodb import MAX_ITEM_BYTES, client, deserialize, item_size, serialize

ENTITY = "worklog"
_KEY_ATTRIBUTES = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "entity")


class SettingsChanged(Exception):
    """The workspace settings changed after the write was checked against them: check again."""


def to_item(worklog: Worklog) -> dict[str, Any]:
    body = worklog.model_dump(mode="json", by_alias=True, exclude={"self_", "duration", "durationMinutes"})
    start = format_utc(worklog.startDate)
    item = {
        **keys.worklog_key(worklog.workspaceId, worklog.id),
        "entity": ENTITY,
        "GSI1PK": keys.owner_timeline_pk(worklog.workspaceId, worklog.ownerType, worklog.ownerId),
        "GSI1SK": keys.timeline_sk(start, worklog.id),
        "GSI2PK": keys.worker_timeline_pk(worklog.workspaceId, worklog.workerId),
        "GSI2SK": keys.timeline_sk(start, worklog.id),
        **body,
        "durationSeconds": int((worklog.endDate - worklog.startDate).total_seconds()),
    }
    item.pop("self", None)
    return item


def from_item(item: dict[str, Any]) -> Worklog:
    plain = deserialize(item)
    seconds = int(plain.pop("durationSeconds"))
    for attribute in _KEY_ATTRIBUTES:
        plain.pop(attribute, None)
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
    """One worklog's new state, the version it must still have (None: it must not exist yet), and
    what the audit trail records about the change."""

    worklog: Worklog
    expected_version: int | None
    action: str
    fields: list[str] = field(default_factory=list)
    related_ids: list[str] = field(default_factory=list)


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


def commit(changes: list[WorklogChange], checked_against: WorkspaceSettings) -> None:
    """All changes in one TransactWriteItems: each worklog conditioned on its version, an audit entry per
    change, and a check that the workspace settings are still the ones the changes were validated with."""
    table = settings().worklogs_table
    items: list[dict[str, Any]] = []
    for change in changes:
        put: dict[str, Any] = {"TableName": table, "Item": serialize(to_item(change.worklog))}
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
    items.append(settings_store.guard(checked_against))
    try:
        client().transact_write_items(TransactItems=items)
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        _raise_cancellation(error, changes, checked_against)


def _raise_cancellation(error: ClientError, changes: list[WorklogChange], checked: WorkspaceSettings) -> None:
    reasons = error.response.get("CancellationReasons") or []
    codes = [reason.get("Code", "None") for reason in reasons]
    if len(codes) == 2 * len(changes) + 1 and codes[-1] == "ConditionalCheckFailed":
        settings_store.invalidate(checked.workspaceId)
        raise SettingsChanged from error
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
        TableName=settings().worklogs_table,
        Key=serialize(keys.worklog_key(workspace_id, worklog_id)),
        ConsistentRead=True,
    )
    item = response.get("Item")
    return from_item(item) if item else None


def get_many(workspace_id: str, worklog_ids: list[str]) -> dict[str, Worklog]:
    """BatchGetItem (strongly consistent) for up to 100 ids; unprocessed keys are retried."""
    table = settings().worklogs_table
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


def find_overlapping(
    workspace_id: str,
    worker_id: str,
    start: datetime,
    end: datetime,
    *,
    lookback_hours: float,
    exclude_ids: set[str],
) -> list[Worklog]:
    """The worker's live entries overlapping [start, end): one Query on the worker timeline over
    [start - longest entry, end), filtered to entries that end after `start`."""
    table = settings().worklogs_table
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": "GSI2",
        "KeyConditionExpression": "GSI2PK = :pk AND GSI2SK BETWEEN :low AND :high",
        "FilterExpression": "endDate > :start AND attribute_not_exists(deletedAt)",
        "ExpressionAttributeValues": serialize(
            {
                ":pk": keys.worker_timeline_pk(workspace_id, worker_id),
                ":low": format_utc(start - timedelta(hours=lookback_hours)),
                ":high": format_utc(end),  # "<end>#id" sorts after "<end>": entries starting at `end` touch
                ":start": format_utc(start),
            }
        ),
    }
    overlapping: list[Worklog] = []
    while True:
        response = client().query(**request)
        overlapping += [w for w in map(from_item, response.get("Items", [])) if w.id not in exclude_ids]
        if not response.get("LastEvaluatedKey"):
            return overlapping
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def history(workspace_id: str, worklog_id: str, *, limit: int, start_key: dict[str, Any] | None):
    """The audit trail, newest first: one Query on the worklog's partition."""
    request: dict[str, Any] = {
        "TableName": settings().worklogs_table,
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


def search_page(
    workspace_id: str, search: WorklogSearch, *, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[Worklog], dict[str, Any] | None]:
    """One Query on the timeline index that fits the filter, newest start first."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    filters = []
    if not search.include_deleted:
        names["#deleted"] = "deletedAt"
        filters.append("attribute_not_exists(#deleted)")
    if search.by_owner:
        index, pk_attr = "GSI1", "GSI1PK"
        values[":pk"] = keys.owner_timeline_pk(workspace_id, search.owner_type, search.owner_id)  # type: ignore[arg-type]
        if search.worker_id is not None:
            names["#worker"] = "workerId"
            values[":worker"] = search.worker_id
            filters.append("#worker = :worker")
    else:
        index, pk_attr = "GSI2", "GSI2PK"
        values[":pk"] = keys.worker_timeline_pk(workspace_id, search.worker_id)  # type: ignore[arg-type]
    names["#pk"] = pk_attr
    request: dict[str, Any] = {
        "TableName": settings().worklogs_table,
        "IndexName": index,
        "KeyConditionExpression": "#pk = :pk",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": serialize(values),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if filters:
        request["FilterExpression"] = " AND ".join(filters)
    if start_key:
        request["ExclusiveStartKey"] = start_key
    response = client().query(**request)
    return [from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")
