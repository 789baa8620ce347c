"""Privileged worklog types and the period lock hold on every write path, not only on create."""

from __future__ import annotations

import pytest

from tests.helpers import a_worklog, claims

WS = "/v1/workspaces/acme"
OVERTIME = "worklog:overtime"
ADMIN = claims("ada", "acme:admin", privileges=[OVERTIME, "worklog:lock-override"])
CAROL = claims("carol", "acme:member", privileges=[OVERTIME])  # she had the privilege...
CAROL_NOW = claims("carol", "acme:member")  # ...and no longer has it
MANAGER = claims("mia", "acme:manager")


@pytest.fixture
def overtime(api):
    response = api.put(
        f"{WS}/worklog-types/Overtime", json_body={"name": "Overtime", "privilege": OVERTIME}, caller=ADMIN
    )
    assert response.status == 201, response.body

    def create(start: str = "2026-11-11T09:00:00Z", end: str = "2026-11-11T10:00:00Z") -> str:
        made = api.post(
            f"{WS}/worklogs",
            json_body=a_worklog(worklogTypeCode="Overtime", startDate=start, endDate=end),
            caller=CAROL,
        )
        assert made.status == 201, made.body
        return made.json["id"]

    return create


def _attempts(api, worklog_id: str, other_id: str):
    """Every change that keeps or makes an entry of the worklog's type, as (name, call)."""
    return [
        (
            "edit duration",
            lambda who: api.patch(
                f"{WS}/worklogs/{worklog_id}",
                json_body={"durationMinutes": 30},
                headers={"If-Match": '"1"'},
                caller=who,
            ),
        ),
        (
            "edit description only",
            lambda who: api.patch(
                f"{WS}/worklogs/{worklog_id}",
                json_body={"description": "<p>changed</p>"},
                headers={"If-Match": '"1"'},
                caller=who,
            ),
        ),
        (
            "split",
            lambda who: api.post(
                f"{WS}/worklogs/{worklog_id}/split", json_body={"at": "2026-11-11T09:30:00Z"}, caller=who
            ),
        ),
        ("merge", lambda who: api.post(f"{WS}/worklogs/merge", json_body={"ids": [worklog_id, other_id]}, caller=who)),
        (
            "add link",
            lambda who: api.post(
                f"{WS}/worklogs/{worklog_id}/links",
                json_body={"refType": "TASK", "refId": "T-9", "name": "Task 9"},
                caller=who,
            ),
        ),
    ]


def test_without_the_privilege_no_change_keeps_a_privileged_entry(api, overtime, tried):
    worklog_id = overtime()
    other_id = overtime("2026-11-11T10:00:00Z", "2026-11-11T11:00:00Z")
    attempts = _attempts(api, worklog_id, other_id)
    for name, call in attempts:
        for who in (CAROL_NOW, MANAGER):
            response = call(who)
            assert response.status == 403, (name, who["sub"], response.status, response.body)
            assert response.json["error"]["code"] == "PRIVILEGE_REQUIRED", response.body
    current = api.get(f"{WS}/worklogs/{worklog_id}", caller=CAROL)
    assert current.json["version"] == 1 and current.json["durationMinutes"] == 60
    tried("privileged-type changes without the privilege", 2 * len(attempts))


def test_restore_of_a_privileged_entry_needs_the_privilege(api, overtime):
    worklog_id = overtime()
    deleted = api.delete(f"{WS}/worklogs/{worklog_id}", caller=CAROL_NOW)  # removing keeps nothing
    assert deleted.status == 200, deleted.body
    refused = api.post(f"{WS}/worklogs/{worklog_id}/restore", caller=CAROL_NOW)
    assert refused.status == 403, refused.body
    assert api.post(f"{WS}/worklogs/{worklog_id}/restore", caller=CAROL).status == 200


def test_the_timer_cannot_start_on_a_privileged_type_without_it(api, overtime):
    body = {"ownerType": "Ticket", "ownerId": "T-1", "worklogTypeCode": "Overtime"}
    refused = api.post(f"{WS}/timer/start", json_body=body, caller=CAROL_NOW)
    assert refused.status == 422, refused.body
    assert api.post(f"{WS}/timer/start", json_body=body, caller=CAROL).status == 201


def test_with_the_privilege_every_change_works(api, overtime):
    worklog_id = overtime()
    other_id = overtime("2026-11-11T10:00:00Z", "2026-11-11T11:00:00Z")
    edited = api.patch(
        f"{WS}/worklogs/{worklog_id}", json_body={"description": "<p>ok</p>"}, headers={"If-Match": '"1"'}, caller=CAROL
    )
    assert edited.status == 200, edited.body
    linked = api.post(
        f"{WS}/worklogs/{worklog_id}/links", json_body={"refType": "TASK", "refId": "T-9", "name": "T"}, caller=CAROL
    )
    assert linked.status == 201, linked.body
    merged = api.post(f"{WS}/worklogs/merge", json_body={"ids": [worklog_id, other_id]}, caller=CAROL)
    assert merged.status == 200, merged.body


def test_links_respect_the_period_lock(api, tried):
    worklog_id = api.post(f"{WS}/worklogs", json_body=a_worklog(), caller=ADMIN).json["id"]
    link = {"refType": "TASK", "refId": "T-1", "name": "Task 1"}
    kept = api.post(f"{WS}/worklogs/{worklog_id}/links", json_body=link, caller=ADMIN)
    assert kept.status == 201, kept.body
    link_id = kept.json["links"][0]["id"] if "links" in kept.json else kept.json["id"]
    locked = api.put(f"{WS}/settings", json_body={"lockedUntil": "2026-11-12"}, caller=ADMIN)
    assert locked.status == 200, locked.body
    before = api.get(f"{WS}/worklogs/{worklog_id}", caller=ADMIN).json
    no_override = claims("ada", "acme:admin")
    attempts = [
        api.post(
            f"{WS}/worklogs/{worklog_id}/links",
            json_body={"refType": "TASK", "refId": "T-2", "name": "Task 2"},
            caller=no_override,
        ),
        api.delete(f"{WS}/worklogs/{worklog_id}/links/{link_id}", caller=no_override),
    ]
    for response in attempts:
        assert response.status == 409, response.body
        assert response.json["error"]["code"] == "PERIOD_LOCKED"
    after = api.get(f"{WS}/worklogs/{worklog_id}", caller=ADMIN).json
    assert (after["version"], after["taskEntityRefId"]) == (before["version"], before["taskEntityRefId"])
    override = api.delete(f"{WS}/worklogs/{worklog_id}/links/{link_id}", caller=ADMIN)
    assert override.status in (200, 204), override.body
    tried("link changes on a locked worklog", len(attempts))


def test_the_timer_cannot_stop_into_a_privileged_type_without_it(api, overtime):
    import time

    assert api.put(f"{WS}/settings", json_body={"minTimerSeconds": 0}, caller=ADMIN).status == 200
    body = {"ownerType": "Ticket", "ownerId": "T-1", "worklogTypeCode": "Overtime"}
    assert api.post(f"{WS}/timer/start", json_body=body, caller=CAROL).status == 201
    time.sleep(1.1)
    refused = api.post(f"{WS}/timer/stop", json_body={}, caller=CAROL_NOW)
    assert refused.status in (403, 422), refused.body
    assert api.get(f"{WS}/timer", caller=CAROL).status == 200  # still running: nothing was written
    stopped = api.post(f"{WS}/timer/stop", json_body={}, caller=CAROL)
    assert stopped.status == 200, stopped.body
    assert len(stopped.json["worklogs"]) == 1
