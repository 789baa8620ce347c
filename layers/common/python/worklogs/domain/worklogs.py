"""Rules for creating a worklog from a request."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from worklogs.auth import Caller, Role
from worklogs.config import API_PREFIX
from worklogs.domain.durations import (
    DEFAULT_DAYS_PER_WEEK,
    DEFAULT_HOURS_PER_DAY,
    audit_stamp,
    format_iso_duration,
    parse_iso_duration,
    resolve_window,
)
from worklogs.domain.html import sanitize_description
from worklogs.errors import Forbidden, ValidationFailed
from worklogs.models import UserRef, Worklog, WorklogCreate, WorklogPatch

DEFAULT_MAX_ENTRY_HOURS = 24


def worklog_path(workspace_id: str, worklog_id: str) -> str:
    return f"{API_PREFIX}/workspaces/{quote(workspace_id, safe='')}/worklogs/{quote(worklog_id, safe='')}"


def caller_ref(caller: Caller) -> UserRef:
    return UserRef(id=caller.sub, display=caller.name)


def requested_duration_seconds(
    request: WorklogCreate | WorklogPatch,
    *,
    hours_per_day: float = DEFAULT_HOURS_PER_DAY,
    days_per_week: float = DEFAULT_DAYS_PER_WEEK,
) -> int | None:
    if request.duration is not None and request.durationMinutes is not None:
        raise ValidationFailed(
            "Give either duration or durationMinutes, not both.",
            details=[{"loc": ["body", "durationMinutes"], "msg": "Conflicts with duration.", "type": "duration"}],
        )
    if request.durationMinutes is not None:
        return request.durationMinutes * 60
    if request.duration is not None:
        return parse_iso_duration(request.duration, hours_per_day=hours_per_day, days_per_week=days_per_week)
    return None


def new_worklog(
    *,
    workspace_id: str,
    request: WorklogCreate,
    caller: Caller,
    role: Role,
    worklog_id: str,
    now: datetime,
    hours_per_day: float = DEFAULT_HOURS_PER_DAY,
    days_per_week: float = DEFAULT_DAYS_PER_WEEK,
    max_entry_hours: float = DEFAULT_MAX_ENTRY_HOURS,
) -> Worklog:
    worker_id = request.workerId or caller.sub
    if worker_id != caller.sub and role < Role.MANAGER:
        raise Forbidden("Only managers and admins may log time for another worker.")
    window = resolve_window(
        start=request.startDate,
        end=request.endDate,
        duration_seconds=requested_duration_seconds(request, hours_per_day=hours_per_day, days_per_week=days_per_week),
        now=now,
        max_entry_hours=max_entry_hours,
    )
    now_utc = audit_stamp(now)
    me = caller_ref(caller)
    return Worklog(
        id=worklog_id,
        workspaceId=workspace_id,
        projectId=request.projectId,
        ownerType=request.ownerType,
        ownerId=request.ownerId,
        workerId=worker_id,
        worklogTypeCode=request.worklogTypeCode,
        description=sanitize_description(request.description or ""),
        data=request.data,
        startDate=window.start,
        endDate=window.end,
        durationMinutes=window.minutes,
        duration=format_iso_duration(window.seconds),
        version=1,
        createdAt=now_utc,
        createdBy=me,
        updatedAt=now_utc,
        updatedBy=me,
        loggedBy=me,
        self=worklog_path(workspace_id, worklog_id),
    )


MAX_DATA_DEPTH = 16
_MAX_NUMBER_DIGITS = 38  # DynamoDB keeps numbers to 38 significant digits


def _is_text(text: str) -> bool:
    """False for lone UTF-16 surrogates (valid in JSON escapes, not storable)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_data(data: dict[str, Any], field: str = "data") -> None:
    """`data` (or another free map of the body, `field`) must be storable as it is: bounded nesting,
    non-empty keys, numbers DynamoDB can hold."""
    problems: list[dict[str, Any]] = []

    def visit(value: Any, loc: list[str | int], depth: int) -> None:
        if depth > MAX_DATA_DEPTH:
            problems.append({"loc": loc, "msg": f"Nested deeper than {MAX_DATA_DEPTH} levels.", "type": "depth"})
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if not key:
                    problems.append({"loc": loc, "msg": "Keys must not be empty.", "type": "empty_key"})
                elif not _is_text(key):
                    problems.append({"loc": loc, "msg": "Keys must be valid Unicode text.", "type": "unicode"})
                    continue
                visit(item, [*loc, key], depth + 1)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, [*loc, index], depth + 1)
        elif isinstance(value, str):
            if not _is_text(value):
                problems.append({"loc": loc, "msg": "Strings must be valid Unicode text.", "type": "unicode"})
        elif isinstance(value, bool) or value is None:
            return
        elif isinstance(value, int | float):
            if isinstance(value, float) and not math.isfinite(value):
                problems.append({"loc": loc, "msg": "Numbers must be finite.", "type": "number"})
                return
            digits = Decimal(str(value)).as_tuple()
            exponent = int(digits.exponent) + len(digits.digits)
            if len(digits.digits) > _MAX_NUMBER_DIGITS or (value != 0 and not -128 <= exponent <= 126):
                problems.append(
                    {
                        "loc": loc,
                        "msg": "Number out of range (38 significant digits at most).",
                        "type": "number",
                    }
                )

    visit(data, ["body", field], 0)
    if problems:
        raise ValidationFailed(f"`{field}` cannot be stored as given.", details=problems[:20])


def is_worklog_id(text: str) -> bool:
    """Worklog ids are UUIDs; anything else cannot exist (answered 404 without a lookup)."""
    try:
        return str(uuid.UUID(text)) == text.lower()
    except (ValueError, AttributeError):
        return False
