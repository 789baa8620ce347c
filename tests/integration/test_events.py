"""The sample API Gateway v2 events in events/ run through the real handlers, as a worklog's life."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local.events import LambdaContext
from local.functions import handler
from local.sample_events import OTHER_ID, SAMPLE_ID, TIMER_ID
from local.template import routes

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str, **ids: str) -> dict:
    text = (EVENTS / f"{name}.json").read_text()
    for sample, real in ids.items():
        text = text.replace(sample, real)
    return json.loads(text)


def invoke(event: dict) -> tuple[int, dict]:
    route = next(route for route in routes() if route.route_key == event["routeKey"])
    result = handler(route.function)(event, LambdaContext(route.function))
    return result["statusCode"], json.loads(result["body"])


def invoke_with_headers(event: dict) -> tuple[int, dict, dict]:
    route = next(route for route in routes() if route.route_key == event["routeKey"])
    result = handler(route.function)(event, LambdaContext(route.function))
    return result["statusCode"], json.loads(result["body"]), result.get("headers") or {}


def test_every_route_has_a_sample_event():
    sampled = {json.loads(path.read_text()).get("routeKey") for path in EVENTS.glob("*.json")}
    documented = {route.route_key for route in routes() if route.path != "/v1/docs"}
    assert documented <= sampled


def test_a_worklog_life_told_by_the_sample_events(dynamodb):
    status, defined = invoke(load("put_worklog_type"))
    assert status == 201 and defined["code"] == "Investigation"
    status, localized = invoke(load("list_worklog_types"))
    assert status == 200 and [item["name"] for item in localized["items"]] == ["Analyse"]
    status, worklog = invoke(load("create_worklog"))
    assert status == 201 and worklog["ownerId"] == "T-1042" and worklog["durationMinutes"] == 90
    replay_status, replay = invoke(load("create_worklog"))  # same Idempotency-Key: the same worklog
    assert (replay_status, replay["id"]) == (201, worklog["id"])
    ids = {SAMPLE_ID: worklog["id"]}

    status, fetched = invoke(load("get_worklog", **ids))
    assert status == 200 and fetched["id"] == worklog["id"]
    for name in ("search_worklogs_by_owner", "search_worklogs_by_worker"):
        status, page = invoke(load(name))
        assert status == 200 and [item["id"] for item in page["items"]] == [worklog["id"]]

    status, edited = invoke(load("edit_worklog", **ids))
    assert (status, edited["version"], edited["durationMinutes"]) == (200, 2, 120)
    status, split = invoke(load("split_worklog", **ids))
    assert status == 201 and split["original"]["endDate"] == split["created"]["startDate"] == "2026-11-11T10:00:00Z"
    status, merged = invoke(load("merge_worklogs", **ids, **{OTHER_ID: split["created"]["id"]}))
    assert status == 200 and merged["worklog"]["durationMinutes"] == 120 and merged["worklog"]["version"] == 4
    status, deleted = invoke(load("delete_worklog", **ids))
    assert status == 200 and deleted["deletedAt"]
    status, restored = invoke(load("restore_worklog", **ids))
    assert status == 200 and restored["deletedAt"] is None and restored["version"] == 6
    status, history = invoke(load("get_worklog_history", **ids))
    assert [entry["action"] for entry in history["items"]] == ["restore", "delete", "merge", "split", "edit", "create"]

    status, saved = invoke(load("put_settings"))
    assert (status, saved["timezone"], saved["version"]) == (200, "Europe/Berlin", 1)
    status, current = invoke(load("get_settings"))
    assert (status, current["overlapPolicy"]) == (200, "warn")


@pytest.mark.usefixtures("api")  # the common worklog types the sample events log against
def test_a_timer_life_told_by_the_sample_events(dynamodb):
    status, timer = invoke(load("start_timer"))
    assert status == 201 and timer["state"] == "running" and timer["ownerId"] == "T-1042"
    status, again = invoke(load("start_timer"))
    assert status == 409 and again["error"]["code"] == "TIMER_RUNNING"
    assert invoke(load("pause_timer"))[1]["state"] == "paused"
    assert invoke(load("resume_timer"))[1]["state"] == "running"
    status, current = invoke(load("get_timer"))
    assert status == 200 and len(current["segments"]) == 2
    status, console = invoke(load("get_console"))
    assert status == 200 and console["timer"]["id"] == timer["id"] and console["period"]["from"] == "2026-11-09"

    status, stopped, headers = invoke_with_headers(load("stop_timer", **{TIMER_ID: timer["id"]}))
    assert status == 200 and stopped["timerId"] == timer["id"] and "Idempotent-Replayed" not in headers
    status, replayed, headers = invoke_with_headers(load("stop_timer", **{TIMER_ID: timer["id"]}))
    assert (status, replayed, headers.get("Idempotent-Replayed")) == (200, stopped, "true")
    assert invoke(load("get_timer"))[0] == 404

    invoke(load("start_timer"))
    status, discarded = invoke(load("discard_timer"))
    assert status == 200 and discarded["state"] == "running"
    assert invoke(load("discard_timer"))[0] == 404


def test_public_events(dynamodb):
    status, schema = invoke(load("get_openapi_schema"))
    assert status == 200 and schema["openapi"].startswith("3.1")
