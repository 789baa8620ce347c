"""Run the scheduled rollup now against the running local API's store (`make rollup`).

    python -m local.rollup [--endpoint http://127.0.0.1:PORT]

`make run` records its DynamoDB endpoint in .local/runner.json; this reads it, and invokes the
RollupPeriodsFunction handler with the sample scheduled event (events/rollup_periods_schedule.json).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from local.template import ROOT, load_template

SCHEDULE_EVENT = ROOT / "events" / "rollup_periods_schedule.json"
FUNCTION = "RollupPeriodsFunction"
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def schedule_seconds(template: dict[str, Any] | None = None) -> float:
    """The rollup's period from template.yaml: its Schedule event (a parameter's default when it is a !Ref)."""
    template = template or load_template()
    events = template["Resources"][FUNCTION]["Properties"]["Events"]
    expression = next(e["Properties"]["Schedule"] for e in events.values() if e["Type"] == "Schedule")
    if isinstance(expression, dict) and "Ref" in expression:
        expression = template["Parameters"][expression["Ref"]]["Default"]
    match = _RATE.match(str(expression).strip())
    if not match:
        raise ValueError(f"The local runner understands rate(...) schedules only, not {expression!r}")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]


def invoke(*, drain: bool = False) -> dict[str, Any]:
    """One run of the rollup handler, as EventBridge would start it (`drain`: with no settle window)."""
    from local.events import LambdaContext
    from local.functions import handler

    event = json.loads(SCHEDULE_EVENT.read_text(encoding="utf-8"))
    if drain:
        event["detail"] = {"drain": True}
    return handler(FUNCTION)(event, LambdaContext(FUNCTION))


def drain(log: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Runs until every marker written before the first run started is rolled up (each run is bounded)."""
    runs = [invoke(drain=True)]
    while not runs[-1]["complete"]:
        log(json.dumps({"message": "rollup run left days for the next one; running again", "run": runs[-1]}))
        runs.append(invoke(drain=True))
    return runs


def start_schedule(period_seconds: float, log: Callable[[str], None] = print) -> threading.Event:
    """Run the rollup every `period_seconds` in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(period_seconds):
            try:
                log(json.dumps({"message": "scheduled rollup", "run": invoke()}))
            except Exception as error:  # a failed run is retried by the next one, as on AWS
                log(json.dumps({"message": "scheduled rollup failed", "error": repr(error)}))

    threading.Thread(target=loop, name="rollup-schedule", daemon=True).start()
    return stop


def state_file() -> Path:
    from local.persistence import local_dir

    return local_dir() / "runner.json"


def record_runner_state(ready: dict[str, Any]) -> None:
    """Write .local/runner.json: how to reach the running runner and its store (for `make rollup`, billing)."""
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {**ready, "pid": os.getpid(), "dynamodbEndpoint": ready["dynamodb"]}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def clear_runner_state() -> None:
    """Remove .local/runner.json if it is this process's (never another runner's)."""
    path = state_file()
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def running_endpoint() -> str | None:
    """The DynamoDB endpoint of a local runner that is up, from .local/runner.json; None when none is."""
    try:
        state = json.loads(state_file().read_text(encoding="utf-8"))
        endpoint = state["dynamodbEndpoint"]
        os.kill(int(state["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    parts = urlsplit(endpoint)
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex((parts.hostname or "127.0.0.1", parts.port or 80)) != 0:
            return None
    return endpoint


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", help="DynamoDB endpoint (default: the one `make run` recorded)")
    args = parser.parse_args(argv)
    endpoint = args.endpoint
    if not endpoint:
        endpoint = running_endpoint()
        if endpoint is None:
            print("No local runner is running: start one with `make run` (in another shell), then `make rollup`.")
            return 1
    from local.dynamodb import dynamodb_client
    from local.server import prepare_environment
    from worklogs.repository.dynamodb import use_client

    prepare_environment(endpoint)
    use_client(dynamodb_client(endpoint))
    print(json.dumps({"message": "rolled up everything written before this run", "runs": drain()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
