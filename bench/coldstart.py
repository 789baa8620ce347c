"""Cold start as Lambda runs it: import, and import plus one typical request, per function.

    python -m bench.coldstart [--runs 7]

The environment is built like a Lambda sandbox, not like the dev virtualenv:

- `/opt/python`: the layer, built by layers/common/Makefile (the same pruning and precompiling as
  `sam build`) for this machine's platform instead of arm64, so it can run here;
- `/var/runtime`: what the Lambda Python runtime carries (boto3, botocore and their dependencies),
  precompiled as the runtime ships them;
- the target Python (3.13) when this machine has it (pyenv), otherwise the running one; a clean
  interpreter (no user or virtualenv site-packages) with `PYTHONDONTWRITEBYTECODE=1` (Lambda cannot
  write `/opt` either: whatever lacks a `.pyc` is compiled on every cold start);
- `LAMBDA_TASK_ROOT`, `AWS_LAMBDA_FUNCTION_NAME`, `_X_AMZN_TRACE_ID` and the other variables Lambda
  sets, so Powertools and the X-Ray SDK take the paths they take on Lambda (tracing on, UDP emitter).

(a) import: a fresh interpreter imports the handler module; ratio to a fresh interpreter importing boto3.
(b) import plus one typical request: the handler answers one request of its function against a local
stub DynamoDB that replays, at once, the answers moto gave to the same request; ratio to the floor: a
fresh interpreter that imports boto3, creates a DynamoDB client and makes one GetItem call to the stub.
Samples are interleaved (floor, function, floor, next function, floor, ...); each sample's ratio is taken
against the mean of the floor processes run just before and just after it (their `import boto3` times are the
import baseline), and the medians of those ratios are reported, so a drift in the shared machine's speed
cancels out. Times are taken inside the process from before the first import to the end of the request (the
interpreter's own start-up is the same for both and outside the code's control).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import threading
from collections import defaultdict, deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.ops import Api

ROOT = Path(__file__).resolve().parent.parent
ENV_DIR = ROOT / ".bench-lambda"
TARGET = 1.6
TARGET_PYTHON = "3.13"
# What the Lambda Python runtime carries in /var/runtime (and the layer leaves out).
RUNTIME_PACKAGES = ["boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3<2.3"]

# The request each function is measured with: a scenario of bench/ops.py (its prepared state recorded).
TYPICAL = {
    "CreateWorklogFunction": "create",
    "SearchWorklogsFunction": "get",
    "EditWorklogFunction": "patch",
    "LinkWorklogFunction": "link",
    "WorklogTypesFunction": "worklog types list",
    "TimerFunction": "timer start",
    "ReportWorklogsFunction": "console (month)",
    "ApprovalsFunction": "approval get",
    "RatesFunction": "rates get",
    "ImportWorklogsFunction": "batch create (10 one-day items, overlap policy allow)",
    "RollupPeriodsFunction": "rollup run (nothing dirty)",
    "PublishEventsFunction": "publish (a create's stream record)",
}

_PRELUDE = "import json, sys, time\n"
_CONTEXT = """
class Context:
    function_name = {name!r}
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:{name}"
    memory_limit_in_mb = 512
    aws_request_id = "5f1b2c3d-0000-4000-8000-000000000001"
    log_group_name = "/aws/lambda/{name}"
    log_stream_name = "bench"
    @staticmethod
    def get_remaining_time_in_millis():
        return 10000
