"""Change events over real HTTP: the local runner appends each committed change to .local/events.jsonl."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from local.change_events import events_file

pytestmark = pytest.mark.e2e


def _events_of(workspace: str, after: int) -> list[dict]:
    path = events_file()
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()[after:]
    return [event for event in map(json.loads, lines) if event["workspaceId"] == workspace]


def test_each_committed_change_is_one_line_in_commit_order(local_api, token):
    workspace = f"events-{uuid.uuid4().hex[:8]}"
    ws = f"{local_api}/v1/workspaces/{workspace}"
    headers = {"Authorization": f"Bearer {token('dana', f'{workspace}:member')}"}
    path = events_file()
    already = len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0

    body = {"ownerType": "Ticket", "ownerId": "T-1", "startDate": "2026-11-11T09:00:00Z", "duration": "PT1H"}
    created = requests.post(f"{ws}/worklogs", json=body, headers=headers, timeout=10).json()
    url = f"{ws}/worklogs/{created['id']}"
    requests.patch(url, json={"duration": "PT2H"}, headers={**headers, "If-Match": '"1"'}, timeout=10)
    requests.delete(url, headers=headers, timeout=10)

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(_events_of(workspace, already)) < 3:
        time.sleep(0.2)
    events = _events_of(workspace, already)
    assert [(e["type"], e["version"]) for e in events] == [
        ("worklog.created", 1),
        ("worklog.updated", 2),
        ("worklog.deleted", 3),
    ]
    assert events[1]["data"]["durationMinutes"] == 120 and events[2]["data"]["deletedAt"]
