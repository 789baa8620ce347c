"""Which worklogs a search asks for, and which index serves it; the repository runs one Query per page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from worklogs.auth import Caller
from worklogs.domain.durations import audit_stamp, format_utc, to_utc
from worklogs.errors import ValidationFailed

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
FEED_SAFETY_SECONDS = 5  # GSI reads lag writes; the change feed stays this far behind "now"


@dataclass(frozen=True)
class WorklogSearch:
    owner_type: str | None = None
    owner_id: str | None = None
    worker_id: str | None = None
    project_id: str | None = None
    type_code: str | None = None
    ref_type: str | None = None
    ref_id: str | None = None
    window_from: datetime | None = None
    window_to: datetime | None = None
    billable: bool | None = None
    include_deleted: bool = False
    updated_since: datetime | None = None

    @property
    def by_owner(self) -> bool:
        return self.owner_type is not None and self.owner_id is not None

    @property
    def by_ref(self) -> bool:
        return self.ref_type is not None and self.ref_id is not None

    @property
    def index(self) -> str:
        """The index whose partition holds the fewest items that do not match (docs/access-patterns.md)."""
        if self.updated_since is not None:
            return "changes"
        if self.by_ref:
            return "ref"
        if self.by_owner:
            return "owner"
        if self.project_id is not None:
            return "project"
        if self.worker_id is not None and self.type_code is not None:
            return "worker_type"
        if self.worker_id is not None:
            return "worker"
        if self.type_code is not None:
            return "type"
        return "timeline"

    def canonical(self) -> dict[str, str]:
        """The filter as the cursor binds it."""
        found: dict[str, str] = {}
        for name, value in self.__dict__.items():
            if value is None or value is False:
                continue
            found[name] = format_utc(value) if isinstance(value, datetime) else str(value)
        return found

    @property
    def day_floor(self) -> str | None:
        """00:00 UTC of the window's first day: where a start-ordered key range begins."""
        if self.window_from is None:
            return None
        start = to_utc(self.window_from)
        return format_utc(start.replace(hour=0, minute=0, second=0))


def _strip(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _pair(first: tuple[str, str | None], second: tuple[str, str | None]) -> None:
    (first_name, first_value), (second_name, second_value) = first, second
    if (first_value is None) != (second_value is None):
        missing = first_name if first_value is None else second_name
        raise ValidationFailed(
            f"{first_name} and {second_name} go together.",
            details=[{"loc": ["query", missing], "msg": "Required with the other.", "type": "missing"}],
        )


def plan_search(
    *,
    caller: Caller,
    owner_type: str | None = None,
    owner_id: str | None = None,
    worker_id: str | None = None,
    project_id: str | None = None,
    type_code: str | None = None,
    ref_type: str | None = None,
    ref_id: str | None = None,
    window_from: datetime | None = None,
    window_to: datetime | None = None,
    billable: bool | None = None,
    include_deleted: bool = False,
    updated_since: datetime | None = None,
) -> WorklogSearch:
    owner_type, owner_id, worker_id = _strip(owner_type), _strip(owner_id), _strip(worker_id)
    project_id, type_code = _strip(project_id), _strip(type_code)
    ref_type, ref_id = _strip(ref_type), _strip(ref_id)
    _pair(("ownerType", owner_type), ("ownerId", owner_id))
    _pair(("refType", ref_type), ("refId", ref_id))
    if worker_id == "me":
        worker_id = caller.sub
    if window_from is not None:
        window_from = to_utc(window_from)
    if window_to is not None:
        window_to = to_utc(window_to)
    if window_from is not None and window_to is not None and window_to <= window_from:
        raise ValidationFailed(
            "`to` must be after `from`.",
            details=[{"loc": ["query", "to"], "msg": "Not after from.", "type": "window"}],
        )
    if updated_since is not None:
        others = [
            name
            for name, value in (
                ("ownerType", owner_type),
                ("workerId", worker_id),
                ("projectId", project_id),
                ("worklogTypeCode", type_code),
                ("refType", ref_type),
                ("from", window_from),
                ("to", window_to),
                ("billable", billable),
            )
            if value is not None
        ]
        if others:
            raise ValidationFailed(
                "updatedSince is the workspace's change feed and takes no other filter "
                f"(got {', '.join(others)}); filter on your side.",
                details=[
                    {"loc": ["query", name], "msg": "Not combinable with updatedSince.", "type": "feed"}
                    for name in others
                ],
            )
        updated_since = audit_stamp(to_utc(updated_since).replace(microsecond=updated_since.microsecond))
        include_deleted = True  # a sync feed must carry tombstones
    return WorklogSearch(
        owner_type=owner_type,
        owner_id=owner_id,
        worker_id=worker_id,
        project_id=project_id,
        type_code=type_code,
        ref_type=ref_type.upper() if ref_type else None,
        ref_id=ref_id,
        window_from=window_from,
        window_to=window_to,
        billable=billable,
        include_deleted=include_deleted,
        updated_since=updated_since,
    )


def feed_until(now: datetime) -> datetime:
    """The newest change a feed page may return: a safety window behind now (GSI reads lag writes)."""
    return audit_stamp(now) - timedelta(seconds=FEED_SAFETY_SECONDS)
