"""How a worklog is stored: its own item (table key, every timeline it belongs to, the change feed) and the
copies that let one Query per page answer more questions (docs/access-patterns.md)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from worklogs.domain.durations import format_iso_duration, format_precise, format_utc
from worklogs.domain.worklogs import worklog_path
from worklogs.models import Worklog
from worklogs.repository import keys
from worklogs.repository.dynamodb import deserialize

ENTITY = "worklog"
CONTINUATION_ENTITY = "worklog-continuation"
LINK_COPY_ENTITY = "worklog-link"
_WORKLOG_FIELDS = {field.alias or name for name, field in Worklog.model_fields.items()}


def _midnights(start: datetime, end: datetime) -> list[datetime]:
    """UTC midnights strictly inside (start, end)."""
    first = (start + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    found = []
    while first < end:
        found.append(first)
        first += timedelta(days=1)
    return found


def _timeline_keys(worklog: Worklog, sort_key: str) -> dict[str, str]:
    ws = worklog.workspaceId
    found = {
        "GSI1PK": keys.owner_timeline_pk(ws, worklog.ownerType, worklog.ownerId),
        "GSI1SK": sort_key,
        "GSI2PK": keys.worker_timeline_pk(ws, worklog.workerId),
        "GSI2SK": sort_key,
        "GSI6PK": keys.workspace_timeline_pk(ws),
        "GSI6SK": sort_key,
    }
    if worklog.projectId:
        found.update({"GSI3PK": keys.project_timeline_pk(ws, worklog.projectId), "GSI3SK": sort_key})
    if worklog.worklogTypeCode:
        found.update(
            {
                "GSI4PK": keys.type_timeline_pk(ws, worklog.worklogTypeCode),
                "GSI4SK": sort_key,
                "GSI5PK": keys.worker_type_timeline_pk(ws, worklog.workerId, worklog.worklogTypeCode),
                "GSI5SK": sort_key,
            }
        )
    return found


def _body(worklog: Worklog) -> dict[str, Any]:
    body = worklog.model_dump(mode="json", by_alias=True, exclude={"self_", "duration", "durationMinutes"})
    body.pop("self", None)
    body["durationSeconds"] = int((worklog.endDate - worklog.startDate).total_seconds())
    return body


def to_item(worklog: Worklog) -> dict[str, Any]:
    """The worklog's own item: the table key, every timeline it belongs to, and the change feed."""
    start = format_utc(worklog.startDate)
    return {
        **keys.worklog_key(worklog.workspaceId, worklog.id),
        "entity": ENTITY,
        **_timeline_keys(worklog, keys.timeline_sk(start, worklog.id)),
        "GSI7PK": keys.change_feed_pk(worklog.workspaceId),
        "GSI7SK": keys.change_sk(format_precise(worklog.updatedAt), worklog.id),
        **_body(worklog),
    }


def derived_items(worklog: Worklog) -> list[dict[str, Any]]:
    """Copies that let one Query per page answer more questions: one per UTC midnight the worklog runs
    past (in every timeline, at that midnight) and one per link (in the linked record's timeline)."""
    body = _body(worklog)
    pk = keys.worklog_pk(worklog.workspaceId, worklog.id)
    items = []
    for midnight in _midnights(worklog.startDate, worklog.endDate):
        at = format_utc(midnight)
        items.append(
            {
                "PK": pk,
                "SK": keys.continuation_sk(at),
                "entity": CONTINUATION_ENTITY,
                "indexedAt": at,
                **_timeline_keys(worklog, keys.timeline_sk(at, worklog.id)),
                **body,
            }
        )
    start_key = keys.timeline_sk(format_utc(worklog.startDate), worklog.id)
    for link in worklog.links:
        items.append(
            {
                "PK": pk,
                "SK": keys.link_copy_sk(link.refType, link.refId),
                "entity": LINK_COPY_ENTITY,
                "GSI3PK": keys.ref_timeline_pk(worklog.workspaceId, link.refType, link.refId),
                "GSI3SK": start_key,
                **body,
            }
        )
    return items


def from_item(item: dict[str, Any]) -> Worklog:
    plain = deserialize(item)
    seconds = int(plain.pop("durationSeconds"))
    plain = {key: value for key, value in plain.items() if key in _WORKLOG_FIELDS}
    return Worklog.model_validate(
        {
            **plain,
            "durationMinutes": seconds // 60,
            "duration": format_iso_duration(seconds),
            "self": worklog_path(plain["workspaceId"], plain["id"]),
        }
    )
