"""Workspace settings item, with a small per-container cache.

Every write that depends on settings carries a ConditionCheck on the settings version it was checked
against (see `guard`), so a cached copy can never let a write through that current settings forbid:
the transaction fails, the cache is refreshed and the write is checked again.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from worklogs.config import environment as runtime
from worklogs.domain.settings import WorkspaceSettings, defaults
from worklogs.errors import PreconditionFailed
from worklogs.repository import keys
from worklogs.repository.cache import WorkspaceCache
from worklogs.repository.dynamodb import client, deserialize, serialize

_cache: WorkspaceCache[WorkspaceSettings] = WorkspaceCache()


def invalidate(workspace_id: str | None = None) -> None:
    _cache.invalidate(workspace_id)


def load(workspace_id: str) -> WorkspaceSettings:
    """One strongly consistent GetItem; defaults (version 0) when the workspace never saved settings."""
    response = client().get_item(
        TableName=runtime().worklogs_table, Key=serialize(keys.settings_key(workspace_id)), ConsistentRead=True
    )
    item = response.get("Item")
    if not item:
        found = defaults(workspace_id)
    else:
        known = WorkspaceSettings.model_fields  # attributes a newer or older version wrote are ignored
        plain = {key: value for key, value in deserialize(item).items() if key in known}
        found = WorkspaceSettings.model_validate(plain)
    return _cache.put(workspace_id, found)


def get(workspace_id: str) -> WorkspaceSettings:
    """Cached settings (no request when warm); writes still verify the version with `guard`."""
    cached = _cache.get(workspace_id)
    return cached if cached is not None else load(workspace_id)


def guard(found: WorkspaceSettings) -> dict[str, Any]:
    """A TransactWriteItems ConditionCheck: the settings are still the version the write was checked with."""
    check: dict[str, Any] = {
        "TableName": runtime().worklogs_table,
        "Key": serialize(keys.settings_key(found.workspaceId)),
    }
    if found.version == 0:
        check["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        check["ConditionExpression"] = "version = :v"
        check["ExpressionAttributeValues"] = serialize({":v": found.version})
    return {"ConditionCheck": check}


def save(new: WorkspaceSettings, expected_version: int) -> None:
    """Conditional PutItem: only over the version the caller read (0 = never saved)."""
    item = {**keys.settings_key(new.workspaceId), "entity": "settings", **new.model_dump(mode="json")}
    condition = "attribute_not_exists(PK)" if expected_version == 0 else "version = :v"
    request: dict[str, Any] = {
        "TableName": runtime().worklogs_table,
        "Item": serialize(item),
        "ConditionExpression": condition,
    }
    if expected_version:
        request["ExpressionAttributeValues"] = serialize({":v": expected_version})
    try:
        client().put_item(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            invalidate(new.workspaceId)
            raise PreconditionFailed(
                "The settings changed meanwhile; read them again and retry.", code="VERSION_MISMATCH"
            ) from error
        raise
    invalidate(new.workspaceId)
