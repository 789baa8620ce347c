"""The day ledger: what money and overlap decisions read, because DynamoDB can read it consistently.

Indexes (GSIs) are eventually consistent, so anything that decides an amount or a rejection must not
depend on them. Each worker has one **ledger item** per UTC day (`LEDGER#<ws>#<utc day>` / `<worker>`)
holding the accounting view of each of their live worklogs with time in that day (one attribute
`E<worklog id>` each), and a version `v`. It is updated in the same transaction as the worklogs
themselves (one Update per worker and day, however many of their worklogs change). Strong reports and the
rollup read a local day's items with `ConsistentRead` (a local day spans at most three UTC days); keyed
by UTC day, the ledger never needs rewriting when the workspace time zone changes. Ledger items carry no
index keys, so they cost no index writes.

Under the `reject` overlap policy, the overlap check reads the worker's ledger items (and versions)
consistently and the write's Update is conditioned on those versions, so two overlapping writes cannot
both pass: the second one's transaction is cancelled and its check runs again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from worklogs.config import environment
from worklogs.domain.accounting import is_billable
from worklogs.domain.durations import format_utc
from worklogs.models import Worklog
from worklogs.repository import keys
from worklogs.repository.dynamodb import batch_get_items, client, deserialize, serialize

LEDGER_ENTITY = "ledger"
ENTRY_PREFIX = "E"
FREEZE = "fz"  # string set: the approvals whose submitted or approved period has time in this UTC day
NOT_FROZEN = f"attribute_not_exists({FREEZE})"
WorkerDay = tuple[str, date]


def utc_days(start: datetime, end: datetime) -> list[date]:
    """The UTC days [start, end) has time in."""
    first = start.astimezone(UTC).date()
    last = (end.astimezone(UTC) - timedelta(microseconds=1)).date() if end > start else first
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def ledger_key(workspace_id: str, worker_id: str, day: date) -> dict[str, str]:
    return {"PK": keys.ledger_pk(workspace_id, day.isoformat()), "SK": keys.ledger_worker_sk(worker_id)}


def entry_view(worklog: Worklog) -> dict[str, Any]:
    """A worklog's accounting view as the ledger holds it (short names: it is rewritten on every change)."""
    view: dict[str, Any] = {
        "ot": worklog.ownerType,
        "oi": worklog.ownerId,
        "s": format_utc(worklog.startDate),
        "e": format_utc(worklog.endDate),
    }
    if worklog.projectId:
        view["p"] = worklog.projectId
    if worklog.worklogTypeCode:
        view["t"] = worklog.worklogTypeCode
    if is_billable(worklog):
        view["b"] = True
    rate = worklog.rate if worklog.rate is not None else worklog.data.get("rate")  # the snapshot wins
    if rate is not None and not isinstance(rate, bool) and isinstance(rate, int | float | str):
        view["r"] = str(rate)
    return view


def _placed(worklog: Worklog | None) -> dict[WorkerDay, dict[str, Any]]:
    if worklog is None or worklog.deletedAt is not None:
        return {}
    view = entry_view(worklog)
    return {(worklog.workerId, day): view for day in utc_days(worklog.startDate, worklog.endDate)}


