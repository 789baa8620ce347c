"""API shapes (pydantic v2): the single source of request validation and of the OpenAPI schema."""

import re
from datetime import date, datetime
from datetime import date as CalendarDate
from typing import Annotated, Any, Literal, TypedDict

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

# Identifiers of records in other systems: free text, but never empty and never unbounded.
_NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]+$"
ExternalId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256, pattern=_NO_CONTROL_CHARACTERS)
]
ShortId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128, pattern=_NO_CONTROL_CHARACTERS)
]
TypeCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]


def refuse_lax_types(*kinds: type, expected: str) -> BeforeValidator:
    """Refuse JSON types pydantic's lax mode would convert but the documented schema does not allow
    (a number as a timestamp, "30" or true as a number), so the API accepts exactly what it documents."""

    def check(value: Any) -> Any:
        if isinstance(value, kinds):
            raise ValueError(f"Expected {expected}.")
        return value

    return BeforeValidator(check)


# Dates the service can compute with (periods, weeks, time zones, rollups) without leaving Python's range.
EARLIEST_DATE = CalendarDate(1900, 1, 1)
LATEST_DATE = CalendarDate(9998, 12, 31)


def _within_range(value: Any) -> Any:
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, CalendarDate) and not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(f"Expected a date between {EARLIEST_DATE} and {LATEST_DATE}.")
    return value


InRange = AfterValidator(_within_range)
Timestamp = Annotated[
    AwareDatetime, refuse_lax_types(int, float, expected="an ISO 8601 timestamp with a UTC offset"), InRange
]
JsonInt = Annotated[int, refuse_lax_types(str, bool, expected="an integer")]


def _iso_text(pattern: str, expected: str) -> BeforeValidator:
    """Query strings are text: refuse what is not ISO 8601 (pydantic would read "0.5" as a Unix time)."""
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, str) and not compiled.match(value.strip()):
            raise ValueError(f"Expected {expected}.")
        return value

    return BeforeValidator(check)


QueryTimestamp = Annotated[
    AwareDatetime,
    _iso_text(r"^\d{4}-\d{2}-\d{2}T", "an ISO 8601 timestamp with a UTC offset, e.g. 2026-11-11T09:00:00Z"),
    InRange,
]
QueryDate = Annotated[date, _iso_text(r"^\d{4}-\d{2}-\d{2}$", "an ISO 8601 date, e.g. 2026-11-11"), InRange]
JsonFloat = Annotated[float, refuse_lax_types(str, bool, expected="a number")]
JsonBool = Annotated[bool, Strict()]
Minutes = Annotated[int, Field(ge=1, le=60 * 24 * 366), refuse_lax_types(str, bool, expected="an integer")]

# `from` is a Python keyword: a model's `from` field is passed as `**first_day(day)`, which the type checker
# matches to the field like any other keyword.
FirstDay = TypedDict("FirstDay", {"from": date})


def first_day(day: date) -> FirstDay:
    return {"from": day}


class ApiModel(BaseModel):
    # defer_build: a model's validator is built when first used, so a function builds only the models of the
    # routes it actually serves, not every model this module defines.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class Rounding(ApiModel):
    """How rounded totals are shown; raw minutes are never changed."""

    mode: Literal["none", "up", "down", "nearest"] = "none"
    unitMinutes: JsonInt = Field(default=15, ge=1, le=60)
    scope: Literal["entry", "day"] = Field(
        default="entry", description="`entry` rounds each worklog before summing; `day` rounds the day's sum."
    )


class UserRef(ApiModel):
    """A user as Tracker shows one: the id (token `sub`) and a display name when known."""

    id: str
    display: str | None = None


RefType = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=_NO_CONTROL_CHARACTERS)
]


class LinkCreate(ApiModel):
    """A record related to the worklog beyond its owner (e.g. a Task or Change)."""

    refType: RefType = Field(description="Type of the linked record; `TASK` (any case) sets taskEntityRefId.")
    refId: ExternalId = Field(description="Id of the linked record.")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)] = Field(
        description="Display name of the link."
    )
    data: dict[str, Any] = Field(default_factory=dict, description="Optional metadata for the relation.")


class Link(ApiModel):
    id: str
    worklogId: str
    refType: str
    refId: str
    name: str
    data: dict[str, Any] = Field(default_factory=dict)
    createdAt: datetime
    createdBy: UserRef


class WorklogCreate(ApiModel):
    """A new worklog. Time: any two of startDate, endDate and duration/durationMinutes, or a duration alone
    (then it ends now). Timestamps need a UTC offset."""

    ownerType: ShortId = Field(description="Type of the record the time was spent on, e.g. Ticket, Order.")
    ownerId: ExternalId = Field(description="Id of that record in its own system.")
    projectId: ShortId | None = Field(default=None, description="Project the work belongs to.")
    workerId: ShortId | None = Field(default=None, description="Who did the work; defaults to the caller.")
    worklogTypeCode: TypeCode | None = Field(default=None, description="Activity type code.")
    description: str | None = Field(
        default=None, max_length=20_000, description="HTML subset; unsafe markup is removed."
    )
    data: dict[str, Any] = Field(
        default_factory=dict, description="Free key/value data, e.g. billable, rate, category, location."
    )
    startDate: Timestamp | None = Field(default=None, description="Start, with a UTC offset.")
    endDate: Timestamp | None = Field(default=None, description="End, with a UTC offset.")
    duration: str | None = Field(
        default=None,
        max_length=64,
        description="ISO 8601 duration: PT1H30M, P1D (a working day), P2W (working weeks).",
        examples=["PT1H30M"],
    )
    durationMinutes: Minutes | None = Field(default=None, description="Duration in minutes.")


