"""Workspace settings and the rules they drive: overlap policy, period lock, working-day durations,
maximum entry length — and idempotent create."""

from __future__ import annotations

import pytest

from tests.helpers import ADMIN, BOB, CAROL, a_worklog, claims
from tests.helpers import post_worklog as create

WS = "/v1/workspaces/acme"
OVERRIDE = claims(sub="bob", workspaces="acme:member", privileges=["worklog:lock-override"])


def put_settings(api, caller=ADMIN, **settings):
    return api.put(f"{WS}/settings", json_body=settings, caller=caller)


def at(hour: int, minute: int = 0, day: int = 11, month: int = 11) -> str:
    return f"2026-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00Z"


# --- settings --------------------------------------------------------------------------------------------


def test_defaults_exist_without_any_put(api):
    response = api.get(f"{WS}/settings", caller=claims(workspaces="acme:viewer"))
    assert response.status == 200
    body = response.json
    assert body["version"] == 0 and response.headers["etag"] == '"0"'
    assert body["timezone"] == "UTC" and body["weekStart"] == "monday" and body["overlapPolicy"] == "allow"
    assert body["rounding"] == {"mode": "none", "unitMinutes": 15, "scope": "entry"}
    assert (body["hoursPerDay"], body["daysPerWeek"], body["maxEntryHours"]) == (8, 5, 24)
    assert body["lockedUntil"] is None and body["currency"] == "EUR" and body["minTimerSeconds"] == 60


def test_admin_saves_settings_and_versions_grow(api):
    saved = put_settings(
        api,
        timezone="Europe/Berlin",
        weekStart="sunday",
        overlapPolicy="warn",
        rounding={"mode": "nearest", "unitMinutes": 6, "scope": "day"},
        currency="CHF",
    )
    assert saved.status == 200, saved.body
    assert saved.json["version"] == 1 and saved.json["updatedBy"]["id"] == "alice"
    again = api.put(
        f"{WS}/settings", json_body={"timezone": "America/New_York"}, headers={"If-Match": '"1"'}, caller=ADMIN
    )
    assert again.status == 200 and again.json["version"] == 2
    assert again.json["overlapPolicy"] == "allow"  # PUT replaces: omitted fields take their defaults
    stale = api.put(f"{WS}/settings", json_body={}, headers={"If-Match": '"1"'}, caller=ADMIN)
    assert stale.status == 412
    assert api.get(f"{WS}/settings", caller=BOB).json["timezone"] == "America/New_York"


@pytest.mark.parametrize(
    "settings",
    [
        {"timezone": "Mars/Olympus"},
        {"timezone": "../../etc/passwd"},
        {"timezone": ""},
        {"weekStart": "friday"},
        {"overlapPolicy": "maybe"},
        {"rounding": {"mode": "up", "unitMinutes": 0}},
        {"rounding": {"mode": "up", "unitMinutes": 61}},
        {"rounding": {"mode": "sideways"}},
        {"rounding": {"scope": "week"}},
        {"hoursPerDay": 0},
        {"hoursPerDay": 25},
        {"daysPerWeek": 8},
        {"maxEntryHours": 0},
        {"lockedUntil": "next tuesday"},
        {"currency": "euro"},
        {"colour": "blue"},
    ],
)
def test_invalid_settings_are_422_and_nothing_is_saved(api, settings):
    response = put_settings(api, **settings)
    assert response.status == 422, response.body
    assert response.json["error"]["details"][0]["msg"]
    assert api.get(f"{WS}/settings", caller=ADMIN).json["version"] == 0


def test_only_admins_write_settings_and_members_read(api):
    assert put_settings(api, caller=claims(workspaces="acme:manager")).status == 403
    assert put_settings(api, caller=claims(workspaces="beta:admin")).status == 403
    assert api.get(f"{WS}/settings", caller=claims(workspaces="beta:admin")).status == 403


def test_working_day_length_follows_settings(api):
    put_settings(api, hoursPerDay=6, daysPerWeek=4)
    day = create(api, startDate=at(8), endDate=None, duration="P1D").json
    assert day["durationMinutes"] == 360


def test_max_entry_hours_follows_settings(api):
    put_settings(api, maxEntryHours=2)
    response = create(api, startDate=at(8), endDate=at(11))
    assert response.status == 422 and "2 hours" in response.json["error"]["message"]


