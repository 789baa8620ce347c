"""The live timer: who may use it, its states (running, paused; none once stopped or discarded), and
what stopping it logs. Pure functions; the services module loads, checks with these, and commits.

A timer is a list of runs: each start or resume opens one, each pause closes it. Stopping writes one
worklog per run (pauses are not logged), capped at `maxEntryHours`, dropping runs shorter than
`minTimerSeconds`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from worklogs.auth import Caller, Role
from worklogs.config import API_PREFIX
from worklogs.domain.durations import format_utc, to_utc
from worklogs.domain.html import sanitize_description
from worklogs.domain.settings import WorkspaceSettings
from worklogs.domain.worklogs import new_worklog, validate_data
from worklogs.errors import Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from worklogs.models import Warning, Worklog, WorklogCreate
from worklogs.timer.models import SkippedSegment, Timer, TimerSegment, TimerStart, TimerStop

# A stop writes 2 items per run (worklog + history) + the timer + a receipt + the settings check, and one
# DynamoDB transaction holds at most 100 items.
MAX_SEGMENTS = 40
RECEIPT_TTL = timedelta(hours=24)


class TimerState(BaseModel):
    """The stored timer: run starts and ends (one fewer end while running), the worklog fields, a version."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    id: str
    workspaceId: str
    userId: str
    ownerType: str
    ownerId: str
    projectId: str | None = None
    worklogTypeCode: str | None = None
    description: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    segmentStarts: list[datetime]
    segmentEnds: list[datetime] = Field(default_factory=list)
    version: int
    startedAt: datetime
    updatedAt: datetime

    @property
    def state(self) -> Literal["running", "paused"]:
        return "running" if len(self.segmentStarts) > len(self.segmentEnds) else "paused"

    @property
    def running(self) -> bool:
        return self.state == "running"

    def runs(self) -> list[tuple[datetime, datetime | None]]:
        """(start, end) of each run; the end is None for the run that is going."""
        return [
            (start, self.segmentEnds[index] if index < len(self.segmentEnds) else None)
            for index, start in enumerate(self.segmentStarts)
        ]


class StopReceipt(BaseModel):
    """Kept for 24 hours after a stop, so a retried stop returns what the first one wrote."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    timerId: str
    stoppedAt: datetime
    worklogIds: list[str]
    skippedSegments: list[SkippedSegment] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)


def timer_path(workspace_id: str) -> str:
    return f"{API_PREFIX}/workspaces/{quote(workspace_id, safe='')}/timer"


def not_found() -> NotFound:
    return NotFound("There is no timer in this workspace; start one with POST …/timer/start.", code="TIMER_NOT_FOUND")


def require_timer_access(caller: Caller, workspace_id: str) -> Role:
    """A timer is the caller's own: outside the workspace it does not exist (404); viewers cannot time (403)."""
    role = caller.role_in(workspace_id)
    if role is None:
        raise not_found()
    if role < Role.MEMBER:
        raise Forbidden("Timers need the member role in the workspace.")
    return role


def _seconds(start: datetime, end: datetime) -> int:
    # Clocks of two containers may disagree by a moment: a run never counts negative.
    return max(0, int((end - start).total_seconds()))


def view(timer: TimerState, now: datetime) -> Timer:
    now_utc = to_utc(now)
    segments = [
        TimerSegment(start=start, end=end, seconds=_seconds(start, end or now_utc)) for start, end in timer.runs()
    ]
    return Timer(
        id=timer.id,
        workspaceId=timer.workspaceId,
        userId=timer.userId,
        state=timer.state,
        ownerType=timer.ownerType,
        ownerId=timer.ownerId,
        projectId=timer.projectId,
        worklogTypeCode=timer.worklogTypeCode,
        description=timer.description,
        data=timer.data,
        startedAt=timer.startedAt,
        updatedAt=timer.updatedAt,
        segments=segments,
        elapsedSeconds=sum(segment.seconds for segment in segments),
        version=timer.version,
        self=timer_path(timer.workspaceId),
    )


def new_timer(*, workspace_id: str, caller: Caller, request: TimerStart, timer_id: str, now: datetime) -> TimerState:
    validate_data(request.data)
    now_utc = to_utc(now)
    return TimerState(
        id=timer_id,
        workspaceId=workspace_id,
        userId=caller.sub,
        ownerType=request.ownerType,
        ownerId=request.ownerId,
        projectId=request.projectId,
        worklogTypeCode=request.worklogTypeCode,
        description=sanitize_description(request.description or ""),
        data=request.data,
        segmentStarts=[now_utc],
        segmentEnds=[],
        version=1,
        startedAt=now_utc,
        updatedAt=now_utc,
    )


def already_running(existing: TimerState, now: datetime) -> Conflict:
    shown = view(existing, now)
    return Conflict(
        f"A timer is already {existing.state} on {existing.ownerType} {existing.ownerId} (started "
        f"{format_utc(existing.startedAt)}); stop it first, or start with replace=true to stop it and start anew.",
        code="TIMER_RUNNING",
        details=[shown.model_dump(mode="json", by_alias=True)],
    )


def check_version(timer: TimerState, expected: int | None) -> None:
    if expected is not None and expected != timer.version:
        raise PreconditionFailed(
            f"The timer is at version {timer.version}, not {expected}; read it again.",
            code="VERSION_MISMATCH",
            details=[{"timerId": timer.id, "currentVersion": timer.version}],
        )


