"""Workspace settings: the rules every timesheet write is checked against, with defaults that hold
before any admin saves them."""

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from worklogs.models import ApiModel, InRange, JsonFloat, JsonInt, Rounding, UserRef, refuse_lax_types

LOCK_OVERRIDE_PRIVILEGE = "worklog:lock-override"


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class SettingsInput(ApiModel):
    """Workspace settings as an admin writes them (PUT replaces them; omitted fields take their defaults)."""

    timezone: str = Field(default="UTC", description="IANA time zone, e.g. Europe/Berlin.", max_length=64)
    weekStart: Literal["monday", "sunday"] = "monday"
    rounding: Rounding = Field(default_factory=Rounding)
    overlapPolicy: Literal["allow", "warn", "reject"] = Field(
        default="allow", description="What happens when a worker's own entries overlap."
    )
    hoursPerDay: JsonFloat = Field(default=8, gt=0, le=24, description="Length of a working day (`P1D`).")
    daysPerWeek: JsonFloat = Field(default=5, gt=0, le=7, description="Working days in a week (`P1W`).")
    maxEntryHours: JsonFloat = Field(default=24, ge=1, le=168, description="Longest single worklog.")
    lockedUntil: Annotated[date, refuse_lax_types(int, float, expected="a date (YYYY-MM-DD)"), InRange] | None = Field(
        default=None,
        description="Entries starting before 00:00 of this date (workspace time zone) are locked.",
    )
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$", description="ISO 4217 code for amounts.")
    minTimerSeconds: JsonInt = Field(default=60, ge=0, le=3600, description="Shorter timer segments are dropped.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zone(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as error:
            raise ValueError(f"'{value}' is not an IANA time zone (e.g. Europe/Berlin, America/New_York)") from error
        return value


class WorkspaceSettings(SettingsInput):
    """The settings in force, with their version (0 = defaults, never saved)."""

    workspaceId: str
    version: int = 0
    updatedAt: datetime | None = None
    updatedBy: UserRef | None = None

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def lock_instant(self) -> datetime | None:
        """The UTC instant before which entries are locked, or None."""
        if self.lockedUntil is None:
            return None
        return datetime.combine(self.lockedUntil, time(0), tzinfo=self.tz).astimezone(UTC)


def defaults(workspace_id: str) -> WorkspaceSettings:
    return WorkspaceSettings(workspaceId=workspace_id)
