"""Related records: link, list, unlink, taskEntityRefId, reverse lookup by refType + refId."""

from __future__ import annotations

import pytest

from tests.helpers import ADMIN, BOB, CAROL, claims, create

WS = "/v1/workspaces/acme/worklogs"


def link(api, worklog_id, caller=BOB, headers=None, **body):
    payload = {"refType": "Task", "refId": "TASK-1", "name": "Related task", **body}
    return api.post(f"{WS}/{worklog_id}/links", json_body=payload, caller=caller, headers=headers)


def by_ref(api, ref_type, ref_id, **query):
    response = api.get(WS, query={"refType": ref_type, "refId": ref_id, "limit": 100, **query}, caller=ADMIN)
    assert response.status == 200, response.body
    return [item["id"] for item in response.json["items"]]


def test_link_sets_task_ref_and_bumps_version(api, ddb_calls):
    worklog = create(api)
    ddb_calls.reset()
    response = link(api, worklog["id"], data={"relation": "executed-for"})
    assert response.status == 201, response.body
    assert ddb_calls.operations == ["GetItem", "TransactWriteItems"]
    created = response.json
    assert response.headers["location"] == f"{worklog['self']}/links/{created['id']}"
    assert response.headers["etag"] == '"2"'
    assert (created["refType"], created["refId"], created["worklogId"]) == ("Task", "TASK-1", worklog["id"])
    assert created["createdBy"]["id"] == "bob" and created["data"] == {"relation": "executed-for"}
    fetched = api.get(f"{WS}/{worklog['id']}", caller=ADMIN).json
    assert fetched["taskEntityRefId"] == "TASK-1" and fetched["version"] == 2
    assert [item["id"] for item in fetched["links"]] == [created["id"]]
    listed = api.get(f"{WS}/{worklog['id']}/links", caller=claims(workspaces="acme:viewer")).json
    assert listed["items"] == fetched["links"]


def test_only_task_links_set_the_task_ref_and_delete_recomputes_it(api):
    worklog = create(api)
    change = link(api, worklog["id"], refType="Change", refId="CHG-1").json
    assert api.get(f"{WS}/{worklog['id']}", caller=ADMIN).json["taskEntityRefId"] is None
    first = link(api, worklog["id"], refType="TASK", refId="TASK-1").json
    link(api, worklog["id"], refType="task", refId="TASK-2")
    assert api.get(f"{WS}/{worklog['id']}", caller=ADMIN).json["taskEntityRefId"] == "TASK-1"
    removed = api.delete(f"{WS}/{worklog['id']}/links/{first['id']}", caller=BOB)
    assert removed.status == 200 and removed.headers["etag"] == '"5"'
    assert api.get(f"{WS}/{worklog['id']}", caller=ADMIN).json["taskEntityRefId"] == "TASK-2"
    assert {item["id"] for item in removed.json["items"]} >= {change["id"]}


def test_duplicate_link_is_409_case_insensitive_on_type(api):
    worklog = create(api)
    assert link(api, worklog["id"]).status == 201
    duplicate = link(api, worklog["id"], refType="TASK")
    assert duplicate.status == 409 and duplicate.json["error"]["code"] == "LINK_EXISTS"
    assert api.get(f"{WS}/{worklog['id']}", caller=ADMIN).json["version"] == 2


def _with_links(worklog_id: str, count: int) -> None:
    """Give a stored worklog `count` links in one write (through the API this takes `count` requests)."""
    from datetime import UTC, datetime

    from worklogs.auth import Caller
    from worklogs.domain import lifecycle
    from worklogs.models import LinkCreate
    from worklogs.repository import settings as settings_store
    from worklogs.repository import worklogs as worklog_store
    from worklogs.repository.worklogs import WorklogChange

    original = worklog_store.get("acme", worklog_id)
    assert original is not None
    linked = original
    bob = Caller(sub="bob")
    for number in range(count):
        request = LinkCreate(refType="Asset", refId=f"A-{number}", name=f"Asset {number}")
        linked = lifecycle.add_link(linked, request, link_id=f"link-{number}", caller=bob, now=datetime.now(UTC))
    linked = linked.model_copy(update={"version": original.version + 1})
    change = WorklogChange(linked, original.version, "link", ["links"], previous=original)
    worklog_store.commit([change], settings_store.get("acme"))


@pytest.mark.slow  # transactions of 50 link copies
def test_at_most_50_links(api):
    worklog = create(api)
    _with_links(worklog["id"], 49)
    assert link(api, worklog["id"], refType="Asset", refId="A-49", headers={"If-Match": '"2"'}).status == 201
    too_many = link(api, worklog["id"], refType="Asset", refId="A-50")
    assert too_many.status == 409 and too_many.json["error"]["code"] == "TOO_MANY_LINKS"
    assert len(api.get(f"{WS}/{worklog['id']}", caller=ADMIN).json["links"]) == 50
    # a worklog with 50 links can still be edited (its 50 link copies are rewritten in one transaction)
    edited = api.patch(f"{WS}/{worklog['id']}", json_body={"description": "x"}, headers={"If-Match": '"3"'}, caller=BOB)
    assert edited.status == 200
    assert by_ref(api, "Asset", "A-49") == [worklog["id"]]


