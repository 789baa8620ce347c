"""The worklog lifecycle over real HTTP against the local runner, as the README shows it with curl."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.e2e


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def test_edit_delete_restore_split_merge_over_http(local_api, token):
    ws = f"{local_api}/v1/workspaces/lifecycle"
    dana = token("dana", "lifecycle:member")
    body = {"ownerType": "Order", "ownerId": "O-1", "startDate": "2026-11-02T09:00:00Z", "duration": "PT2H"}
    created = requests.post(f"{ws}/worklogs", json=body, headers=auth(dana), timeout=10).json()
    url = f"{ws}/worklogs/{created['id']}"

    assert requests.patch(url, json={"duration": "PT3H"}, headers=auth(dana), timeout=10).status_code == 428
    edited = requests.patch(url, json={"duration": "PT3H"}, headers=auth(dana, **{"If-Match": '"1"'}), timeout=10)
    assert edited.status_code == 200 and edited.headers["ETag"] == '"2"' and edited.json()["durationMinutes"] == 180
    stale = requests.patch(url, json={"duration": "PT1H"}, headers=auth(dana, **{"If-Match": '"1"'}), timeout=10)
    assert stale.status_code == 412 and stale.json()["error"]["details"][0]["currentVersion"] == 2

    split = requests.post(f"{url}/split", json={"at": "2026-11-02T10:00:00Z"}, headers=auth(dana), timeout=10)
    assert split.status_code == 201
    second = split.json()["created"]
    merged = requests.post(
        f"{ws}/worklogs/merge", json={"ids": [created["id"], second["id"]]}, headers=auth(dana), timeout=10
    )
    assert merged.status_code == 200 and merged.json()["worklog"]["durationMinutes"] == 180

    assert requests.delete(url, headers=auth(dana), timeout=10).status_code == 200
    assert requests.get(url, headers=auth(dana), timeout=10).status_code == 404
    assert requests.get(url, params={"includeDeleted": "true"}, headers=auth(dana), timeout=10).status_code == 200
    restored = requests.post(f"{url}/restore", headers=auth(dana), timeout=10)
    assert restored.status_code == 200 and restored.json()["deletedAt"] is None

    history = requests.get(f"{url}/history", headers=auth(dana), timeout=10).json()["items"]
    assert [entry["action"] for entry in history] == ["restore", "delete", "merge", "split", "edit", "create"]


def test_concurrent_patches_over_http_one_wins(local_api: Any, token: Any) -> None:
    ws = f"{local_api}/v1/workspaces/race"
    erin = token("erin", "race:member")
    created = requests.post(
        f"{ws}/worklogs", json={"ownerType": "T", "ownerId": "1", "duration": "PT1H"}, headers=auth(erin), timeout=10
    ).json()
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def patch(index: int) -> None:
        barrier.wait()
        response = requests.patch(
            f"{ws}/worklogs/{created['id']}",
            json={"description": f"attempt {index}"},
            headers=auth(erin, **{"If-Match": '"1"'}),
            timeout=10,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=patch, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412, 412, 412]


def test_settings_overlap_and_lock_over_http(local_api, token):
    ws = f"{local_api}/v1/workspaces/rules"
    admin = token("root", "rules:admin")
    member = token("finn", "rules:member")
    saved = requests.put(
        f"{ws}/settings",
        json={"timezone": "Europe/Berlin", "overlapPolicy": "reject", "lockedUntil": "2026-11-01"},
        headers=auth(admin),
        timeout=10,
    )
    assert saved.status_code == 200
    assert requests.put(f"{ws}/settings", json={}, headers=auth(member), timeout=10).status_code == 403
    first = {"ownerType": "T", "ownerId": "1", "startDate": "2026-11-03T09:00:00Z", "endDate": "2026-11-03T10:00:00Z"}
    assert requests.post(f"{ws}/worklogs", json=first, headers=auth(member), timeout=10).status_code == 201
    clash = {**first, "startDate": "2026-11-03T09:30:00Z", "endDate": "2026-11-03T11:00:00Z"}
    overlap = requests.post(f"{ws}/worklogs", json=clash, headers=auth(member), timeout=10)
    assert overlap.status_code == 409 and overlap.json()["error"]["code"] == "OVERLAP"
    old = {**first, "startDate": "2026-10-20T09:00:00Z", "endDate": "2026-10-20T10:00:00Z"}
    locked = requests.post(f"{ws}/worklogs", json=old, headers=auth(member), timeout=10)
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "PERIOD_LOCKED"
    bad_zone = requests.put(f"{ws}/settings", json={"timezone": "Atlantis/Capital"}, headers=auth(admin), timeout=10)
    assert bad_zone.status_code == 422


def test_idempotent_create_over_http(local_api, token):
    ws = f"{local_api}/v1/workspaces/retry"
    gus = token("gus", "retry:member")
    body = {"ownerType": "T", "ownerId": "9", "duration": "PT15M"}
    headers = auth(gus, **{"Idempotency-Key": "a1b2c3"})
    first = requests.post(f"{ws}/worklogs", json=body, headers=headers, timeout=10)
    again = requests.post(f"{ws}/worklogs", json=body, headers=headers, timeout=10)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    other = requests.post(f"{ws}/worklogs", json={**body, "ownerId": "10"}, headers=headers, timeout=10)
    assert other.status_code == 422
