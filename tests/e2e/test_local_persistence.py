"""`make run` keeps its data: a restart, or a kill -9, loses nothing the API acknowledged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from local.auth import issue_token, signing_key
from tests.e2e.conftest import ROOT, _free_port


def _start(local_dir: Path, key_file: Path, port: int, **extra_env: str) -> subprocess.Popen[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DYNAMODB_ENDPOINT_URL", "WORKLOGS_TABLE", "ROLLUP_TABLE", "CURSOR_SIGNING_KEY"}
    }
    env.update(
        {
            "WORKLOGS_LOCAL_KEY_FILE": str(key_file),
            "WORKLOGS_LOCAL_QUIET": "1",
            "WORKLOGS_LOCAL_DIR": str(local_dir),
            "WORKLOGS_LOCAL_DYNAMODB_PORT": "0",
            "CURSOR_SIGNING_KEY": "fixed-for-this-test",
            **extra_env,
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "local.server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    while "Worklogs API ready" not in (line := process.stdout.readline()):
        assert line, "runner exited"
    return process


def _stop(process: subprocess.Popen[str], sig: int = signal.SIGTERM) -> None:
    process.send_signal(sig)
    process.wait(timeout=15)
    if process.stdout is not None:
        process.stdout.close()


@pytest.mark.slow  # restarts the local runner
def test_data_survives_a_kill_and_a_restart_and_compacts(tmp_path):
    key_file = tmp_path / "key.pem"
    local_dir = tmp_path / "local"
    token = issue_token(sub="alice", workspaces=["acme:admin"], key=signing_key(key_file))
    admin = {"Authorization": f"Bearer {token}"}
    port = _free_port()
    base = f"http://127.0.0.1:{port}/v1/workspaces/acme"
    first = _start(local_dir, key_file, port)
    try:
        state = json.loads((local_dir / "runner.json").read_text(encoding="utf-8"))
        assert state["tables"] == ["MainTable", "RollupTable"] and state["region"] and state["dynamodbEndpoint"]
        ids = []
        for n in range(3):
            created = requests.post(
                f"{base}/worklogs",
                json={"ownerType": "Ticket", "ownerId": f"T-{n}", "duration": "PT30M"},
                headers=admin,
                timeout=10,
            )
            assert created.status_code == 201
            ids.append(created.json()["id"])
        edited = requests.patch(
            f"{base}/worklogs/{ids[0]}",
            json={"description": "<p>kept</p>"},
            headers={**admin, "If-Match": '"1"'},
            timeout=10,
        )
        assert edited.status_code == 200
        assert requests.delete(f"{base}/worklogs/{ids[1]}", headers=admin, timeout=10).status_code in (200, 204)
        saved = requests.put(f"{base}/settings", json={"timezone": "Europe/Vienna"}, headers=admin, timeout=10)
        assert saved.status_code == 200, saved.text
    finally:
        _stop(first, signal.SIGKILL)  # no shutdown code runs: only what was fsynced counts

    # A second runner refuses the busy data directory while the first holds it; here the first is dead.
    second = _start(local_dir, key_file, port, WORKLOGS_LOCAL_COMPACT_AFTER="1")
    try:
        got = requests.get(f"{base}/worklogs/{ids[0]}", headers=admin, timeout=10).json()
        assert got["description"] == "<p>kept</p>" and got["version"] == 2
        assert requests.get(f"{base}/worklogs/{ids[1]}", headers=admin, timeout=10).status_code == 404
        assert requests.get(f"{base}/worklogs/{ids[2]}", headers=admin, timeout=10).status_code == 200
        assert requests.get(f"{base}/settings", headers=admin, timeout=10).json()["timezone"] == "Europe/Vienna"
        busy = subprocess.run(
            [sys.executable, "-m", "local.server", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "WORKLOGS_LOCAL_DIR": str(local_dir), "WORKLOGS_LOCAL_DYNAMODB_PORT": "0"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert busy.returncode == 1
        assert busy.stderr.strip().count("\n") == 0 and "already in use" in busy.stderr
        assert json.loads((local_dir / "runner.json").read_text(encoding="utf-8"))["pid"] == second.pid
    finally:
        _stop(second)
    assert not (local_dir / "runner.json").exists()

    # After compaction (a snapshot of the items) a third start still has everything.
    third = _start(local_dir, key_file, port)
    try:
        got = requests.get(f"{base}/worklogs/{ids[0]}", headers=admin, timeout=10).json()
        assert got["description"] == "<p>kept</p>" and got["version"] == 2
        history = requests.get(f"{base}/worklogs/{ids[0]}/history", headers=admin, timeout=10).json()
        assert len(history["items"]) == 2
    finally:
        _stop(third)


def test_make_rollup_without_a_runner_says_how_to_start_one(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "local.rollup"],
        cwd=ROOT,
        env={**os.environ, "WORKLOGS_LOCAL_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "make run" in result.stdout and "Traceback" not in result.stderr
