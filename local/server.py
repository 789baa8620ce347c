"""Serve template.yaml's routes on 127.0.0.1:3000 with an embedded DynamoDB — no Docker, no AWS account.

    python -m local.server [--host 127.0.0.1] [--port 3000] [--dynamodb-port 8000] [--ephemeral]

Requests become API Gateway HTTP API v2 events and run through the real function handlers in-process.
Bearer tokens are checked like the JWT authorizer does, against the local key (`make token`).
The embedded DynamoDB listens on 127.0.0.1:8000 (`--dynamodb-port`) and keeps its data in `.local/data/`
across restarts and kills (local/persistence.py); `--ephemeral` keeps it in memory only. The endpoint,
tables, region and credentials are printed at start and written to `.local/runner.json`.
Set DYNAMODB_ENDPOINT_URL to use another DynamoDB endpoint instead of the embedded one.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from local.template import Route, load_template, local_environment, routes

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


def prepare_environment(endpoint_url: str) -> None:
    """The functions' environment as the template defines it, with local stand-ins for AWS resources."""
    os.environ.update(local_environment())
    os.environ["DYNAMODB_ENDPOINT_URL"] = endpoint_url
    os.environ.setdefault("CURSOR_SIGNING_KEY", secrets.token_urlsafe(32))
    os.environ.pop("CURSOR_SECRET_ARN", None)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "worklogs-local")


def cors_headers() -> dict[str, str]:
    """CORS as the HttpApi's CorsConfiguration declares it (local runs allow any origin)."""
    cors = load_template()["Resources"]["WorklogsApi"]["Properties"].get("CorsConfiguration") or {}
    return {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": ",".join(cors.get("AllowMethods", [])),
        "Access-Control-Allow-Headers": ",".join(cors.get("AllowHeaders", [])),
        "Access-Control-Expose-Headers": ",".join(cors.get("ExposeHeaders", [])),
        "Access-Control-Max-Age": str(cors.get("MaxAge", 0)),
    }


