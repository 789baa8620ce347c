"""`make import` over real HTTP: a Kimai export loaded through POST /worklogs/batch, with a summary."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_a_kimai_export_is_imported_once(local_api, token):
    workspace = f"import-{uuid.uuid4().hex[:8]}"
    bearer = token("bob", f"{workspace}:member")
    command = [
        sys.executable,
        "-m",
        "local.import_csv",
        "--file",
        str(ROOT / "docs" / "samples" / "kimai-export.csv"),
        "--url",
        local_api,
        "--workspace",
        workspace,
        "--token",
        bearer,
    ]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary == {"format": "kimai", "timezone": "UTC", "rows": 3, "created": 3, "refused": 0, "unreadable": 0}
    assert "3/3 rows" in first.stderr
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)  # replayed, not duplicated
    assert again.returncode == 0 and json.loads(again.stdout)["created"] == 3
    listed = requests.get(
        f"{local_api}/v1/workspaces/{workspace}/worklogs",
        params={"workerId": "me"},
        headers={"Authorization": f"Bearer {bearer}"},
        timeout=10,
    ).json()
    assert len(listed["items"]) == 3
