"""Worklog use cases: create, edit, delete, restore, split, merge, and links."""

from __future__ import annotations

import uuid
from datetime import datetime

from worklogs.auth import Caller, Role
from worklogs.core.writes import (
    Written,
    checked_new_worklog,
    commit_changes,
    load_for_change,
    overlap_warnings,
    require_type_privilege,
    type_checks,
    visible_worklog,
    with_current_settings,
)
from worklogs.domain import lifecycle
from worklogs.domain.settings import WorkspaceSettings
from worklogs.domain.worklogs import is_worklog_id, validate_data
from worklogs.errors import NotFound, ValidationFailed
from worklogs.models import (
    LinkCreate,
    Worklog,
    WorklogCreate,
    WorklogPatch,
)
from worklogs.repository import worklogs as worklog_store
from worklogs.repository.worklogs import WorklogChange


def create_worklog(workspace_id: str, caller: Caller, role: Role, request: WorklogCreate, now: datetime) -> Written:
    validate_data(request.data)
    worklog_id = str(uuid.uuid4())

    def attempt(settings: WorkspaceSettings) -> Written:
        created, checks = checked_new_worklog(workspace_id, request, caller, role, worklog_id, settings, now)
        warnings, guards = overlap_warnings(settings, [created], {created.id})
        commit_changes(caller, [WorklogChange(created, None, "create")], settings, checks, ledger_versions=guards)
        return Written([created], warnings)

    return with_current_settings(workspace_id, attempt)


def edit_worklog(
    workspace_id: str,
    worklog_id: str,
    caller: Caller,
    role: Role,
    patch: WorklogPatch,
    expected_version: int,
    now: datetime,
) -> Written:
    def attempt(settings: WorkspaceSettings) -> Written:
        existing = load_for_change(workspace_id, worklog_id, caller, role, expected_version)
        updated, changed = lifecycle.apply_patch(existing, patch, caller=caller, role=role, settings=settings, now=now)
        if not changed:
            return Written([existing])
        checks = []
        if {"worklogTypeCode", "data"} & set(changed):
            checks = type_checks(
                settings,
                caller,
                updated.worklogTypeCode,
                updated.data,
                now=now,
                check_validity="worklogTypeCode" in changed,
            )
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(existing), lifecycle.window_of(updated))
        warnings, guards = overlap_warnings(settings, [updated], {updated.id})
        commit_changes(
            caller,
            [WorklogChange(updated, existing.version, "edit", changed, previous=existing)],
            settings,
            checks,
            ledger_versions=guards,
        )
        return Written([updated], warnings)

    return with_current_settings(workspace_id, attempt)


def delete_worklog(
    workspace_id: str, worklog_id: str, caller: Caller, role: Role, expected_version: int | None, now: datetime
) -> Written:
    def attempt(settings: WorkspaceSettings) -> Written:
        existing = load_for_change(workspace_id, worklog_id, caller, role, expected_version, keeps_entry=False)
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(existing))
        deleted = lifecycle.soft_delete(existing, caller=caller, now=now)
        commit_changes(
            caller, [WorklogChange(deleted, existing.version, "delete", ["deletedAt"], previous=existing)], settings
        )
        return Written([deleted])

    return with_current_settings(workspace_id, attempt)


def restore_worklog(
    workspace_id: str, worklog_id: str, caller: Caller, role: Role, expected_version: int | None, now: datetime
) -> Written:
    def attempt(settings: WorkspaceSettings) -> Written:
        existing = load_for_change(workspace_id, worklog_id, caller, role, expected_version, include_deleted=True)
        restored = lifecycle.restore(existing, caller=caller, now=now)
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(restored))
        warnings, guards = overlap_warnings(settings, [restored], {restored.id})
        commit_changes(
            caller,
            [WorklogChange(restored, existing.version, "restore", ["deletedAt"], previous=existing)],
            settings,
            ledger_versions=guards,
        )
        return Written([restored], warnings)

    return with_current_settings(workspace_id, attempt)


