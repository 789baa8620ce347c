"""The billing example of docs/rollup-contract.md runs as written against the local runner's DynamoDB."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import requests

from tests.e2e.conftest import ROOT

DOC = ROOT / "docs" / "rollup-contract.md"


def test_billing_example_reads_the_local_store(local_api: Any, local_dir: Any, token: Any) -> None:
    alice = {"Authorization": f"Bearer {token('alice', 'acme:admin')}"}
    created = requests.post(
        f"{local_api}/v1/workspaces/acme/worklogs",
        json={
            "ownerType": "Ticket",
            "ownerId": "T-1042",
            "startDate": "2026-11-11T09:00:00Z",
            "duration": "PT1H30M",
            "data": {"billable": True},
        },
        headers=alice,
        timeout=10,
    )
    assert created.status_code == 201, created.text
    state = json.loads((local_dir / "runner.json").read_text(encoding="utf-8"))
    assert state["tables"] == ["MainTable", "RollupTable"]
    rollup = subprocess.run(
        [sys.executable, "-m", "local.rollup"],
        cwd=ROOT,
        env={**os.environ, "WORKLOGS_LOCAL_DIR": str(local_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rollup.returncode == 0, rollup.stdout + rollup.stderr

    block = re.search(r"<!-- doc-test: billing -->\s*```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert block, "the billing example is marked in docs/rollup-contract.md"
    code = block.group(1).replace("http://127.0.0.1:8000", state["dynamodbEndpoint"])
    assert state["region"] in code and state["credentials"]["aws_access_key_id"] in code
    names: dict = {}
    exec(compile(code, str(DOC), "exec"), names)
    assert any(row["dimension"] == "total" and row["minutes"] >= 90 for row in names["rows"]), names["rows"]
    assert names["days"] and names["owner"] and names["weeks"]
