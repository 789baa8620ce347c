"""Starts the local runner (`python -m local.server`) in a subprocess and talks to it over real HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def local_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session runner's state directory (its runner.json and saved data)."""
    return tmp_path_factory.mktemp("local")


@pytest.fixture(scope="session")
def local_api(tmp_path_factory: pytest.TempPathFactory, local_dir: Path) -> Iterator[str]:
    key_file = tmp_path_factory.mktemp("keys") / "jwt-signing-key.pem"
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DYNAMODB_ENDPOINT_URL", "WORKLOGS_TABLE", "ROLLUP_TABLE", "CURSOR_SIGNING_KEY"}
    }
    env.update(
        {
            "WORKLOGS_LOCAL_KEY_FILE": str(key_file),
            "WORKLOGS_LOCAL_QUIET": "1",
            # its own state directory and any free DynamoDB port: never the developer's `make run` data
            "WORKLOGS_LOCAL_DIR": str(local_dir),
            "WORKLOGS_LOCAL_DYNAMODB_PORT": "0",
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
    os.environ["WORKLOGS_LOCAL_KEY_FILE"] = str(key_file)
    try:
        deadline = time.monotonic() + 60
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise AssertionError(f"local runner exited early with {process.wait()}")
            if line.startswith("{") and json.loads(line).get("message") == "Worklogs API ready":
                break
        else:
            raise AssertionError("local runner did not start within 60 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(scope="session")
def token(local_api):
    from local.auth import issue_token

    def make(sub: str = "alice", workspaces: str = "acme:admin", **kwargs) -> str:
        return issue_token(sub=sub, workspaces=workspaces.split(), **kwargs)

    return make
