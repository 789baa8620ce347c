"""Timesheet approval over real HTTP against the local runner, as the README shows it with curl."""

from __future__ import annotations

import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def test_submit_freeze_approve_reopen_over_http(local_api, token):
    workspace = f"approvals-{uuid.uuid4().hex[:8]}"  # the runner keeps its data: a workspace of our own
    ws = f"{local_api}/v1/workspaces/{workspace}"
    bob = token("bob", f"{workspace}:member")
    mia = token("mia", f"{workspace}:manager")
    entry = {"ownerType": "Ticket", "ownerId": "T-1", "startDate": "2026-11-11T09:00:00Z", "duration": "PT1H30M"}
    created = requests.post(f"{ws}/worklogs", json=entry, headers=auth(bob), timeout=10)
    assert created.status_code == 201, created.text

    submitted = requests.post(f"{ws}/approvals", json={"period": "2026-W46"}, headers=auth(bob), timeout=10)
    assert submitted.status_code == 201, submitted.text
    approval = submitted.json()
    assert approval["state"] == "submitted" and approval["totals"]["minutes"] == 90
    assert submitted.headers["ETag"] == '"1"'

    late = {**entry, "startDate": "2026-11-12T09:00:00Z", "duration": "PT1H"}
    frozen = requests.post(f"{ws}/worklogs", json=late, headers=auth(bob), timeout=10)
    assert frozen.status_code == 409 and frozen.json()["error"]["code"] == "PERIOD_SUBMITTED"

    url = f"{ws}/approvals/{approval['id']}"
    assert requests.post(f"{url}/approve", headers=auth(bob), timeout=10).status_code == 403
    approved = requests.post(f"{url}/approve", headers=auth(mia, **{"If-Match": '"1"'}), timeout=10)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    listed = requests.get(f"{ws}/approvals", params={"state": "approved"}, headers=auth(mia), timeout=10).json()
    assert [item["id"] for item in listed["items"]] == [approval["id"]]
    console = requests.get(
        f"{ws}/console",
        params={"period": "custom", "from": "2026-11-11", "to": "2026-11-11"},
        headers=auth(bob),
        timeout=10,
    ).json()
    assert console["days"][0]["approval"] == "approved"

    reopened = requests.post(f"{url}/reopen", json={"comment": "Friday is missing"}, headers=auth(mia), timeout=10)
    assert reopened.status_code == 200 and reopened.json()["history"][-1]["comment"] == "Friday is missing"
    assert requests.post(f"{ws}/worklogs", json=late, headers=auth(bob), timeout=10).status_code == 201
