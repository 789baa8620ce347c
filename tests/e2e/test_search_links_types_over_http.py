"""Worklog types, links and the search filters over real HTTP against the local runner."""

from __future__ import annotations

import pytest
import requests

pytestmark = pytest.mark.e2e


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def test_types_links_and_filters(local_api, token):
    ws = f"{local_api}/v1/workspaces/search"
    admin = auth(token("root", "search:admin"))
    member = auth(token("ivy", "search:member"))
    form = {"type": "object", "properties": {"billable": {"type": "boolean"}}, "required": ["billable"]}
    defined = requests.put(
        f"{ws}/worklog-types/Support",
        json={"name": "Support", "form": form, "localizationData": {"de": {"name": "Unterstützung"}}},
        headers=admin,
        timeout=10,
    )
    assert defined.status_code == 201
    german = requests.get(f"{ws}/worklog-types", headers={**member, "Accept-Language": "de-DE"}, timeout=10)
    assert [item["name"] for item in german.json()["items"]] == ["Unterstützung"]

    base = {"ownerType": "Ticket", "ownerId": "T-5", "worklogTypeCode": "Support", "projectId": "P-1"}
    invalid = requests.post(f"{ws}/worklogs", json={**base, "duration": "PT1H", "data": {}}, headers=member, timeout=10)
    assert invalid.status_code == 422 and invalid.json()["error"]["details"][0]["loc"] == ["body", "data", "billable"]
    night = requests.post(
        f"{ws}/worklogs",
        json={
            **base,
            "startDate": "2026-11-11T22:00:00Z",
            "endDate": "2026-11-12T02:00:00Z",
            "data": {"billable": True},
        },
        headers=member,
        timeout=10,
    ).json()
    day = requests.post(
        f"{ws}/worklogs",
        json={**base, "startDate": "2026-11-12T09:00:00Z", "duration": "PT1H", "data": {"billable": False}},
        headers=member,
        timeout=10,
    ).json()

    linked = requests.post(
        f"{ws}/worklogs/{night['id']}/links",
        json={"refType": "Task", "refId": "TASK-9", "name": "Night task"},
        headers=member,
        timeout=10,
    )
    assert linked.status_code == 201
    fetched = requests.get(f"{ws}/worklogs/{night['id']}", headers=member, timeout=10).json()
    assert fetched["taskEntityRefId"] == "TASK-9" and len(fetched["links"]) == 1

    def found(**query) -> list[str]:
        page = requests.get(f"{ws}/worklogs", params={"limit": 100, **query}, headers=member, timeout=10)
        assert page.status_code == 200, page.text
        return [item["id"] for item in page.json()["items"]]

    assert found(refType="TASK", refId="TASK-9") == [night["id"]]
    assert found(**{"from": "2026-11-12T00:00:00Z", "to": "2026-11-13T00:00:00Z"}) == [day["id"], night["id"]]
    assert found(**{"from": "2026-11-11T00:00:00Z", "to": "2026-11-12T00:00:00Z"}) == [night["id"]]
    assert found(projectId="P-1", billable="true") == [night["id"]]
    assert found(workerId="me", worklogTypeCode="Support") == [day["id"], night["id"]]
    owner_view = requests.get(f"{ws}/owners/Ticket/T-5/worklogs", headers=member, timeout=10).json()
    assert [item["id"] for item in owner_view["items"]] == [day["id"], night["id"]]
    in_use = requests.delete(f"{ws}/worklog-types/Support", headers=admin, timeout=10)
    assert in_use.status_code == 409
