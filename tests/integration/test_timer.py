"""The live timer: its state machine, one timer per user, stop writing one worklog per run exactly once,
and privacy. Runs that took hours are set up by back-dating the stored timer, as if started back then."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.helpers import ADMIN, CAROL, VIEWER, claims
from worklogs.repository import keys

WS = "/v1/workspaces/acme"
TIMER = f"{WS}/timer"
BOB = claims(sub="bob", workspaces="acme:member", name="Bob")
START = {
    "ownerType": "Ticket",
    "ownerId": "T-1042",
    "projectId": "P-7",
    "worklogTypeCode": "Investigation",
    "description": "<p>Reproducing the login issue.</p><script>x()</script>",
    "data": {"billable": True},
}


def ago(minutes: float) -> datetime:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).replace(microsecond=0)


def utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def start(api, caller=BOB, body=None, **query) -> Any:
    return api.post(f"{TIMER}/start", json_body=body or START, query=query or None, caller=caller)


def started(api, caller=BOB, body=None) -> dict:
    response = start(api, caller, body)
    assert response.status == 201, response.body
    return response.json


def backdate(dynamodb, runs: list[tuple[datetime, datetime | None]], user: str = "bob", ws: str = "acme") -> None:
    """Rewrite the stored timer's runs: [(start, end), ..., (start, None while running)]."""
    starts = [utc(begin) for begin, _ in runs]
    ends = [utc(end) for _, end in runs if end is not None]
    key = keys.timer_key(ws, user)
    dynamodb.update_item(
        TableName="MainTable",
        Key={"PK": {"S": key["PK"]}, "SK": {"S": key["SK"]}},
        UpdateExpression="SET segmentStarts = :starts, segmentEnds = :ends, #state = :state, startedAt = :first",
        ConditionExpression="attribute_exists(PK)",
        ExpressionAttributeNames={"#state": "state"},
        ExpressionAttributeValues={
            ":starts": {"L": [{"S": text} for text in starts]},
            ":ends": {"L": [{"S": text} for text in ends]},
            ":state": {"S": "running" if runs[-1][1] is None else "paused"},
            ":first": {"S": starts[0]},
        },
    )


def stop(api, caller=BOB, body=None, **headers) -> Any:
    return api.post(f"{TIMER}/stop", json_body=body, headers=headers or None, caller=caller)


def state_of(api, caller=BOB) -> str:
    response = api.get(TIMER, caller=caller)
    return "none" if response.status == 404 else response.json["state"]


def worklogs_of(api, worker: str = "bob") -> list[dict]:
    return api.get(f"{WS}/worklogs", query={"workerId": worker}, caller=ADMIN).json["items"]


# --- the state machine -----------------------------------------------------------------------------------


def given(api, dynamodb, state: str) -> dict | None:
    """none; running for two hours; or paused after an hour's run (the pause lasting an hour since)."""
    if state == "none":
        return None
    timer = started(api)
    if state == "running":
        backdate(dynamodb, [(ago(120), None)])
    else:
        backdate(dynamodb, [(ago(120), ago(60))])
    return timer


ACTIONS = {
    "start": lambda api: start(api),
    "pause": lambda api: api.post(f"{TIMER}/pause", caller=BOB),
    "resume": lambda api: api.post(f"{TIMER}/resume", caller=BOB),
    "stop": lambda api: stop(api),
    "discard": lambda api: api.delete(TIMER, caller=BOB),
    "get": lambda api: api.get(TIMER, caller=BOB),
}


