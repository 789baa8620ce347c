"""Stream record -> change event: only resources emit, with the storage attributes removed."""

from __future__ import annotations

from boto3.dynamodb.types import TypeSerializer

from worklogs.events import rules

_serializer = TypeSerializer()


def record(item: dict, event_name: str = "MODIFY") -> dict:
    return {"eventName": event_name, "dynamodb": {"NewImage": {k: _serializer.serialize(v) for k, v in item.items()}}}


WORKLOG = {
    "PK": "WS#acme#WL#w-1",
    "SK": "WORKLOG",
    "entity": "worklog",
    "GSI2PK": "WS#acme#WORKER#bob",
    "id": "w-1",
    "workspaceId": "acme",
    "version": 3,
    "durationSeconds": 5400,
    "updatedAt": "2026-11-11T10:00:00.000000Z",
    "updatedBy": {"id": "bob"},
}


def test_a_worklog_change_is_named_by_its_last_action():
    for action, kind in (
        ("create", "worklog.created"),
        ("merged-into", "worklog.merged"),
        ("unlink", "worklog.updated"),
    ):
        event = rules.change_event(record({**WORKLOG, "lastAction": action}))
        assert event["type"] == kind
    event = rules.change_event(record({**WORKLOG, "lastAction": "delete"}))
    assert (event["id"], event["version"], event["actor"], event["workspaceId"]) == ("w-1", 3, {"id": "bob"}, "acme")
    assert event["data"]["durationMinutes"] == 90
    assert not {"PK", "SK", "entity", "GSI2PK", "lastAction", "durationSeconds"} & set(event["data"])


def test_copies_history_markers_and_removals_emit_nothing():
    assert rules.change_event(record({**WORKLOG, "SK": "CONT#x", "entity": "worklog-continuation"})) is None
    assert rules.change_event(record({"PK": "DIRTY#01", "SK": "acme#2026-11-11", "entity": "dirty-day"})) is None
    assert rules.change_event(record({**WORKLOG, "lastAction": "create"}, "REMOVE")) is None
    assert rules.change_event(record({k: v for k, v in WORKLOG.items()})) is None  # written before events


def test_a_stop_receipt_is_timer_stopped_with_its_user():
    receipt = {
        "PK": "WS#ac%23me#USER#bob",
        "SK": "TIMER-STOP#t-1",
        "entity": "timer-stop",
        "timerId": "t-1",
        "stoppedAt": "2026-11-11T10:00:00Z",
        "worklogIds": ["w-1"],
        "expiresAt": 1,
    }
    event = rules.change_event(record(receipt, "INSERT"))
    assert (event["type"], event["workspaceId"], event["actor"]["id"]) == ("timer.stopped", "ac#me", "bob")
    assert "expiresAt" not in event["data"]


def test_a_bus_entry_names_the_type():
    entry = rules.bus_entry({"type": "rates.updated", "id": "acme"}, "bus")
    assert (entry["Source"], entry["DetailType"], entry["EventBusName"]) == ("worklogs", "rates.updated", "bus")
