"""Dirty-day markers (main table) and rollup rows (rollup table): the I/O of period rollups.

Markers are written by `worklogs.commit` in the same transaction as the worklog change; the rollup drains
them shard by shard and deletes each only if its version is still the one it read.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from botocore.exceptions import ClientError

from worklogs.config import environment
from worklogs.domain.durations import format_utc
from worklogs.repository import keys
from worklogs.repository.dynamodb import client, deserialize, serialize

MARKER_ENTITY = "dirty-day"
ROW_ENTITY = "rollup-row"
_BATCH = 25
PERIOD_TRANSACTION_ITEMS = 100  # DynamoDB's transaction limit: a period with more row changes is batch-written
SHARDS = keys.DIRTY_SHARDS


@dataclass(frozen=True)
class DirtyDay:
    workspace_id: str
    day: date
    version: int
    first_dirty_at: datetime
    changed_at: datetime


def marker_update(workspace_id: str, day: date, now: datetime) -> dict[str, Any]:
    """A TransactWriteItems Update that marks (workspace, local day) dirty: the version grows on every
    rewrite, so the rollup's conditional delete fails when a change arrived after it read the marker."""
    at = format_utc(now)
    return {
        "Update": {
            "TableName": environment().worklogs_table,
            "Key": serialize(keys.dirty_day_key(workspace_id, day.isoformat())),
            "UpdateExpression": "SET entity = :entity, workspaceId = :ws, #day = :day, changedAt = :now, "
            "firstDirtyAt = if_not_exists(firstDirtyAt, :now) ADD version :one",
            "ExpressionAttributeNames": {"#day": "day"},
            "ExpressionAttributeValues": serialize(
                {":entity": MARKER_ENTITY, ":ws": workspace_id, ":day": day.isoformat(), ":now": at, ":one": 1}
            ),
        }
    }


def _marker(item: dict[str, Any]) -> DirtyDay:
    plain = deserialize(item)
    return DirtyDay(
        workspace_id=plain["workspaceId"],
        day=date.fromisoformat(plain["day"]),
        version=int(plain["version"]),
        first_dirty_at=datetime.fromisoformat(plain["firstDirtyAt"].replace("Z", "+00:00")),
        changed_at=datetime.fromisoformat(plain["changedAt"].replace("Z", "+00:00")),
    )


def dirty_days(shard: int, *, page_size: int = 100) -> Iterator[DirtyDay]:
    """Every marker of one shard: one strongly consistent Query per page."""
    request: dict[str, Any] = {
        "TableName": environment().worklogs_table,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": serialize({":pk": keys.dirty_shard_pk(shard)}),
        "ConsistentRead": True,
        "Limit": page_size,
    }
    while True:
        response = client().query(**request)
        yield from map(_marker, response.get("Items", []))
        if not response.get("LastEvaluatedKey"):
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def workspace_dirty_days(workspace_id: str, first: date, last: date) -> list[DirtyDay]:
    """A workspace's dirty days in [first, last]: one Query per shard (the sort key is workspace, then day)."""
    found: list[DirtyDay] = []
    for shard in range(keys.DIRTY_SHARDS):
        request: dict[str, Any] = {
            "TableName": environment().worklogs_table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": serialize(
                {
                    ":pk": keys.dirty_shard_pk(shard),
                    ":low": keys.dirty_day_sk(workspace_id, first.isoformat()),
                    ":high": keys.dirty_day_sk(workspace_id, last.isoformat()),
                }
            ),
            "ConsistentRead": True,
        }
        while True:
            response = client().query(**request)
            found += map(_marker, response.get("Items", []))
            if not response.get("LastEvaluatedKey"):
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return sorted(found, key=lambda marker: marker.day)


