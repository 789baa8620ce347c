"""Workspace settings item, read through the per-container cache of `WorkspaceItem`.

Every write that depends on settings carries a ConditionCheck on the settings version it was checked
against (see `guard`), so a cached copy can never let a write through that current settings forbid:
the transaction fails, the cache is refreshed and the write is checked again.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from worklogs.domain.settings import WorkspaceSettings, defaults
from worklogs.repository import keys
from worklogs.repository.workspace_item import WorkspaceItem, known_attributes

_item: WorkspaceItem[WorkspaceSettings] = WorkspaceItem("settings", keys.settings_key)


def _build(workspace_id: str, plain: dict[str, Any] | None) -> WorkspaceSettings:
    if plain is None:
        return defaults(workspace_id)
    return WorkspaceSettings.model_validate(known_attributes(plain, WorkspaceSettings.model_fields))


def invalidate(workspace_id: str | None = None) -> None:
    _item.invalidate(workspace_id)


def load(workspace_id: str) -> WorkspaceSettings:
    """One strongly consistent GetItem; defaults (version 0) when the workspace never saved settings."""
    return _item.load(workspace_id, partial(_build, workspace_id))


def get(workspace_id: str) -> WorkspaceSettings:
    """Cached settings (no request when warm); writes still verify the version with `guard`."""
    return _item.get(workspace_id, partial(_build, workspace_id))


def guard(found: WorkspaceSettings) -> dict[str, Any]:
    """A TransactWriteItems ConditionCheck: the settings are still the version the write was checked with."""
    return _item.condition_check(found.workspaceId, found.version)


def save(new: WorkspaceSettings, expected_version: int) -> None:
    """Conditional PutItem: only over the version the caller read (0 = never saved); VersionConflict else."""
    _item.save(new.workspaceId, new.model_dump(mode="json"), expected_version)
