"""Worklog type use cases: list, read, create or replace, delete."""

from __future__ import annotations

from datetime import datetime

from worklogs.auth import Caller
from worklogs.core.writes import expect_version, raise_if_match_required
from worklogs.domain import types as type_rules
from worklogs.domain.durations import audit_stamp
from worklogs.domain.settings import WorkspaceSettings
from worklogs.domain.worklogs import caller_ref
from worklogs.errors import Conflict, NotFound, conflicts_as_version_mismatch
from worklogs.repository import settings as settings_store
from worklogs.repository import types as types_store
from worklogs.worklog_types.models import AuditInfo, WorklogType, WorklogTypeInput

_CHANGED_MEANWHILE = "The worklog type changed meanwhile; read it again and retry."


def _shown(worklog_type: WorklogType, settings: WorkspaceSettings, now: datetime, accept_language: str | None):
    valid = type_rules.is_valid(worklog_type, now.astimezone(settings.tz).date())
    return type_rules.localize(worklog_type.model_copy(update={"valid": valid}), accept_language)


def list_types(workspace_id: str, caller: Caller, accept_language: str | None, now: datetime) -> list[WorklogType]:
    settings = settings_store.get(workspace_id)
    found = types_store.load_all(workspace_id)
    return [
        _shown(worklog_type, settings, now, accept_language)
        for code, worklog_type in sorted(found.items())
        if type_rules.visible_to(worklog_type, caller)
    ]


def get_type(workspace_id: str, code: str, caller: Caller, accept_language: str | None, now: datetime) -> WorklogType:
    worklog_type = types_store.load_all(workspace_id).get(code)
    if worklog_type is None or not type_rules.visible_to(worklog_type, caller):
        raise NotFound("Worklog type not found.")
    return _shown(worklog_type, settings_store.get(workspace_id), now, accept_language)


def put_type(
    workspace_id: str,
    code: str,
    caller: Caller,
    definition: WorklogTypeInput,
    expected_version: int | None,
    now: datetime,
    *,
    require_match: bool = False,
) -> tuple[WorklogType, bool]:
    """Create or replace a type; returns it and whether it was created."""
    type_rules.check_definition(definition)
    current = types_store.load_all(workspace_id).get(code)
    if current is not None and not type_rules.visible_to(current, caller):
        raise NotFound("Worklog type not found.")
    version = current.version if current else 0
    # An existing type is replaced only over the version read, or `If-Match: *`.
    if require_match and expected_version is None and current is not None:
        raise_if_match_required("worklog type")
    expect_version(version, expected_version, "worklog type")
    me = caller_ref(caller)
    stamp = audit_stamp(now)
    audit = AuditInfo(
        createdAt=current.auditInfo.createdAt if current else stamp,
        createdBy=current.auditInfo.createdBy if current else me,
        updatedAt=stamp,
        updatedBy=me,
    )
    saved = WorklogType(**definition.model_dump(), code=code, valid=False, version=version + 1, auditInfo=audit)
    with conflicts_as_version_mismatch(_CHANGED_MEANWHILE):
        types_store.save(workspace_id, saved, version)
    return _shown(saved, settings_store.get(workspace_id), now, None), current is None


def delete_type(workspace_id: str, code: str, caller: Caller, expected_version: int | None) -> None:
    current = types_store.load_all(workspace_id).get(code)
    if current is None or not type_rules.visible_to(current, caller):
        raise NotFound("Worklog type not found.")
    expect_version(current.version, expected_version, "worklog type")
    if types_store.in_use(workspace_id, code):
        raise Conflict(f"Worklogs use type '{code}'; set its validityTo instead of deleting it.", code="TYPE_IN_USE")
    with conflicts_as_version_mismatch(_CHANGED_MEANWHILE):
        types_store.delete(workspace_id, code, current.version)
