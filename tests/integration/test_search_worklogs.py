"""Get and search through the handler: tenancy, paging, cursors, and one DynamoDB request each."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ADMIN, a_worklog, claims, create

WS = "/v1/workspaces/acme/worklogs"


def test_get_is_one_getitem(api, ddb_calls):
    created = create(api, ADMIN)
    ddb_calls.reset()
    response = api.get(f"{WS}/{created['id']}", caller=claims(workspaces="acme:viewer"))
    assert response.status == 200
    assert ddb_calls.operations == ["GetItem"]


@pytest.mark.parametrize(
    "path_workspace, caller",
    [
        ("acme", claims(workspaces="beta:admin")),  # not a member of acme
        ("beta", claims(workspaces="beta:admin")),  # a member of beta asking beta for acme's id
        ("acme", claims(workspaces=[])),
    ],
)
def test_another_tenant_gets_404(api, path_workspace, caller):
    created = create(api, ADMIN)
    response = api.get(f"/v1/workspaces/{path_workspace}/worklogs/{created['id']}", caller=caller)
    assert response.status == 404
    assert response.json["error"]["code"] == "NOT_FOUND"
    assert created["id"] not in response.body


@pytest.mark.parametrize("worklog_id", ["5f0c3a52-3c7e-4d0b-9d59-0a5b8e4f1c11", "not-a-uuid", "x" * 3000, "%23"])
def test_unknown_ids_are_404(api, worklog_id):
    response = api.get(f"{WS}/{worklog_id}", caller=claims())
    assert response.status == 404


def test_search_by_owner_newest_first_one_query(api, ddb_calls):
    for hour in (9, 11, 10):
        create(api, ADMIN, startDate=f"2026-11-11T{hour:02d}:00:00Z", endDate=f"2026-11-11T{hour:02d}:30:00Z")
    create(api, ADMIN, ownerId="T-2")
    ddb_calls.reset()
    response = api.get(WS, query={"ownerType": "Ticket", "ownerId": "T-1"}, caller=claims())
    assert response.status == 200
    assert [item["startDate"][11:13] for item in response.json["items"]] == ["11", "10", "09"]
    assert response.json["nextCursor"] is None
    assert ddb_calls.operations == ["Query"]


def test_search_by_worker_and_me(api):
    create(api, caller=claims(sub="bob", workspaces="acme:member"))
    create(api, caller=claims(sub="carol", workspaces="acme:member"))
    mine = api.get(WS, query={"workerId": "me"}, caller=claims(sub="bob", workspaces="acme:member"))
    assert [item["workerId"] for item in mine.json["items"]] == ["bob"]
    carols = api.get(WS, query={"workerId": "carol"}, caller=claims(sub="bob", workspaces="acme:viewer"))
    assert [item["workerId"] for item in carols.json["items"]] == ["carol"]


def test_search_by_owner_and_worker(api):
    create(api, caller=claims(sub="bob", workspaces="acme:member"))
    create(api, caller=claims(sub="carol", workspaces="acme:member"))
    create(api, caller=claims(sub="bob", workspaces="acme:member"), ownerId="T-9")
    found = api.get(WS, query={"ownerType": "Ticket", "ownerId": "T-1", "workerId": "bob"}, caller=claims())
    assert [(i["ownerId"], i["workerId"]) for i in found.json["items"]] == [("T-1", "bob")]


def test_owner_ids_with_key_separators_do_not_collide(api):
    create(api, ADMIN, ownerType="A#B", ownerId="C")
    create(api, ADMIN, ownerType="A", ownerId="B#C")
    first = api.get(WS, query={"ownerType": "A#B", "ownerId": "C"}, caller=claims()).json["items"]
    second = api.get(WS, query={"ownerType": "A", "ownerId": "B#C"}, caller=claims()).json["items"]
    assert [(i["ownerType"], i["ownerId"]) for i in first] == [("A#B", "C")]
    assert [(i["ownerType"], i["ownerId"]) for i in second] == [("A", "B#C")]


def test_pages_cover_everything_once_each_page_one_query(api: Any, ddb_calls: Any) -> None:
    created = {
        create(api, ADMIN, startDate=f"2026-11-{day:02d}T09:00:00Z", endDate=f"2026-11-{day:02d}T10:00:00Z")["id"]
        for day in range(1, 8)
    }
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        ddb_calls.reset()
        query = {"ownerType": "Ticket", "ownerId": "T-1", "limit": 3}
        if cursor:
            query["cursor"] = cursor
        page = api.get(WS, query=query, caller=claims()).json
        assert ddb_calls.operations == ["Query"]
        assert len(page["items"]) <= 3
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(created) and len(seen) == len(set(seen))
    assert pages == 3


def test_other_workspaces_worklogs_never_appear(api):
    create(api, ADMIN)
    beta = api.post("/v1/workspaces/beta/worklogs", json_body=a_worklog(), caller=claims(workspaces="beta:admin"))
    assert beta.status == 201
    found = api.get(WS, query={"ownerType": "Ticket", "ownerId": "T-1"}, caller=claims()).json["items"]
    assert all(item["workspaceId"] == "acme" for item in found)
    assert beta.json["id"] not in {item["id"] for item in found}


def first_cursor(api, **query) -> str:
    for day in (1, 2):
        create(api, ADMIN, startDate=f"2026-11-0{day}T09:00:00Z", endDate=f"2026-11-0{day}T10:00:00Z")
    page = api.get(WS, query={"ownerType": "Ticket", "ownerId": "T-1", "limit": 1, **query}, caller=claims()).json
    assert page["nextCursor"]
    return page["nextCursor"]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # signature broken
        lambda c: "x" + c,
        lambda c: "garbage",
        lambda c: c.split(".")[0],
    ],
)
def test_tampered_cursor_is_400(api, mangle):
    cursor = first_cursor(api)
    response = api.get(WS, query={"ownerType": "Ticket", "ownerId": "T-1", "cursor": mangle(cursor)}, caller=claims())
    assert response.status == 400
    assert response.json["error"]["code"] == "INVALID_CURSOR"


def test_cursor_cannot_be_replayed_on_another_filter_or_workspace(api):
    cursor = first_cursor(api)
    other_filter = api.get(WS, query={"ownerType": "Ticket", "ownerId": "T-2", "cursor": cursor}, caller=claims())
    assert other_filter.status == 400
    other_workspace = api.get(
        "/v1/workspaces/beta/worklogs",
        query={"ownerType": "Ticket", "ownerId": "T-1", "cursor": cursor},
        caller=claims(workspaces="acme:admin beta:admin"),
    )
    assert other_workspace.status == 400


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"ownerType": "Ticket"}, 422),
        ({"ownerId": "T-1"}, 422),
        ({"workerId": "me", "limit": 0}, 422),
        ({"workerId": "me", "limit": 101}, 422),
        ({"workerId": "me", "limit": "ten"}, 422),
    ],
)
def test_bad_search_parameters(api, query, status):
    response = api.get(WS, query=query, caller=claims())
    assert response.status == status, response.body
    assert response.json["error"]["details"]


def test_list_in_foreign_workspace_is_403(api):
    response = api.get(WS, query={"workerId": "me"}, caller=claims(workspaces="beta:admin"))
    assert response.status == 403


def test_openapi_and_docs_are_served_without_a_token(api):
    schema = api.get("/v1/openapi.json")
    assert schema.status == 200
    assert "/v1/workspaces/{workspaceId}/worklogs" in schema.json["paths"]
    docs = api.get("/v1/docs")
    assert docs.status == 200
    assert "swagger-ui" in docs.body.lower()


@pytest.fixture
def no_cursor_key(monkeypatch):
    """A function deployed without a cursor signing key or the secret that holds one."""
    from worklogs.config import environment

    monkeypatch.delenv("CURSOR_SIGNING_KEY")
    monkeypatch.delenv("CURSOR_SECRET_ARN", raising=False)
    environment.cache_clear()
    yield
    monkeypatch.undo()
    environment.cache_clear()


def test_paging_without_a_cursor_signing_key_answers_503(api, no_cursor_key):
    response = api.get(WS, query={"limit": "1"}, caller=ADMIN)
    assert response.status == 503, response.body
    assert response.json["error"] == {
        "code": "SERVICE_UNAVAILABLE",
        "message": "Pagination is not configured (no cursor signing key).",
        "details": [],
    }
