"""The console: a page of worklogs with the accounting figures of the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict

from worklogs.approvals import service as approvals
from worklogs.auth import Caller, Role
from worklogs.console.models import Console, ConsolePeriod, DayTotals, Totals, WeekTotals
from worklogs.core.store_errors import cursor_signing_key
from worklogs.domain import accounting, periods
from worklogs.domain import timer as timer_rules
from worklogs.domain.cursor import decode_cursor, encode_cursor, filter_fingerprint
from worklogs.domain.durations import format_utc, to_utc
from worklogs.errors import Forbidden
from worklogs.models import Worklog, first_day
from worklogs.repository import approvals as approval_store
from worklogs.repository import settings as settings_store
from worklogs.repository import worklogs as worklog_store

# --- console ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsoleQuery:
    period: str = "week"
    first: date | None = None
    last: date | None = None
    anchor: date | None = None
    worker_id: str | None = None
    limit: int = 50
    cursor: str | None = None


def console(workspace_id: str, caller: Caller, query: ConsoleQuery, now: datetime) -> Console:
    """The worker's worklogs of the period (one Query on the worker timeline per MB), totals per day and
    week over the whole period, one page of items, and the days' approval states with the caller's own timer
    (one BatchGetItem)."""
    role = caller.require_collection_access(workspace_id, Role.VIEWER)
    worker_id = (query.worker_id or "").strip() or "me"
    worker_id = caller.sub if worker_id == "me" else worker_id
    if worker_id != caller.sub and role < Role.MANAGER:
        raise Forbidden("Only managers and admins may see another worker's console.")
    settings = settings_store.get(workspace_id)
    tz = settings.tz
    period = periods.resolve_period(
        query.period,
        today=query.anchor or periods.local_date(to_utc(now), tz),
        tz=tz,
        week_start=settings.weekStart,
        first=query.first,
        last=query.last,
    )
    worklogs = worklog_store.find_overlapping(
        workspace_id,
        worker_id,
        period.start,
        period.end,
        exclude_ids=set(),
    )
    worklogs.sort(key=lambda w: (w.startDate, w.id))
    totals = accounting.tally_period(worklogs, period, settings.rounding, settings.weekStart)

    binding = filter_fingerprint(
        workspace_id, {"console": worker_id, "start": format_utc(period.start), "end": format_utc(period.end)}
    )
    key = cursor_signing_key()
    after = decode_cursor(query.cursor, binding=binding, key=key).get("after") if query.cursor else None
    remaining = [w for w in worklogs if after is None or _position(w) > str(after)]
    page = remaining[: query.limit]
    next_cursor = (
        encode_cursor({"after": _position(page[-1])}, binding=binding, key=key)
        if len(remaining) > query.limit
        else None
    )
    tallied_days = list(totals.days)
    ids = approvals.day_state_ids(workspace_id, worker_id, tallied_days, settings)
    if worker_id == caller.sub:  # the caller's own timer rides on the same BatchGetItem
        found, timer = approval_store.get_many_and_timer(workspace_id, ids, caller.sub)
    else:
        found, timer = approval_store.get_many(workspace_id, ids), None
    approval_states = approvals.states_of_days(found, workspace_id, worker_id, tallied_days, settings)
    days = [
        DayTotals(date=day, approval=approval_states.get(day), **_figures(tally)) for day, tally in totals.days.items()
    ]
    weeks = []
    for week_start, tally in totals.weeks.items():
        inside = [day for day in totals.days if periods.week_start_of(day, settings.weekStart) == week_start]
        weeks.append(WeekTotals(weekStart=week_start, **first_day(inside[0]), to=inside[-1], **_figures(tally)))
    return Console(
        workerId=worker_id,
        period=ConsolePeriod(
            period=period.kind,
            **first_day(period.first_day),
            to=period.last_day,
            timezone=settings.timezone,
            weekStart=settings.weekStart,
            start=period.start,
            end=period.end,
        ),
        rounding=settings.rounding,
        totals=Totals(**_figures(totals.total)),
        days=days,
        weeks=weeks,
        items=page,
        nextCursor=next_cursor,
        limit=query.limit,
        timer=timer_rules.view(timer, now) if timer is not None else None,
    )


def _position(worklog: Worklog) -> str:
    """Where a worklog sits in the period's list: its worker-timeline sort key (start, then id)."""
    return f"{format_utc(worklog.startDate)}#{worklog.id}"


class _Figures(TypedDict):
    minutes: int
    billableMinutes: int
    roundedMinutes: int
    entryCount: int


def _figures(tally: accounting.Figures) -> _Figures:
    return {
        "minutes": tally.minutes,
        "billableMinutes": tally.billable_minutes,
        "roundedMinutes": tally.rounded_minutes,
        "entryCount": len(tally.entry_ids),
    }
