"""Every search filter and the documented combinations: right results, one Query per page, stable cursors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ADMIN, BOB, CAROL, claims, create

WS = "/v1/workspaces/acme/worklogs"


def at(day: int, hour: int, minute: int = 0) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00Z"


def search(api, ddb_calls=None, **query) -> list[dict]:
    if ddb_calls is not None:
        ddb_calls.reset()
    response = api.get(WS, query=query, caller=ADMIN)
    assert response.status == 200, response.body
    if ddb_calls is not None:
        assert ddb_calls.operations == ["Query"], ddb_calls.operations
    page = response.json
    assert page["nextCursor"] is None, "use a limit large enough for one page in these tests"
    return page["items"]


def ids(items) -> set[str]:
    return {item["id"] for item in items}


@pytest.fixture
def sample(api):
    """A small workspace: two workers, two owners, two projects, two types, billable and not."""
    made = {
        "bob_t1_p1_inv": create(
            api,
            BOB,
            ownerId="T-1",
            projectId="P-1",
            worklogTypeCode="Investigation",
            startDate=at(10, 9),
            endDate=at(10, 10),
            data={"billable": True},
        ),
        "bob_t1_p2_impl": create(
            api,
            BOB,
            ownerId="T-1",
            projectId="P-2",
            worklogTypeCode="Implementation",
            startDate=at(11, 9),
            endDate=at(11, 11),
            data={"billable": False},
        ),
        "carol_t2_p1_inv": create(
            api,
            CAROL,
            ownerId="T-2",
            projectId="P-1",
            worklogTypeCode="Investigation",
            startDate=at(11, 13),
            endDate=at(11, 14),
            data={},
        ),
        "carol_t1_night": create(
            api,
            CAROL,
            ownerId="T-1",
            worklogTypeCode="Implementation",
            startDate=at(11, 22),
            endDate=at(12, 2),
            data={"billable": True},
        ),
        "bob_t2_typeless": create(api, BOB, ownerId="T-2", startDate=at(12, 8), endDate=at(12, 9), data={}),
    }
    return {name: worklog["id"] for name, worklog in made.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"bob_t1_p1_inv", "bob_t1_p2_impl", "carol_t2_p1_inv", "carol_t1_night", "bob_t2_typeless"}),
        ({"ownerType": "Ticket", "ownerId": "T-1"}, {"bob_t1_p1_inv", "bob_t1_p2_impl", "carol_t1_night"}),
        ({"workerId": "bob"}, {"bob_t1_p1_inv", "bob_t1_p2_impl", "bob_t2_typeless"}),
        ({"projectId": "P-1"}, {"bob_t1_p1_inv", "carol_t2_p1_inv"}),
        ({"worklogTypeCode": "Implementation"}, {"bob_t1_p2_impl", "carol_t1_night"}),
        ({"billable": "true"}, {"bob_t1_p1_inv", "carol_t1_night"}),
        ({"billable": "false"}, {"bob_t1_p2_impl", "carol_t2_p1_inv", "bob_t2_typeless"}),
        ({"workerId": "carol", "worklogTypeCode": "Investigation"}, {"carol_t2_p1_inv"}),
        ({"ownerType": "Ticket", "ownerId": "T-1", "workerId": "carol"}, {"carol_t1_night"}),
        ({"projectId": "P-1", "billable": "true"}, {"bob_t1_p1_inv"}),
        # time windows: overlap, not start-inside; the 22:00-02:00 entry is found from either day
        ({"from": at(11, 0), "to": at(12, 0)}, {"bob_t1_p2_impl", "carol_t2_p1_inv", "carol_t1_night"}),
        ({"from": at(12, 0), "to": at(13, 0)}, {"carol_t1_night", "bob_t2_typeless"}),
        ({"from": at(12, 1), "to": at(12, 3)}, {"carol_t1_night"}),
        ({"from": at(12, 2), "to": at(12, 3)}, set()),  # touching the end is not overlapping
        ({"from": at(11, 10), "to": at(11, 13)}, {"bob_t1_p2_impl"}),
        ({"from": at(12, 0)}, {"carol_t1_night", "bob_t2_typeless"}),
        ({"to": at(11, 0)}, {"bob_t1_p1_inv"}),
        ({"ownerType": "Ticket", "ownerId": "T-1", "from": at(12, 0), "to": at(13, 0)}, {"carol_t1_night"}),
        (
            {"workerId": "carol", "worklogTypeCode": "Implementation", "from": at(12, 0), "to": at(12, 12)},
            {"carol_t1_night"},
        ),
        ({"workerId": "bob", "from": at(11, 0), "to": at(13, 0)}, {"bob_t1_p2_impl", "bob_t2_typeless"}),
        ({"projectId": "P-1", "from": at(11, 0), "to": at(12, 0)}, {"carol_t2_p1_inv"}),
        ({"worklogTypeCode": "Implementation", "from": at(12, 0), "to": at(13, 0)}, {"carol_t1_night"}),
        ({"from": at(11, 0), "to": at(13, 0), "billable": "true"}, {"carol_t1_night"}),
    ],
)
def test_filters_and_combinations_one_query_each(api, ddb_calls, sample, query, expected):
    found = search(api, ddb_calls, limit=100, **query)
    assert ids(found) == {sample[name] for name in expected}
    assert len(found) == len(ids(found)), "no duplicates (an entry and its midnight copy are one result)"


def test_results_are_newest_start_first_and_stable(api, sample):
    starts = [item["startDate"] for item in search(api, limit=100)]
    assert starts == sorted(starts, reverse=True)


def test_include_deleted(api, sample):
    api.delete(f"{WS}/{sample['carol_t1_night']}", caller=ADMIN)
    window = {"from": at(12, 0), "to": at(13, 0)}
    assert ids(search(api, limit=100, **window)) == {sample["bob_t2_typeless"]}
    with_deleted = search(api, limit=100, includeDeleted="true", **window)
    assert ids(with_deleted) == {sample["bob_t2_typeless"], sample["carol_t1_night"]}


def test_moving_an_entry_moves_it_between_windows(api, sample):
    night = api.get(f"{WS}/{sample['carol_t1_night']}", caller=ADMIN).json
    api.patch(
        f"{WS}/{night['id']}",
        json_body={"startDate": at(11, 20), "endDate": at(11, 23)},
        headers={"If-Match": '"1"'},
        caller=ADMIN,
    )
    assert sample["carol_t1_night"] not in ids(search(api, limit=100, **{"from": at(12, 0), "to": at(13, 0)}))
    assert sample["carol_t1_night"] in ids(search(api, limit=100, **{"from": at(11, 0), "to": at(12, 0)}))


def test_updated_since_stays_a_safety_window_behind_now(api, sample):
    page = api.get(WS, query={"updatedSince": "2026-01-01T00:00:00Z"}, caller=ADMIN).json
    assert page["items"] == []  # every change is younger than the safety window: next time
    from datetime import UTC, datetime

    since = datetime.fromisoformat(page["nextSince"])
    assert (datetime.now(UTC) - since).total_seconds() >= 5


def test_updated_since_is_a_change_feed_with_tombstones(api, sample, ddb_calls, monkeypatch):
    import worklogs.domain.search as search_rules

    monkeypatch.setattr(search_rules, "FEED_SAFETY_SECONDS", -5)  # look at the feed as it will be in 10 s
    api.delete(f"{WS}/{sample['bob_t2_typeless']}", caller=ADMIN)
    ddb_calls.reset()
    page = api.get(WS, query={"updatedSince": "2026-01-01T00:00:00Z", "limit": 100}, caller=ADMIN).json
    assert ddb_calls.operations == ["Query"]
    updated = [item["updatedAt"] for item in page["items"]]
    assert updated == sorted(updated), "change order"
    assert ids(page["items"]) == set(sample.values())
    assert page["items"][-1]["id"] == sample["bob_t2_typeless"] and page["items"][-1]["deletedAt"] is not None
    assert page["nextSince"] is not None and page["nextCursor"] is None
    again = api.get(WS, query={"updatedSince": page["nextSince"], "limit": 100}, caller=ADMIN).json
    assert len(again["items"]) <= len(page["items"])  # only what changed at or after the watermark


def test_change_feed_pages_keep_their_watermark(api, monkeypatch):
    import worklogs.domain.search as search_rules

    monkeypatch.setattr(search_rules, "FEED_SAFETY_SECONDS", -5)
    made = {create(api, startDate=at(day, 9), endDate=at(day, 10))["id"] for day in range(1, 6)}
    seen, cursor = [], None
    while True:
        query = {"updatedSince": "2026-01-01T00:00:00Z", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get(WS, query=query, caller=ADMIN).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            assert page["nextSince"]
            break
        assert page["nextSince"] is None
    assert set(seen) == made and len(seen) == len(made)


def test_updated_since_takes_no_other_filter(api):
    response = api.get(WS, query={"updatedSince": "2026-01-01T00:00:00Z", "workerId": "me"}, caller=ADMIN)
    assert response.status == 422


@pytest.mark.parametrize(
    "query",
    [
        {"refType": "Task"},
        {"refId": "T"},
        {"from": at(12, 0), "to": at(11, 0)},
        {"from": "yesterday"},
        {"from": "2026-11-11T00:00:00"},
        {"billable": "perhaps"},
    ],
)
def test_bad_filters_are_422(api, query):
    assert api.get(WS, query=query, caller=ADMIN).status == 422


def test_pages_under_concurrent_inserts_have_no_duplicates_or_gaps(api: Any) -> None:
    existing = {create(api, startDate=at(day, 9), endDate=at(day, 10))["id"] for day in range(1, 10)}
    seen: list[str] = []
    cursor = None
    inserted = 0
    while True:
        query = {"ownerType": "Ticket", "ownerId": "T-1", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get(WS, query=query, caller=ADMIN).json
        seen += [item["id"] for item in page["items"]]
        # between pages, others keep logging: one entry newer than everything, one older than everything
        create(api, startDate=at(20 + inserted, 9), endDate=at(20 + inserted, 10))
        create(
            api, startDate=f"2026-10-{10 + inserted:02d}T09:00:00Z", endDate=f"2026-10-{10 + inserted:02d}T10:00:00Z"
        )
        inserted += 1
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)), "no duplicates"
    assert existing <= set(seen), "no gaps: everything that existed when paging began is seen"


def test_owner_view_matches_owner_search(api, sample):
    view = api.get("/v1/workspaces/acme/owners/Ticket/T-1/worklogs", query={"limit": 100}, caller=ADMIN)
    assert view.status == 200
    assert view.json["items"] == search(api, ownerType="Ticket", ownerId="T-1", limit=100)
    other = api.get("/v1/workspaces/acme/owners/Ticket/T-1/worklogs", caller=claims(workspaces="beta:admin"))
    assert other.status == 403


def test_owner_view_pages_with_its_own_cursor(api):
    for day in range(1, 6):
        create(api, ownerId="T-9", startDate=at(day, 9), endDate=at(day, 10))
    path = "/v1/workspaces/acme/owners/Ticket/T-9/worklogs"
    first = api.get(path, query={"limit": 3}, caller=ADMIN).json
    rest = api.get(path, query={"limit": 3, "cursor": first["nextCursor"]}, caller=ADMIN).json
    assert len(first["items"]) == 3 and len(rest["items"]) == 2
    replayed = api.get(WS, query={"ownerType": "Ticket", "ownerId": "T-8", "cursor": first["nextCursor"]}, caller=ADMIN)
    assert replayed.status == 400


@pytest.mark.parametrize("name", ["from", "to", "updatedSince"])
@pytest.mark.parametrize("value", ["0.5", "1700000000", "2026-11-11", "11/11/2026 09:00"])
def test_time_filters_take_iso_timestamps_only(api, name, value):
    """pydantic would read "0.5" as a Unix time; the API documents ISO 8601 with an offset (found by fuzzing)."""
    response = api.get(WS, query={name: value}, caller=ADMIN)
    assert response.status == 422, response.body
    assert response.json["error"]["details"][0]["loc"] == ["query", name]
