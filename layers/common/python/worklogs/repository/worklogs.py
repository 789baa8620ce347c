"""Worklog items: write, read, and the timelines (owner, worker) that searches page through."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from worklogs.config import settings
from worklogs.domain.durations import format_iso_duration, format_utc
from worklogs.domain.search import WorklogSearch
from worklogs.domain.worklogs import worklog_path
from worklogs.errors import Conflict
from worklogs.models import Worklog
from worklogs.repository import keys
from worklogs.repository.dynamodb import client, deserialize, serialize

ENTITY = "worklog"
_KEY_ATTRIBUTES = ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "entity")


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


def put_new(worklog: Worklog) -> None:
    """One PutItem; refuses to overwrite an existing id."""
    try:
        client().put_item(
            TableName=settings().worklogs_table,
            Item=serialize(to_item(worklog)),
            ConditionExpression="attribute_not_exists(PK)",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise Conflict("A worklog with this id already exists.", code="WORKLOG_EXISTS") from error
        raise


def get(workspace_id: str, worklog_id: str) -> Worklog | None:
    """One GetItem (strongly consistent, so a read after a write sees it)."""
    response = client().get_item(
        TableName=settings().worklogs_table,
        Key=serialize(keys.worklog_key(workspace_id, worklog_id)),
        ConsistentRead=True,
    )
    item = response.get("Item")
    return from_item(item) if item else None


def search_page(
    workspace_id: str, search: WorklogSearch, *, limit: int, start_key: dict[str, Any] | None
) -> tuple[list[Worklog], dict[str, Any] | None]:
    """One Query on the timeline index that fits the filter, newest start first."""
    names = {"#deleted": "deletedAt"}
    values: dict[str, Any] = {}
    filters = ["attribute_not_exists(#deleted)"]
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
        "FilterExpression": " AND ".join(filters),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": serialize(values),
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if start_key:
        request["ExclusiveStartKey"] = start_key
    response = client().query(**request)
    return [from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")
