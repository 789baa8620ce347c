"""Pure mapping from a DynamoDB stream record of the main table to a change event (or None).

Only the items that are resources emit: a worklog (its own item, not its index copies or history), an
approval, the settings, the rates, and a timer stop receipt. The kind of worklog change comes from the
`lastAction` its commit wrote on it.
"""

from __future__ import annotations

from typing import Any

from worklogs.repository.dynamodb import deserialize

SOURCE = "worklogs"
_WORKLOG_TYPES = {
    "create": "worklog.created",
    "timer-stop": "worklog.created",
    "edit": "worklog.updated",
    "link": "worklog.updated",
    "unlink": "worklog.updated",
    "reapply-rate": "worklog.updated",
    "delete": "worklog.deleted",
    "restore": "worklog.restored",
    "split": "worklog.split",
    "merge": "worklog.merged",
    "merged-into": "worklog.merged",
}
# Storage attributes that are not part of the resource an API client sees.
_STORAGE = {"PK", "SK", "entity", "lastAction", "expiresAt", "durationSeconds"}


def _plain(image: dict[str, Any]) -> dict[str, Any]:
    return deserialize(image)


def _resource(item: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value
        for key, value in item.items()
        if key not in _STORAGE and not key.startswith("GSI") and key != "indexedAt"
    }


def _actor(item: dict[str, Any], *names: str) -> Any:
    for name in names:
        if item.get(name):
            return item[name]
    return None


def change_event(record: dict[str, Any]) -> dict[str, Any] | None:
    """The event detail `{type, workspaceId, id, version, occurredAt, actor, data}` of one stream record."""
    if record.get("eventName") not in ("INSERT", "MODIFY"):
        return None
    image = (record.get("dynamodb") or {}).get("NewImage")
    if not image:
        return None
    item = _plain(image)
    entity = item.get("entity")
    if entity == "worklog":
        kind = _WORKLOG_TYPES.get(str(item.get("lastAction")))
        if kind is None:
            return None
        data = _resource(item)
        if "durationSeconds" in item:
            data["durationMinutes"] = int(item["durationSeconds"]) // 60
        return _event(kind, item, item["id"], item["version"], item.get("updatedAt"), item.get("updatedBy"), data)
    if entity == "approval":
        event = f"approval.{item['state']}"
        history = item.get("history") or [{}]
        last = history[-1]
        return _event(event, item, item["id"], item["version"], last.get("at"), last.get("by"), _resource(item))
    if entity in ("settings", "rates"):  # one versioned item per workspace
        return _event(
            f"{entity}.updated",
            item,
            item["workspaceId"],
            item["version"],
            item.get("updatedAt"),
            item.get("updatedBy"),
            _resource(item),
        )
    if entity == "timer-stop" and record["eventName"] == "INSERT":
        workspace_id, user_id = _user_partition(item["PK"])
        actor = {"id": user_id, "display": None}
        data = {**_resource(item), "workspaceId": workspace_id, "userId": user_id}
        return _event("timer.stopped", data, item["timerId"], 1, item.get("stoppedAt"), actor, data)
    return None


def _unescape(part: str) -> str:
    return part.replace("%23", "#").replace("%25", "%")


def _user_partition(pk: str) -> tuple[str, str]:
    """(workspace, user) of a `WS#<ws>#USER#<user>` key (parts are escaped, so `#` splits them safely)."""
    _, workspace, _, user = pk.split("#", 3)
    return _unescape(workspace), _unescape(user)


def _event(kind: str, item: dict[str, Any], resource_id: str, version: Any, at: Any, actor: Any, data: dict) -> dict:
    return {
        "type": kind,
        "workspaceId": item.get("workspaceId"),
        "id": resource_id,
        "version": int(version),
        "occurredAt": at,
        "actor": actor,
        "data": data,
    }


def bus_entry(event: dict[str, Any], bus_name: str) -> dict[str, Any]:
    """A PutEvents entry: `detail-type` is the event type, so rules can match on it."""
    import json

    return {
        "Source": SOURCE,
        "DetailType": event["type"],
        "Detail": json.dumps(event, separators=(",", ":"), default=str),
        "EventBusName": bus_name,
        "Resources": [],
    }
