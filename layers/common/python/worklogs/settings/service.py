"""Workspace settings use cases."""

from __future__ import annotations

from datetime import datetime

from worklogs import reroll
from worklogs.auth import Caller, Role
from worklogs.core.writes import expect_version, raise_if_match_required
from worklogs.domain.durations import audit_stamp
from worklogs.domain.settings import SettingsInput, WorkspaceSettings
from worklogs.domain.worklogs import caller_ref
from worklogs.errors import conflicts_as_version_mismatch
from worklogs.repository import settings as settings_store


def put_settings(
    workspace_id: str,
    caller: Caller,
    request: SettingsInput,
    expected_version: int | None,
    now: datetime,
    *,
    require_match: bool = False,
) -> WorkspaceSettings:
    current = settings_store.load(workspace_id)
    # Saved settings are replaced only over the version read, or `If-Match: *`.
    if require_match and expected_version is None and current.version > 0:
        raise_if_match_required("settings")
    expect_version(current.version, expected_version, "settings")
    updated = WorkspaceSettings(
        **request.model_dump(),
        workspaceId=workspace_id,
        version=current.version + 1,
        updatedAt=audit_stamp(now),
        updatedBy=caller_ref(caller),
    )
    # A change of timezone/weekStart/rounding/currency re-rolls the past (worklogs/reroll.py).
    with conflicts_as_version_mismatch("The settings changed meanwhile; read them again and retry."):
        reroll.save_settings(current, updated, now)
    return updated


def get_settings(workspace_id: str, caller: Caller) -> WorkspaceSettings:
    """The settings in force (defaults until an admin saves them), read consistently."""
    caller.require_collection_access(workspace_id, Role.VIEWER)
    return settings_store.load(workspace_id)