# --- overlap ---------------------------------------------------------------------------------------------


def test_overlap_allowed_by_default(api):
    assert create(api, startDate=at(9), endDate=at(11)).status == 201
    second = create(api, startDate=at(10), endDate=at(12))
    assert second.status == 201 and second.json["warnings"] == []


def test_overlap_reject_names_the_overlapping_worklogs_and_stores_nothing(api, ddb_calls):
    put_settings(api, overlapPolicy="reject")
    first = create(api, startDate=at(9), endDate=at(11)).json
    ddb_calls.reset()
    response = create(api, startDate=at(10), endDate=at(12), ownerId="T-2")
    assert response.status == 409
    error = response.json["error"]
    assert error["code"] == "OVERLAP" and first["id"] in error["message"]
    assert [detail["worklogId"] for detail in error["details"]] == [first["id"]]
    assert ddb_calls.operations == ["BatchGetItem"]  # the worker's day ledger, read consistently; no write
    found = api.get(f"{WS}/worklogs", query={"workerId": "bob"}, caller=ADMIN).json["items"]
    assert [item["id"] for item in found] == [first["id"]]


def test_overlap_warn_succeeds_with_warnings(api):
    put_settings(api, overlapPolicy="warn")
    first = create(api, startDate=at(9), endDate=at(11)).json
    response = create(api, startDate=at(10), endDate=at(12))
    assert response.status == 201
    assert response.json["warnings"] == [
        {"code": "OVERLAP", "message": response.json["warnings"][0]["message"], "worklogIds": [first["id"]]}
    ]


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        (at(11), at(12), False),  # touching the end
        (at(8), at(9), False),  # touching the start
        (at(8), at(9, 1), True),
        (at(10, 59), at(12), True),
        (at(9, 30), at(10), True),  # inside
        (at(8), at(12), True),  # around
    ],
)
def test_overlap_boundaries(api, start, end, overlaps):
    put_settings(api, overlapPolicy="reject")
    assert create(api, startDate=at(9), endDate=at(11)).status == 201
    assert create(api, startDate=start, endDate=end).status == (409 if overlaps else 201)


def test_overlap_counts_only_the_workers_own_live_entries(api):
    put_settings(api, overlapPolicy="reject")
    assert create(api, caller=CAROL, startDate=at(9), endDate=at(11)).status == 201
    deleted = create(api, startDate=at(9), endDate=at(11)).json
    assert api.delete(f"{WS}/worklogs/{deleted['id']}", caller=BOB).status == 200
    assert create(api, startDate=at(10), endDate=at(12)).status == 201


def test_overlap_across_midnight_and_long_entries(api):
    put_settings(api, overlapPolicy="reject")
    assert create(api, startDate="2026-11-11T22:00:00Z", endDate="2026-11-12T02:00:00Z").status == 201
    assert create(api, startDate="2026-11-12T01:00:00Z", endDate="2026-11-12T03:00:00Z").status == 409


def test_overlap_lookback_survives_lowering_max_entry_hours(api):
    put_settings(api, overlapPolicy="reject", maxEntryHours=20)
    assert create(api, startDate=at(0), endDate=at(19)).status == 201
    put_settings(api, overlapPolicy="reject", maxEntryHours=2, lockedUntil=None)
    assert create(api, startDate=at(18), endDate=at(19)).status == 409


