"""Make the embedded (moto) DynamoDB cheaper per request without changing what it answers.

1. Data-plane answers are written as JSON directly. moto builds every response by walking botocore's
   output shape member by member (`moto.core.serialize`); for the item-bearing operations that walk costs
   milliseconds per response, most of a local request's time. Their results are already in DynamoDB's
   wire format (attribute values as `{"S": ...}`), so they are written with `json.dumps`: `None` members
   dropped and bytes base64-encoded, as the shape walk does. Control-plane operations and errors keep
   moto's path. `tests/integration/test_moto_speedups.py` runs a whole flow with both writers and
   compares every answer.
2. A response class's method names are listed once, not on every request.
3. An item's attributes keep a running total of their size. moto checks DynamoDB's 400 KB item limit on
   every attribute it sets by re-measuring every attribute already there (deeply: a worklog's 50 links),
   which makes building an item quadratic. The running total decides only while it is far below the limit
   (100 KB); nearer, or when the attributes changed behind its back, moto's own exact check runs.
4. A transaction backs up only what it can change. To roll back a cancelled transaction, moto deep-copies
   every table it names, once per item: each transaction cost time in proportion to the whole store (on a
   store a fuzz run had filled, a 30-item transaction took seconds and the runner grew past 2 GB). The
   backup is now one shallow copy of the table's item index, deep copies of the items the transaction
   names and the stream's record list; a rollback restores exactly what the full copy restored.
5. A Query on a table's own key reads its partition. moto lists every item of the table, sorted, for each
   such Query and then keeps the partition's: on a store of 50,000 items a strong month report (36 Query
   calls) spent seconds comparing keys. The partition's items are the same ones, and the Query sorts them
   by their sort key as before. Listing the whole table (index queries, scans) sorts by each key's value
   computed once per item instead of once per comparison: the same order.
"""

from __future__ import annotations

import base64
import copy
import functools
import inspect
import json
import threading
from collections import defaultdict
from datetime import datetime
from typing import Any

DATA_PLANE = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
_MARK = "__worklogs_fast__"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(member) for key, member in value.items() if member is not None}
    if isinstance(value, list):
        return [_plain(member) for member in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime):
        return value.timestamp()
    return value


def answer(result: Any) -> str:
    """A data-plane result as the JSON body DynamoDB sends."""
    return json.dumps(_plain(result))


def is_data_plane(context: Any) -> bool:
    return context.service_model.service_name == "dynamodb" and context.operation_model.name in DATA_PLANE


def install() -> None:
    """All five speed-ups (idempotent, process-wide)."""
    _write_answers_directly()
    _list_methods_once()
    _track_item_sizes()
    _back_up_each_table_once()
    _query_reads_its_partition()


def _write_answers_directly() -> None:
    from moto.core.responses import ActionResult

    original = ActionResult.execute_result
    if getattr(original, _MARK, False):
        return

    def execute_result(self: Any, context: Any) -> Any:
        if isinstance(self.result, Exception) or not is_data_plane(context):
            return original(self, context)
        content_type = f"application/x-amz-json-{context.service_model.metadata.get('jsonVersion', '1.0')}"
        return 200, {"Content-Type": content_type}, answer(self.result)

    setattr(execute_result, _MARK, True)
    execute_result.original = original  # type: ignore[attr-defined]
    ActionResult.execute_result = execute_result  # type: ignore[method-assign]


def _list_methods_once() -> None:
    import moto.core.responses as responses_module

    listed = responses_module.method_names_from_class
    if getattr(listed, _MARK, False):
        return
    names: dict[object, list[str]] = {}

    def method_names_from_class(clazz: object) -> list[str]:
        if clazz not in names:
            names[clazz] = listed(clazz)
        return list(names[clazz])

    setattr(method_names_from_class, _MARK, True)
    responses_module.method_names_from_class = method_names_from_class


EXACT_SIZE_CHECK_FROM = 100_000  # bytes; DynamoDB's (and moto's) limit is about 400 KB


def _track_item_sizes() -> None:
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    attributes: Any = dynamo_type.LimitedSizeDict
    exact = attributes.__setitem__
    if getattr(exact, _MARK, False):
        return
    DynamoType = dynamo_type.DynamoType

    def size_of(value: Any) -> int:
        return int(value.size()) if type(value) is DynamoType else int(bytesize(str(value)))

    def __setitem__(self: Any, key: str, value: Any) -> None:
        state = self.__dict__
        total = state.get("_size")
        if total is None or state.get("_length") != len(self):  # new, or changed without __setitem__
            total = sum(int(bytesize(name)) + size_of(member) for name, member in dict.items(self))
        added = int(bytesize(key)) + size_of(value)
        if total + added > EXACT_SIZE_CHECK_FROM:
            state.pop("_size", None)
            exact(self, key, value)
            return
        if dict.__contains__(self, key):
            total -= int(bytesize(key)) + size_of(dict.__getitem__(self, key))
        dict.__setitem__(self, key, value)
        state["_size"], state["_length"] = total + added, len(self)

    setattr(__setitem__, _MARK, True)
    attributes.__setitem__ = __setitem__


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
    """A transaction backs up only what it can change (`_CopyOncePerTransaction`)."""
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


_partition = threading.local()  # (table, hash key) while that table answers a Query on its own key


def _query_reads_its_partition() -> None:
    from moto.dynamodb.models.table import Table

    original_query = Table.query
    if getattr(original_query, _MARK, False):
        return
    signature = inspect.signature(original_query)

    def all_items(self: Any) -> list[Any]:
        def members(bucket: Any) -> list[Any]:  # a partition: {range key: item}, or the item of a hash-only key
            return list(bucket.values()) if self.range_key_attr else [bucket]

        wanted = getattr(_partition, "key", None)
        if wanted is not None and wanted[0] is self:
            # (a defaultdict: never index it with a key it lacks)
            return members(self.items[wanted[1]]) if wanted[1] in self.items else []
        items = [item for bucket in self.items.values() for item in members(bucket)]
        if self.range_key_attr:
            return sorted(items, key=lambda item: (item.hash_key.cast_value, item.range_key.cast_value))
        return sorted(items, key=lambda item: item.hash_key.cast_value)

    @functools.wraps(original_query)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(self, *args, **kwargs).arguments
        if arguments.get("index_name") is not None or arguments.get("hash_key") is None:
            return original_query(self, *args, **kwargs)
        outer = getattr(_partition, "key", None)
        _partition.key = (self, arguments["hash_key"])
        try:
            return original_query(self, *args, **kwargs)
        finally:
            _partition.key = outer

    setattr(query, _MARK, True)
    query.original = original_query  # type: ignore[attr-defined]
    all_items.original = Table.all_items  # type: ignore[attr-defined]
    Table.all_items = all_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