@pytest.mark.parametrize(
    ("state", "action", "status", "code", "after", "logged_minutes"),
    [
        ("none", "start", 201, None, "running", []),
        ("none", "pause", 404, "TIMER_NOT_FOUND", "none", []),
        ("none", "resume", 404, "TIMER_NOT_FOUND", "none", []),
        ("none", "stop", 404, "TIMER_NOT_FOUND", "none", []),
        ("none", "discard", 404, "TIMER_NOT_FOUND", "none", []),
        ("none", "get", 404, "TIMER_NOT_FOUND", "none", []),
        ("running", "start", 409, "TIMER_RUNNING", "running", []),
        ("running", "pause", 200, None, "paused", []),
        ("running", "resume", 409, "TIMER_NOT_PAUSED", "running", []),
        ("running", "stop", 200, None, "none", [120]),
        ("running", "discard", 200, None, "none", []),
        ("running", "get", 200, None, "running", []),
        ("paused", "start", 409, "TIMER_RUNNING", "paused", []),
        ("paused", "pause", 409, "TIMER_NOT_RUNNING", "paused", []),
        ("paused", "resume", 200, None, "running", []),
        ("paused", "stop", 200, None, "none", [60]),
        ("paused", "discard", 200, None, "none", []),
        ("paused", "get", 200, None, "paused", []),
    ],
)
def test_timer_state_machine(api, dynamodb, state, action, status, code, after, logged_minutes):
    before = given(api, dynamodb, state)
    response = ACTIONS[action](api)
    assert response.status == status, response.body
    if code:
        assert response.json["error"]["code"] == code
    assert state_of(api) == after
    if before is not None and after != "none":
        current = api.get(TIMER, caller=BOB).json
        assert current["id"] == before["id"]  # a rejected start never replaces the timer
        assert current["version"] == (before["version"] if status >= 400 or action == "get" else before["version"] + 1)
    assert [w["durationMinutes"] for w in worklogs_of(api)] == logged_minutes


# --- start -----------------------------------------------------------------------------------------------


def test_start_returns_the_running_timer_with_location_and_etag(api, dynamodb):
    response = start(api)
    assert response.status == 201, response.body
    timer = response.json
    assert response.headers["location"] == TIMER == timer["self"]
    assert response.headers["etag"] == '"1"'
    assert timer["state"] == "running" and timer["userId"] == "bob" and timer["workspaceId"] == "acme"
    assert timer["description"] == "<p>Reproducing the login issue.</p>"
    assert (timer["ownerType"], timer["ownerId"], timer["projectId"]) == ("Ticket", "T-1042", "P-7")
    assert timer["segments"] == [{"start": timer["startedAt"], "end": None, "seconds": timer["elapsedSeconds"]}]
    assert timer["stopped"] is None
    stored = dynamodb.get_item(TableName="MainTable", Key={"PK": {"S": "WS#acme#USER#bob"}, "SK": {"S": "TIMER"}})
    assert stored["Item"]["state"]["S"] == "running"


def test_a_running_timer_is_409_with_the_timer_in_details(api):
    first = started(api)
    response = start(api, body={"ownerType": "Order", "ownerId": "O-9"})
    assert response.status == 409
    error = response.json["error"]
    assert error["code"] == "TIMER_RUNNING" and "replace=true" in error["message"]
    assert error["details"][0]["id"] == first["id"] and error["details"][0]["ownerId"] == "T-1042"


@pytest.mark.parametrize(
    "body",
    [
        {"ownerId": "T-1"},
        {"ownerType": "Ticket"},
        {"ownerType": "", "ownerId": "T-1"},
        {"ownerType": "   ", "ownerId": "T-1"},
        {"ownerType": "Ticket", "ownerId": ""},
        {"ownerType": "Ticket", "ownerId": "T-1", "workerId": "carol"},
        {"ownerType": "Ticket", "ownerId": "T-1", "worklogTypeCode": "has space"},
        {"ownerType": "Ticket", "ownerId": "T-1", "data": {"": 1}},
        {"ownerType": "Ticket", "ownerId": "T-1", "startDate": "2026-01-01T00:00:00Z"},
    ],
)
def test_invalid_start_is_422_and_starts_nothing(api, body):
    response = start(api, body=body)
    assert response.status == 422, response.body
    assert response.json["error"]["code"] == "VALIDATION_FAILED"
    assert state_of(api) == "none"


