"""API shapes of worklog types."""

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from worklogs.models import ApiModel, UserRef

LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")]


class LocalizedText(ApiModel):
    name: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)


class AuditInfo(ApiModel):
    createdAt: datetime
    createdBy: UserRef
    updatedAt: datetime
    updatedBy: UserRef


class WorklogTypeInput(ApiModel):
    """A worklog type as an admin writes it (the code is in the path)."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: str | None = Field(default=None, max_length=2000)
    validityFrom: date | None = Field(default=None, description="First day the type can be used.")
    validityTo: date | None = Field(default=None, description="Last day the type can be used.")
    localizationData: dict[LanguageTag, LocalizedText] = Field(
        default_factory=dict, description='Translations, e.g. {"de": {"name": "Analyse"}}.'
    )
    form: dict[str, Any] | None = Field(default=None, description="JSON Schema that `data` must satisfy.")
    privilege: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = Field(
        default=None, description="Only callers holding this privilege see and use the type."
    )
    icon: str | None = Field(default=None, max_length=128)
    dataTags: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=50
    )
    config: dict[str, Any] = Field(default_factory=dict)


class WorklogType(WorklogTypeInput):
    code: str
    valid: bool = Field(description="Computed: today (workspace time zone) lies within the validity dates.")
    version: int
    auditInfo: AuditInfo


class WorklogTypePage(ApiModel):
    items: list[WorklogType]