class Worklog(ApiModel):
    """A recorded piece of work. Times are UTC; `duration` and `durationMinutes` derive from them."""

    id: str
    workspaceId: str
    projectId: str | None = None
    ownerType: str
    ownerId: str
    workerId: str
    worklogTypeCode: str | None = None
    description: str = ""
    data: dict[str, Any] = Field(default_factory=dict)
    startDate: datetime
    endDate: datetime
    durationMinutes: int
    duration: str
    taskEntityRefId: str | None = Field(default=None, description="Read-only: the linked TASK record, if any.")
    links: list[Link] = Field(default_factory=list, description="Related records (at most 50).")
    version: int = Field(description="Grows by one on every change; also sent as the ETag.")
    createdAt: datetime
    createdBy: UserRef
    updatedAt: datetime
    updatedBy: UserRef
    loggedBy: UserRef = Field(description="Who submitted the entry (may differ from the worker).")
    deletedAt: datetime | None = None
    deletedBy: UserRef | None = None
    mergedInto: str | None = Field(default=None, description="Set when merged away: the surviving worklog.")
    rate: str | None = Field(
        default=None, description="Read-only: the hourly rate resolved when written (decimal text); amounts use it."
    )
    rateSource: str | None = Field(
        default=None, description="Read-only: `data` (explicit data.rate) or `rule:<level>:<validFrom>`."
    )
    self_: str = Field(alias="self", description="Path of this resource.")


class WorklogPatch(ApiModel):
    """A partial update: only the fields sent change. Time: any of startDate, endDate, duration or
    durationMinutes. Two of them set the window as on create; a single edge keeps the other edge; a
    duration alone keeps the start. `projectId` and `worklogTypeCode` may be set to null to clear them."""

    ownerType: ShortId | None = None
    ownerId: ExternalId | None = None
    projectId: ShortId | None = None
    workerId: ShortId | None = None
    worklogTypeCode: TypeCode | None = None
    description: str | None = Field(default=None, max_length=20_000)
    data: dict[str, Any] | None = Field(default=None, description="Replaces the whole map.")
    startDate: Timestamp | None = None
    endDate: Timestamp | None = None
    duration: str | None = Field(default=None, max_length=64)
    durationMinutes: Minutes | None = None


class Warning(ApiModel):
    code: str
    message: str
    worklogIds: list[str] = Field(default_factory=list)


class WorklogResult(Worklog):
    """A worklog as written, with warnings (e.g. an overlap under the `warn` policy)."""

    warnings: list[Warning] = Field(default_factory=list)


class SplitRequest(ApiModel):
    at: Timestamp = Field(description="Where to cut; strictly inside the worklog.")


class SplitResult(ApiModel):
    original: Worklog = Field(description="The original worklog, now ending at `at`.")
    created: Worklog = Field(description="The new worklog, starting at `at`.")
    warnings: list[Warning] = Field(default_factory=list)


class MergeRequest(ApiModel):
    ids: list[str] = Field(min_length=2, max_length=25, description="2 to 25 worklog ids.")
    allowGaps: JsonBool = Field(default=False, description="Merge even when the entries leave gaps between them.")


class MergeResult(ApiModel):
    worklog: Worklog = Field(description="The merged worklog (the earliest one, extended).")
    mergedIds: list[str] = Field(description="The others, now soft-deleted with `mergedInto`.")
    warnings: list[Warning] = Field(default_factory=list)


class HistoryEntry(ApiModel):
    version: int
    action: str = Field(description="create, edit, delete, restore, split, merge, merged-into, timer-stop")
    at: datetime
    by: UserRef
    fields: list[str] = Field(default_factory=list, description="Fields that changed.")
    relatedIds: list[str] = Field(default_factory=list, description="Worklogs involved (split, merge).")


class HistoryPage(ApiModel):
    items: list[HistoryEntry]
    nextCursor: str | None = None


class WorklogPage(ApiModel):
    items: list[Worklog]
    nextCursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page."
    )
    limit: int
    nextSince: datetime | None = Field(
        default=None,
        description="With `updatedSince`: on the last page, the watermark to pass as `updatedSince` next time.",
    )


class LinkPage(ApiModel):
    items: list[Link]


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="allow", defer_build=True)

    loc: list[str | int] | None = None
    msg: str | None = None
    type: str | None = None


class ErrorInfo(BaseModel):
    model_config = ConfigDict(defer_build=True)

    code: str
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class ErrorResponse(BaseModel):
    """The one error shape of every 4xx and 5xx."""

    model_config = ConfigDict(defer_build=True)

    error: ErrorInfo
    requestId: str | None = None


class GatewayError(BaseModel):
    """What API Gateway itself answers before any function runs (401 from the JWT authorizer)."""

    model_config = ConfigDict(defer_build=True)

    message: str