def ledger_updates(
    table: str,
    workspace_id: str,
    pairs: Iterable[tuple[Worklog, Worklog | None]],
    versions: Mapping[WorkerDay, int] | None = None,
    *,
    check_frozen: bool = True,
) -> list[dict[str, Any]]:
    """TransactWriteItems Updates that make the ledger follow (new, previous) worklog states: one per
    worker and UTC day whose entries change, each adding 1 to `v`; conditioned on the version the
    overlap check read (`versions`, under the `reject` policy). With `check_frozen`, every day the worklogs
    touch before or after the change must carry no freeze mark (`fz`: a submitted or approved timesheet
    period has time in that day); a day with nothing to update gets a ConditionCheck instead."""
    sets: dict[WorkerDay, dict[str, dict[str, Any]]] = {}
    removes: dict[WorkerDay, set[str]] = {}
    touched: set[WorkerDay] = set()
    for worklog, previous in pairs:
        touched |= _days_of(worklog) | _days_of(previous)
        wanted, had = _placed(worklog), _placed(previous)
        for place, view in wanted.items():
            if had.get(place) != view:
                sets.setdefault(place, {})[worklog.id] = view
        for place in had.keys() - wanted.keys():
            removes.setdefault(place, set()).add(previous.id if previous is not None else worklog.id)
    versions = versions or {}
    requests = []
    for place in sorted(sets.keys() | removes.keys() | versions.keys()):
        names: dict[str, str] = {"#entity": "entity", "#w": "w"}
        values: dict[str, Any] = {":entity": LEDGER_ENTITY, ":w": place[0], ":one": 1}
        assignments = ["#entity = :entity", "#w = :w"]
        for n, (worklog_id, view) in enumerate(sorted(sets.get(place, {}).items())):
            names[f"#s{n}"] = ENTRY_PREFIX + worklog_id
            values[f":s{n}"] = view
            assignments.append(f"#s{n} = :s{n}")
        expression = "SET " + ", ".join(assignments)
        removed = sorted(removes.get(place, set()))
        for n, worklog_id in enumerate(removed):
            names[f"#r{n}"] = ENTRY_PREFIX + worklog_id
        if removed:
            expression += " REMOVE " + ", ".join(f"#r{n}" for n in range(len(removed)))
        update: dict[str, Any] = {
            "TableName": table,
            "Key": serialize(ledger_key(workspace_id, *place)),
            "UpdateExpression": expression + " ADD v :one",
            "ExpressionAttributeNames": names,
        }
        conditions = [NOT_FROZEN] if check_frozen else []
        if place in versions:
            seen = versions[place]
            conditions.append("attribute_not_exists(v)" if seen == 0 else "v = :seen")
            if seen:
                values[":seen"] = seen
        if conditions:
            update["ConditionExpression"] = " AND ".join(conditions)
            update["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        update["ExpressionAttributeValues"] = serialize(values)
        requests.append({"Update": update})
    if check_frozen:
        for place in sorted(touched - sets.keys() - removes.keys() - versions.keys()):
            check = {"TableName": table, "Key": serialize(ledger_key(workspace_id, *place))}
            check.update({"ConditionExpression": NOT_FROZEN, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
            requests.append({"ConditionCheck": check})
    return requests


def _days_of(worklog: Worklog | None) -> set[WorkerDay]:
    if worklog is None:
        return set()
    return {(worklog.workerId, day) for day in utc_days(worklog.startDate, worklog.endDate)}


def is_frozen(item: Mapping[str, Any] | None) -> bool:
    """A ledger item (as stored) carries a freeze mark."""
    return bool(item and FREEZE in item)


def freeze_updates(
    table: str, workspace_id: str, worker_id: str, versions: Mapping[date, int], approval_id: str, *, freeze: bool
) -> list[dict[str, Any]]:
    """Mark (or unmark) the worker's UTC days of a timesheet period as frozen by `approval_id`. Freezing is
    conditioned on each day's ledger version as the period's snapshot read it: a write committed since
    makes the submit read and snapshot again."""
    requests = []
    for day, seen in sorted(versions.items()):
        update: dict[str, Any] = {
            "TableName": table,
            "Key": serialize(ledger_key(workspace_id, worker_id, day)),
            "ExpressionAttributeNames": {"#entity": "entity", "#w": "w", "#fz": FREEZE},
        }
        values: dict[str, Any] = {":entity": LEDGER_ENTITY, ":w": worker_id, ":ids": {approval_id}}
        if freeze:
            update["UpdateExpression"] = "SET #entity = :entity, #w = :w ADD #fz :ids"
            update["ConditionExpression"] = "attribute_not_exists(v)" if seen == 0 else "v = :seen"
            if seen:
                values[":seen"] = seen
        else:
            update["UpdateExpression"] = "SET #entity = :entity, #w = :w DELETE #fz :ids"
        update["ExpressionAttributeValues"] = serialize(values)
        requests.append({"Update": update})
    return requests


def _entries(plain: dict[str, Any], workspace_id: str) -> list[Worklog]:
    """The accounting views of one ledger item, as worklogs without description, links or audit fields."""
    found = []
    for name, view in plain.items():
        if not name.startswith(ENTRY_PREFIX) or not isinstance(view, dict):
            continue
        data: dict[str, Any] = {"billable": bool(view.get("b"))}
        if "r" in view:
            data["rate"] = view["r"]
        found.append(
            Worklog.model_construct(
                id=name[len(ENTRY_PREFIX) :],
                workspaceId=workspace_id,
                workerId=plain["w"],
                ownerType=view["ot"],
                ownerId=view["oi"],
                projectId=view.get("p"),
                worklogTypeCode=view.get("t"),
                data=data,
                # Given, not defaulted: for a field with a default factory, model_construct inspects the
                # factory's signature on every call (16x the cost of the whole construction).
                links=[],
                startDate=datetime.fromisoformat(view["s"].replace("Z", "+00:00")),
                endDate=datetime.fromisoformat(view["e"].replace("Z", "+00:00")),
                deletedAt=None,
            )
        )
    return found


def live_entries(workspace_id: str, start: datetime, end: datetime) -> list[Worklog]:
    """Every live worklog overlapping [start, end): one strongly consistent Query (paged) per UTC day."""
    found: dict[str, Worklog] = {}
    for day in utc_days(start, end):
        request: dict[str, Any] = {
            "TableName": environment().worklogs_table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": serialize({":pk": keys.ledger_pk(workspace_id, day.isoformat())}),
            "ConsistentRead": True,
        }
        while True:
            response = client().query(**request)
            for item in response.get("Items", []):
                for worklog in _entries(deserialize(item), workspace_id):
                    if worklog.endDate > start and worklog.startDate < end:
                        found[worklog.id] = worklog
            if not response.get("LastEvaluatedKey"):
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return list(found.values())


@dataclass(frozen=True)
class WorkerDays:
    """A worker's live entries over some UTC days, and each day's ledger version as it was read (0: none)."""

    entries: list[Worklog]
    versions: dict[WorkerDay, int]


def worker_days(workspace_id: str, places: Iterable[WorkerDay]) -> WorkerDays:
    """The ledger items of these (worker, UTC day) places: one strongly consistent BatchGetItem per 100."""
    wanted = sorted(set(places))
    entries: dict[str, Worklog] = {}
    versions: dict[WorkerDay, int] = dict.fromkeys(wanted, 0)
    for item in batch_get_items(ledger_key(workspace_id, *place) for place in wanted):
        plain = deserialize(item)
        day = date.fromisoformat(str(plain["PK"]).rsplit("#", 1)[-1])
        versions[(str(plain["w"]), day)] = int(plain.get("v", 0))
        for worklog in _entries(plain, workspace_id):
            entries[worklog.id] = worklog
    return WorkerDays(list(entries.values()), versions)
