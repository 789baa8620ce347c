"""The rates item (repository code: the only rates module that talks to DynamoDB), with a per-container
cache. Writes that resolved a rate from cached rules carry a ConditionCheck on their version (`guard`), so a
stale cache can never snapshot an old rate: the transaction fails, the cache is refreshed, the write reruns."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from worklogs.config import environment as runtime
from worklogs.errors import PreconditionFailed
from worklogs.rates.models import Rates
from worklogs.repository import keys
from worklogs.repository.cache import WorkspaceCache
from worklogs.repository.dynamodb import client, deserialize, serialize
from worklogs.repository.worklogs import ExtraWrite, SettingsChanged

_cache: WorkspaceCache[Rates] = WorkspaceCache()
_FIELDS = set(Rates.model_fields)


def invalidate(workspace_id: str | None = None) -> None:
    _cache.invalidate(workspace_id)


def load(workspace_id: str, currency: str) -> Rates:
    """One strongly consistent GetItem; no rules (version 0) when the workspace never saved rates."""
    response = client().get_item(
        TableName=runtime().worklogs_table, Key=serialize(keys.rates_key(workspace_id)), ConsistentRead=True
    )
    item = response.get("Item")
    if not item:
        found = Rates(workspaceId=workspace_id, rules=[], currency=currency, version=0)
    else:
        plain = {key: value for key, value in deserialize(item).items() if key in _FIELDS}
        found = Rates.model_validate({**plain, "currency": currency})
    return _cache.put(workspace_id, found)


def get(workspace_id: str, currency: str) -> Rates:
    """Cached rates (no request when warm); writes verify the version with `guard`."""
    cached = _cache.get(workspace_id)
    return cached if cached is not None else load(workspace_id, currency)


def guard(found: Rates) -> ExtraWrite:
    """A ConditionCheck: the rates are still the version the snapshot was resolved from."""
    check: dict[str, Any] = {"TableName": runtime().worklogs_table, "Key": serialize(keys.rates_key(found.workspaceId))}
    if found.version == 0:
        check["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        check["ConditionExpression"] = "version = :v"
        check["ExpressionAttributeValues"] = serialize({":v": found.version})

    def changed(_: dict[str, Any] | None) -> Exception:
        invalidate(found.workspaceId)
        return SettingsChanged()  # the write runs again against fresh rates

    return ExtraWrite({"ConditionCheck": check}, changed)


def save(new: Rates, expected_version: int) -> None:
    """Conditional PutItem over the version read (0 = never saved)."""
    item = {**keys.rates_key(new.workspaceId), "entity": "rates", **new.model_dump(mode="json", exclude={"currency"})}
    request: dict[str, Any] = {"TableName": runtime().worklogs_table, "Item": serialize(item)}
    if expected_version == 0:
        request["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        request["ConditionExpression"] = "version = :v"
        request["ExpressionAttributeValues"] = serialize({":v": expected_version})
    try:
        client().put_item(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            invalidate(new.workspaceId)
            raise PreconditionFailed(
                "The rates changed meanwhile; read them again and retry.", code="VERSION_MISMATCH"
            ) from error
        raise
    invalidate(new.workspaceId)