def test_unknown_owner_types_are_stored_as_given(api):
    assert started(api, body={"ownerType": "Spaceship", "ownerId": "NCC-1701"})["ownerType"] == "Spaceship"


def test_concurrent_starts_exactly_one_wins(api: Any, atomic_writes: Any) -> None:
    barrier = threading.Barrier(6)
    responses: list[Any] = []

    def race(index: int) -> None:
        barrier.wait()
        responses.append(start(api, body={"ownerType": "Ticket", "ownerId": f"T-{index}"}))

    threads = [threading.Thread(target=race, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(response.status for response in responses) == [201, 409, 409, 409, 409, 409]
    winner = next(response.json for response in responses if response.status == 201)
    assert api.get(TIMER, caller=BOB).json["ownerId"] == winner["ownerId"]
    assert all(r.json["error"]["details"][0]["id"] == winner["id"] for r in responses if r.status == 409)


def test_replace_stops_the_running_timer_and_starts_the_new_one_in_one_transaction(api, dynamodb, ddb_calls):
    old = started(api)
    backdate(dynamodb, [(ago(90), ago(60)), (ago(50), None)])
    api.get(f"{WS}/settings", caller=BOB)  # a warm container has the settings cached
    api.get(f"{WS}/rates", caller=ADMIN)  # ... and the rates
    ddb_calls.reset()
    response = start(api, body={"ownerType": "Order", "ownerId": "O-9"}, replace="true")
    assert response.status == 201, response.body
    assert ddb_calls.operations == ["GetItem", "TransactWriteItems"]
    new = response.json
    assert new["id"] != old["id"] and new["ownerId"] == "O-9" and new["state"] == "running"
    stopped = new["stopped"]
    assert stopped["timerId"] == old["id"]
    assert [w["durationMinutes"] for w in stopped["worklogs"]] == [30, 50]
    assert {w["ownerId"] for w in worklogs_of(api)} == {"T-1042"}
    # the replaced timer's stop is remembered: a retried stop naming it returns its worklogs
    retried = stop(api, body={"timerId": old["id"]})
    assert retried.status == 200 and retried.headers["idempotent-replayed"] == "true"
    assert [w["id"] for w in retried.json["worklogs"]] == [w["id"] for w in stopped["worklogs"]]
    assert state_of(api) == "running"


def test_replace_without_a_running_timer_just_starts(api):
    response = start(api, replace="true")
    assert response.status == 201 and response.json["stopped"] is None


def test_viewers_cannot_use_a_timer_and_non_members_cannot_start_one(api):
    assert start(api, caller=VIEWER).status == 403
    assert api.get(TIMER, caller=VIEWER).status == 403
    assert start(api, caller=claims(sub="eve", workspaces="beta:admin")).status == 403


# --- pause, resume, discard ------------------------------------------------------------------------------


def test_pauses_are_excluded_from_elapsed_time(api, dynamodb):
    started(api)
    backdate(dynamodb, [(ago(100), ago(70)), (ago(40), ago(30))])  # 30 + 10 minutes worked, 30 paused
    timer = api.get(TIMER, caller=BOB).json
    assert timer["state"] == "paused" and timer["elapsedSeconds"] == 40 * 60
    assert [segment["seconds"] for segment in timer["segments"]] == [1800, 600]
    resumed = api.post(f"{TIMER}/resume", caller=BOB).json
    assert resumed["state"] == "running" and len(resumed["segments"]) == 3 and resumed["segments"][2]["end"] is None


def test_pause_resume_get_discard_are_one_request_each(api, ddb_calls):
    started(api)
    for method, path, operation in [
        ("POST", f"{TIMER}/pause", "UpdateItem"),
        ("POST", f"{TIMER}/resume", "UpdateItem"),
        ("GET", TIMER, "GetItem"),
        ("DELETE", TIMER, "DeleteItem"),
    ]:
        ddb_calls.reset()
        assert api.request(method, path, caller=BOB).status == 200
        assert ddb_calls.operations == [operation], path
    ddb_calls.reset()
    assert start(api).status == 201
    assert ddb_calls.operations == ["PutItem"]
    ddb_calls.reset()
    assert start(api).status == 409
    assert ddb_calls.operations == ["PutItem"]  # the failed condition hands back the running timer


def test_if_match_guards_every_change(api):
    started(api)
    assert api.post(f"{TIMER}/pause", headers={"If-Match": '"2"'}, caller=BOB).status == 412
    paused = api.post(f"{TIMER}/pause", headers={"If-Match": '"1"'}, caller=BOB)
    assert paused.status == 200 and paused.headers["etag"] == '"2"'
    stale = api.post(f"{TIMER}/resume", headers={"If-Match": '"1"'}, caller=BOB)
    assert stale.status == 412 and stale.json["error"]["details"][0]["currentVersion"] == 2
    assert stop(api, **{"If-Match": '"1"'}).status == 412
    assert api.delete(TIMER, headers={"If-Match": '"1"'}, caller=BOB).status == 412
    assert api.delete(TIMER, headers={"If-Match": "2"}, caller=BOB).status == 400
    assert state_of(api) == "paused"
    assert api.delete(TIMER, headers={"If-Match": '"2"'}, caller=BOB).status == 200


def test_resume_is_refused_after_the_run_limit(api, dynamodb):
    started(api)
    runs = [(ago(200 - 2 * n), ago(199 - 2 * n)) for n in range(40)]
    backdate(dynamodb, runs)
    response = api.post(f"{TIMER}/resume", caller=BOB)
    assert response.status == 409 and response.json["error"]["code"] == "TIMER_SEGMENT_LIMIT"
    stopped = stop(api)  # 40 runs of one minute each: 40 worklogs and the timer in one transaction
    assert stopped.status == 200 and len(stopped.json["worklogs"]) == 40


def test_discard_logs_nothing(api, dynamodb):
    timer = started(api)
    backdate(dynamodb, [(ago(60), None)])
    response = api.delete(TIMER, caller=BOB)
    assert response.status == 200 and response.json["id"] == timer["id"]
    assert state_of(api) == "none" and worklogs_of(api) == []


# --- stop ------------------------------------------------------------------------------------------------


def test_stop_writes_one_worklog_per_run_and_deletes_the_timer_in_one_transaction(api, dynamodb, ddb_calls):
    timer = started(api)
    first, second = (ago(180), ago(130)), (ago(110), None)  # 50 minutes, a 20-minute pause, then still running
    backdate(dynamodb, [first, second])
    api.get(f"{WS}/settings", caller=BOB)  # a warm container has the settings cached
    api.get(f"{WS}/rates", caller=ADMIN)  # ... and the rates
    ddb_calls.reset()
    response = stop(api)
    assert response.status == 200, response.body
    assert ddb_calls.operations == ["GetItem", "TransactWriteItems"]  # the timer, then one transaction
    result = response.json
    assert result["timerId"] == timer["id"] and result["skippedSegments"] == [] and result["warnings"] == []
    written = result["worklogs"]
    assert [(w["startDate"], w["endDate"]) for w in written] == [
        (utc(first[0]), utc(first[1])),
        (utc(second[0]), result["stoppedAt"]),
    ]
    for worklog in written:
        assert worklog["workerId"] == "bob" and worklog["loggedBy"] == {"id": "bob", "display": "Bob"}
        assert (worklog["ownerType"], worklog["ownerId"], worklog["projectId"]) == ("Ticket", "T-1042", "P-7")
        assert worklog["worklogTypeCode"] == "Investigation" and worklog["data"] == {"billable": True}
        assert worklog["description"] == "<p>Reproducing the login issue.</p>" and worklog["version"] == 1
        history = api.get(f"{WS}/worklogs/{worklog['id']}/history", caller=BOB).json["items"]
        assert [(h["action"], h["by"]["id"]) for h in history] == [("timer-stop", "bob")]
    assert sorted(w["id"] for w in worklogs_of(api)) == sorted(w["id"] for w in written)
    assert state_of(api) == "none"


def test_short_runs_are_dropped_and_reported(api, dynamodb):
    api.put(f"{WS}/settings", json_body={"minTimerSeconds": 300}, caller=ADMIN)
    started(api)
    backdate(dynamodb, [(ago(60), ago(56)), (ago(50), ago(40)), (ago(30), ago(29))])
    result = stop(api).json
    assert [w["durationMinutes"] for w in result["worklogs"]] == [10]
    assert [(s["seconds"], "minTimerSeconds" in s["reason"]) for s in result["skippedSegments"]] == [
        (240, True),
        (60, True),
    ]


def test_runs_longer_than_max_entry_hours_are_capped_with_a_warning(api, dynamodb):
    api.put(f"{WS}/settings", json_body={"maxEntryHours": 2}, caller=ADMIN)
    started(api)
    backdate(dynamodb, [(ago(300), None)])  # forgotten for five hours
    result = stop(api).json
    assert [w["durationMinutes"] for w in result["worklogs"]] == [120]
    assert result["warnings"][0]["code"] == "TIMER_RUN_CAPPED"
    assert result["warnings"][0]["worklogIds"] == [result["worklogs"][0]["id"]]


def test_stop_overrides_the_timer_fields(api, dynamodb):
    started(api)
    backdate(dynamodb, [(ago(30), None)])
    body = {"description": "<p>Fixed</p><img src=x onerror=y>", "worklogTypeCode": "Implementation", "data": {}}
    worklog = stop(api, body=body).json["worklogs"][0]
    assert (worklog["description"], worklog["worklogTypeCode"], worklog["data"]) == (
        "<p>Fixed</p>",
        "Implementation",
        {},
    )


def test_end_at_ends_a_forgotten_timer_within_its_last_run(api, dynamodb):
    started(api)
    first, second = (ago(240), ago(200)), ago(180)  # read the clock once: the stop may cross a second
    backdate(dynamodb, [first, (second, None)])
    end_at = ago(150)
    result = stop(api, body={"endAt": end_at.isoformat()}).json
    assert [(w["startDate"], w["endDate"]) for w in result["worklogs"]] == [
        (utc(first[0]), utc(first[1])),
        (utc(second), utc(end_at)),
    ]


@pytest.mark.parametrize(
    ("runs", "end_at", "words"),
    [
        ([(240, None)], -10, "future"),
        ([(240, None)], 300, "before the timer started"),
        ([(240, 200), (180, None)], 210, "last run"),  # inside an earlier run
        ([(240, 200), (180, 150)], 120, "last run"),  # after the pause began
    ],
)
def test_bad_end_at_is_422_and_changes_nothing(api, dynamodb, runs, end_at, words):
    started(api)
    backdate(dynamodb, [(ago(begin), ago(end) if end is not None else None) for begin, end in runs])
    response = stop(api, body={"endAt": ago(end_at).isoformat()})
    assert response.status == 422, response.body
    assert words in response.json["error"]["message"]
    assert response.json["error"]["details"][0]["loc"] == ["body", "endAt"]
    assert state_of(api) != "none" and worklogs_of(api) == []


def test_stop_respects_the_period_lock_and_keeps_the_timer(api, dynamodb):
    started(api)
    backdate(dynamodb, [(ago(60 * 30), ago(60 * 29))])
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    api.put(f"{WS}/settings", json_body={"lockedUntil": tomorrow}, caller=ADMIN)
    response = stop(api)
    assert response.status == 409 and response.json["error"]["code"] == "PERIOD_LOCKED"
    assert state_of(api) == "paused" and worklogs_of(api) == []


@pytest.mark.parametrize(("policy", "status"), [("reject", 409), ("warn", 200)])
def test_stop_applies_the_overlap_policy_from_consistent_reads(api, dynamodb, ddb_calls, policy, status):
    api.put(f"{WS}/settings", json_body={"overlapPolicy": policy}, caller=ADMIN)
    logged = api.post(
        f"{WS}/worklogs",
        json_body={"ownerType": "Ticket", "ownerId": "T-1", "startDate": utc(ago(100)), "endDate": utc(ago(80))},
        caller=BOB,
    ).json
    started(api)
    backdate(dynamodb, [(ago(200), ago(150)), (ago(90), ago(60))])  # the second run overlaps
    ddb_calls.reset()
    response = stop(api)
    assert response.status == status, response.body
    # The timer, then the worker's day ledger (one consistent BatchGetItem for the UTC days the runs span).
    assert "Query" not in ddb_calls.operations
    if status == 409:
        assert ddb_calls.operations == ["GetItem", "BatchGetItem"]
        assert response.json["error"]["code"] == "OVERLAP" and logged["id"] in response.json["error"]["message"]
        assert state_of(api) == "paused"
    else:
        assert ddb_calls.operations[-1] == "TransactWriteItems"  # one read per day for both runs
        assert response.json["warnings"][0]["worklogIds"] == [logged["id"]]


# --- stop exactly once -----------------------------------------------------------------------------------


def test_a_retried_stop_returns_the_same_worklogs_and_writes_nothing(api, dynamodb, ddb_calls):
    timer = started(api)
    backdate(dynamodb, [(ago(120), ago(90)), (ago(60), None)])
    api.get(f"{WS}/settings", caller=BOB)  # a warm container has the settings cached
    api.get(f"{WS}/rates", caller=ADMIN)  # ... and the rates
    ddb_calls.reset()
    first = stop(api, body={"timerId": timer["id"]})
    assert first.status == 200 and "idempotent-replayed" not in first.headers
    assert ddb_calls.operations == ["BatchGetItem", "TransactWriteItems"]  # timer + receipt, one transaction
    ddb_calls.reset()
    again = stop(api, body={"timerId": timer["id"]})
    assert again.status == 200 and again.headers["idempotent-replayed"] == "true"
    assert ddb_calls.operations == ["BatchGetItem", "BatchGetItem"]  # timer + receipt, then the worklogs
    assert again.json == first.json
    assert len(worklogs_of(api)) == 2
    unnamed = stop(api)
    assert unnamed.status == 404 and unnamed.json["error"]["code"] == "TIMER_NOT_FOUND"
    assert stop(api, body={"timerId": "00000000-0000-4000-8000-000000000000"}).status == 404


def test_a_receipt_is_kept_for_a_day_under_the_timer_id(api, dynamodb):
    timer = started(api)
    stop(api, body={"timerId": timer["id"]})
    key = keys.timer_receipt_key("acme", "bob", timer["id"])
    item = dynamodb.get_item(TableName="MainTable", Key={"PK": {"S": key["PK"]}, "SK": {"S": key["SK"]}})["Item"]
    expires = int(item["expiresAt"]["N"])
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=24)).timestamp()) < 60