def delete_marker(marker: DirtyDay) -> bool:
    """Delete the marker only if nobody rewrote it since it was read; False when it was rewritten."""
    try:
        client().delete_item(
            TableName=environment().worklogs_table,
            Key=serialize(keys.dirty_day_key(marker.workspace_id, marker.day.isoformat())),
            ConditionExpression="version = :v",
            ExpressionAttributeValues=serialize({":v": marker.version}),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


# Rollup rows


def _row_value(row: dict[str, Any]) -> tuple[str, ...]:
    from worklogs.domain.rollup import row_dimension_key  # loaded by whatever computed the row

    return row_dimension_key(row)[1]


def to_row_item(row: dict[str, Any]) -> dict[str, Any]:
    """A contract row with its table key and, for owner and worker rows, the billing index keys."""
    ws, granularity, period, dimension = row["workspaceId"], row["granularity"], row["period"], row["dimension"]
    item = {
        "PK": keys.rollup_pk(ws, granularity, period),
        "SK": keys.rollup_sk(period, dimension, _row_value(row)),
        "entity": ROW_ENTITY,
        **row,
    }
    sort_key = keys.rollup_sk(period, dimension, _row_value(row))
    if dimension in {"owner", "worker-owner"}:
        item["GSI1PK"] = keys.rollup_owner_pk(ws, granularity, row["ownerType"], row["ownerId"])
        item["GSI1SK"] = sort_key
    if dimension in {"worker", "worker-owner"}:
        item["GSI2PK"] = keys.rollup_worker_pk(ws, granularity, row["workerId"])
        item["GSI2SK"] = sort_key
    return item


def _plain_row(item: dict[str, Any]) -> dict[str, Any]:
    plain = deserialize(item)
    for name in ("PK", "SK", "entity", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"):
        plain.pop(name, None)
    return plain


def _query_rows(request: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        response = client().query(**request)
        rows += map(_plain_row, response.get("Items", []))
        if not response.get("LastEvaluatedKey"):
            return rows
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def period_rows(
    workspace_id: str, granularity: str, first_period: str, last_period: str, dimension: str | None = None
) -> list[dict[str, Any]]:
    """Rows of periods in [first_period, last_period] (text order = time order): one strongly consistent
    Query (paged) per partition the range spans (a month of days; a year of weeks or months)."""
    buckets = sorted({keys.rollup_bucket(granularity, p) for p in _bucket_span(granularity, first_period, last_period)})
    rows: list[dict[str, Any]] = []
    for bucket in buckets:
        values: dict[str, Any] = {
            ":pk": f"WS#{keys.part(workspace_id)}#{granularity.upper()}#{bucket}",
            ":low": f"{first_period}#",
            ":high": f"{last_period}#\uffff",
        }
        request: dict[str, Any] = {
            "TableName": environment().rollup_table,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ConsistentRead": True,
        }
        if dimension is not None:
            request["FilterExpression"] = "dimension = :dimension"
            values[":dimension"] = dimension
        request["ExpressionAttributeValues"] = serialize(values)
        rows += _query_rows(request)
    return rows


def _bucket_span(granularity: str, first_period: str, last_period: str) -> list[str]:
    """One period text per partition between the two (months for day rows, years otherwise)."""
    if granularity == "day":
        year, month = int(first_period[:4]), int(first_period[5:7])
        found = []
        while f"{year:04d}-{month:02d}" <= last_period[:7]:
            found.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found
    return [f"{year:04d}" for year in range(int(first_period[:4]), int(last_period[:4]) + 1)]


def replace_period_rows(granularity: str, period: str, workspace_id: str, rows: list[dict[str, Any]]) -> int:
    """Make the stored rows of one period exactly `rows`: put each (one whole item each), delete rows that
    no longer have entries. Returns the number of write requests made."""
    stored = period_rows(workspace_id, granularity, period, period)
    new_items = [to_row_item(row) for row in rows]
    kept = {item["SK"] for item in new_items}
    requests: list[dict[str, Any]] = [{"PutRequest": {"Item": serialize(item)}} for item in new_items]
    for row in stored:
        sort_key = keys.rollup_sk(period, row["dimension"], _row_value(row))
        if sort_key not in kept:
            key = {"PK": keys.rollup_pk(workspace_id, granularity, period), "SK": sort_key}
            requests.append({"DeleteRequest": {"Key": serialize(key)}})
    if len(requests) <= PERIOD_TRANSACTION_ITEMS:
        return replace_in_one_transaction(environment().rollup_table, requests)
    return batch_write(environment().rollup_table, requests)


def replace_in_one_transaction(table: str, requests: list[dict[str, Any]]) -> int:
    """A period's puts and deletes as one TransactWriteItems: a reader sees the old rows or the new, never a
    mix. The token makes a retry after a lost response apply once."""
    items = [
        {"Put": {"TableName": table, **request["PutRequest"]}}
        if "PutRequest" in request
        else {"Delete": {"TableName": table, **request["DeleteRequest"]}}
        for request in requests
    ]
    if items:
        client().transact_write_items(TransactItems=items, ClientRequestToken=str(uuid.uuid4()))
    return 1 if items else 0


def batch_write(table: str, requests: list[dict[str, Any]]) -> int:
    """BatchWriteItem in chunks of 25, retrying unprocessed items with backoff. Returns requests made."""
    made = 0
    for start in range(0, len(requests), _BATCH):
        pending = {table: requests[start : start + _BATCH]}
        for attempt in range(8):
            made += 1
            response = client().batch_write_item(RequestItems=pending)
            pending = response.get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(0.05 * 2**attempt, 1.0))
        else:
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "unprocessed items"}},
                "BatchWriteItem",
            )
    return made


def owner_rows(workspace_id: str, granularity: str, owner_type: str, owner_id: str) -> list[dict[str, Any]]:
    """An owner record's rows of one granularity (billing: one owner's months) - one Query on GSI1."""
    return _query_rows(
        {
            "TableName": environment().rollup_table,
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :pk",
            "ExpressionAttributeValues": serialize(
                {":pk": keys.rollup_owner_pk(workspace_id, granularity, owner_type, owner_id)}
            ),
        }
    )
