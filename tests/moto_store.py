"""One moto DynamoDB per test process, with the template's tables, emptied (or reset to a snapshot) per test.

Creating moto and the tables costs far more than most tests; emptying moto's in-memory items is nearly free.
Small tables also keep transactions fast: moto deep-copies a table (and its stream) on every transaction.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

REGION = "us-east-1"
_state: dict[str, Any] = {}

Snapshot = dict[str, Any]


_backups = threading.local()


class _CopyOncePerTransaction:
    """Stands in for the `copy` module inside moto's DynamoDB backend. `transact_write_items` deep-copies a
    whole table (to roll back a cancelled transaction) once per item it writes there: a 50-item transaction
    copies the table 50 times, and every copy copies every item. The backup is the state before the first
    item (nothing is written before the last backup), so one is taken per table, and it copies only what
    the transaction can change: the item dicts, the items it names (moto updates an item in place) and the
    stream's record list. A rollback restores exactly what the full copy restored."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        taken = getattr(_backups, "tables", None)
        if taken is None or not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in taken:
            taken[id(value)] = _backup(value, _backups.keys.get(value.name, []))
        return taken[id(value)]


def _backup(table: Any, keys: list[dict[str, Any]]) -> Any:
    """A copy of `table` that a transaction writing `keys` cannot change."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    backup = copy.copy(table)
    if table.range_key_attr is None:
        backup.items = defaultdict(dict, table.items)
    else:
        backup.items = defaultdict(dict, {hash_: dict(ranges) for hash_, ranges in table.items.items()})
    for key in keys:
        hash_ = DynamoType(key[table.hash_key_attr])
        if table.range_key_attr is None:
            if hash_ in table.items:
                backup.items[hash_] = copy.deepcopy(table.items[hash_])
            continue
        range_ = DynamoType(key[table.range_key_attr])
        if range_ in table.items.get(hash_, {}):
            backup.items[hash_][range_] = copy.deepcopy(table.items[hash_][range_])
    if table.stream_shard is not None:
        backup.stream_shard = copy.copy(table.stream_shard)
        backup.stream_shard.items = list(table.stream_shard.items)
        backup.stream_shard.table = backup
    return backup


def _keys_by_table(backend: Any, transact_items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    keys: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in transact_items:
        for kind, operation in item.items():
            try:
                table = backend.tables.get(operation.get("TableName"))
                if table is None:
                    continue
                key = operation["Item"] if kind == "Put" else operation["Key"]
                names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
                keys[table.name].append({name: key[name] for name in names})
            except (KeyError, TypeError, AttributeError):
                continue  # an operation without a whole key: moto refuses it without writing
    return keys


def _back_up_each_table_once() -> None:
    import moto.dynamodb.models as backend_module

    if isinstance(backend_module.copy, _CopyOncePerTransaction):
        return
    backend_module.copy = _CopyOncePerTransaction()  # type: ignore[assignment]
    original = backend_module.DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        _backups.tables = {}
        _backups.keys = _keys_by_table(self, transact_items)
        try:
            return original(self, transact_items)
        finally:
            _backups.tables = None

    backend_module.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def start() -> Any:
    """Start moto once per process and create the template's tables; returns the DynamoDB client."""
    if "client" not in _state:
        import boto3
        from moto import mock_aws

        from local import moto_speedups
        from local.dynamodb import create_tables

        _back_up_each_table_once()
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
