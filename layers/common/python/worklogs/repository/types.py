"""Worklog-type items (the code table) with a per-container cache; writes that use a type check its
version in their transaction (`guard`), like the settings."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from worklogs.config import environment as runtime
from worklogs.repository import keys
from worklogs.repository.cache import WorkspaceCache
from worklogs.repository.dynamodb import client, deserialize, serialize
from worklogs.repository.errors import VersionConflict
from worklogs.worklog_types.models import WorklogType

_cache: WorkspaceCache[dict[str, WorklogType]] = WorkspaceCache()


def invalidate(workspace_id: str | None = None) -> None:
    _cache.invalidate(workspace_id)


def _from_item(item: dict[str, Any]) -> WorklogType:
    plain = {key: value for key, value in deserialize(item).items() if key in WorklogType.model_fields}
    return WorklogType.model_validate({**plain, "valid": False})  # `valid` is computed when shown


def load_all(workspace_id: str) -> dict[str, WorklogType]:
    """Every type of the workspace: one Query on the workspace partition (more pages only past 1 MB)."""
    request: dict[str, Any] = {
        "TableName": runtime().worklogs_table,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": serialize({":pk": keys.workspace_pk(workspace_id), ":prefix": keys.TYPE_PREFIX}),
        "ConsistentRead": True,
    }
    found: dict[str, WorklogType] = {}
    while True:
        response = client().query(**request)
        for item in response.get("Items", []):
            worklog_type = _from_item(item)
            found[worklog_type.code] = worklog_type
        if not response.get("LastEvaluatedKey"):
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return _cache.put(workspace_id, found)


def get_all(workspace_id: str) -> dict[str, WorklogType]:
    cached = _cache.get(workspace_id)
    return cached if cached is not None else load_all(workspace_id)


def find(workspace_id: str, code: str) -> WorklogType | None:
    """From the cache; a code the cache does not know is looked up fresh (it may be new)."""
    found = get_all(workspace_id).get(code)
    return found if found is not None else load_all(workspace_id).get(code)


def guard(worklog_type: WorklogType, workspace_id: str) -> dict[str, Any]:
    """ConditionCheck: the type is still stored at the version the write was validated against."""
    return {
        "ConditionCheck": {
            "TableName": runtime().worklogs_table,
            "Key": serialize(keys.type_key(workspace_id, worklog_type.code)),
            "ConditionExpression": "version = :v",
            "ExpressionAttributeValues": serialize({":v": worklog_type.version}),
        }
    }


def save(workspace_id: str, worklog_type: WorklogType, expected_version: int) -> None:
    """Conditional PutItem over the version read (0: must not exist yet); VersionConflict when it changed."""
    item = {
        **keys.type_key(workspace_id, worklog_type.code),
        "entity": "worklog-type",
        **worklog_type.model_dump(mode="json", exclude={"valid"}),
    }
    request: dict[str, Any] = {"TableName": runtime().worklogs_table, "Item": serialize(item)}
    if expected_version == 0:
        request["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        request["ConditionExpression"] = "version = :v"
        request["ExpressionAttributeValues"] = serialize({":v": expected_version})
    _write(workspace_id, lambda: client().put_item(**request))


def delete(workspace_id: str, code: str, expected_version: int) -> None:
    request = {
        "TableName": runtime().worklogs_table,
        "Key": serialize(keys.type_key(workspace_id, code)),
        "ConditionExpression": "version = :v",
        "ExpressionAttributeValues": serialize({":v": expected_version}),
    }
    _write(workspace_id, lambda: client().delete_item(**request))


def _write(workspace_id: str, operation) -> None:
    try:
        operation()
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise VersionConflict("worklog type", workspace_id) from error
        raise
    finally:
        invalidate(workspace_id)


def in_use(workspace_id: str, code: str) -> bool:
    """Whether any worklog (deleted ones too: they can be restored) has this type: one Query, one item."""
    response = client().query(
        TableName=runtime().worklogs_table,
        IndexName="GSI4",
        KeyConditionExpression="GSI4PK = :pk",
        ExpressionAttributeValues=serialize({":pk": keys.type_timeline_pk(workspace_id, code)}),
        Limit=1,
    )
    return bool(response.get("Items"))
