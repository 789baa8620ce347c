"""Rules for changing worklogs: who may, what the new state is, and what the workspace settings forbid.
Pure functions; the services module loads, checks with these, and commits."""

from __future__ import annotations

from datetime import datetime

from worklogs.auth import Caller, Role
from worklogs.domain.durations import (
    TimeWindow,
    audit_stamp,
    format_iso_duration,
    format_utc,
    resolve_window,
    to_utc,
)
from worklogs.domain.html import sanitize_description
from worklogs.domain.settings import LOCK_OVERRIDE_PRIVILEGE, WorkspaceSettings
from worklogs.domain.worklogs import caller_ref, requested_duration_seconds, validate_data, worklog_path
from worklogs.errors import Conflict, Forbidden, NotFound, ValidationFailed
from worklogs.models import Link, LinkCreate, Warning, Worklog, WorklogPatch

_TIME_FIELDS = {"startDate", "endDate", "duration", "durationMinutes"}
_REQUIRED_FIELDS = {"ownerType", "ownerId", "workerId", "startDate", "endDate"}
_AUDIT_FIELDS = {"version", "updatedAt", "updatedBy", "duration", "durationMinutes", "self_"}


def require_can_modify(caller: Caller, role: Role, worklog: Worklog) -> None:
    """Members change only their own worklogs; managers and admins anyone's in the workspace."""
    if role < Role.MEMBER:
        raise Forbidden("Viewers cannot change worklogs.")
    if role < Role.MANAGER and worklog.workerId != caller.sub:
        raise Forbidden("Members can only change their own worklogs.")


def window_of(worklog: Worklog) -> TimeWindow:
    return TimeWindow(start=worklog.startDate, end=worklog.endDate)


def check_period_lock(settings: WorkspaceSettings, caller: Caller, *windows: TimeWindow) -> None:
    """Entries starting before `lockedUntil` (00:00, workspace time zone) are frozen."""
    lock = settings.lock_instant()
    if lock is None or caller.has_privilege(LOCK_OVERRIDE_PRIVILEGE):
        return
    if any(window.start < lock for window in windows):
        raise Conflict(
            f"The period before {settings.lockedUntil} ({settings.timezone}) is locked; entries starting "
            f"before it cannot be created, changed or deleted without the {LOCK_OVERRIDE_PRIVILEGE} privilege.",
            code="PERIOD_LOCKED",
            details=[{"lockedUntil": str(settings.lockedUntil), "timezone": settings.timezone}],
        )


def overlap_outcome(settings: WorkspaceSettings, overlapping: list[Worklog]) -> list[Warning]:
    """`reject` → 409 naming the overlapping worklogs; `warn` → a warning; `allow` → nothing."""
    if not overlapping or settings.overlapPolicy == "allow":
        return []
    ids = sorted({worklog.id for worklog in overlapping})
    message = f"Overlaps {len(ids)} other worklog(s) of the same worker: {', '.join(ids)}."
    if settings.overlapPolicy == "reject":
        raise Conflict(
            message,
            code="OVERLAP",
            details=[
                {
                    "worklogId": worklog.id,
                    "startDate": format_utc(worklog.startDate),
                    "endDate": format_utc(worklog.endDate),
                }
                for worklog in overlapping
            ],
        )
    return [Warning(code="OVERLAP", message=message, worklogIds=ids)]


def _touch(worklog: Worklog, caller: Caller, now: datetime, **changes) -> Worklog:
    return worklog.model_copy(
        update={
            **changes,
            "version": worklog.version + 1,
            "updatedAt": audit_stamp(now),
            "updatedBy": caller_ref(caller),
        }
    )


def _with_window(worklog: Worklog, window: TimeWindow) -> dict:
    return {
        "startDate": window.start,
        "endDate": window.end,
        "durationMinutes": window.minutes,
        "duration": format_iso_duration(window.seconds),
    }


def patched_window(existing: Worklog, patch: WorklogPatch, settings: WorkspaceSettings, now: datetime) -> TimeWindow:
    given = patch.model_fields_set & _TIME_FIELDS
    if not given:
        return window_of(existing)
    duration = requested_duration_seconds(patch, hours_per_day=settings.hoursPerDay, days_per_week=settings.daysPerWeek)
    start, end = patch.startDate, patch.endDate
    if sum(value is not None for value in (start, end, duration)) >= 2:
        pass  # as on create
    elif start is not None:
        end = existing.endDate  # moving one edge keeps the other
    elif end is not None:
        start = existing.startDate
    else:
        start = existing.startDate  # a new duration keeps the start
    return resolve_window(
        start=start, end=end, duration_seconds=duration, now=now, max_entry_hours=settings.maxEntryHours
    )


