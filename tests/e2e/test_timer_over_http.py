"""A live timer over real HTTP against the local runner, as the README shows it with curl."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

pytestmark = pytest.mark.e2e


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


@pytest.mark.slow  # waits out timer runs
def test_timer_started_paused_resumed_and_stopped_over_http(local_api, token):
    ws = f"{local_api}/v1/workspaces/clock"
    admin = token("root", "clock:admin")
    ivy = token("ivy", "clock:member", name="Ivy")
    # Runs of a second or two are logged here: no minimum run length in this workspace.
    saved = requests.put(
        f"{ws}/settings", json={"timezone": "Europe/Berlin", "minTimerSeconds": 0}, headers=auth(admin), timeout=10
    )
    assert saved.status_code == 200

    body = {"ownerType": "Ticket", "ownerId": "T-7", "description": "<p>On call</p>", "data": {"billable": True}}
    started = requests.post(f"{ws}/timer/start", json=body, headers=auth(ivy), timeout=10)
    assert started.status_code == 201 and started.headers["ETag"] == '"1"'
    timer = started.json()
    again = requests.post(f"{ws}/timer/start", json=body, headers=auth(ivy), timeout=10)
    assert again.status_code == 409 and again.json()["error"]["code"] == "TIMER_RUNNING"

    time.sleep(1.1)
    paused = requests.post(f"{ws}/timer/pause", headers=auth(ivy), timeout=10)
    assert paused.status_code == 200 and paused.json()["state"] == "paused"
    assert requests.post(f"{ws}/timer/pause", headers=auth(ivy), timeout=10).status_code == 409
    time.sleep(1.1)  # the pause: not logged
    resumed = requests.post(f"{ws}/timer/resume", headers=auth(ivy), timeout=10)
    assert resumed.status_code == 200 and resumed.json()["state"] == "running"
    time.sleep(1.1)

    current = requests.get(f"{ws}/timer", headers=auth(ivy), timeout=10)
    assert current.status_code == 200 and current.headers["ETag"] == '"3"'
    assert len(current.json()["segments"]) == 2 and current.json()["elapsedSeconds"] >= 2
    other = token("otto", "clock:member")
    assert requests.get(f"{ws}/timer", headers=auth(other), timeout=10).status_code == 404  # not otto's

    stopped = requests.post(f"{ws}/timer/stop", json={"timerId": timer["id"]}, headers=auth(ivy), timeout=10)
    assert stopped.status_code == 200, stopped.text
    first, second = stopped.json()["worklogs"]
    assert first["endDate"] < second["startDate"]  # the pause lies between the two worklogs
    assert first["startDate"] == timer["startedAt"] and first["loggedBy"] == {"id": "ivy", "display": "Ivy"}
    retried = requests.post(f"{ws}/timer/stop", json={"timerId": timer["id"]}, headers=auth(ivy), timeout=10)
    assert retried.status_code == 200 and retried.headers["Idempotent-Replayed"] == "true"
    assert [w["id"] for w in retried.json()["worklogs"]] == [first["id"], second["id"]]
    assert requests.get(f"{ws}/timer", headers=auth(ivy), timeout=10).status_code == 404

    today = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin")).date()
    window = {"period": "custom", "from": str(today - timedelta(days=1)), "to": str(today + timedelta(days=1))}
    console = requests.get(f"{ws}/console", params=window, headers=auth(ivy), timeout=10)
    assert console.status_code == 200
    view = console.json()
    assert [item["id"] for item in view["items"]] == [first["id"], second["id"]]
    assert view["timer"] is None and view["period"]["timezone"] == "Europe/Berlin" and len(view["days"]) == 3
