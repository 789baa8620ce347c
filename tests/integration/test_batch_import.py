"""Bulk import: per-item results by the single create's rules, few requests, retry-safe."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.helpers import ADMIN, BOB, a_worklog, claims

ACME = "/v1/workspaces/acme"
BATCH = f"{ACME}/worklogs/batch"


def day_item(n: int, **overrides) -> dict:
    day = (date(2026, 6, 1) + timedelta(days=n)).isoformat()
    return a_worklog(**{"startDate": f"{day}T09:00:00Z", "endDate": f"{day}T10:00:00Z", **overrides})


def test_each_item_is_checked_like_a_single_create(api):
    api.put(f"{ACME}/settings", json_body={"overlapPolicy": "reject"}, caller=ADMIN)
    items = [
        day_item(0),
        day_item(1, worklogTypeCode="NoSuchType"),  # 422
        day_item(2, workerId="carol"),  # a member logs only for themself: 403
        day_item(0),  # overlaps item 0: 409
        day_item(3, endDate="2026-06-04T08:00:00Z"),  # ends before it starts: 422
        day_item(4, worklogTypeCode="Testing"),
    ]
    response = api.post(BATCH, json_body={"items": items}, caller=BOB)
    assert response.status == 200, response.body
    body = response.json
    assert [(r["index"], r["status"]) for r in body["results"]] == [
        (0, 201),
        (1, 422),
        (2, 403),
        (3, 409),
        (4, 422),
        (5, 201),
    ]
    assert (body["created"], body["refused"]) == (2, 4)
    assert body["results"][3]["error"]["code"] == "OVERLAP"
    for result in body["results"]:
        assert (result["worklog"] is None) == (result["status"] != 201)
    stored = api.get(f"{ACME}/worklogs/{body['results'][5]['worklog']['id']}", caller=BOB)
    assert stored.status == 200 and stored.json["worklogTypeCode"] == "Testing"


def test_frozen_timesheets_refuse_their_items_only(api):
    assert api.post(f"{ACME}/approvals", json_body={"period": "2026-W46"}, caller=BOB).status == 201
    items = [a_worklog(), day_item(0)]  # 2026-11-11 is in the submitted week; 2026-06-01 is not
    body = api.post(BATCH, json_body={"items": items}, caller=BOB).json
    assert [(r["status"], (r["error"] or {}).get("code")) for r in body["results"]] == [
        (409, "PERIOD_SUBMITTED"),
        (201, None),
    ]


@pytest.mark.slow  # a hundred items per batch
def test_a_hundred_one_day_items_take_at_most_ten_requests(api, ddb_calls):
    api.post(BATCH, json_body={"items": [day_item(99)]}, caller=BOB)  # a warm container: settings and types cached
    ddb_calls.reset()
    response = api.post(BATCH, json_body={"items": [day_item(n, description="x") for n in range(100)]}, caller=BOB)
    assert response.status == 200 and response.json["created"] == 100, response.body[:500]
    assert len(ddb_calls.operations) <= 10, ddb_calls.operations
    assert set(ddb_calls.operations) == {"TransactWriteItems"}
    page = api.get(f"{ACME}/worklogs", query={"workerId": "bob", "limit": 100}, caller=BOB).json
    assert len(page["items"]) == 100 and page["nextCursor"]  # and the warm-up's on the next page


def test_an_idempotency_key_makes_the_batch_retry_safe(api):
    body = {"items": [day_item(n) for n in range(3)]}
    key = {"Idempotency-Key": "import-2026-10"}
    first = api.post(BATCH, json_body=body, headers=key, caller=BOB)
    again = api.post(BATCH, json_body=body, headers=key, caller=BOB)
    assert first.status == again.status == 200
    assert again.headers.get("idempotent-replayed") == "true" and again.json == first.json
    listed = api.get(f"{ACME}/worklogs", query={"workerId": "bob"}, caller=BOB).json["items"]
    assert len(listed) == 3
    changed = api.post(BATCH, json_body={"items": body["items"][:1]}, headers=key, caller=BOB)
    assert changed.status == 422


def test_limits(api):
    assert api.post(BATCH, json_body={"items": []}, caller=BOB).status == 422
    assert api.post(BATCH, json_body={"items": [day_item(n) for n in range(101)]}, caller=BOB).status in (413, 422)
    viewer = claims(sub="val", workspaces="acme:viewer")
    assert api.post(BATCH, json_body={"items": [day_item(0)]}, caller=viewer).status == 403
