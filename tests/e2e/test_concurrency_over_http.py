"""Bursts of concurrent requests against the local runner over real HTTP: the store behaves as DynamoDB
(each conditional write and transaction atomic), each request keeps its own caller, and no burst gives
a 5xx or a reset connection."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.e2e

BODY = {
    "ownerType": "Ticket",
    "ownerId": "RACE-1",
    "startDate": "2026-11-11T09:00:00Z",
    "endDate": "2026-11-11T10:00:00Z",
    "description": "<p>once</p>",
}


def _burst(count: int, call) -> list[requests.Response]:
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def test_one_idempotency_key_twenty_times_at_once_makes_one_worklog(local_api, token):
    ws = f"{local_api}/v1/workspaces/race"
    admin = {"Authorization": f"Bearer {token('rex', 'race:admin')}"}

    def create(_: int) -> requests.Response:
        return requests.post(
            f"{ws}/worklogs", json=BODY, headers={**admin, "Idempotency-Key": "burst-key-1"}, timeout=60
        )

    answers = _burst(20, create)
    statuses = sorted(response.status_code for response in answers)
    assert all(status < 500 for status in statuses), statuses
    assert set(statuses) <= {200, 201, 409}, statuses
    ids = {response.json()["id"] for response in answers if response.status_code in (200, 201)}
    assert len(ids) == 1, ids
    found = requests.get(
        f"{ws}/worklogs", params={"ownerType": "Ticket", "ownerId": "RACE-1"}, headers=admin, timeout=30
    )
    assert [item["id"] for item in found.json()["items"]] == list(ids)


@pytest.mark.slow  # waits out a minimum timer run
def test_twenty_stops_of_one_timer_write_one_worklog(local_api, token):
    ws = f"{local_api}/v1/workspaces/stops"
    admin = {"Authorization": f"Bearer {token('sam', 'stops:admin')}"}
    assert requests.put(f"{ws}/settings", json={"minTimerSeconds": 0}, headers=admin, timeout=30).status_code == 200
    started = requests.post(
        f"{ws}/timer/start", json={"ownerType": "Ticket", "ownerId": "STOP-1"}, headers=admin, timeout=30
    )
    assert started.status_code == 201, started.text
    timer_id = started.json()["id"]
    time.sleep(1.1)

    def stop(_: int) -> requests.Response:
        return requests.post(f"{ws}/timer/stop", json={"timerId": timer_id}, headers=admin, timeout=60)

    answers = _burst(20, stop)
    statuses = sorted(response.status_code for response in answers)
    assert all(status < 500 for status in statuses), [(r.status_code, r.text[:200]) for r in answers]
    written = {w["id"] for r in answers if r.status_code == 200 for w in r.json()["worklogs"]}
    assert len(written) == 1, written
    found = requests.get(
        f"{ws}/worklogs", params={"ownerType": "Ticket", "ownerId": "STOP-1"}, headers=admin, timeout=30
    )
    assert [item["id"] for item in found.json()["items"]] == list(written)


def test_alternating_identities_never_see_another_tenants_data(local_api, token):
    callers = {
        "acme": {"Authorization": f"Bearer {token('ann', 'mixa:admin')}"},
        "beta": {"Authorization": f"Bearer {token('ben', 'mixb:admin')}"},
    }
    zones = {"acme": "Europe/Berlin", "beta": "America/New_York"}
    for tenant, workspace in (("acme", "mixa"), ("beta", "mixb")):
        saved = requests.put(
            f"{local_api}/v1/workspaces/{workspace}/settings",
            json={"timezone": zones[tenant]},
            headers=callers[tenant],
            timeout=30,
        )
        assert saved.status_code == 200, saved.text

    def read(number: int) -> tuple[str, requests.Response]:
        tenant = "acme" if number % 2 == 0 else "beta"
        workspace = "mixa" if tenant == "acme" else "mixb"
        return tenant, requests.get(
            f"{local_api}/v1/workspaces/{workspace}/settings", headers=callers[tenant], timeout=60
        )

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(read, range(200)))
    leaks = []
    for tenant, response in answers:
        assert response.status_code == 200, response.text
        settings = response.json()
        if settings["timezone"] != zones[tenant] or settings["workspaceId"] != ("mixa" if tenant == "acme" else "mixb"):
            leaks.append((tenant, settings["workspaceId"]))
    assert leaks == [], f"{len(leaks)} of 200 answers carried another tenant's settings"
