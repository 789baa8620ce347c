"""Reports over real HTTP against the local runner: a write is visible at once with consistency=strong."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.e2e


def test_totals_are_exact_right_after_a_write_with_strong_consistency(local_api, token):
    admin = {"Authorization": f"Bearer {token('alice', 'reports:admin')}"}
    body = {
        "ownerType": "Ticket",
        "ownerId": "T-7",
        "startDate": "2026-11-11T21:00:00Z",
        "endDate": "2026-11-12T01:00:00Z",
        "data": {"billable": True, "rate": 100},
    }
    created = requests.post(f"{local_api}/v1/workspaces/reports/worklogs", json=body, headers=admin, timeout=10)
    assert created.status_code == 201, created.text
    query = {"from": "2026-11-11", "to": "2026-11-12", "consistency": "strong", "groupBy": "owner"}
    report = requests.get(f"{local_api}/v1/workspaces/reports/reports/totals", params=query, headers=admin, timeout=10)
    assert report.status_code == 200, report.text
    rows = report.json()["rows"]
    assert [(r["period"], r["ownerId"], r["minutes"], r["amount"]) for r in rows] == [
        ("2026-11-11", "T-7", 180, "300.00"),
        ("2026-11-12", "T-7", 60, "100.00"),
    ]
    csv = requests.get(
        f"{local_api}/v1/workspaces/reports/reports/worklogs",
        params={"from": "2026-11-11", "to": "2026-11-12", "format": "csv"},
        headers=admin,
        timeout=10,
    )
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("id,workerId,ownerType,ownerId")