def apply_patch(
    existing: Worklog,
    patch: WorklogPatch,
    *,
    caller: Caller,
    role: Role,
    settings: WorkspaceSettings,
    now: datetime,
) -> tuple[Worklog, list[str]]:
    """The worklog after the patch, and the names of the fields that really changed."""
    sent = patch.model_fields_set
    nulled = sorted(name for name in sent & _REQUIRED_FIELDS if getattr(patch, name) is None)
    if nulled:
        raise ValidationFailed(
            f"{', '.join(nulled)} cannot be cleared.",
            details=[{"loc": ["body", name], "msg": "May not be null.", "type": "not_null"} for name in nulled],
        )
    timing_nulls = sorted(name for name in sent & {"duration", "durationMinutes"} if getattr(patch, name) is None)
    if timing_nulls:
        raise ValidationFailed(
            "Send a duration to change the length, or leave it out.",
            details=[{"loc": ["body", name], "msg": "May not be null.", "type": "not_null"} for name in timing_nulls],
        )
    updates: dict = {}
    for name in ("ownerType", "ownerId", "projectId", "workerId", "worklogTypeCode"):
        if name in sent:
            updates[name] = getattr(patch, name)
    if "description" in sent:
        updates["description"] = sanitize_description(patch.description or "")
    if "data" in sent:
        updates["data"] = patch.data or {}
        validate_data(updates["data"])
    if "workerId" in updates and updates["workerId"] != existing.workerId and role < Role.MANAGER:
        raise Forbidden("Only managers and admins may move a worklog to another worker.")
    updates.update(_with_window(existing, patched_window(existing, patch, settings, now)))
    changed = sorted(
        name for name, value in updates.items() if name not in _AUDIT_FIELDS and getattr(existing, name) != value
    )
    if not changed:
        return existing, []
    return _touch(existing, caller, now, **updates), changed


def soft_delete(existing: Worklog, *, caller: Caller, now: datetime, merged_into: str | None = None) -> Worklog:
    return _touch(
        existing, caller, now, deletedAt=audit_stamp(now), deletedBy=caller_ref(caller), mergedInto=merged_into
    )


def restore(existing: Worklog, *, caller: Caller, now: datetime) -> Worklog:
    if existing.deletedAt is None:
        raise Conflict("The worklog is not deleted.", code="NOT_DELETED")
    if existing.mergedInto:
        raise Conflict(
            f"The worklog was merged into {existing.mergedInto}; restoring it would count its time twice. "
            "Split the merged worklog instead.",
            code="MERGED",
            details=[{"mergedInto": existing.mergedInto}],
        )
    return _touch(existing, caller, now, deletedAt=None, deletedBy=None)


def split(
    existing: Worklog, at: datetime, *, new_id: str, caller: Caller, now: datetime, link_ids: list[str] | None = None
) -> tuple[Worklog, Worklog]:
    """Cut at `at` (strictly inside): the original ends there, a copy starts there."""
    at_utc = to_utc(at)
    if not existing.startDate < at_utc < existing.endDate:
        raise ValidationFailed(
            f"The split point must lie strictly between {format_utc(existing.startDate)} and "
            f"{format_utc(existing.endDate)}.",
            details=[{"loc": ["body", "at"], "msg": "Outside the worklog.", "type": "split_point"}],
        )
    first = _touch(existing, caller, now, **_with_window(existing, TimeWindow(existing.startDate, at_utc)))
    me = caller_ref(caller)
    second = existing.model_copy(
        update={
            "id": new_id,
            **_with_window(existing, TimeWindow(at_utc, existing.endDate)),
            "version": 1,
            "createdAt": audit_stamp(now),
            "createdBy": me,
            "updatedAt": audit_stamp(now),
            "updatedBy": me,
            "loggedBy": me,
            "self_": worklog_path(existing.workspaceId, new_id),
            "links": copy_links(existing.links, worklog_id=new_id, new_ids=link_ids or []),
        }
    )
    return first, second


