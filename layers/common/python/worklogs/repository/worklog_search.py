"""Worklog search: one Query per page on the index that fits the filter (docs/access-patterns.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from worklogs.config import environment
from worklogs.domain.durations import format_precise, format_utc
from worklogs.domain.search import WorklogSearch
from worklogs.models import Worklog
from worklogs.repository import keys
from worklogs.repository.dynamodb import client, serialize
from worklogs.repository.worklog_items import ENTITY, from_item

MAX_ENTRY_HOURS = 168  # the highest maxEntryHours a workspace can set

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