def test_overlap_enforced_on_edit_split_merge_and_restore(api):
    put_settings(api, overlapPolicy="reject")
    first = create(api, startDate=at(9), endDate=at(10)).json
    second = create(api, startDate=at(10), endDate=at(11)).json
    moved = api.patch(
        f"{WS}/worklogs/{second['id']}", json_body={"startDate": at(9, 30)}, headers={"If-Match": '"1"'}, caller=BOB
    )
    assert moved.status == 409 and moved.json["error"]["code"] == "OVERLAP"
    # the entry does not collide with itself when edited or split
    assert (
        api.patch(
            f"{WS}/worklogs/{second['id']}", json_body={"endDate": at(11, 30)}, headers={"If-Match": '"1"'}, caller=BOB
        ).status
        == 200
    )
    assert api.post(f"{WS}/worklogs/{second['id']}/split", json_body={"at": at(10, 30)}, caller=BOB).status == 201
    third = create(api, startDate=at(12), endDate=at(13)).json
    api.delete(f"{WS}/worklogs/{third['id']}", caller=BOB)
    create(api, startDate=at(12), endDate=at(13))
    restore = api.post(f"{WS}/worklogs/{third['id']}/restore", caller=BOB)
    assert restore.status == 409 and restore.json["error"]["code"] == "OVERLAP"
    fourth = create(api, startDate=at(14), endDate=at(15)).json
    blocker = create(api, startDate=at(16), endDate=at(17)).json
    fifth = create(api, startDate=at(17), endDate=at(18)).json
    merged = api.post(
        f"{WS}/worklogs/merge", json_body={"ids": [fourth["id"], fifth["id"]], "allowGaps": True}, caller=BOB
    )
    assert merged.status == 409 and blocker["id"] in merged.json["error"]["message"]
    assert first["id"]


def test_patch_with_warn_policy_adds_one_consistent_read(api, ddb_calls):
    put_settings(api, overlapPolicy="warn")
    worklog = create(api).json
    ddb_calls.reset()
    api.patch(f"{WS}/worklogs/{worklog['id']}", json_body={"endDate": at(12)}, headers={"If-Match": '"1"'}, caller=BOB)
    assert ddb_calls.operations == ["GetItem", "BatchGetItem", "TransactWriteItems"]  # worklog, worker's day ledger


def test_settings_changed_by_another_container_are_enforced_on_the_next_write(api, dynamodb):
    """A warm container's cached settings must not let through what the current settings forbid."""
    assert create(api, startDate=at(9), endDate=at(11)).status == 201  # caches the default (allow) settings
    # Another container saves `reject` straight to the table; this container's cache still says `allow`.
    dynamodb.put_item(
        TableName="MainTable",
        Item={
            "PK": {"S": "WS#acme"},
            "SK": {"S": "SETTINGS"},
            "entity": {"S": "settings"},
            "workspaceId": {"S": "acme"},
            "version": {"N": "1"},
            "overlapPolicy": {"S": "reject"},
        },
    )
    assert create(api, startDate=at(10), endDate=at(12)).status == 409


# --- period lock -----------------------------------------------------------------------------------------


@pytest.fixture
def locked(api):
    """October 2026 is closed in Berlin: entries starting before 2026-11-01 00:00 CET are locked."""
    response = create(api, startDate="2026-10-31T21:00:00Z", endDate="2026-10-31T22:00:00Z")
    assert response.status == 201, response.body
    old = response.json
    assert put_settings(api, timezone="Europe/Berlin", lockedUntil="2026-11-01").status == 200
    return old


@pytest.mark.parametrize(
    ("start", "status"),
    [
        ("2026-10-31T22:30:00Z", 409),  # 23:30 on 31 Oct in Berlin
        ("2026-10-31T23:00:00Z", 201),  # 00:00 on 1 Nov in Berlin
        ("2026-10-01T08:00:00Z", 409),
    ],
)
def test_period_lock_on_create(api, locked, start, status):
    response = create(api, startDate=start, endDate=None, duration="PT30M")
    assert response.status == status
    if status == 409:
        assert response.json["error"]["code"] == "PERIOD_LOCKED"


def test_period_lock_on_edit_delete_and_moving_into_the_locked_period(api, locked):
    response = api.patch(
        f"{WS}/worklogs/{locked['id']}", json_body={"description": "late fix"}, headers={"If-Match": '"1"'}, caller=BOB
    )
    assert response.status == 409 and response.json["error"]["code"] == "PERIOD_LOCKED"
    assert api.delete(f"{WS}/worklogs/{locked['id']}", caller=BOB).status == 409
    fresh_response = create(api, startDate=at(9), endDate=at(10))
    assert fresh_response.status == 201, fresh_response.body
    fresh = fresh_response.json
    moved = api.patch(
        f"{WS}/worklogs/{fresh['id']}",
        json_body={"startDate": "2026-10-30T09:00:00Z", "endDate": "2026-10-30T10:00:00Z"},
        headers={"If-Match": '"1"'},
        caller=BOB,
    )
    assert moved.status == 409
    assert api.get(f"{WS}/worklogs/{locked['id']}", caller=BOB).json["version"] == 1


