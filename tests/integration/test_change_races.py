"""Splits, merges and timer stops racing on real threads, with indexes that answer at once and with indexes
that trail writes (as DynamoDB's do). DynamoDB applies a conditional write atomically; the embedded store is
made to (`atomic_writes`). Whatever wins, the stored worklogs are one consistent outcome, and the totals a
billing job reads (a strong report from the day ledger, and the rollup table once drained) equal a sum the
test makes itself over the worklog items in the table: the oracle shares no code with the product."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from tests.helpers import ADMIN, BOB, a_worklog, create
from tests.integration.test_overlap_concurrency import _race
from tests.integration.test_timer import backdate

WS = "/v1/workspaces/acme"
WORKLOGS = f"{WS}/worklogs"
RACERS = 6


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _live_items(dynamodb: Any) -> list[tuple[str, datetime, datetime]]:
    """(id, start, end) of Bob's live worklogs, read from the base table (exact whatever the index lag)."""
    found = []
    for item in dynamodb.scan(TableName="MainTable")["Items"]:  # test inspection of the whole table
        if item.get("entity", {}).get("S") != "worklog" or item.get("SK", {}).get("S") != "WORKLOG":
            continue
        if "deletedAt" in item or item.get("workerId", {}).get("S") != "bob":
            continue
        found.append((item["id"]["S"], _instant(item["startDate"]["S"]), _instant(item["endDate"]["S"])))
    return sorted(found, key=lambda entry: entry[1])


