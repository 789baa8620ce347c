"""The local runner's DynamoDB keeps its data: a write-ahead journal under `.local/data/`, replayed at start.

Every DynamoDB write that the embedded store accepts (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
TransactWriteItems) is appended to `journal.jsonl` and fsynced *before* the store answers it, so nothing
the API acknowledged is lost, even when the runner is killed (`kill -9`). Writes are applied one at a
time, in journal order, so a replay rebuilds exactly the same items. At start the journal is replayed
into a fresh store; when it has grown, it is compacted into a snapshot (one PutItem per item) written
next to it and renamed over it atomically.

The data directory is locked (flock) while a runner uses it, so a second runner cannot touch it.
"""

from __future__ import annotations

import base64
import fcntl
import io
import json
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

WRITE_TARGETS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
TARGET_PREFIX = "DynamoDB_20120810."
JOURNAL = "journal.jsonl"
LOCK = "lock"
DEFAULT_DYNAMODB_PORT = 8000  # DynamoDB Local's usual port


def local_dir() -> Path:
    """Where the runner keeps its state: `.local/` (WORKLOGS_LOCAL_DIR overrides it, e.g. for tests)."""
    from local.template import ROOT

    return Path(os.environ.get("WORKLOGS_LOCAL_DIR") or ROOT / ".local")


def data_dir() -> Path:
    return local_dir() / "data"


def compact_after_entries() -> int:
    """A journal longer than this at start is compacted into a snapshot (WORKLOGS_LOCAL_COMPACT_AFTER)."""
    return int(os.environ.get("WORKLOGS_LOCAL_COMPACT_AFTER") or 2000)


def default_dynamodb_port() -> int:
    return int(os.environ.get("WORKLOGS_LOCAL_DYNAMODB_PORT") or DEFAULT_DYNAMODB_PORT)


class DataDirBusy(RuntimeError):
    """Another runner holds the data directory."""


