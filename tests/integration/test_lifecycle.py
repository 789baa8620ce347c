"""Edit with versions, soft delete and restore, split, merge, and the audit trail."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.helpers import ADMIN, BOB, CAROL, MIA, VIEWER, a_worklog, claims, create

WS = "/v1/workspaces/acme/worklogs"


def at(hour: int, minute: int = 0, day: int = 11) -> str:
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00Z"


def current(api, worklog_id: str, **query) -> dict:
    response = api.get(f"{WS}/{worklog_id}", caller=ADMIN, query=query)
    assert response.status == 200, response.body
    return response.json


# --- PATCH -----------------------------------------------------------------------------------------------


def test_patch_changes_fields_and_bumps_version(api):
    worklog = create(api)
    response = api.patch(
        f"{WS}/{worklog['id']}",
        json_body={"description": "<p>Fixed</p><script>x</script>", "data": {"billable": False}, "projectId": "P-9"},
        headers={"If-Match": '"1"'},
        caller=BOB,
    )
    assert response.status == 200, response.body
    body = response.json
    assert (body["version"], response.headers["etag"]) == (2, '"2"')
    assert body["description"] == "<p>Fixed</p>"
    assert body["data"] == {"billable": False} and body["projectId"] == "P-9"
    assert body["updatedBy"]["id"] == "bob" and body["updatedAt"] >= worklog["updatedAt"]
    assert body["createdAt"] == worklog["createdAt"]


def test_patch_clears_optional_fields_with_null(api):
    worklog = create(api, projectId="P-1", worklogTypeCode="Testing")
    body = api.patch(
        f"{WS}/{worklog['id']}",
        json_body={"projectId": None, "worklogTypeCode": None},
        headers={"If-Match": '"1"'},
        caller=BOB,
    ).json
    assert body["projectId"] is None and body["worklogTypeCode"] is None


@pytest.mark.parametrize(
    ("change", "start", "end"),
    [
        ({"endDate": at(11)}, at(9), at(11)),  # one edge moves, the other stays
        ({"startDate": at(10)}, at(10), at(10, 30)),
        ({"duration": "PT30M"}, at(9), at(9, 30)),  # a duration alone keeps the start
        ({"durationMinutes": 15}, at(9), at(9, 15)),
        ({"startDate": at(13), "duration": "PT2H"}, at(13), at(15)),
        ({"endDate": at(12), "durationMinutes": 60}, at(11), at(12)),
        ({"startDate": "2026-11-11T14:00:00+01:00", "endDate": "2026-11-11T15:00:00+01:00"}, at(13), at(14)),
    ],
)
def test_patch_time_in_every_input_form(api, change, start, end):
    worklog = create(api)
    body = api.patch(f"{WS}/{worklog['id']}", json_body=change, headers={"If-Match": '"1"'}, caller=BOB).json
    assert (body["startDate"], body["endDate"]) == (start, end)


def test_patch_without_if_match_is_428(api):
    worklog = create(api)
    response = api.patch(f"{WS}/{worklog['id']}", json_body={"description": "x"}, caller=BOB)
    assert response.status == 428
    assert response.json["error"]["code"] == "IF_MATCH_REQUIRED"


@pytest.mark.parametrize("header", ["1", "'1'", '"one"', "*", '"1", "2"', 'W/"x"'])
def test_patch_with_malformed_if_match_is_400(api, header):
    worklog = create(api)
    response = api.patch(
        f"{WS}/{worklog['id']}", json_body={"description": "x"}, headers={"If-Match": header}, caller=BOB
    )
    assert response.status == 400
    assert response.json["error"]["code"] == "INVALID_IF_MATCH"


def test_weak_etag_is_accepted(api):
    worklog = create(api)
    response = api.patch(
        f"{WS}/{worklog['id']}", json_body={"description": "x"}, headers={"If-Match": 'W/"1"'}, caller=BOB
    )
    assert response.status == 200


def test_stale_if_match_is_412_with_current_version_and_nothing_changes(api):
    worklog = create(api)
    assert (
        api.patch(
            f"{WS}/{worklog['id']}", json_body={"description": "a"}, headers={"If-Match": '"1"'}, caller=BOB
        ).status
        == 200
    )
    stale = api.patch(f"{WS}/{worklog['id']}", json_body={"description": "b"}, headers={"If-Match": '"1"'}, caller=BOB)
    assert stale.status == 412
    assert stale.json["error"]["details"][0]["currentVersion"] == 2
    assert current(api, worklog["id"])["description"] == "a"


def test_concurrent_patches_with_the_same_version_one_wins(api: Any, atomic_writes: Any) -> None:
    # DynamoDB applies a conditional write atomically; the embedded store is made to (`atomic_writes`).
    worklog = create(api)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def patch(text: str) -> None:
        barrier.wait()
        response = api.patch(
            f"{WS}/{worklog['id']}", json_body={"description": text}, headers={"If-Match": '"1"'}, caller=BOB
        )
        statuses.append(response.status)

    threads = [threading.Thread(target=patch, args=(text,)) for text in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]
    final = current(api, worklog["id"])
    assert final["version"] == 2 and final["description"] in {"first", "second"}


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"colour": "red"}, 422),
        ({"ownerType": None}, 422),
        ({"ownerId": ""}, 422),
        ({"workerId": None}, 422),
        ({"startDate": None}, 422),
        ({"durationMinutes": 0}, 422),
        ({"durationMinutes": -30}, 422),
        ({"duration": None}, 422),
        ({"endDate": at(8)}, 422),  # before the start
        ({"endDate": at(9)}, 422),  # zero length
        ({"duration": "P2D"}, 422),  # 16 h is fine...
        ({"startDate": at(9), "endDate": at(10, 0, day=12)}, 422),  # ... 25 h is not
        ({"duration": "PT-1H"}, 422),
        ({"data": {"": 1}}, 422),
    ],
)
def test_bad_patches_change_nothing(api, change, status):
    worklog = create(api)
    response = api.patch(f"{WS}/{worklog['id']}", json_body=change, headers={"If-Match": '"1"'}, caller=BOB)
    if change == {"duration": "P2D"}:
        assert response.status == 200  # 2 working days = 16 h ≤ 24 h
        return
    assert response.status == status, response.body
    assert response.json["error"]["message"]
    assert current(api, worklog["id"])["version"] == 1


def test_noop_patch_keeps_the_version(api):
    worklog = create(api)
    response = api.patch(
        f"{WS}/{worklog['id']}", json_body={"ownerId": worklog["ownerId"]}, headers={"If-Match": '"1"'}, caller=BOB
    )
    assert response.status == 200 and response.json["version"] == 1


@pytest.mark.parametrize(
    ("caller", "change", "status"),
    [
        (CAROL, {"description": "mine now"}, 403),  # a member edits only their own
        (BOB, {"workerId": "carol"}, 403),  # and cannot give it away
        (VIEWER, {"description": "x"}, 403),
        (MIA, {"workerId": "carol"}, 200),  # a manager can
        (ADMIN, {"description": "x"}, 200),
        (claims(workspaces="beta:admin"), {"description": "x"}, 404),  # another tenant learns nothing
    ],
)
def test_who_may_patch(api, caller, change, status):
    worklog = create(api)
    response = api.patch(f"{WS}/{worklog['id']}", json_body=change, headers={"If-Match": '"1"'}, caller=caller)
    assert response.status == status, response.body


def test_patch_of_another_tenants_id_through_own_workspace_is_404(api):
    worklog = create(api)
    response = api.patch(
        f"/v1/workspaces/beta/worklogs/{worklog['id']}",
        json_body={"description": "x"},
        headers={"If-Match": '"1"'},
        caller=claims(workspaces="beta:admin"),
    )
    assert response.status == 404
    assert current(api, worklog["id"])["version"] == 1


def test_patch_is_a_read_and_one_transaction(api, ddb_calls):
    worklog = create(api)
    ddb_calls.reset()
    api.patch(f"{WS}/{worklog['id']}", json_body={"description": "x"}, headers={"If-Match": '"1"'}, caller=BOB)
    assert ddb_calls.operations == ["GetItem", "TransactWriteItems"]


# --- DELETE / restore ------------------------------------------------------------------------------------


def test_soft_delete_hides_and_restore_brings_back(api):
    worklog = create(api)
    deleted = api.delete(f"{WS}/{worklog['id']}", caller=BOB)
    assert deleted.status == 200
    assert deleted.json["deletedAt"] and deleted.json["deletedBy"]["id"] == "bob" and deleted.json["version"] == 2

    assert api.get(f"{WS}/{worklog['id']}", caller=ADMIN).status == 404
    tombstone = current(api, worklog["id"], includeDeleted="true")
    assert tombstone["deletedAt"] == deleted.json["deletedAt"]
    owner_query = {"ownerType": "Ticket", "ownerId": "T-1"}
    assert api.get(WS, query=owner_query, caller=ADMIN).json["items"] == []
    with_deleted = api.get(WS, query={**owner_query, "includeDeleted": "true"}, caller=ADMIN).json["items"]
    assert [item["id"] for item in with_deleted] == [worklog["id"]]
    assert api.delete(f"{WS}/{worklog['id']}", caller=BOB).status == 404

    restored = api.post(f"{WS}/{worklog['id']}/restore", caller=BOB)
    assert restored.status == 200
    assert restored.json["deletedAt"] is None and restored.json["deletedBy"] is None
    assert restored.json["version"] == 3
    assert [item["id"] for item in api.get(WS, query=owner_query, caller=ADMIN).json["items"]] == [worklog["id"]]


def test_restore_of_a_live_worklog_is_409(api):
    worklog = create(api)
    response = api.post(f"{WS}/{worklog['id']}/restore", caller=BOB)
    assert response.status == 409 and response.json["error"]["code"] == "NOT_DELETED"


def test_delete_checks_if_match_when_sent(api):
    worklog = create(api)
    assert api.delete(f"{WS}/{worklog['id']}", headers={"If-Match": '"7"'}, caller=BOB).status == 412
    assert api.delete(f"{WS}/{worklog['id']}", headers={"If-Match": '"1"'}, caller=BOB).status == 200


@pytest.mark.parametrize(
    ("caller", "status"), [(CAROL, 403), (VIEWER, 403), (MIA, 200), (claims(workspaces="beta:admin"), 404)]
)
def test_who_may_delete(api, caller, status):
    worklog = create(api)
    assert api.delete(f"{WS}/{worklog['id']}", caller=caller).status == status


# --- split -----------------------------------------------------------------------------------------------


def test_split_cuts_in_two_in_one_transaction(api, ddb_calls):
    worklog = create(api, projectId="P-1", worklogTypeCode="Testing", data={"billable": True, "rate": 80})
    ddb_calls.reset()
    response = api.post(f"{WS}/{worklog['id']}/split", json_body={"at": "2026-11-11T11:00:00+01:00"}, caller=BOB)
    assert response.status == 201, response.body
    assert ddb_calls.operations == ["GetItem", "TransactWriteItems"]


def test_split_parts(api):
    worklog = create(api, projectId="P-1", worklogTypeCode="Testing", data={"billable": True, "rate": 80})
    response = api.post(f"{WS}/{worklog['id']}/split", json_body={"at": at(10)}, caller=BOB)
    assert response.status == 201, response.body
    original, created = response.json["original"], response.json["created"]
    assert response.headers["location"] == created["self"]
    assert (original["id"], original["startDate"], original["endDate"], original["version"]) == (
        worklog["id"],
        at(9),
        at(10),
        2,
    )
    assert (created["startDate"], created["endDate"], created["version"]) == (at(10), at(10, 30), 1)
    assert created["id"] != worklog["id"]
    for name in ("ownerType", "ownerId", "workerId", "worklogTypeCode", "projectId", "data", "description"):
        assert created[name] == worklog[name], name
    assert original["durationMinutes"] + created["durationMinutes"] == worklog["durationMinutes"]
    assert current(api, created["id"])["createdBy"]["id"] == "bob"


@pytest.mark.parametrize("point", [at(9), at(10, 30), at(8), at(11), "2026-11-11T10:00:00"])
def test_split_point_must_be_strictly_inside(api, point):
    worklog = create(api)
    response = api.post(f"{WS}/{worklog['id']}/split", json_body={"at": point}, caller=BOB)
    assert response.status == 422
    assert current(api, worklog["id"])["version"] == 1


def test_split_of_deleted_or_foreign_worklog_is_404(api):
    worklog = create(api)
    api.delete(f"{WS}/{worklog['id']}", caller=BOB)
    assert api.post(f"{WS}/{worklog['id']}/split", json_body={"at": at(10)}, caller=BOB).status == 404
    other = create(api)
    response = api.post(
        f"/v1/workspaces/beta/worklogs/{other['id']}/split",
        json_body={"at": at(10)},
        caller=claims(workspaces="beta:admin"),
    )
    assert response.status == 404


# --- merge -----------------------------------------------------------------------------------------------


def merge(api, ids, caller=BOB, **extra):
    return api.post(f"{WS}/merge", json_body={"ids": ids, **extra}, caller=caller)


def test_merge_contiguous_worklogs(api, ddb_calls):
    first = create(api, startDate=at(9), endDate=at(10), description="<p>one</p>", data={"billable": True, "a": 1})
    second = create(api, startDate=at(10), endDate=at(11), description="<p>two</p>", data={"billable": False, "b": 2})
    third = create(api, startDate=at(10, 30), endDate=at(12), description="", data={"b": 3, "c": 4})
    ddb_calls.reset()
    response = merge(api, [third["id"], first["id"], second["id"]])
    assert response.status == 200, response.body
    assert ddb_calls.operations == ["BatchGetItem", "TransactWriteItems"]
    body = response.json
    merged = body["worklog"]
    assert merged["id"] == first["id"]  # the earliest survives
    assert (merged["startDate"], merged["endDate"], merged["durationMinutes"]) == (at(9), at(12), 180)
    assert merged["description"] == "<p>one</p>\n<p>two</p>"
    assert merged["data"] == {"billable": True, "a": 1, "b": 2, "c": 4}  # earliest wins, then earlier fills
    assert sorted(body["mergedIds"]) == sorted([second["id"], third["id"]])
    for merged_id in body["mergedIds"]:
        gone = current(api, merged_id, includeDeleted="true")
        assert gone["deletedAt"] and gone["mergedInto"] == first["id"]
    restore = api.post(f"{WS}/{second['id']}/restore", caller=BOB)
    assert restore.status == 409 and restore.json["error"]["code"] == "MERGED"


def test_merge_with_gaps_is_409_unless_allowed(api):
    first = create(api, startDate=at(9), endDate=at(10))
    second = create(api, startDate=at(11), endDate=at(12))
    refused = merge(api, [first["id"], second["id"]])
    assert refused.status == 409 and refused.json["error"]["code"] == "MERGE_GAPS"
    assert refused.json["error"]["details"] == [{"from": at(10), "to": at(11)}]
    assert current(api, first["id"])["version"] == 1 and current(api, second["id"])["version"] == 1
    allowed = merge(api, [first["id"], second["id"]], allowGaps=True)
    assert allowed.status == 200 and allowed.json["worklog"]["durationMinutes"] == 180


@pytest.mark.parametrize(
    ("second_overrides", "status"),
    [
        ({"ownerId": "T-2"}, 422),
        ({"ownerType": "Order"}, 422),
        ({"worklogTypeCode": "Other"}, 422),
    ],
)
def test_merge_needs_same_owner_and_type(api, second_overrides, status):
    first = create(api, startDate=at(9), endDate=at(10))
    second = create(api, startDate=at(10), endDate=at(11), **second_overrides)
    assert merge(api, [first["id"], second["id"]]).status == status


def test_merge_across_workers_is_422_and_across_workspaces_404(api):
    first = create(api, startDate=at(9), endDate=at(10))
    carols = create(api, caller=CAROL, startDate=at(10), endDate=at(11))
    assert merge(api, [first["id"], carols["id"]], caller=MIA).status == 422
    other = api.post(
        "/v1/workspaces/beta/worklogs",
        json_body=a_worklog(startDate=at(10), endDate=at(11)),
        caller=claims(sub="bob", workspaces="acme:member beta:member"),
    ).json
    response = merge(api, [first["id"], other["id"]])
    assert response.status == 404
    assert current(api, first["id"])["version"] == 1


def test_merge_of_a_deleted_worklog_is_409(api):
    first = create(api, startDate=at(9), endDate=at(10))
    second = create(api, startDate=at(10), endDate=at(11))
    api.delete(f"{WS}/{second['id']}", caller=BOB)
    response = merge(api, [first["id"], second["id"]])
    assert response.status == 409 and response.json["error"]["code"] == "WORKLOG_DELETED"


@pytest.mark.parametrize("ids", [["x"], [], ["a"] * 26])
def test_merge_needs_2_to_25_ids(api, ids):
    assert merge(api, ids).status == 422


def test_merge_duplicate_ids_is_422(api):
    first = create(api)
    assert merge(api, [first["id"], first["id"]]).status == 422


def test_merge_longer_than_max_entry_is_422(api):
    first = create(api, startDate=at(0), endDate=at(12))
    second = create(api, startDate=at(12), endDate=at(1, 0, day=12))
    assert merge(api, [first["id"], second["id"]]).status == 422


def test_member_cannot_merge_someone_elses(api):
    first = create(api, caller=CAROL, startDate=at(9), endDate=at(10))
    second = create(api, caller=CAROL, startDate=at(10), endDate=at(11))
    assert merge(api, [first["id"], second["id"]], caller=BOB).status == 403
    assert merge(api, [first["id"], second["id"]], caller=MIA).status == 200


# --- audit -----------------------------------------------------------------------------------------------


def test_history_records_who_did_what(api):
    worklog = create(api)
    api.patch(
        f"{WS}/{worklog['id']}",
        json_body={"description": "x", "endDate": at(11)},
        headers={"If-Match": '"1"'},
        caller=MIA,
    )
    api.delete(f"{WS}/{worklog['id']}", caller=BOB)
    api.post(f"{WS}/{worklog['id']}/restore", caller=ADMIN)
    history = api.get(f"{WS}/{worklog['id']}/history", caller=VIEWER).json["items"]
    assert [(e["version"], e["action"], e["by"]["id"]) for e in history] == [
        (4, "restore", "alice"),
        (3, "delete", "bob"),
        (2, "edit", "mia"),
        (1, "create", "bob"),
    ]
    assert history[2]["fields"] == ["description", "endDate"]
    paged = api.get(f"{WS}/{worklog['id']}/history", query={"limit": 3}, caller=VIEWER).json
    rest = api.get(
        f"{WS}/{worklog['id']}/history", query={"limit": 3, "cursor": paged["nextCursor"]}, caller=VIEWER
    ).json
    assert len(paged["items"]) == 3 and [e["version"] for e in rest["items"]] == [1]
    assert api.get(f"{WS}/{worklog['id']}/history", caller=claims(workspaces="beta:admin")).status == 404


def test_merge_whose_result_exceeds_the_item_size_limit_is_422_and_changes_nothing(api):
    # Each part is a valid worklog (a 20,000-character description, 60 KB of UTF-8); together they pass
    # DynamoDB's 400 KB item limit. That is the caller's input, so a 422, never a 5xx.
    import json

    text = "日" * 19_990
    parts = []
    for hour in range(8):
        body = json.dumps(a_worklog(startDate=at(hour), endDate=at(hour + 1), description=text), ensure_ascii=False)
        created = api.post(WS, body=body.encode(), headers={"content-type": "application/json"}, caller=BOB)
        assert created.status == 201, created.body
        parts.append(created.json)
    response = merge(api, [part["id"] for part in parts])
    assert response.status == 422, response.body
    assert response.json["error"]["code"] == "WORKLOG_TOO_LARGE"
    for part in parts:
        assert current(api, part["id"])["version"] == 1