"""
_HANDLER = (
    _PRELUDE
    + "{context}\n"
    + "event = json.loads(sys.argv[1])\n"
    + "started = time.perf_counter()\n"
    + "import app\n"
    + "imported = time.perf_counter()\n"
    + "result = app.lambda_handler(event, Context())\n"
    + "done = time.perf_counter()\n"
    + "status = result.get('statusCode', 200) if isinstance(result, dict) else 200\n"
    + "print('\\nBENCH', json.dumps([imported - started, done - started, status]))\n"
)
_FLOOR = (
    _PRELUDE
    + "started = time.perf_counter()\n"
    + "import boto3\n"
    + "imported = time.perf_counter()\n"
    + "client = boto3.client('dynamodb', endpoint_url={endpoint!r})\n"
    + "client.get_item(TableName='MainTable', Key={{'PK': {{'S': 'floor'}}, 'SK': {{'S': 'floor'}}}})\n"
    + "done = time.perf_counter()\n"
    + "print('\\nBENCH', json.dumps([imported - started, done - started, 200]))\n"
)


# --- the Lambda-like environment --------------------------------------------------------------------


def target_python() -> str:
    """Python 3.13 if this machine has one (PATH or pyenv), else the running interpreter."""
    candidates = [shutil.which(f"python{TARGET_PYTHON}") or ""]
    candidates += sorted(
        str(p) for p in Path.home().glob(f".pyenv/versions/{TARGET_PYTHON}.*/bin/python{TARGET_PYTHON}")
    )
    for candidate in candidates:
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True
        )
        if probe.returncode == 0 and probe.stdout.strip() == TARGET_PYTHON:
            return candidate
    return sys.executable


def _host_platforms() -> str:
    """The layer's wheel platforms (layers/common/Makefile PLATFORMS) for this machine's architecture."""
    return f"manylinux2014_{platform.machine()} manylinux_2_28_{platform.machine()}"


def build_environment(python: str) -> dict[str, Path]:
    """Build (once; reused while the layer's sources and requirements are unchanged) the layer and runtime."""
    layer_dir = ROOT / "layers" / "common"
    opt, runtime = ENV_DIR / "opt", ENV_DIR / "runtime"
    deps = "\n".join(
        [python, _host_platforms(), (layer_dir / "requirements.txt").read_text(), (layer_dir / "Makefile").read_text()]
    )
    code = "\n".join(f"{path}:{path.stat().st_mtime_ns}" for path in sorted((layer_dir / "python").rglob("*.py")))
    deps_stamp, code_stamp = ENV_DIR / "deps.stamp", ENV_DIR / "code.stamp"
    if deps_stamp.exists() and deps_stamp.read_text() == deps:
        if code_stamp.read_text() != code:  # only our code changed: refresh it as the layer's Makefile would
            shutil.rmtree(opt / "python" / "worklogs")
            shutil.copytree(
                layer_dir / "python" / "worklogs",
                opt / "python" / "worklogs",
                ignore=shutil.ignore_patterns("__pycache__"),
            )
            subprocess.run(
                [
                    python,
                    "-m",
                    "compileall",
                    "-q",
                    "--invalidation-mode",
                    "unchecked-hash",
                    str(opt / "python" / "worklogs"),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            code_stamp.write_text(code)
        return {"opt": opt, "runtime": runtime}
    shutil.rmtree(opt, ignore_errors=True)
    opt.mkdir(parents=True)
    env = {
        **os.environ,
        "ARTIFACTS_DIR": str(opt),
        "PYTHON": python,
        "PYC_PYTHON": python,
        "PLATFORMS": _host_platforms(),
        "PYTHON_VERSION": TARGET_PYTHON if python != sys.executable else "{}.{}".format(*sys.version_info[:2]),
    }
    subprocess.run(
        ["make", "--no-print-directory", "-s", "-C", str(layer_dir), "build-CommonLayer"], env=env, check=True
    )
    if not (runtime / "boto3").exists():
        shutil.rmtree(runtime, ignore_errors=True)
        subprocess.run(
            [
                python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-compile",
                "--target",
                str(runtime),
                *RUNTIME_PACKAGES,
            ],
            check=True,
        )
        subprocess.run(
            [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(runtime)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    deps_stamp.write_text(deps)
    code_stamp.write_text(code)
    return {"opt": opt, "runtime": runtime}


def lambda_environment(function: str, code_dir: Path, paths: dict[str, Path], endpoint: str) -> dict[str, str]:
    from local.template import functions, local_environment

    env = {key: os.environ[key] for key in ("PATH", "LANG", "TZ") if key in os.environ}
    env.update(local_environment())
    spec = functions().get(function)
    if spec is not None:
        env.update({k: str(v) for k, v in spec.environment.items() if not isinstance(v, dict)})
    env.update(
        {
            "PYTHONPATH": os.pathsep.join([str(code_dir), str(paths["opt"] / "python"), str(paths["runtime"])]),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONNOUSERSITE": "1",
            "LAMBDA_TASK_ROOT": str(code_dir),
            "LAMBDA_RUNTIME_DIR": str(paths["runtime"]),
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            "AWS_LAMBDA_FUNCTION_NAME": function,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function}",
            "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_SESSION_TOKEN": "bench",
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "_X_AMZN_TRACE_ID": "Root=1-5f1b2c3d-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1",
            "_HANDLER": "app.lambda_handler",
            "CURSOR_SIGNING_KEY": "bench-cursor-key",
            "DYNAMODB_ENDPOINT_URL": endpoint,
            "AWS_ENDPOINT_URL_EVENTBRIDGE": endpoint,  # the event publisher's PutEvents, answered by the stub
        }
    )
    env.pop("CURSOR_SECRET_ARN", None)
    return env


# --- the stub DynamoDB ------------------------------------------------------------------------------


def answer_key(operation: str, request: bytes) -> str:
    """Which recorded answer a request gets: same operation, table, index and key condition, in order."""
    try:
        body = json.loads(request or b"{}")
    except ValueError:
        body = {}
    parts = [operation, str(body.get("TableName")), str(body.get("IndexName")), str(body.get("KeyConditionExpression"))]
    return "|".join(parts)


class Stub:
    """Answers DynamoDB (and EventBridge) calls at once with recorded answers (per operation, in order); `{}`
    otherwise."""

    def __init__(self) -> None:
        self.answers: dict[str, deque[bytes]] = defaultdict(deque)
        self.calls: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = self.rfile.read(length)
                operation = (self.headers.get("X-Amz-Target") or ".").split(".", 1)[1]
                stub.calls.append(operation)
                queue = stub.answers.get(answer_key(operation, request))
                body = queue.popleft() if queue else b"{}"
                protocol = "1.1" if (self.headers.get("X-Amz-Target") or "").startswith("AWSEvents.") else "1.0"
                head = (
                    f"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-{protocol}\r\n"
                    f"Content-Length: {len(body)}\r\nx-amzn-RequestId: bench\r\n\r\n"
                )
                self.wfile.write(head.encode() + body)  # one write: no delayed-ACK stall between head and body
                self.wfile.flush()

            def log_message(self, *_: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def load(self, answers: list[tuple[str, bytes]]) -> None:
        self.answers = defaultdict(deque)
        self.calls = []
        for key, body in answers:
            self.answers[key].append(body)

    def close(self) -> None:
        self.server.shutdown()


# --- recording the typical requests -----------------------------------------------------------------


def record_requests() -> dict[str, dict[str, Any]]:
    """Each function's typical request (event) and the DynamoDB answers it got, from moto in-process."""
    import boto3
    from moto import mock_aws

    from bench import ops
    from local.dynamodb import create_tables
    from worklogs.repository import events as events_bus
    from worklogs.repository import settings as settings_store
    from worklogs.repository.dynamodb import use_client

    ops._in_process_environment()
    scenarios = {scenario.name: scenario for scenario in ops.SCENARIOS}
    recorded: dict[str, dict[str, Any]] = {}
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client)
        answers: list[tuple[str, bytes]] = []
        recording = [False]

        pending: list[str] = []

        def before(model: Any, params: dict[str, Any], **_: Any) -> None:
            pending.append(answer_key(model.name, params.get("body") or b"{}"))

        def after(model: Any, http_response: Any, **_: Any) -> None:
            key = pending.pop() if pending else model.name
            if recording[0]:
                answers.append((key, http_response.content))

        client.meta.events.register("before-call.dynamodb", before)

        client.meta.events.register("after-call.dynamodb", after)
        use_client(client)
        bus = boto3.client("events", region_name="us-east-1")
        bus.meta.events.register("before-call", before)
        bus.meta.events.register("after-call", after)
        events_bus.use_client(bus)
        stream = _StreamTail(client)
        settings_store.invalidate()
        api = RecordingApi()
        for function, name in TYPICAL.items():
            event: dict[str, Any] | None
            if name.startswith("publish"):
                # The records a create wrote to the main table's stream, as Lambda delivers them.
                stream.skip()
                create = scenarios["create"]
                status, _ = create.run(api, create.prepare(api))
                event = {"Records": stream.records()}
                run = _worker(function)
            elif name.startswith("rollup"):
                event = json.loads((ROOT / "events" / "rollup_periods_schedule.json").read_text())
                run = _worker(function)
                # Drain what the other requests marked dirty, without the settle window: a marker left for
                # being a few seconds old would be recorded in the "nothing dirty" run and, replayed later
                # (when it is older than the window), make every replay recompute its day.
                run({**event, "detail": {**(event.get("detail") or {}), "drain": True}})
            else:
                scenario = next(found for key, found in scenarios.items() if key.startswith(name))
                inputs = scenario.prepare(api)
                api.capture = True
                run = None
            settings_store.invalidate()  # a cold container has no cached settings
            answers.clear()
            recording[0] = True
            try:
                if run is not None:
                    outcome = run(event)
                    status = 200
                    if name.startswith("publish") and not outcome.get("events"):
                        raise RuntimeError(f"the publisher published nothing: {outcome}")
                else:
                    status, _ = scenario.run(api, inputs)
                    event = api.last_event
                assert event is not None
            finally:
                recording[0] = False
                api.capture = False
            recorded[function] = {"scenario": name, "event": event, "answers": list(answers), "status": status}
        use_client(None)
        events_bus.use_client(None)
    return recorded


class _StreamTail:
    """The main table's stream records from a point on (the embedded store answers Streams in-process)."""

    def __init__(self, client: Any) -> None:
        from local.change_events import EmbeddedStreams

        self.streams = EmbeddedStreams()
        self.arn = client.describe_table(TableName="MainTable")["Table"]["LatestStreamArn"]
        self.shard = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][0]["ShardId"]
        self.seen = 0

    def _all(self) -> list[dict[str, Any]]:
        iterator = self.streams.get_shard_iterator(
            StreamArn=self.arn, ShardId=self.shard, ShardIteratorType="TRIM_HORIZON"
        )
        records: list[dict[str, Any]] = self.streams.get_records(iterator["ShardIterator"], 10_000)["Records"]
        return records

    def skip(self) -> None:
        self.seen = len(self._all())

    def records(self) -> list[dict[str, Any]]:
        # As Lambda delivers them: JSON, with the creation time in epoch seconds
        records = json.loads(json.dumps(self._all()[self.seen :], default=str))
        for record in records:
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if isinstance(created, str):
                moment = datetime.fromisoformat(created)
                record["dynamodb"]["ApproximateCreationDateTime"] = int(moment.replace(tzinfo=UTC).timestamp())
        return records


def _worker(function: str) -> Any:
    """Invoke a worker function (schedule, stream) in-process, as the local runner does."""
    from local.events import LambdaContext
    from local.functions import handler

    def run(event: dict[str, Any]) -> Any:
        return handler(function)(event, LambdaContext(function))

    return run


class RecordingApi(Api):
    """bench.ops.Api that keeps the event of the last call."""

    def __init__(self) -> None:
        super().__init__()
        self.capture = False
        self.last_event: dict[str, Any] | None = None

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        import local.functions as functions

        original = functions.handler

        def capturing(logical_id: str) -> Any:
            invoke = original(logical_id)

            def run(event: dict[str, Any], context: Any) -> Any:
                self.last_event = event
                return invoke(event, context)

            return run

        functions.handler = capturing
        try:
            return super().call(method, path, **kwargs)
        finally:
            functions.handler = original


# --- measuring --------------------------------------------------------------------------------------


def _run(python: str, script: str, args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    out = subprocess.run([python, "-c", script, *args], cwd=cwd, env=env, capture_output=True, text=True)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("BENCH "):
            first, total, status = json.loads(line[6:])
            return first, total, status
    raise RuntimeError(f"benchmark process failed ({out.returncode}): {out.stderr[-2000:]}")


def measure(runs: int, only: list[str] | None = None) -> dict[str, Any]:
    from local.template import functions

    python = target_python()
    paths = build_environment(python)
    recorded = record_requests()
    if only:
        unknown = sorted(set(only) - set(recorded))
        if unknown:
            raise SystemExit(f"unknown function(s): {', '.join(unknown)}; known: {', '.join(recorded)}")
        recorded = {name: record for name, record in recorded.items() if name in only}
    specs = functions()
    stub = Stub()
    try:
        floor_env = lambda_environment("floor", ROOT, paths, stub.endpoint)
        floor_script = _FLOOR.format(endpoint=stub.endpoint)
        samples: dict[str, dict[str, list[float]]] = {
            name: {"import": [], "total": [], "importMs": [], "totalMs": []} for name in TYPICAL
        }
        floors: list[float] = []
        boto3_imports: list[float] = []
        statuses: dict[str, int] = {}
        calls: dict[str, list[str]] = {}

        def floor() -> tuple[float, float]:
            stub.load([])
            boto3_seconds, floor_seconds, _ = _run(python, floor_script, [], ROOT, floor_env)
            return boto3_seconds, floor_seconds

        # Each sample sits between two floor processes (the one before it and the one after it, which is
        # also the next sample's floor before) and is divided by their mean: a drift in the shared machine's
        # speed, between rounds or within one, cancels out of the sample's ratios.
        before = floor()
        for round_ in range(runs + 1):  # the first round warms the disk cache and is not counted
            for function, record in recorded.items():
                spec = specs[function]
                env = lambda_environment(function, spec.code_dir, paths, stub.endpoint)
                stub.load(record["answers"])
                seconds_import, seconds_total, status = _run(
                    python,
                    _HANDLER.format(context=_CONTEXT.format(name=function)),
                    [json.dumps(record["event"])],
                    spec.code_dir,
                    env,
                )
                statuses[function], calls[function] = status, list(stub.calls)
                after = floor()
                boto3_seconds = (before[0] + after[0]) / 2
                floor_seconds = (before[1] + after[1]) / 2
                if round_:
                    boto3_imports.append(before[0])
                    floors.append(before[1])
                    samples[function]["import"].append(seconds_import / boto3_seconds)
                    samples[function]["total"].append(seconds_total / floor_seconds)
                    samples[function]["importMs"].append(seconds_import * 1000)
                    samples[function]["totalMs"].append(seconds_total * 1000)
                before = after
    finally:
        stub.close()
    boto3_ms = statistics.median(boto3_imports) * 1000
    floor_ms = statistics.median(floors) * 1000
    handlers = {}
    for function, record in recorded.items():
        import_ratio = statistics.median(samples[function]["import"])
        total_ratio = statistics.median(samples[function]["total"])
        handlers[function] = {
            "request": record["scenario"],
            "status": statuses[function],
            "expectedStatus": record["status"],
            "awsCalls": calls[function],
            "importMs": round(statistics.median(samples[function]["importMs"]), 1),
            "importRatio": round(import_ratio, 2),
            "importMet": import_ratio <= TARGET,
            "firstRequestMs": round(statistics.median(samples[function]["totalMs"]), 1),
            "firstRequestRatio": round(total_ratio, 2),
            "firstRequestMet": total_ratio <= TARGET,
        }
    return {
        "python": subprocess.run([python, "-V"], capture_output=True, text=True).stdout.strip(),
        "runs": runs,
        "target": TARGET,
        "boto3ImportMs": round(boto3_ms, 1),
        "floorMs": round(floor_ms, 1),
        "handlers": handlers,
    }


def render(results: dict[str, Any]) -> str:
    lines = [
        f"Import, Lambda-like ({results['python']}, layer precompiled, LAMBDA_TASK_ROOT set), median of "
        f"{results['runs']} interleaved runs, ratio to `import boto3` ({results['boto3ImportMs']} ms); "
        f"target <= {results['target']}",
        "",
    ]
    header = f"{'function':24} {'ms':>7} {'ratio':>6} {'target':>6}  verdict"
    lines += [header, "-" * len(header)]
    for name, row in results["handlers"].items():
        verdict = "met" if row["importMet"] else "MISSED"
        lines.append(f"{name:24} {row['importMs']:>7} {row['importRatio']:>6} {results['target']:>6}  {verdict}")
    lines += [
        "",
        f"Import + first request against a stub DynamoDB that answers at once, ratio to the floor (import boto3, "
        f"create a DynamoDB client, one GetItem: {results['floorMs']} ms); target <= {results['target']}",
        "",
    ]
    header = f"{'function':24} {'request':28} {'ms':>7} {'ratio':>6} {'target':>6}  verdict"
    lines += [header, "-" * len(header)]
    for name, row in results["handlers"].items():
        verdict = "met" if row["firstRequestMet"] else "MISSED"
        if row["status"] != row["expectedStatus"]:
            verdict += f" (answered {row['status']}, expected {row['expectedStatus']})"
        lines.append(
            f"{name:24} {row['request']:28} {row['firstRequestMs']:>7} {row['firstRequestRatio']:>6} "
            f"{results['target']:>6}  {verdict}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", nargs="*", metavar="FUNCTION", help="measure only these functions")
    args = parser.parse_args(argv)
    results = measure(args.runs, args.only)
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