def require_pausable(timer: TimerState | None, expected_version: int | None) -> TimerState:
    if timer is None:
        raise not_found()
    check_version(timer, expected_version)
    if not timer.running:
        raise Conflict("The timer is already paused; resume or stop it.", code="TIMER_NOT_RUNNING")
    return timer


def require_resumable(timer: TimerState | None, expected_version: int | None) -> TimerState:
    if timer is None:
        raise not_found()
    check_version(timer, expected_version)
    if timer.running:
        raise Conflict("The timer is already running; pause or stop it.", code="TIMER_NOT_PAUSED")
    if len(timer.segmentStarts) >= MAX_SEGMENTS:
        raise Conflict(
            f"A timer holds at most {MAX_SEGMENTS} runs; stop it (its runs become worklogs) and start a new one.",
            code="TIMER_SEGMENT_LIMIT",
        )
    return timer


@dataclass(frozen=True)
class StopPlan:
    """What stopping writes: a worklog per long-enough run, the runs left out, and warnings."""

    timer: TimerState
    stopped_at: datetime
    worklogs: list[Worklog]
    skipped: list[SkippedSegment]
    warnings: list[Warning]

    def receipt(self) -> StopReceipt:
        return StopReceipt(
            timerId=self.timer.id,
            stoppedAt=self.stopped_at,
            worklogIds=[worklog.id for worklog in self.worklogs],
            skippedSegments=self.skipped,
            warnings=self.warnings,
        )


def _end_at_invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, details=[{"loc": ["body", "endAt"], "msg": message, "type": "end_at"}])


def _closed_runs(timer: TimerState, end_at: datetime | None, now: datetime) -> list[tuple[datetime, datetime]]:
    """Every run with an end: the going run ends now, or at `endAt`, which must lie within the last run."""
    runs = timer.runs()
    last_start, last_end = runs[-1]
    if end_at is not None:
        if end_at > now:
            raise _end_at_invalid(f"endAt ({format_utc(end_at)}) is in the future.")
        if end_at < timer.startedAt:
            raise _end_at_invalid(
                f"endAt ({format_utc(end_at)}) is before the timer started ({format_utc(timer.startedAt)})."
            )
        if end_at < last_start or (last_end is not None and end_at > last_end):
            until = format_utc(last_end) if last_end is not None else "now"
            raise _end_at_invalid(
                f"endAt must lie within the timer's last run ({format_utc(last_start)} to {until}); "
                "earlier runs are already closed."
            )
        last_end = end_at
    closed = [(start, end) for start, end in runs[:-1] if end is not None]
    return [*closed, (last_start, last_end if last_end is not None else now)]


def plan_stop(
    timer: TimerState,
    *,
    caller: Caller,
    role: Role,
    settings: WorkspaceSettings,
    request: TimerStop,
    now: datetime,
    new_id: Callable[[], str],
) -> StopPlan:
    now_utc = to_utc(now)
    end_at = to_utc(request.endAt) if request.endAt is not None else None
    sent = request.model_fields_set
    description = (request.description or "") if "description" in sent else timer.description
    type_code = request.worklogTypeCode if "worklogTypeCode" in sent else timer.worklogTypeCode
    data = (request.data or {}) if "data" in sent else timer.data
    if "data" in sent:
        validate_data(data)
    max_seconds = int(settings.maxEntryHours * 3600)
    shortest = max(1, settings.minTimerSeconds)
    worklogs: list[Worklog] = []
    skipped: list[SkippedSegment] = []
    warnings: list[Warning] = []
    previous_end: datetime | None = None
    for run_start, run_end in _closed_runs(timer, end_at, now_utc):
        # Runs are stamped by different containers' clocks: never let one start before the last one ended.
        start = max(run_start, previous_end) if previous_end is not None else run_start
        end = max(start, run_end)
        previous_end = end
        seconds = _seconds(start, end)
        if seconds < shortest:
            skipped.append(
                SkippedSegment(
                    start=start,
                    end=end,
                    seconds=seconds,
                    reason=f"shorter than minTimerSeconds ({settings.minTimerSeconds} s)",
                )
            )
            continue
        capped = seconds > max_seconds
        if capped:
            end = start + timedelta(seconds=max_seconds)
        worklog = new_worklog(
            workspace_id=timer.workspaceId,
            request=WorklogCreate(
                ownerType=timer.ownerType,
                ownerId=timer.ownerId,
                projectId=timer.projectId,
                worklogTypeCode=type_code,
                description=description,
                data=data,
                startDate=start,
                endDate=end,
            ),
            caller=caller,
            role=role,
            worklog_id=new_id(),
            now=now_utc,
            hours_per_day=settings.hoursPerDay,
            days_per_week=settings.daysPerWeek,
            max_entry_hours=settings.maxEntryHours,
        )
        worklogs.append(worklog)
        if capped:
            warnings.append(
                Warning(
                    code="TIMER_RUN_CAPPED",
                    message=f"The run from {format_utc(start)} lasted {seconds // 60} minutes, longer than "
                    f"maxEntryHours ({settings.maxEntryHours:g} h); it was logged as {settings.maxEntryHours:g} h. "
                    "Edit the worklog if that is wrong.",
                    worklogIds=[worklog.id],
                )
            )
    return StopPlan(timer=timer, stopped_at=now_utc, worklogs=worklogs, skipped=skipped, warnings=warnings)