def test_a_retry_of_an_edited_stop_shows_the_worklogs_as_they_are_now(api, dynamodb):
    timer = started(api)
    backdate(dynamodb, [(ago(60), None)])
    worklog = stop(api, body={"timerId": timer["id"]}).json["worklogs"][0]
    api.patch(
        f"{WS}/worklogs/{worklog['id']}", json_body={"description": "later"}, headers={"If-Match": '"1"'}, caller=BOB
    )
    again = stop(api, body={"timerId": timer["id"]}).json["worklogs"]
    assert [(w["id"], w["version"], w["description"]) for w in again] == [(worklog["id"], 2, "later")]


def test_stopping_a_timer_that_is_not_the_running_one_is_409(api, dynamodb):
    started(api)
    response = stop(api, body={"timerId": "00000000-0000-4000-8000-000000000000"})
    assert response.status == 409 and response.json["error"]["code"] == "TIMER_MISMATCH"
    assert state_of(api) == "running"
    assert stop(api, body={"timerId": "not-a-uuid"}).status == 422


def test_concurrent_stops_write_once_and_both_answer_with_the_same_worklogs(
    api: Any, dynamodb: Any, atomic_writes: Any
) -> None:
    timer = started(api)
    backdate(dynamodb, [(ago(120), ago(90)), (ago(60), None)])
    barrier = threading.Barrier(3)
    responses: list[Any] = []

    def race() -> None:
        barrier.wait()
        # Clients name the timer they stop (from start or GET): the retry-safe form. A stop that names no
        # timer and arrives after another stop finished finds no timer (404), which is not a double write.
        responses.append(stop(api, body={"timerId": timer["id"]}))

    threads = [threading.Thread(target=race) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [response.status for response in responses] == [200, 200, 200], [r.body for r in responses]
    ids = {tuple(w["id"] for w in response.json["worklogs"]) for response in responses}
    assert len(ids) == 1 and len(next(iter(ids))) == 2
    assert len(worklogs_of(api)) == 2


# --- privacy ---------------------------------------------------------------------------------------------


def test_a_timer_is_its_owners_alone(api, dynamodb):
    mine = started(api)
    # carol (same workspace) and the admin see no timer of theirs, and cannot touch bob's
    for caller in (CAROL, ADMIN):
        assert api.get(TIMER, caller=caller).status == 404
        assert api.post(f"{TIMER}/pause", caller=caller).status == 404
        assert api.post(f"{TIMER}/stop", caller=caller).status == 404
        assert api.delete(TIMER, caller=caller).status == 404
    # carol can run her own timer beside it
    assert started(api, caller=CAROL)["id"] != mine["id"]
    assert api.get(TIMER, caller=BOB).json["id"] == mine["id"]


def test_another_workspaces_timer_is_invisible(api):
    started(api)
    both = claims(sub="bob", workspaces="acme:member beta:member")
    assert api.get("/v1/workspaces/beta/timer", caller=both).status == 404
    assert api.post("/v1/workspaces/beta/timer/stop", caller=both).status == 404
    outsider = claims(sub="bob", workspaces="beta:admin")  # bob's token for another workspace only
    response = api.get(TIMER, caller=outsider)
    assert response.status == 404 and response.json["error"]["code"] == "TIMER_NOT_FOUND"
    assert api.get(TIMER, caller=both).status == 200


def test_timer_worklogs_are_checked_against_their_worklog_type(api, dynamodb):
    unknown = start(api, body={**START, "worklogTypeCode": "NoSuchType"})
    assert unknown.status == 422 and state_of(api) == "none"
    form = {"type": "object", "properties": {"billable": {"type": "boolean"}}, "required": ["ticketRef"]}
    assert api.put(f"{WS}/worklog-types/Strict", json_body={"name": "Strict", "form": form}, caller=ADMIN).status == 201
    refused = start(api, body={**START, "worklogTypeCode": "Strict"})
    assert refused.status == 422 and refused.json["error"]["details"][0]["loc"] == ["body", "data", "ticketRef"]
    started(api, body={**START, "worklogTypeCode": "Strict", "data": {"ticketRef": "T-1"}})
    backdate(dynamodb, [(ago(30), None)])
    wrong = stop(api, body={"data": {"billable": True}})  # overriding data at stop is checked too
    assert wrong.status == 422 and state_of(api) == "running"
    assert stop(api).status == 200 and state_of(api) == "none"
