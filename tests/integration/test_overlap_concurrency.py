"""`overlapPolicy=reject` holds when overlapping writes for one worker race on real threads, with indexes
that answer at once and with indexes that trail writes (as DynamoDB's do): exactly one is stored and the
others answer 409 OVERLAP. Entries that only touch (one ends when the next starts) still pass."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from local import index_lag
from tests.helpers import ADMIN, BOB, a_worklog

WS = "/v1/workspaces/acme"
RACERS = 8


def _reject(api: Any) -> None:
    response = api.put(f"{WS}/settings", json_body={"overlapPolicy": "reject"}, caller=ADMIN)
    assert response.status == 200, response.body


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    responses: list[Any] = []

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        responses.append(call())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def _live(api: Any) -> list[dict]:
    response = api.get(
        f"{WS}/console", query={"period": "custom", "from": "2026-11-11", "to": "2026-11-11"}, caller=BOB
    )
    assert response.status == 200, response.body
    return response.json["items"]


def _stored_live_count(dynamodb: Any) -> int:
    """Live worklog items in the base table (what a consistent read sees, whatever the index lag)."""
    count = 0
    for item in dynamodb.scan(TableName="MainTable")["Items"]:  # test inspection of the whole table
        if item.get("entity", {}).get("S") == "worklog" and "deletedAt" not in item:
            count += 1
    return count


def test_concurrent_overlapping_creates_store_exactly_one(api, dynamodb, atomic_writes, lag):
    _reject(api)

    def create(minute: int) -> Callable[[], Any]:
        body = a_worklog(startDate=f"2026-11-11T09:{minute:02d}:00Z", endDate=f"2026-11-11T10:{minute:02d}:00Z")
        return lambda: api.post(f"{WS}/worklogs", json_body=body, caller=BOB)

    responses = _race([create(minute) for minute in range(RACERS)])

    assert sorted(r.status for r in responses) == [201] + [409] * (RACERS - 1), [r.body for r in responses]
    assert all(r.json["error"]["code"] == "OVERLAP" for r in responses if r.status == 409)
    assert _stored_live_count(dynamodb) == 1


def test_concurrent_edits_into_one_slot_keep_one(api, dynamodb, atomic_writes, lag):
    _reject(api)
    ids = []
    for hour in range(RACERS):
        response = api.post(
            f"{WS}/worklogs",
            json_body=a_worklog(startDate=f"2026-11-11T{hour:02d}:00:00Z", endDate=f"2026-11-11T{hour:02d}:30:00Z"),
            caller=BOB,
        )
        assert response.status == 201, response.body
        ids.append(response.json["id"])

    def move(worklog_id: str, minute: int) -> Callable[[], Any]:
        body = {"startDate": f"2026-11-11T12:{minute:02d}:00Z", "endDate": f"2026-11-11T13:{minute:02d}:00Z"}
        return lambda: api.patch(f"{WS}/worklogs/{worklog_id}", json_body=body, headers={"If-Match": '"1"'}, caller=BOB)

    responses = _race([move(worklog_id, n) for n, worklog_id in enumerate(ids)])

    assert sorted(r.status for r in responses) == [200] + [409] * (RACERS - 1), [r.body for r in responses]
    index_lag.settle()
    moved = [w for w in _live(api) if w["startDate"].startswith("2026-11-11T12:")]
    assert len(moved) == 1


def test_concurrent_restores_of_overlapping_entries_keep_one(api, dynamodb, atomic_writes, lag):
    ids = []
    for minute in range(4):
        body = a_worklog(startDate=f"2026-11-11T09:{minute:02d}:00Z", endDate=f"2026-11-11T10:{minute:02d}:00Z")
        created = api.post(f"{WS}/worklogs", json_body=body, caller=BOB).json
        deleted = api.delete(f"{WS}/worklogs/{created['id']}", headers={"If-Match": '"1"'}, caller=BOB)
        assert deleted.status in {200, 204}, deleted.body
        ids.append(created["id"])
    _reject(api)

    responses = _race(
        [
            (lambda worklog_id=worklog_id: api.post(f"{WS}/worklogs/{worklog_id}/restore", caller=BOB))
            for worklog_id in ids
        ]
    )

    assert sorted(r.status for r in responses) == [200, 409, 409, 409], [r.body for r in responses]
    assert _stored_live_count(dynamodb) == 1


def test_back_to_back_entries_still_pass_concurrently(api, dynamodb, atomic_writes, lag):
    _reject(api)

    def create(hour: int) -> Callable[[], Any]:
        body = a_worklog(startDate=f"2026-11-11T{hour:02d}:00:00Z", endDate=f"2026-11-11T{hour + 1:02d}:00:00Z")
        return lambda: api.post(f"{WS}/worklogs", json_body=body, caller=BOB)

    responses = _race([create(hour) for hour in range(8, 8 + 4)])

    assert [r.status for r in responses] == [201] * 4, [r.body for r in responses]
    assert _stored_live_count(dynamodb) == 4
