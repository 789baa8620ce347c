"""One versioned item per workspace (its settings, its rates), read through a per-container cache and
written only over the version read.

Staleness is safe: a write that was checked against a cached copy carries `condition_check` in its
transaction, so when the item changed meanwhile the transaction fails, the cache is dropped and the write
is checked again against the fresh item.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from botocore.exceptions import ClientError

from worklogs.config import environment
from worklogs.repository.cache import WorkspaceCache
from worklogs.repository.dynamodb import client, deserialize, get_item, serialize
from worklogs.repository.errors import VersionConflict

T = TypeVar("T")
# Builds the value from the stored attributes (None: the workspace never saved the item, version 0).
Build = Callable[[dict[str, Any] | None], T]


class WorkspaceItem(Generic[T]):
    def __init__(self, entity: str, key: Callable[[str], dict[str, str]]):
        self.entity = entity
        self._key = key
        self._cache: WorkspaceCache[T] = WorkspaceCache()

    def invalidate(self, workspace_id: str | None = None) -> None:
        self._cache.invalidate(workspace_id)

    def load(self, workspace_id: str, build: Build[T]) -> T:
        """One strongly consistent GetItem; the result replaces the cached copy."""
        item = get_item(self._key(workspace_id))
        return self._cache.put(workspace_id, build(deserialize(item) if item else None))

    def get(self, workspace_id: str, build: Build[T]) -> T:
        """The cached copy (no request when warm); writes verify its version with `condition_check`."""
        cached = self._cache.get(workspace_id)
        return cached if cached is not None else self.load(workspace_id, build)

    def _version_condition(self, version: int) -> dict[str, Any]:
        if version == 0:
            return {"ConditionExpression": "attribute_not_exists(PK)"}
        return {"ConditionExpression": "version = :v", "ExpressionAttributeValues": serialize({":v": version})}

    def condition_check(self, workspace_id: str, version: int) -> dict[str, Any]:
        """A TransactWriteItems ConditionCheck: the item is still at `version` (0: still never saved)."""
        check = {"TableName": environment().worklogs_table, "Key": serialize(self._key(workspace_id))}
        return {"ConditionCheck": {**check, **self._version_condition(version)}}

    def save(self, workspace_id: str, attributes: dict[str, Any], expected_version: int) -> None:
        """Conditional PutItem over the version read (0 = never saved); VersionConflict when it changed."""
        item = {**self._key(workspace_id), "entity": self.entity, **attributes}
        request = {"TableName": environment().worklogs_table, "Item": serialize(item)}
        try:
            client().put_item(**request, **self._version_condition(expected_version))
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                self.invalidate(workspace_id)
                raise VersionConflict(self.entity, workspace_id) from error
            raise
        self.invalidate(workspace_id)


def known_attributes(plain: dict[str, Any], fields: set[str] | dict[str, Any]) -> dict[str, Any]:
    """The attributes a model knows (a newer or older version may have written others)."""
    return {key: value for key, value in plain.items() if key in fields}