def _oracle_minutes(items: list[tuple[str, datetime, datetime]]) -> int:
    """Whole minutes of each entry (counted from its start), summed: every minute lies in exactly one day, so
    the days of any range holding the entries add up to this."""
    return sum(int((end - start).total_seconds()) // 60 for _, start, end in items)


def _report_minutes(api: Any, first: str, last: str, consistency: str) -> int:
    response = api.get(
        f"{WS}/reports/totals",
        query={"granularity": "day", "from": first, "to": last, "consistency": consistency},
        caller=ADMIN,
    )
    assert response.status == 200, response.body
    return sum(row["minutes"] for row in response.json["rows"])


def _rolled_up_minutes(api: Any, first: str, last: str) -> int:
    from local import index_lag
    from worklogs.rollups import service as rollup_service

    index_lag.settle()
    rollup_service.roll_up_dirty_days(datetime.now(UTC) + timedelta(minutes=1))
    return _report_minutes(api, first, last, "eventual")


def _assert_totals_match(api: Any, dynamodb: Any, first: str, last: str) -> list[tuple[str, datetime, datetime]]:
    items = _live_items(dynamodb)
    expected = _oracle_minutes(items)
    assert _report_minutes(api, first, last, "strong") == expected
    assert _rolled_up_minutes(api, first, last) == expected
    return items


def _assert_tiles(items: list[tuple[str, datetime, datetime]], start: str, end: str) -> None:
    """The pieces cover [start, end) exactly: back to back, no gap, no overlap."""
    assert items and items[0][1] == _instant(start) and items[-1][2] == _instant(end)
    for (_, _, end_before), (_, start_after, _) in pairwise(items):
        assert end_before == start_after


# --- split ---------------------------------------------------------------------------------------------------


def test_splits_of_one_version_keep_exactly_one(api, dynamodb, atomic_writes, lag):
    worklog = create(api, startDate="2026-11-11T08:00:00Z", endDate="2026-11-11T14:00:00Z")

    def split(hour: int) -> Callable[[], Any]:
        body = {"at": f"2026-11-11T{hour:02d}:30:00Z"}
        return lambda: api.post(
            f"{WORKLOGS}/{worklog['id']}/split", json_body=body, headers={"If-Match": '"1"'}, caller=BOB
        )

    responses = _race([split(8 + n) for n in range(RACERS)])

    assert sorted(r.status for r in responses) == [201] + [412] * (RACERS - 1), [r.body for r in responses]
    items = _assert_totals_match(api, dynamodb, "2026-11-11", "2026-11-11")
    assert len(items) == 2
    _assert_tiles(items, "2026-11-11T08:00:00Z", "2026-11-11T14:00:00Z")


def test_splits_without_a_version_each_cut_what_is_there(api, dynamodb, atomic_writes, lag):
    """Without If-Match a split applies to the worklog as it is when it commits: a point that an earlier
    split already moved out of it is 422; no minute is lost or counted twice."""
    worklog = create(api, startDate="2026-11-11T08:00:00Z", endDate="2026-11-11T14:00:00Z")

    def split(hour: int) -> Callable[[], Any]:
        body = {"at": f"2026-11-11T{hour:02d}:30:00Z"}
        return lambda: api.post(f"{WORKLOGS}/{worklog['id']}/split", json_body=body, caller=BOB)

    responses = _race([split(8 + n) for n in range(RACERS)])

    statuses = [r.status for r in responses]
    assert set(statuses) <= {201, 409, 412, 422} and 201 in statuses, [r.body for r in responses]
    items = _assert_totals_match(api, dynamodb, "2026-11-11", "2026-11-11")
    assert len(items) == 1 + statuses.count(201)
    _assert_tiles(items, "2026-11-11T08:00:00Z", "2026-11-11T14:00:00Z")


# --- merge ---------------------------------------------------------------------------------------------------


def test_a_merge_racing_edits_and_a_delete_of_its_parts_is_all_or_nothing(api, dynamodb, atomic_writes, lag):
    parts = [
        create(api, startDate=f"2026-11-11T{hour:02d}:00:00Z", endDate=f"2026-11-11T{hour + 1:02d}:00:00Z")
        for hour in (9, 10, 11)
    ]
    first, middle, last = (part["id"] for part in parts)

    def merge() -> tuple[str, Any]:
        return "merge", api.post(f"{WORKLOGS}/merge", json_body={"ids": [first, middle, last]}, caller=BOB)

    def shorten() -> tuple[str, Any]:
        body = {"endDate": "2026-11-11T10:40:00Z"}
        return "edit", api.patch(f"{WORKLOGS}/{middle}", json_body=body, headers={"If-Match": '"1"'}, caller=BOB)

    def delete() -> tuple[str, Any]:
        return "delete", api.delete(f"{WORKLOGS}/{last}", headers={"If-Match": '"1"'}, caller=BOB)

    results = dict(_race([merge, shorten, delete]))

    merged, edited, deleted = results["merge"], results["edit"], results["delete"]
    assert merged.status in {200, 201, 404, 409, 412}, merged.body
    items = _assert_totals_match(api, dynamodb, "2026-11-11", "2026-11-11")
    if merged.status in {200, 201}:  # the merge committed first: the others found their parts changed or gone
        assert edited.status in {404, 409, 412} and deleted.status in {404, 409, 412}, (edited.body, deleted.body)
        assert [(start, end) for _, start, end in items] == [
            (_instant("2026-11-11T09:00:00Z"), _instant("2026-11-11T12:00:00Z"))
        ]
    else:  # an edit or the delete committed first: the merge left every part as it was
        assert edited.status == 200 or deleted.status in {200, 204}, (edited.body, deleted.body)
        expected = {first: 60}
        if edited.status != 200:
            expected[middle] = 60
        else:
            expected[middle] = 40
        if deleted.status not in {200, 204}:
            expected[last] = 60
        assert {worklog_id: int((end - start).total_seconds()) // 60 for worklog_id, start, end in items} == expected


# --- timer stop ----------------------------------------------------------------------------------------------


def _timer_window() -> tuple[str, str]:
    today = datetime.now(UTC).date()
    return (today - timedelta(days=1)).isoformat(), today.isoformat()


def _running_timer(api: Any, dynamodb: Any) -> dict:
    started = api.post(f"{WS}/timer/start", json_body=a_worklog(startDate=None, endDate=None), caller=BOB)
    assert started.status == 201, started.body
    now = datetime.now(UTC).replace(microsecond=0)
    backdate(
        dynamodb, [(now - timedelta(minutes=170), now - timedelta(minutes=110)), (now - timedelta(minutes=95), None)]
    )
    return started.json


@pytest.mark.parametrize("naming", [False, True], ids=["plain-stop", "stop-naming-the-timer"])
def test_stops_of_one_timer_write_its_worklogs_once(api, dynamodb, atomic_writes, lag, naming):
    """Every stop that succeeds reports the same worklogs (a stop naming the timer is answered from its
    receipt once it is stopped); the others find no running timer. The runs are stored exactly once."""
    timer = _running_timer(api, dynamodb)
    body = {"timerId": timer["id"]} if naming else None

    responses = _race([lambda: api.post(f"{WS}/timer/stop", json_body=body, caller=BOB) for _ in range(RACERS)])

    stopped = [r for r in responses if r.status == 200]
    assert stopped and all(r.status in {200, 404, 409} for r in responses), [r.body for r in responses]
    if naming:
        assert len(stopped) == RACERS, [r.body for r in responses]
    reported = {tuple(sorted(w["id"] for w in r.json["worklogs"])) for r in stopped}
    assert len(reported) == 1
    items = _assert_totals_match(api, dynamodb, *_timer_window())
    assert sorted(worklog_id for worklog_id, _, _ in items) == list(reported.pop())
    assert len(items) == 2
