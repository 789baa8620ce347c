"""ISO 8601 durations as Tracker accepts them, and the time window of a worklog.

Inside the domain a duration is a whole number of seconds. A day (`PnD`) and a week (`PnW`) given as a
*duration* are working time: `hours_per_day` hours and `days_per_week` days, as Tracker counts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from worklogs.errors import ValidationFailed

DEFAULT_HOURS_PER_DAY = 8
DEFAULT_DAYS_PER_WEEK = 5

_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


def parse_iso_duration(
    text: str,
    *,
    hours_per_day: float = DEFAULT_HOURS_PER_DAY,
    days_per_week: float = DEFAULT_DAYS_PER_WEEK,
) -> int:
    """`PT1H30M`, `P1D`, `P3W`, `P1W2DT3H` → seconds. Years and months are ambiguous and refused."""
    match = _ISO_DURATION.match(text.strip().upper()) if isinstance(text, str) else None
    if not match:
        raise ValidationFailed(
            f"'{text}' is not an ISO 8601 duration such as PT1H30M, P1D or P2W (years and months are not accepted).",
            details=[{"loc": ["body", "duration"], "msg": "Not an ISO 8601 duration.", "type": "duration"}],
        )
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    day_seconds = hours_per_day * 3600
    total = (
        parts.get("weeks", 0) * days_per_week * day_seconds
        + parts.get("days", 0) * day_seconds
        + parts.get("hours", 0) * 3600
        + parts.get("minutes", 0) * 60
        + parts.get("seconds", 0)
    )
    return round(total)


def format_iso_duration(seconds: int) -> str:
    """Seconds → `PT1H30M` (hours, minutes, seconds only: never days, whose length is a setting)."""
    if seconds <= 0:
        return "PT0S"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if secs:
        text += f"{secs}S"
    return text


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)


def to_utc(moment: datetime) -> datetime:
    """An aware timestamp in UTC, truncated to whole seconds (the stored precision)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValidationFailed("Timestamps need a UTC offset, e.g. 2026-11-23T09:00:00+01:00 or ...Z.")
    try:
        utc = moment.astimezone(UTC).replace(microsecond=0)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise ValidationFailed(
            "Timestamps must lie between 1970-01-01 and 2999-12-31 (UTC).",
            details=[{"loc": ["body"], "msg": "Timestamp out of range.", "type": "datetime_range"}],
        )
    return utc


def audit_stamp(moment: datetime) -> datetime:
    """Audit times (createdAt, updatedAt, deletedAt) keep microseconds, so changes within one second
    still have an order (the change feed sorts by them)."""
    return moment.astimezone(UTC)


def format_precise(moment: datetime) -> str:
    """Fixed-width UTC text with microseconds: sorts as text in change order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def format_utc(moment: datetime) -> str:
    """The stored and shown form: `2026-11-23T08:00:00Z` (fixed width, so it sorts as text)."""
    return to_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class TimeWindow:
    start: datetime
    end: datetime

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    @property
    def minutes(self) -> int:
        return self.seconds // 60


def resolve_window(
    *,
    start: datetime | None,
    end: datetime | None,
    duration_seconds: int | None,
    now: datetime,
    max_entry_hours: float = 24,
) -> TimeWindow:
    """Any two of start, end and duration, or a duration alone (ending now) → a checked window."""
    max_seconds = max_entry_hours * 3600
    if duration_seconds is not None and duration_seconds > max_seconds:
        raise _too_long(max_entry_hours)
    given = [
        name
        for name, value in (("startDate", start), ("endDate", end), ("duration", duration_seconds))
        if value is not None
    ]
    if len(given) == 3:
        start_utc, end_utc = to_utc(start), to_utc(end)  # type: ignore[arg-type]
        if int((end_utc - start_utc).total_seconds()) != duration_seconds:
            raise ValidationFailed(
                "startDate, endDate and duration disagree; give any two of them.",
                details=[
                    {
                        "loc": ["body", "duration"],
                        "msg": "Does not match endDate - startDate.",
                        "type": "time_window",
                    }
                ],
            )
    elif start is not None and end is not None:
        start_utc, end_utc = to_utc(start), to_utc(end)
    elif start is not None and duration_seconds is not None:
        start_utc = to_utc(start)
        end_utc = start_utc + timedelta(seconds=duration_seconds)
    elif end is not None and duration_seconds is not None:
        end_utc = to_utc(end)
        start_utc = end_utc - timedelta(seconds=duration_seconds)
    elif duration_seconds is not None:
        end_utc = to_utc(now)
        start_utc = end_utc - timedelta(seconds=duration_seconds)
    else:
        missing = "endDate or duration" if start is not None else "startDate or duration"
        raise ValidationFailed(
            f"Give two of startDate, endDate and duration (or a duration alone, ending now); {missing} is missing.",
            details=[{"loc": ["body"], "msg": "Time window is incomplete.", "type": "time_window"}],
        )
    if end_utc <= start_utc:
        raise ValidationFailed(
            "The worklog must end after it starts (zero or negative length is not allowed).",
            details=[{"loc": ["body", "endDate"], "msg": "endDate must be after startDate.", "type": "time_window"}],
        )
    if (end_utc - start_utc).total_seconds() > max_seconds:
        raise _too_long(max_entry_hours)
    start_utc, end_utc = to_utc(start_utc), to_utc(end_utc)  # a derived end or start must be in range too
    return TimeWindow(start=start_utc, end=end_utc)


def _too_long(max_entry_hours: float) -> ValidationFailed:
    return ValidationFailed(
        f"A single worklog may not be longer than {max_entry_hours:g} hours; split it into several entries.",
        details=[{"loc": ["body"], "msg": f"Longer than {max_entry_hours:g} hours.", "type": "max_entry_hours"}],
    )
