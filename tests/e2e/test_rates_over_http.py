"""Effective-dated rates over real HTTP against the local runner, as the README shows it with curl."""

from __future__ import annotations

import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def test_rules_snapshot_and_reapply_over_http(local_api, token):
    workspace = f"rates-{uuid.uuid4().hex[:8]}"  # the runner keeps its data: a workspace of our own
    ws = f"{local_api}/v1/workspaces/{workspace}"
    admin = token("alice", f"{workspace}:admin")
    bob = token("bob", f"{workspace}:member")
    rules = [
        {"rate": "80.00", "validFrom": "2026-01-01"},
        {"projectId": "P-7", "rate": "110.00", "validFrom": "2026-01-01"},
        {"projectId": "P-7", "workerId": "bob", "rate": "120.00", "validFrom": "2026-11-01"},
    ]
    saved = requests.put(f"{ws}/rates", json={"rules": rules}, headers=auth(admin), timeout=10)
    assert saved.status_code == 200 and saved.headers["ETag"] == '"1"', saved.text

    entry = {
        "ownerType": "Ticket",
        "ownerId": "T-1",
        "projectId": "P-7",
        "startDate": "2026-11-11T09:00:00Z",
        "duration": "PT1H",
        "data": {"billable": True},
    }
    created = requests.post(f"{ws}/worklogs", json=entry, headers=auth(bob), timeout=10).json()
    assert (created["rate"], created["rateSource"]) == ("120.00", "rule:worker+project:2026-11-01")

    rules[2]["rate"] = "150.00"
    updated = requests.put(f"{ws}/rates", json={"rules": rules}, headers=auth(admin, **{"If-Match": '"1"'}), timeout=10)
    assert updated.status_code == 200
    url = f"{ws}/worklogs/{created['id']}"
    assert requests.get(url, headers=auth(bob), timeout=10).json()["rate"] == "120.00"

    body = {"from": "2026-11-01", "to": "2026-11-30"}
    reapplied = requests.post(f"{ws}/rates/reapply", json=body, headers=auth(admin), timeout=10)
    assert reapplied.status_code == 200 and reapplied.json()["changed"] == 1
    assert requests.get(url, headers=auth(bob), timeout=10).json()["rate"] == "150.00"