@pytest.mark.parametrize(
    "body",
    [
        {"refType": "", "refId": "x", "name": "n"},
        {"refType": "Task", "refId": "", "name": "n"},
        {"refType": "Task", "refId": "x"},
        {"refType": "Task", "refId": "x", "name": "n", "extra": 1},
        {"refType": "Task", "refId": "x", "name": "n", "data": {"": 1}},
    ],
)
def test_bad_links_are_422(api, body):
    worklog = create(api)
    assert api.post(f"{WS}/{worklog['id']}/links", json_body=body, caller=BOB).status == 422


def test_reverse_lookup_by_linked_record(api, ddb_calls):
    first = create(api, startDate="2026-11-10T09:00:00Z", endDate="2026-11-10T10:00:00Z")
    second = create(api, ownerId="T-2", startDate="2026-11-11T09:00:00Z", endDate="2026-11-11T10:00:00Z")
    create(api)
    link(api, first["id"], refType="Change", refId="CHG-7")
    link(api, second["id"], refType="change", refId="CHG-7")
    ddb_calls.reset()
    assert by_ref(api, "CHANGE", "CHG-7") == [second["id"], first["id"]]
    assert ddb_calls.operations == ["Query"]
    window = {"from": "2026-11-11T00:00:00Z", "to": "2026-11-12T00:00:00Z"}
    assert by_ref(api, "Change", "CHG-7", **window) == [second["id"]]
    assert by_ref(api, "Change", "CHG-8") == []


def test_reverse_lookup_follows_changes_deletes_and_unlinks(api):
    worklog = create(api)
    created = link(api, worklog["id"], refType="Task", refId="T-77").json
    api.patch(f"{WS}/{worklog['id']}", json_body={"description": "edited"}, headers={"If-Match": '"2"'}, caller=BOB)
    found = api.get(WS, query={"refType": "Task", "refId": "T-77"}, caller=ADMIN).json["items"]
    assert [(item["id"], item["description"], item["version"]) for item in found] == [(worklog["id"], "edited", 3)]
    api.delete(f"{WS}/{worklog['id']}", caller=BOB)
    assert by_ref(api, "Task", "T-77") == []
    assert by_ref(api, "Task", "T-77", includeDeleted="true") == [worklog["id"]]
    api.post(f"{WS}/{worklog['id']}/restore", caller=BOB)
    api.delete(f"{WS}/{worklog['id']}/links/{created['id']}", caller=BOB)
    assert by_ref(api, "Task", "T-77", includeDeleted="true") == []


def test_split_copies_links_and_merge_unites_them(api):
    worklog = create(api, startDate="2026-11-11T09:00:00Z", endDate="2026-11-11T11:00:00Z")
    link(api, worklog["id"], refType="Task", refId="T-1")
    split = api.post(f"{WS}/{worklog['id']}/split", json_body={"at": "2026-11-11T10:00:00Z"}, caller=BOB).json
    second = split["created"]
    assert [(item["refType"], item["refId"]) for item in second["links"]] == [("Task", "T-1")]
    assert second["links"][0]["id"] != split["original"]["links"][0]["id"]
    assert second["taskEntityRefId"] == "T-1"
    assert set(by_ref(api, "Task", "T-1")) == {worklog["id"], second["id"]}
    link(api, second["id"], refType="Change", refId="C-1")
    merged = api.post(f"{WS}/merge", json_body={"ids": [worklog["id"], second["id"]]}, caller=BOB).json["worklog"]
    assert {(item["refType"], item["refId"]) for item in merged["links"]} == {("Task", "T-1"), ("Change", "C-1")}
    assert by_ref(api, "Task", "T-1") == [worklog["id"]]
    assert by_ref(api, "Change", "C-1") == [worklog["id"]]


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        (CAROL, 403),
        (claims(workspaces="acme:viewer"), 403),
        (claims(sub="mia", workspaces="acme:manager"), 201),
        (claims(workspaces="beta:admin"), 404),
    ],
)
def test_who_may_link(api, caller, status):
    worklog = create(api)
    assert link(api, worklog["id"], caller=caller).status == status


def test_unknown_link_or_worklog_is_404(api):
    worklog = create(api)
    assert api.delete(f"{WS}/{worklog['id']}/links/nope", caller=BOB).status == 404
    assert api.get(f"{WS}/5f0c3a52-3c7e-4d0b-9d59-0a5b8e4f1c11/links", caller=BOB).status == 404
    assert link(api, "5f0c3a52-3c7e-4d0b-9d59-0a5b8e4f1c11").status == 404


def test_link_history(api):
    worklog = create(api)
    created = link(api, worklog["id"]).json
    api.delete(f"{WS}/{worklog['id']}/links/{created['id']}", caller=BOB)
    history = api.get(f"{WS}/{worklog['id']}/history", caller=ADMIN).json["items"]
    assert [(entry["action"], entry["relatedIds"]) for entry in history[:2]] == [
        ("unlink", [created["id"]]),
        ("link", [created["id"]]),
    ]
