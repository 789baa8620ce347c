"""API shapes of effective-dated rates (pydantic v2)."""

from datetime import date as CalendarDate
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from worklogs.models import ApiModel, QueryDate, ShortId, TypeCode, UserRef

RateText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\d{1,9}(\.\d{1,4})?$"),
    Field(description="Hourly rate in the workspace currency, decimal text: `120.00`."),
]


class RateRule(ApiModel):
    """One rule. Levels, most specific first: worker+project, project, worker, type, workspace (no keys)."""

    projectId: ShortId | None = None
    workerId: ShortId | None = None
    worklogTypeCode: TypeCode | None = None
    rate: RateText
    validFrom: CalendarDate = Field(description="First local day the rule applies to (entries starting then on).")


class RatesInput(ApiModel):
    rules: list[RateRule] = Field(default_factory=list, max_length=500)


class Rates(ApiModel):
    workspaceId: str
    rules: list[RateRule]
    currency: str = Field(description="The workspace currency (settings) the rates are in.")
    version: int = Field(description="0 until an admin saves rates; +1 per save. Send it back as `If-Match`.")
    updatedAt: datetime | None = None
    updatedBy: UserRef | None = None


class ReapplyRequest(ApiModel):
    from_: QueryDate = Field(alias="from", description="First local day (entries starting on it or later).")
    to: QueryDate = Field(description="Last local day, inclusive (at most 92 days after `from`).")


class ReapplyResult(ApiModel):
    changed: int = Field(description="Worklogs whose rate snapshot was rewritten.")
    unchanged: int = Field(description="Worklogs whose snapshot already matched the rules.")
    skippedExplicit: int = Field(description="Worklogs with an explicit data.rate (it wins).")
    skippedFrozen: int = Field(description="Worklogs in submitted or approved timesheets.")