def merge(
    worklogs: list[Worklog],
    *,
    allow_gaps: bool,
    caller: Caller,
    settings: WorkspaceSettings,
    now: datetime,
) -> tuple[Worklog, list[Worklog]]:
    """One worklog from the earliest start to the latest end; the others are soft-deleted with `mergedInto`.

    The earliest worklog survives (keeps its id). Descriptions are joined in start order. `data`: the
    earliest worklog's keys win; keys only later worklogs have are added, earlier ones first.
    """
    ordered = sorted(worklogs, key=lambda w: (w.startDate, w.endDate, w.id))
    first = ordered[0]
    for name, label in (
        ("workerId", "worker"),
        ("ownerType", "owner"),
        ("ownerId", "owner"),
        ("worklogTypeCode", "type"),
    ):
        if len({getattr(w, name) for w in ordered}) > 1:
            raise ValidationFailed(
                f"Only worklogs of the same worker, owner and type can be merged; their {label} differs.",
                details=[{"loc": ["body", "ids"], "msg": f"Different {label}.", "type": "merge"}],
            )
    deleted = [w.id for w in ordered if w.deletedAt is not None]
    if deleted:
        raise Conflict(
            f"Deleted worklogs cannot be merged: {', '.join(deleted)}.",
            code="WORKLOG_DELETED",
            details=[{"worklogId": worklog_id} for worklog_id in deleted],
        )
    reach = first.endDate
    gaps = []
    for worklog in ordered[1:]:
        if worklog.startDate > reach:
            gaps.append({"from": format_utc(reach), "to": format_utc(worklog.startDate)})
        reach = max(reach, worklog.endDate)
    if gaps and not allow_gaps:
        raise Conflict(
            "The worklogs leave gaps between them; merging would log time nobody worked. "
            "Send allowGaps: true to merge anyway.",
            code="MERGE_GAPS",
            details=gaps,
        )
    window = resolve_window(
        start=first.startDate, end=reach, duration_seconds=None, now=now, max_entry_hours=settings.maxEntryHours
    )
    data: dict = {}
    for worklog in reversed(ordered):
        data.update(worklog.data)
    data.update(first.data)
    description = "\n".join(w.description for w in ordered if w.description)
    links = list(first.links)
    linked = {(link.refType.upper(), link.refId) for link in links}
    for worklog in ordered[1:]:
        for link in worklog.links:
            if (link.refType.upper(), link.refId) not in linked:
                linked.add((link.refType.upper(), link.refId))
                links.append(link.model_copy(update={"worklogId": first.id}))
    if len(links) > MAX_LINKS:
        raise Conflict(f"The merged worklog would have more than {MAX_LINKS} links.", code="TOO_MANY_LINKS")
    survivor = _touch(
        first,
        caller,
        now,
        description=description,
        data=data,
        links=links,
        taskEntityRefId=task_entity_ref_id(links),
        **_with_window(first, window),
    )
    merged_away = [soft_delete(w, caller=caller, now=now, merged_into=first.id) for w in ordered[1:]]
    return survivor, merged_away


MAX_LINKS = 50


def task_entity_ref_id(links: list[Link]) -> str | None:
    """The first link of refType TASK (any case), oldest first; read-only on the worklog."""
    return next((link.refId for link in links if link.refType.upper() == "TASK"), None)


def _with_links(worklog: Worklog, links: list[Link], caller: Caller, now: datetime) -> Worklog:
    return _touch(worklog, caller, now, links=links, taskEntityRefId=task_entity_ref_id(links))


def add_link(existing: Worklog, request: LinkCreate, *, link_id: str, caller: Caller, now: datetime) -> Worklog:
    duplicate = next(
        (
            link
            for link in existing.links
            if link.refType.upper() == request.refType.upper() and link.refId == request.refId
        ),
        None,
    )
    if duplicate is not None:
        raise Conflict(
            f"The worklog is already linked to {request.refType} {request.refId}.",
            code="LINK_EXISTS",
            details=[{"linkId": duplicate.id}],
        )
    if len(existing.links) >= MAX_LINKS:
        raise Conflict(f"A worklog can have at most {MAX_LINKS} links.", code="TOO_MANY_LINKS")
    validate_data(request.data)
    link = Link(
        id=link_id,
        worklogId=existing.id,
        refType=request.refType,
        refId=request.refId,
        name=request.name,
        data=request.data,
        createdAt=audit_stamp(now),
        createdBy=caller_ref(caller),
    )
    return _with_links(existing, [*existing.links, link], caller, now)


def remove_link(existing: Worklog, link_id: str, *, caller: Caller, now: datetime) -> Worklog:
    remaining = [link for link in existing.links if link.id != link_id]
    if len(remaining) == len(existing.links):
        raise NotFound("Link not found.")
    return _with_links(existing, remaining, caller, now)


def copy_links(links: list[Link], *, worklog_id: str, new_ids: list[str]) -> list[Link]:
    return [
        link.model_copy(update={"id": new_id, "worklogId": worklog_id})
        for link, new_id in zip(links, new_ids, strict=True)
    ]