class Gateway:
    """What API Gateway does in front of the functions: route, authorize, build the event, map the result."""

    def __init__(self, route_table: list[Route], public_key: Any):
        from local.functions import handler

        self.routes = route_table
        from local.auth import local_jwks

        self.public_key = public_key
        self.jwks = local_jwks(public_key)  # the issuer's JWKS, as API Gateway fetches it from jwks_uri
        self._handler = handler
        self._cors = cors_headers()

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None

    def __call__(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        from local.auth import InvalidToken, verify_authorization
        from local.events import LambdaContext, http_api_event

        parts = urlsplit(target)
        path = parts.path
        if method == "OPTIONS":
            return 204, dict(self._cors), b""
        found = self.find(method, path)
        if found is None:
            return 404, {"Content-Type": "application/json"}, b'{"message":"Not Found"}'
        route, raw_params = found
        params = {name: unquote(value) for name, value in raw_params.items()}  # as API Gateway decodes them
        claims = None
        if route.authorized:
            try:
                claims = verify_authorization(headers.get("authorization"), self.jwks)
            except InvalidToken as error:
                # API Gateway does not tell the caller why; the runner's log does, for whoever runs it.
                reason = {"message": "401 Unauthorized", "route": route.route_key, "reason": str(error)}
                print(json.dumps(reason), file=sys.stderr, flush=True)
                return 401, {"Content-Type": "application/json"}, b'{"message":"Unauthorized"}'
        event = http_api_event(
            method=method,
            path=path,
            route_key=route.route_key,
            path_parameters=params or None,
            query_string=parts.query,
            headers=headers,
            body=body,
            claims=claims,
        )
        try:
            result = self._handler(route.function)(event, LambdaContext(route.function))
        except Exception as error:  # an unhandled crash is a 500 from API Gateway too
            print(f"function {route.function} failed: {error!r}", file=sys.stderr)
            return 500, {"Content-Type": "application/json"}, b'{"message":"Internal Server Error"}'
        out_headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        for key, values in (result.get("multiValueHeaders") or {}).items():
            out_headers[key] = ",".join(str(v) for v in values)
        out_headers.setdefault("Content-Type", "application/json")
        out_headers["Access-Control-Allow-Origin"] = "*"
        out_headers["Access-Control-Expose-Headers"] = self._cors["Access-Control-Expose-Headers"]
        payload = result.get("body") or ""
        raw = base64.b64decode(payload) if result.get("isBase64Encoded") else str(payload).encode("utf-8")
        return int(result.get("statusCode", 200)), out_headers, raw


class LocalHTTPServer(ThreadingHTTPServer):
    """One thread per connection, and a listen backlog for bursts (the default of 5 resets connections)."""

    daemon_threads = True
    request_queue_size = 1024


def make_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "worklogs-local"

        def log_message(self, format: str, *args: Any) -> None:
            if os.environ.get("WORKLOGS_LOCAL_QUIET") != "1":
                super().log_message(format, *args)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_REQUEST_BYTES:
                self._send(413, {"Content-Type": "application/json"}, b'{"message":"Request Entity Too Large"}')
                return
            body = self.rfile.read(length) if length else b""
            headers = {key.lower(): value for key, value in self.headers.items()}
            status, out_headers, raw = gateway(self.command.upper(), self.path, headers, body)
            self._send(status, out_headers, raw)

        def _send(self, status: int, headers: dict[str, str], raw: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in {"content-length", "connection"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(raw)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

        def __getattr__(self, name: str) -> Any:
            # Any other method (TRACE, CONNECT, PROPFIND...) goes through the route table too, as in
            # API Gateway: no route for it → 404, never the HTTP server's own HTML 501.
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

    return Handler


def build_server(
    host: str, port: int, *, dynamodb_port: int = 0, journal: Any = None
) -> tuple[ThreadingHTTPServer, Any]:
    """Start the store (replaying its journal), create the tables, load the functions; returns
    (HTTP server, embedded store or None)."""
    from local.dynamodb import create_tables, dynamodb_client
    from local.persistence import compact, compact_after_entries, replay, start_persistent_dynamodb

    store = None
    endpoint = os.environ.get("DYNAMODB_ENDPOINT_URL")
    journaling = None
    if not endpoint:
        from local import moto_speedups
        from local.atomic import serialise_store
        from local.index_lag import configure_from_environment

        moto_speedups.install()  # data-plane answers written as JSON directly (moto's shape walk is slow)
        serialise_store()  # each DynamoDB call atomic, as in DynamoDB (moto's backend does not lock)
        configure_from_environment()  # INDEX_LAG_SECONDS: GSI queries trail writes, as in AWS
        store, endpoint, journaling = start_persistent_dynamodb("127.0.0.1", dynamodb_port, journal)
    prepare_environment(endpoint)
    tables = create_tables(dynamodb_client(endpoint))
    if journaling is not None:
        replayed = replay(journal, endpoint, os.environ["AWS_DEFAULT_REGION"])
        if replayed > compact_after_entries():
            compact(journal, dynamodb_client(endpoint), tables, journaling)
        else:
            journal.open()
        journaling.recording = True

    from local.auth import signing_key

    gateway = Gateway(routes(), signing_key().public_key())
    from local.functions import warm

    for function in {route.function for route in gateway.routes}:  # import every handler now, as warm Lambdas
        warm(function)
    server = LocalHTTPServer((host, port), make_handler(gateway))
    return server, store


def main(argv: list[str] | None = None) -> None:
    from local.persistence import DataDirBusy, Journal, data_dir, default_dynamodb_port, port_in_use

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument(
        "--dynamodb-port", type=int, default=default_dynamodb_port(), help="embedded DynamoDB port (0: any free)"
    )
    parser.add_argument("--ephemeral", action="store_true", help="keep the data in memory only (nothing saved)")
    args = parser.parse_args(argv)
    embedded = not os.environ.get("DYNAMODB_ENDPOINT_URL")
    busy = [p for p in (args.port, args.dynamodb_port if embedded else 0) if port_in_use(args.host, p)]
    if busy:
        raise SystemExit(
            f"Port {busy[0]} is already in use (another `make run`?): stop that runner, or choose other ports "
            "with `make run PORT=3001 DYNAMODB_PORT=8001`."
        )
    journal = None
    if embedded and not args.ephemeral:
        journal = Journal(data_dir())
        try:
            journal.lock()
        except DataDirBusy:
            raise SystemExit(
                f"The data in {data_dir()} is in use by another local runner: stop it first, "
                "or run this one with --ephemeral."
            ) from None
    server, store = build_server(args.host, args.port, dynamodb_port=args.dynamodb_port, journal=journal)
    host, port = server.socket.getsockname()[:2]
    from local.rollup import clear_runner_state, record_runner_state, schedule_seconds, start_schedule
    from local.template import table_definitions

    period = schedule_seconds()
    stop_rollups = start_schedule(period)
    from local.change_events import events_file, start_feed

    stop_events = start_feed(os.environ["DYNAMODB_ENDPOINT_URL"], embedded=store is not None)
    ready = {
        "message": "Worklogs API ready",
        "url": f"http://{host}:{port}/v1",
        "docs": f"http://{host}:{port}/v1/docs",
        "rollupEverySeconds": period,
        "dynamodb": os.environ["DYNAMODB_ENDPOINT_URL"],
        "region": os.environ["AWS_DEFAULT_REGION"],
        "tables": sorted(table_definitions()),
        # The embedded store accepts any keys; never echo the environment's (they may be real ones).
        "credentials": {"aws_access_key_id": "local", "aws_secret_access_key": "local"},
        "data": str(journal.data_dir) if journal else "in memory only (--ephemeral)",
        "events": str(events_file()),
    }
    record_runner_state(ready)  # `make rollup` and billing scripts find the store here

    def _terminate(*_: Any) -> None:
        raise KeyboardInterrupt  # SIGTERM stops like Ctrl-C: runner.json removed, files closed

    signal.signal(signal.SIGTERM, _terminate)
    print(json.dumps(ready), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop_rollups.set()
        stop_events.set()
        server.server_close()
        clear_runner_state()
        if store is not None:
            store.stop()
        if journal is not None:
            journal.close()


if __name__ == "__main__":
    main()
