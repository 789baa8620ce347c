"""One moto DynamoDB per test process, with the template's tables, emptied (or reset to a snapshot) per test.

Creating moto and the tables costs far more than most tests; emptying moto's in-memory items is nearly free.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

REGION = "us-east-1"
_state: dict[str, Any] = {}

Snapshot = dict[str, Any]


def start() -> Any:
    """Start moto once per process and create the template's tables; returns the DynamoDB client."""
    if "client" not in _state:
        import boto3
        from moto import mock_aws

        from local import moto_speedups
        from local.dynamodb import create_tables

        moto_speedups.install()
        mock = mock_aws()
        mock.start()
        client = boto3.client("dynamodb", region_name=REGION)
        create_tables(client)
        mock.stop(remove_data=False)  # moto answers only inside `fresh()`: other tests talk to real endpoints
        _state["client"] = client
    return _state["client"]


def stop() -> None:
    """Forget the store (the next `start()` makes a new one)."""
    _state.pop("client", None)


def _tables() -> dict[str, Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables


def snapshot() -> Snapshot:
    """Every table's items and every cached workspace read as they are now (restore with `reset(snapshot)`):
    the state of a warm container that has just served the requests that wrote them."""
    from worklogs.repository.cache import WorkspaceCache

    tables = {name: copy.deepcopy(table.items) for name, table in _tables().items()}
    caches = []
    for cache in list(WorkspaceCache._every):
        with cache._lock:
            caches.append((cache, {workspace: value for workspace, (_, value) in cache._entries.items()}))
    return {"tables": tables, "caches": caches}


def reset(to: Snapshot | None = None) -> None:
    """Empty every table (or put back a snapshot's items), drop stream records and the other services' state,
    and forget every cached workspace read, so the next test starts as on a fresh store."""
    from moto.events.models import events_backends
    from moto.sqs.models import sqs_backends

    from local import index_lag
    from worklogs.repository.cache import WorkspaceCache

    start()
    for name, table in _tables().items():
        saved = (to or {}).get("tables", {}).get(name)
        table.items = copy.deepcopy(saved) if saved is not None else defaultdict(dict)
        if table.stream_shard is not None:
            table.stream_shard.items = []
    for backends in (events_backends, sqs_backends):  # the change-event publisher's bus and queue
        for account in backends.values():
            account.reset()
    index_lag.configure_from_environment()  # INDEX_LAG_SECONDS: GSI queries trail writes, as in AWS
    WorkspaceCache.invalidate_all()
    for cache, entries in (to or {}).get("caches", []):
        for workspace, value in entries.items():
            cache.put(workspace, copy.deepcopy(value))  # cached now: as fresh as right after the requests


@contextmanager
def fresh() -> Iterator[Any]:
    """The empty store for a block (a hypothesis example, which function fixtures do not reset): the client."""
    from moto.core.models import botocore_stubber

    from worklogs.repository.dynamodb import use_client

    client = start()
    # moto's botocore hook alone answers the clients' calls; `mock_aws().start()` would also re-register
    # hundreds of `responses` URL patterns for the `requests` library, which nothing here uses, per test.
    botocore_stubber.enabled = True
    try:
        reset()
        use_client(client)
        yield client
    finally:
        use_client(None)
        reset()  # leave nothing behind: an in-process moto server (the local runner's) shares these tables
        botocore_stubber.enabled = False
