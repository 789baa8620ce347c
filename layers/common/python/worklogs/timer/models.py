"""API shapes of the timer."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, Field

from worklogs.models import ApiModel, ExternalId, ShortId, TypeCode, Warning, Worklog


class TimerStart(ApiModel):
    """Start the caller's timer on a record: the fields the timer's worklogs will carry."""

    ownerType: ShortId = Field(description="Type of the record the time is spent on, e.g. Ticket, Order.")
    ownerId: ExternalId = Field(description="Id of that record in its own system.")
    projectId: ShortId | None = Field(default=None, description="Project the work belongs to.")
    worklogTypeCode: TypeCode | None = Field(default=None, description="Activity type code.")
    description: str | None = Field(
        default=None, max_length=20_000, description="HTML subset; unsafe markup is removed."
    )
    data: dict[str, Any] = Field(
        default_factory=dict, description="Free key/value data, e.g. billable, rate, category, location."
    )


class TimerStop(ApiModel):
    """Stop the timer and log its runs. Everything is optional; fields sent replace the timer's."""

    timerId: UUID | None = Field(
        default=None,
        description="The timer you mean to stop. A retried stop naming an already stopped timer returns the "
        "worklogs that stop wrote (for 24 hours) instead of 404.",
    )
    endAt: AwareDatetime | None = Field(
        default=None,
        description="When the work really ended (you forgot to stop it): within the last run, not in the future.",
    )
    description: str | None = Field(default=None, max_length=20_000)
    worklogTypeCode: TypeCode | None = None
    data: dict[str, Any] | None = Field(default=None, description="Replaces the timer's whole map.")


class TimerSegment(ApiModel):
    """One run of the timer, between a start or resume and a pause or stop."""

    start: datetime
    end: datetime | None = Field(default=None, description="Absent while this run is going.")
    seconds: int = Field(description="Length so far.")


class Timer(ApiModel):
    """The caller's live timer in a workspace. Only its owner can see or touch it."""

    id: str
    workspaceId: str
    userId: str
    state: Literal["running", "paused"]
    ownerType: str
    ownerId: str
    projectId: str | None = None
    worklogTypeCode: str | None = None
    description: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    startedAt: datetime
    updatedAt: datetime
    segments: list[TimerSegment] = Field(description="The runs; pauses lie between them and are not logged.")
    elapsedSeconds: int = Field(description="Worked time so far: the runs, without the pauses.")
    version: int = Field(description="Grows by one on every change; also sent as the ETag.")
    self_: str = Field(alias="self", description="Path of this resource.")


class SkippedSegment(ApiModel):
    start: datetime
    end: datetime
    seconds: int
    reason: str


class TimerStopResult(ApiModel):
    """What a stop wrote: one worklog per run that was long enough."""

    timerId: str
    stoppedAt: datetime
    worklogs: list[Worklog]
    skippedSegments: list[SkippedSegment] = Field(
        default_factory=list, description="Runs shorter than the workspace's minTimerSeconds: not logged."
    )
    warnings: list[Warning] = Field(default_factory=list)


class TimerStarted(Timer):
    stopped: TimerStopResult | None = Field(
        default=None, description="With replace=true: what stopping the previous timer wrote."
    )