class Journal:
    """Append-only, fsynced log of accepted DynamoDB write requests (one JSON object per line)."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / JOURNAL
        self._lock_file: Any = None
        self._file: Any = None
        self.entries = 0

    def lock(self) -> None:
        """Take the data directory for this process; DataDirBusy when another runner has it."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        handle = (self.data_dir / LOCK).open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.close()
            raise DataDirBusy(f"{self.data_dir} is in use by another local runner") from error
        self._lock_file = handle

    def read(self) -> Iterator[dict[str, Any]]:
        """The journal's entries in order; a torn last line (a write killed mid-append, never answered) ends it."""
        if not self.path.is_file():
            return
        with self.path.open("rb") as handle:
            for raw in handle:
                try:
                    entry = json.loads(raw)
                except ValueError:
                    break
                if not raw.endswith(b"\n"):
                    break
                yield entry

    def open(self) -> None:
        self._file = self.path.open("ab")

    def append(self, target: str, body: bytes) -> None:
        line = json.dumps({"target": target, "body": body.decode("utf-8")}, separators=(",", ":")).encode() + b"\n"
        self._file.write(line)
        self._file.flush()
        os.fsync(self._file.fileno())
        self.entries += 1

    def rewrite(self, entries: Iterable[tuple[str, dict[str, Any]]]) -> int:
        """Replace the journal by `entries` atomically (temp file, fsync, rename, fsync the directory)."""
        temporary = self.path.with_suffix(".compacting")
        count = 0
        with temporary.open("wb") as handle:
            for target, body in entries:
                text = json.dumps(body, separators=(",", ":"))
                handle.write(json.dumps({"target": target, "body": text}, separators=(",", ":")).encode() + b"\n")
                count += 1
            handle.flush()
            os.fsync(handle.fileno())
        if self._file is not None:
            self._file.close()
        os.replace(temporary, self.path)
        directory = os.open(self.data_dir, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
        self.entries = count
        self.open()
        return count

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


class JournalingApp:
    """WSGI middleware in front of moto's DynamoDB: serialises writes and journals each accepted one."""

    def __init__(self, app: Callable[..., Any], journal: Journal):
        self.app = app
        self.journal = journal
        self.recording = False  # off while the journal is replayed
        self._writes = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        operation = target.removeprefix(TARGET_PREFIX)
        if operation not in WRITE_TARGETS:
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            captured["status"], captured["headers"], captured["exc_info"] = status, headers, exc_info
            return lambda _data: None

        with self._writes:
            result = self.app(environ, capture)
            try:
                payload = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close:
                    close()
            if self.recording and captured["status"].startswith("200"):
                self.journal.append(operation, body)  # durable before the caller hears "done"
        start_response(captured["status"], captured["headers"], captured.get("exc_info"))
        return [payload]


def _post(endpoint: str, region: str, target: str, body: bytes) -> bytes:
    request = urllib.request.Request(
        endpoint,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": TARGET_PREFIX + target,
            # moto routes by the credential scope; it does not check signatures.
            "Authorization": f"AWS4-HMAC-SHA256 Credential=local/20260101/{region}/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


def replay(journal: Journal, endpoint: str, region: str) -> int:
    """Apply the journal to an empty store, in order; returns the number of entries applied."""
    count = 0
    for entry in journal.read():
        try:
            _post(endpoint, region, entry["target"], entry["body"].encode("utf-8"))
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:300]
            raise RuntimeError(f"replaying {journal.path} entry {count + 1} failed: {detail}") from error
        count += 1
    journal.entries = count
    return count


def _wire(value: Any) -> Any:
    """A boto3 attribute value as DynamoDB's wire JSON (binary as base64)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for kind, inner in value.items():
            if kind == "B":
                out[kind] = base64.b64encode(bytes(inner)).decode("ascii")
            elif kind == "BS":
                out[kind] = [base64.b64encode(bytes(b)).decode("ascii") for b in inner]
            elif kind == "M":
                out[kind] = {k: _wire(v) for k, v in inner.items()}
            elif kind == "L":
                out[kind] = [_wire(v) for v in inner]
            else:
                out[kind] = inner
        return out
    return value


def snapshot_entries(client: Any, tables: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every item of the store as a PutItem entry. A local snapshot reads whole tables: this is the
    runner's own maintenance, not an access pattern of the product."""
    for table in tables:
        for page in client.get_paginator("scan").paginate(TableName=table):
            for item in page.get("Items", []):
                yield "PutItem", {"TableName": table, "Item": {k: _wire(v) for k, v in item.items()}}


def compact(journal: Journal, client: Any, tables: Iterable[str], app: JournalingApp) -> int:
    """Rewrite the journal as a snapshot of the current items (writes paused meanwhile)."""
    with app._writes:
        return journal.rewrite(list(snapshot_entries(client, tables)))


def port_in_use(host: str, port: int) -> bool:
    """Whether something already listens on host:port (port 0 is never in use)."""
    import socket

    if port == 0:
        return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def start_persistent_dynamodb(host: str, port: int, journal: Journal | None) -> tuple[Any, str, JournalingApp | None]:
    """moto's DynamoDB server on host:port (0 = any free port), journaled when `journal` is given."""
    import logging

    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per DynamoDB request
    holder: dict[str, JournalingApp] = {}

    class Server(ThreadedMotoServer):
        def _server_entry(self) -> None:
            app: Any = DomainDispatcherApplication(create_backend_app)
            if journal is not None:
                app = holder["app"] = JournalingApp(app, journal)
            self._server = make_server(self._ip_address, self._port, app, True)
            self._server_ready_event.set()
            self._server.serve_forever()

    server = Server(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    return server, f"http://{bound_host}:{bound_port}", holder.get("app")


def reset() -> str:
    """Delete the local runner's data (refused while a runner uses it)."""
    import shutil

    directory = data_dir()
    if not directory.exists():
        return f"{directory} is already empty; the next `make run` starts empty."
    journal = Journal(directory)
    try:
        journal.lock()
    except DataDirBusy:
        return f"A local runner is using {directory}: stop it (Ctrl-C), then `make reset` again."
    try:
        shutil.rmtree(directory)
    finally:
        journal.close()
    return f"Deleted {directory}; the next `make run` starts empty."


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="The local runner's saved data (.local/data).")
    parser.add_argument("--reset", action="store_true", help="delete it: the next `make run` starts empty")
    args = parser.parse_args(argv)
    if args.reset:
        message = reset()
        print(message)
        return 1 if message.startswith("A local runner") else 0
    print(data_dir())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
