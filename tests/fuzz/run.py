"""API fuzzing: schemathesis against the local runner, over every operation of /v1/openapi.json.

    python -m tests.fuzz.run [--max-examples 25] [--seed N]

Starts `python -m local.server` on a free port with a throwaway signing key, seeds a workspace with
worklogs, and runs schemathesis three times: as an admin of that workspace (path parameters drawn
mostly from the seeded workspace and worklog ids, so requests reach the domain rules, not only the 404
branch), as a viewer, and with no token at all. Every check runs except the ones listed in
EXCLUDED_CHECKS, each with its reason. Exits non-zero on any failure (a 5xx, an undocumented status,
a body that does not match the documented schema, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = "fuzz"
BATCH_OPERATION = "createWorklogsBatch"

# Checks that cannot hold for this API, with the reason. Everything else in `--checks all` runs.
EXCLUDED_CHECKS = {
    # "Schema-valid data must be accepted (2xx)": many valid-looking requests are refused by domain rules
    # the schema cannot express (two of start/end/duration, end after start, the worklog must exist and
    # belong to the caller's workspace, merge ids must share worker/owner/type, split inside the window).
    "positive_data_acceptance": "domain rules beyond the schema legitimately answer 4xx to schema-valid data",
    # DELETE /worklogs/{id} is a soft delete: the worklog can be restored, and its audit trail
    # (GET …/history) stays readable after it, by design; GET /worklogs/{id} itself answers 404.
    "use_after_free": "a soft-deleted worklog's history stays readable (it can be restored)",
    # It wants 405 for a method a path does not declare (TRACE...). API Gateway HTTP APIs answer 404
    # {"message": "Not Found"} for a method without a route, before any function runs, and the local
    # runner does the same (a test pins it); the 404 is not ours to change.
    "unsupported_method": "API Gateway answers 404, not 405, for a method without a route",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_runner(workdir: Path) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DYNAMODB_ENDPOINT_URL", "WORKLOGS_TABLE", "ROLLUP_TABLE", "CURSOR_SIGNING_KEY"}
    }
    env.update(
        {
            "WORKLOGS_LOCAL_KEY_FILE": str(workdir / "key.pem"),
            "WORKLOGS_LOCAL_QUIET": "1",
            "WORKLOGS_LOCAL_DIR": str(workdir / "local"),
            "WORKLOGS_LOCAL_DYNAMODB_PORT": "0",
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "local.server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=(workdir / "runner.log").open("w"),
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise SystemExit(f"local runner exited early ({process.wait()}); see {workdir / 'runner.log'}")
        if line.startswith("{") and json.loads(line).get("message") == "Worklogs API ready":
            # Keep draining the functions' log lines (stdout) into a file, so a full pipe never stalls the runner.
            drain = threading.Thread(target=_drain, args=(process.stdout, workdir / "functions.log"), daemon=True)
            drain.start()
            _DRAINS.append(drain)
            return process, f"http://127.0.0.1:{port}"
    process.terminate()
    raise SystemExit("local runner did not start within 90 s")


_DRAINS: list[threading.Thread] = []


def _drain(stream, path: Path) -> None:
    with path.open("w", encoding="utf-8") as sink:
        for line in stream:
            sink.write(line)


def seed(base_url: str, token: str) -> list[str]:
    """A few worklogs in the fuzzed workspace, so path ids reach real records."""
    headers = {"Authorization": f"Bearer {token}"}
    ids = []
    for day in range(1, 7):
        body = {
            "ownerType": "Ticket",
            "ownerId": f"T-{day % 2}",
            "startDate": f"2026-11-{day:02d}T09:00:00Z",
            "endDate": f"2026-11-{day:02d}T11:00:00Z",
            "description": "<p>seeded</p>",
            "data": {"billable": True},
        }
        response = requests.post(
            f"{base_url}/v1/workspaces/{WORKSPACE}/worklogs", json=body, headers=headers, timeout=10
        )
        response.raise_for_status()
        ids.append(response.json()["id"])
    return ids


def write_config(path: Path, worklog_ids: list[str], authorization: str | None) -> None:
    lines = []
    if authorization:
        lines.append(f'headers = {{ Authorization = "{authorization}" }}')
    worklogs = ", ".join(f'"{worklog_id}"' for worklog_id in worklog_ids)
    lines += [
        "[dictionaries.workspaces]",
        f'values = ["{WORKSPACE}"]',
        "[dictionaries.worklogs]",
        f"values = [{worklogs}]",
        "[dictionaries.versions]",
        """values = ['"1"', '"2"', '"3"', 'W/"1"']""",
        "[dictionaries.instants]",
        'values = ["2026-11-01T10:00:00Z", "2026-11-02T10:30:00+01:00", "2026-11-03T09:00:00Z"]',
        "[dictionaries.durations]",
        'values = ["PT30M", "PT1H30M", "P1D", "P1W"]',
        # Mostly values that reach the domain rules (the seeded workspace and worklogs, versions that can
        # match, instants inside the seeded windows); otherwise whatever the generator makes up.
        "[parameters]",
        '"path.workspaceId" = { dictionary = "workspaces", probability = 0.9 }',
        '"path.worklogId" = { dictionary = "worklogs", probability = 0.7 }',
        '"header.if-match" = { dictionary = "versions", probability = 0.7 }',
        '"body.ids[*]" = { dictionary = "worklogs", probability = 0.8 }',
        '"body.at" = { dictionary = "instants", probability = 0.5 }',
        '"body.startDate" = { dictionary = "instants", probability = 0.3 }',
        '"body.duration" = { dictionary = "durations", probability = 0.5 }',
        # An invalid body above 64 KiB is refused for its size (413, documented) before its content is read.
        # PATCH without its required If-Match is 428 Precondition Required (RFC 6585), as documented.
        "[checks.missing_required_header]",
        "expected-statuses = [400, 401, 403, 406, 415, 422, 428]",
        "[checks.negative_data_rejection]",
        'expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]',
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_schemathesis(
    schema_url: str,
    config: Path,
    *,
    label: str,
    max_examples: int,
    seed: int,
    report: Path,
    checks: str = "all",
    excluded: frozenset[str] = frozenset(),
    operations: tuple[str, ...] = (),
) -> int:
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "run",
        schema_url,
        "--checks",
        checks,
        "--exclude-checks",
        ",".join(sorted(set(EXCLUDED_CHECKS) | excluded)),
        *operations,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        # One worker: Python 3.11's ast.parse is not thread-safe under hypothesis' lambda introspection.
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--suppress-health-check",
        "too_slow,filter_too_much",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    print(f"\n== schemathesis ({label}): {' '.join(command[1:])}", flush=True)
    started = time.monotonic()
    code = subprocess.call(command, cwd=config.parent)
    print(f"== schemathesis ({label}) exit {code} in {time.monotonic() - started:.0f} s", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "25")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "8")))
    parser.add_argument("--report-dir", type=Path, default=ROOT / ".fuzz")
    args = parser.parse_args(argv)
    args.report_dir.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="worklogs-fuzz-") as temp:
        workdir = Path(temp)
        os.environ["WORKLOGS_LOCAL_KEY_FILE"] = str(workdir / "key.pem")
        process, base_url = start_runner(workdir)
        try:
            from local.auth import issue_token

            admin = issue_token(sub="fuzz-admin", workspaces=[f"{WORKSPACE}:admin"], name="Fuzz Admin")
            viewer = issue_token(sub="fuzz-viewer", workspaces=[f"{WORKSPACE}:viewer"])
            worklog_ids = seed(base_url, admin)
            schema_url = f"{base_url}/v1/openapi.json"
            failures = 0
            # A batch answers 200 with each item's own status: an item the schema refuses is refused in its own
            # result (422 there, as a single create answers), and the other items are still written. So the
            # batch runs on its own without the whole-request "negative data rejected" check; every other
            # check still applies to it.
            # (its operation alone has no links to follow: no stateful phase)
            batch = ("--include-operation-id", BATCH_OPERATION, "--phases", "examples,coverage,fuzzing")
            for label, token, examples, excluded, operations in (
                ("admin token", admin, args.max_examples, frozenset(), ("--exclude-operation-id", BATCH_OPERATION)),
                ("admin token, batch", admin, args.max_examples, frozenset({"negative_data_rejection"}), batch),
                ("viewer token", viewer, max(5, args.max_examples // 5), frozenset(), ()),
                ("no token", None, max(5, args.max_examples // 5), frozenset(), ()),
            ):
                name = label.replace(" ", "-").replace(",", "")
                config = workdir / f"{name}.toml"
                write_config(config, worklog_ids, f"Bearer {token}" if token else None)
                report = args.report_dir / f"junit-{name}.xml"
                failures += (
                    run_schemathesis(
                        schema_url,
                        config,
                        label=label,
                        max_examples=examples,
                        seed=args.seed,
                        report=report,
                        excluded=excluded,
                        operations=operations,
                    )
                    != 0
                )
        finally:
            process.terminate()
            process.wait(timeout=10)
            for drain in _DRAINS:
                drain.join(timeout=10)
        log = (workdir / "runner.log").read_text(encoding="utf-8", errors="replace")
        functions_log = workdir / "functions.log"
        if functions_log.exists():
            log += "\n" + functions_log.read_text(encoding="utf-8", errors="replace")
        # A crash the gateway saw, or an error a function logged (e.g. the 500 of an unexpected exception).
        crashes = [line[:500] for line in log.splitlines() if "failed:" in line or '"level":"ERROR"' in line]
        if crashes:
            print("\nfunction crashes in the runner log:\n" + "\n".join(crashes[:20]))
            failures += 1
    print(f"\nfuzz: {'FAILED' if failures else 'passed'} ({failures} failing run(s))")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