def test_lock_override_privilege(api, locked):
    assert create(api, caller=OVERRIDE, startDate="2026-10-15T08:00:00Z", endDate=None, duration="PT1H").status == 201
    response = api.patch(
        f"{WS}/worklogs/{locked['id']}",
        json_body={"description": "audited fix"},
        headers={"If-Match": '"1"'},
        caller=OVERRIDE,
    )
    assert response.status == 200


# --- idempotent create -----------------------------------------------------------------------------------


def test_retried_create_with_the_same_key_returns_the_first_response(api, ddb_calls):
    create(api)  # warm the settings cache
    ddb_calls.reset()
    headers = {"Idempotency-Key": "retry-1"}
    first = api.post(f"{WS}/worklogs", json_body=a_worklog(ownerId="T-77"), headers=headers, caller=BOB)
    assert first.status == 201
    assert ddb_calls.operations == ["PutItem", "TransactWriteItems", "UpdateItem"]
    ddb_calls.reset()
    second = api.post(f"{WS}/worklogs", json_body=a_worklog(ownerId="T-77"), headers=headers, caller=BOB)
    assert second.status == 201
    assert ddb_calls.operations == ["PutItem"]  # the conditional put hands back the stored response
    assert second.json == first.json
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == '"1"'
    assert second.headers.get("idempotent-replayed") == "true" and "idempotent-replayed" not in first.headers
    found = api.get(f"{WS}/worklogs", query={"ownerType": "Ticket", "ownerId": "T-77"}, caller=BOB).json["items"]
    assert len(found) == 1


def test_same_key_different_body_is_422(api):
    headers = {"Idempotency-Key": "retry-2"}
    assert api.post(f"{WS}/worklogs", json_body=a_worklog(), headers=headers, caller=BOB).status == 201
    reused = api.post(f"{WS}/worklogs", json_body=a_worklog(ownerId="T-other"), headers=headers, caller=BOB)
    assert reused.status == 422
    assert reused.json["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_keys_are_scoped_to_workspace_and_caller(api):
    headers = {"Idempotency-Key": "shared-key"}
    both = claims(sub="bob", workspaces="acme:member beta:member")
    one = api.post(f"{WS}/worklogs", json_body=a_worklog(), headers=headers, caller=both).json
    other_ws = api.post("/v1/workspaces/beta/worklogs", json_body=a_worklog(), headers=headers, caller=both).json
    other_user = api.post(f"{WS}/worklogs", json_body=a_worklog(), headers=headers, caller=CAROL).json
    assert len({one["id"], other_ws["id"], other_user["id"]}) == 3
    assert other_ws["workspaceId"] == "beta" and other_user["workerId"] == "carol"


def test_a_failed_create_is_not_remembered(api):
    headers = {"Idempotency-Key": "retry-3"}
    bad = api.post(f"{WS}/worklogs", json_body=a_worklog(endDate=at(8)), headers=headers, caller=BOB)
    assert bad.status == 422
    good = api.post(f"{WS}/worklogs", json_body=a_worklog(endDate=at(8)), headers=headers, caller=BOB)
    assert good.status == 422  # re-evaluated, not replayed from a cache of failures
    assert (
        api.post(f"{WS}/worklogs", json_body=a_worklog(), headers={"Idempotency-Key": "retry-4"}, caller=BOB).status
        == 201
    )


@pytest.mark.parametrize("key", ["", "has space", "x" * 129, "ünïcode"])
def test_malformed_idempotency_keys_are_422(api, key):
    response = api.post(f"{WS}/worklogs", json_body=a_worklog(), headers={"Idempotency-Key": key}, caller=BOB)
    assert response.status == 422, response.body


def test_idempotency_record_is_stored_per_workspace_with_ttl(api, dynamodb):
    api.post(f"{WS}/worklogs", json_body=a_worklog(), headers={"Idempotency-Key": "ttl-1"}, caller=BOB)
    items = dynamodb.query(
        TableName="MainTable",
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": "WS#acme#IDEMPOTENCY"}},
    )["Items"]
    assert len(items) == 1
    assert int(items[0]["expiresAt"]["N"]) > 0
