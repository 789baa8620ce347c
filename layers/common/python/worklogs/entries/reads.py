"""Worklog reads that page: search (and the owner view, the same search) and a worklog's audit trail.
Each page is one Query; cursors are signed and bound to the workspace and the filter."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from worklogs.auth import Caller
from worklogs.core.store_errors import cursor_signing_key
from worklogs.domain.cursor import decode_cursor, encode_cursor, filter_fingerprint
from worklogs.domain.search import WorklogSearch, feed_until, plan_search
from worklogs.domain.worklogs import is_worklog_id
from worklogs.errors import NotFound
from worklogs.models import HistoryEntry, HistoryPage, WorklogPage
from worklogs.repository import worklog_search
from worklogs.repository import worklogs as worklog_store


def search(caller: Caller, workspace_id: str, *, limit: int, cursor: str | None, **filters: Any) -> WorklogPage:
    """One page of the worklogs matching `filters` (the keyword arguments of `plan_search`)."""
    caller.require_collection_access(workspace_id)
    plan = plan_search(caller=caller, **filters)
    return page_of(workspace_id, plan, plan.canonical(), limit=limit, cursor=cursor)


def page_of(
    workspace_id: str, plan: WorklogSearch, binding_query: dict[str, Any], *, limit: int, cursor: str | None
) -> WorklogPage:
    """One page of a planned search: one Query, the cursor bound to the workspace and `binding_query`."""
    binding = filter_fingerprint(workspace_id, binding_query)
    key = cursor_signing_key()
    position = decode_cursor(cursor, binding=binding, key=key) if cursor else {}
    until = None
    if plan.updated_since is not None:
        # The change feed stops a little before now (indexes lag); the whole walk keeps the first page's end.
        until = datetime.fromisoformat(position["u"]) if "u" in position else feed_until(datetime.now(UTC))
    items, last_key = worklog_search.search_page(
        workspace_id, plan, limit=limit, start_key=position.get("k"), feed_until=until
    )
    next_cursor = None
    if last_key:
        next_position = {"k": last_key, **({"u": until.isoformat()} if until else {})}
        next_cursor = encode_cursor(next_position, binding=binding, key=key)
    next_since = until if until is not None and not last_key else None
    return WorklogPage(items=items, nextCursor=next_cursor, limit=limit, nextSince=next_since)


def history(caller: Caller, workspace_id: str, worklog_id: str, *, limit: int, cursor: str | None) -> HistoryPage:
    """The audit trail, newest first. A plain create stores no entry of its own (it is the worklog's
    creation, read from the worklog): the last page ends with it."""
    caller.require_entity_access(workspace_id)
    if not is_worklog_id(worklog_id):
        raise NotFound("Worklog not found.")
    binding = filter_fingerprint(workspace_id, {"history": worklog_id})
    key = cursor_signing_key()
    position = decode_cursor(cursor, binding=binding, key=key) if cursor else {}
    start_key = position.get("k")
    page = worklog_store.history(workspace_id, worklog_id, limit=limit, start_key=start_key)
    entries = page.entries
    oldest = min([entry.version for entry in entries] + ([position["v"]] if "v" in position else []), default=None)
    if page.last_key is None and oldest != 1:
        worklog = page.worklog or worklog_store.get(workspace_id, worklog_id)  # a second request: multi-page only
        if worklog is not None:
            entries.append(
                HistoryEntry(version=1, action="create", at=worklog.createdAt, by=worklog.createdBy, fields=[])
            )
    if not entries and start_key is None:
        raise NotFound("Worklog not found.")
    next_cursor = None
    if page.last_key:
        next_position = {"k": page.last_key, **({"v": oldest} if oldest is not None else {})}
        next_cursor = encode_cursor(next_position, binding=binding, key=key)
    return HistoryPage(items=entries, nextCursor=next_cursor)