def split_worklog(
    workspace_id: str,
    worklog_id: str,
    caller: Caller,
    role: Role,
    at: datetime,
    expected_version: int | None,
    now: datetime,
) -> Written:
    new_id = str(uuid.uuid4())

    def attempt(settings: WorkspaceSettings) -> Written:
        existing = load_for_change(workspace_id, worklog_id, caller, role, expected_version)
        first, second = lifecycle.split(
            existing,
            at,
            new_id=new_id,
            caller=caller,
            now=now,
            link_ids=[str(uuid.uuid4()) for _ in existing.links],
        )
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(existing))
        warnings, guards = overlap_warnings(settings, [first, second], {first.id, second.id})
        commit_changes(
            caller,
            [
                WorklogChange(first, existing.version, "split", ["endDate"], [second.id], previous=existing),
                WorklogChange(second, None, "split", [], [first.id]),
            ],
            settings,
            ledger_versions=guards,
        )
        return Written([first, second], warnings)

    return with_current_settings(workspace_id, attempt)


def merge_worklogs(
    workspace_id: str, caller: Caller, role: Role, ids: list[str], allow_gaps: bool, now: datetime
) -> Written:
    if len(set(ids)) != len(ids):
        raise ValidationFailed(
            "Each id may appear once.", details=[{"loc": ["body", "ids"], "msg": "Duplicate ids.", "type": "unique"}]
        )

    def attempt(settings: WorkspaceSettings) -> Written:
        valid = [worklog_id for worklog_id in ids if is_worklog_id(worklog_id)]
        found = worklog_store.get_many(workspace_id, valid) if valid else {}
        missing = [worklog_id for worklog_id in ids if worklog_id not in found]
        if missing:
            raise NotFound(f"Worklog(s) not found: {', '.join(missing)}.", details=[{"worklogIds": missing}])
        worklogs = [found[worklog_id] for worklog_id in ids]
        for worklog in worklogs:
            lifecycle.require_can_modify(caller, role, worklog)
        require_type_privilege(workspace_id, caller, worklogs)
        survivor, merged_away = lifecycle.merge(
            worklogs, allow_gaps=allow_gaps, caller=caller, settings=settings, now=now
        )
        lifecycle.check_period_lock(settings, caller, *(lifecycle.window_of(w) for w in worklogs))
        every_id = {w.id for w in worklogs}
        warnings, guards = overlap_warnings(settings, [survivor], every_id)
        originals = {w.id: w for w in worklogs}
        merged_ids = [w.id for w in merged_away]
        changes = [
            WorklogChange(
                survivor,
                originals[survivor.id].version,
                "merge",
                ["startDate", "endDate", "description", "data"],
                merged_ids,
                previous=originals[survivor.id],
            )
        ]
        changes += [
            WorklogChange(
                w,
                originals[w.id].version,
                "merged-into",
                ["deletedAt", "mergedInto"],
                [survivor.id],
                previous=originals[w.id],
            )
            for w in merged_away
        ]
        commit_changes(caller, changes, settings, ledger_versions=guards)
        return Written([survivor, *merged_away], warnings)

    return with_current_settings(workspace_id, attempt)


def add_link(
    workspace_id: str,
    worklog_id: str,
    caller: Caller,
    role: Role,
    request: LinkCreate,
    expected_version: int | None,
    now: datetime,
) -> Written:
    link_id = str(uuid.uuid4())

    def attempt(settings: WorkspaceSettings) -> Written:
        existing = load_for_change(workspace_id, worklog_id, caller, role, expected_version)
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(existing))
        linked = lifecycle.add_link(existing, request, link_id=link_id, caller=caller, now=now)
        commit_changes(
            caller, [WorklogChange(linked, existing.version, "link", ["links"], [link_id], previous=existing)], settings
        )
        return Written([linked])

    return with_current_settings(workspace_id, attempt)


def delete_link(
    workspace_id: str,
    worklog_id: str,
    link_id: str,
    caller: Caller,
    role: Role,
    expected_version: int | None,
    now: datetime,
) -> Written:
    def attempt(settings: WorkspaceSettings) -> Written:
        existing = load_for_change(workspace_id, worklog_id, caller, role, expected_version)
        lifecycle.check_period_lock(settings, caller, lifecycle.window_of(existing))
        unlinked = lifecycle.remove_link(existing, link_id, caller=caller, now=now)
        commit_changes(
            caller,
            [WorklogChange(unlinked, existing.version, "unlink", ["links"], [link_id], previous=existing)],
            settings,
        )
        return Written([unlinked])

    return with_current_settings(workspace_id, attempt)


def get_worklog(workspace_id: str, worklog_id: str, caller: Caller, *, include_deleted: bool = False) -> Worklog:
    """A worklog the caller may see in this workspace (404 otherwise)."""
    caller.require_entity_access(workspace_id)
    return visible_worklog(workspace_id, worklog_id, include_deleted=include_deleted)
