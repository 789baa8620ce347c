"""API shapes of timesheet approvals (pydantic v2)."""

from collections.abc import Iterable
from datetime import date as CalendarDate
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, PrivateAttr, StringConstraints

from worklogs.models import ApiModel, ShortId, UserRef

PERIOD_PATTERN = r"^\d{4}-(W(0[1-9]|[1-4]\d|5[0-3])|(0[1-9]|1[0-2]))$"
PeriodText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=PERIOD_PATTERN),
    Field(description="An ISO week (`2026-W47`, by the workspace's weekStart) or a month (`2026-11`)."),
]
ApprovalState = Literal["submitted", "approved", "rejected", "reopened"]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class ApprovalSubmit(ApiModel):
    workerId: ShortId = Field(default="me", description="`me` (default) or a worker id (managers and admins).")
    period: PeriodText


class ApprovalDecision(ApiModel):
    comment: Comment | None = Field(default=None, description="Why; kept in the approval's history.")


class ApprovalTotals(ApiModel):
    """The period's figures at submission, by the same accounting rule as the rollup reports."""

    minutes: int
    billableMinutes: int
    roundedMinutes: int
    amount: str = Field(description="Decimal text, e.g. `180.00`.")
    currency: str
    entryCount: int


class ApprovalEvent(ApiModel):
    """One transition: who did what, when, and why."""

    action: Literal["submitted", "approved", "rejected", "reopened"]
    at: datetime
    by: UserRef
    comment: str | None = None
    version: int


class Approval(ApiModel):
    id: str
    workspaceId: str
    workerId: str
    period: str
    from_: CalendarDate = Field(alias="from", description="First day of the period (workspace time zone).")
    to: CalendarDate = Field(description="Last day of the period (inclusive).")
    state: ApprovalState
    submittedAt: datetime
    submittedBy: UserRef
    decidedAt: datetime | None = None
    decidedBy: UserRef | None = None
    comment: str | None = Field(default=None, description="The comment of the latest transition, if any.")
    totals: ApprovalTotals
    history: list[ApprovalEvent] = Field(default_factory=list, description="Every transition, oldest first.")
    version: int = Field(description="+1 per transition; send it back as `If-Match`.")
    self_: str = Field(alias="self")
    # The UTC days whose ledger items the submission marked frozen (stored, never part of the API): reject
    # and reopen remove exactly these marks, whatever the workspace's time zone is by then. None for an
    # approval stored before the days were kept, or one whose marks are removed.
    _marked_days: tuple[CalendarDate, ...] | None = PrivateAttr(default=None)

    @property
    def marked_days(self) -> tuple[CalendarDate, ...] | None:
        return self._marked_days

    def with_marked_days(self, days: Iterable[CalendarDate] | None) -> "Approval":
        self._marked_days = tuple(sorted(days)) if days is not None else None
        return self


class ApprovalPage(ApiModel):
    items: list[Approval]
    nextCursor: str | None = Field(default=None, description="Pass as `cursor` for the next page.")
