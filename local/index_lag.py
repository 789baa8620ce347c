"""Index lag, as DynamoDB has it: a global secondary index answers from a copy that trails the table.

moto updates its indexes with the write, so code that reads an index right after writing always finds
what it wrote, and tests cannot see the bugs that eventual consistency causes in AWS. With
`INDEX_LAG_SECONDS=N` (read by `make run` and the test fixtures), every `Query` on a GSI answers from the
table as it was N seconds ago: an item written or changed in the last N seconds is missing from the
answer or shows its previous version. Base-table reads (`GetItem`, `Query` without an index) stay exact,
as in AWS.

It wraps moto's in-process backend (the `mock_aws` of the tests and the `ThreadedMotoServer` of the
local runner both run it): each write records the item's versions with their times, and an index query
runs on a view of the table where the last N seconds of versions are not applied yet.
"""

from __future__ import annotations

import copy
import functools
import inspect
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

ENVIRONMENT_VARIABLE = "INDEX_LAG_SECONDS"

_lock = threading.RLock()
_state: dict[str, Any] = {"lag": 0.0, "installed": False}
# (backend id, table name) -> item key -> [(written at, item after the write or None)], oldest first;
# the first entry is the version before the first recorded write (time 0: visible to every reader).
_history: dict[tuple[int, str], dict[tuple[Any, Any], list[tuple[float, Any]]]] = {}
_in_transaction = threading.local()


def lag_seconds() -> float:
    return float(_state["lag"])


def set_lag(seconds: float) -> None:
    """Make index queries trail writes by `seconds` from now on (0: indexes are exact, moto's default)."""
    install()
    with _lock:
        _state["lag"] = max(0.0, float(seconds))
        _history.clear()


def configure_from_environment() -> float:
    """Apply INDEX_LAG_SECONDS (absent or empty: no lag). Returns the lag in effect."""
    text = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    try:
        seconds = float(text) if text else 0.0
    except ValueError:
        raise SystemExit(f"{ENVIRONMENT_VARIABLE} must be a number of seconds, not {text!r}") from None
    set_lag(seconds)
    return seconds


def _record(backend: Any, table_name: str, key: tuple[Any, Any], before: Any, after: Any, at: float) -> None:
    with _lock:
        versions = _history.setdefault((id(backend), table_name), {}).setdefault(key, [])
        if not versions:
            versions.append((0.0, before))
        versions.append((at, after))


def _item(table: Any, key: tuple[Any, Any]) -> Any:
    found = table.get_item(*key) if table.has_range_key else table.get_item(key[0])
    return copy.deepcopy(found)


def _recording(original: Callable[..., Any], key_argument: str) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not _state["lag"]:
            return original(self, *args, **kwargs)
        arguments = signature.bind(self, *args, **kwargs).arguments
        table_name = arguments["table_name"]
        try:
            table = self.get_table(table_name)
            key = self.get_keys_value(table, arguments[key_argument])
        except Exception:  # an invalid request: let moto answer it
            return original(self, *args, **kwargs)
        before = _item(table, key)
        result = original(self, *args, **kwargs)
        entry = (self, table_name, key, before, _item(self.get_table(table_name), key), time.time())
        pending = getattr(_in_transaction, "writes", None)
        if pending is not None:
            pending.append(entry)  # recorded only if the whole transaction succeeds
        else:
            _record(*entry)
        return result

    return write


def _transaction(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def transact(self: Any, *args: Any, **kwargs: Any) -> Any:
        outer = getattr(_in_transaction, "writes", None)
        _in_transaction.writes = []
        try:
            result = original(self, *args, **kwargs)
            writes = _in_transaction.writes
        finally:
            _in_transaction.writes = outer
        for entry in writes:
            _record(*entry)
        return result

    return transact


def _stale_items(table: Any, backend_id: int, cutoff: float) -> Any:
    """The table's items as an index that has applied only the writes made before `cutoff` shows them."""
    with _lock:
        history = _history.get((backend_id, table.name))
        if not history:
            return None
        # list() and dict() copy in one step under the GIL, while moto's server threads keep writing.
        stale: dict[Any, Any] = defaultdict(dict) if table.has_range_key else {}
        for hash_key, value in list(table.items.items()):
            stale[hash_key] = dict(value) if table.has_range_key else value
        settled = []
        for key, versions in history.items():
            visible = [item for at, item in versions if at <= cutoff][-1]
            if versions[-1][0] <= cutoff:
                settled.append(key)
            hash_key, range_key = key
            if table.has_range_key:
                rows = stale.setdefault(hash_key, {})
                if visible is None:
                    rows.pop(range_key, None)
                else:
                    rows[range_key] = visible
            elif visible is None:
                stale.pop(hash_key, None)
            else:
                stale[hash_key] = visible
        for key in settled:  # every version is older than the lag: the index shows the table's item
            del history[key]
    return stale


def _lagging_query(original: Callable[..., Any]) -> Callable[..., Any]:
    signature = inspect.signature(original)

    @functools.wraps(original)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        lag = _state["lag"]
        if not lag or not signature.bind(self, *args, **kwargs).arguments.get("index_name"):
            return original(self, *args, **kwargs)
        backend_id = _backend_of.get(id(self))
        stale = _stale_items(self, backend_id, time.time() - lag) if backend_id is not None else None
        if stale is None:
            return original(self, *args, **kwargs)
        view = copy.copy(self)  # shares everything with the table but its items
        view.items = stale
        return original(view, *args, **kwargs)

    return query


# Table object id -> backend id; transactions replace Table objects on failure, so this is refreshed on reads.
_backend_of: dict[int, int] = {}


def _tracking_get_table(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def get_table(self: Any, table_name: str) -> Any:
        table = original(self, table_name)
        if _state["lag"]:
            _backend_of[id(table)] = id(self)
        return table

    return get_table


def install() -> None:
    """Wrap moto's DynamoDB backend once (idempotent); without a lag the wrappers pass straight through."""
    with _lock:
        if _state["installed"]:
            return
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.models.table import Table

        DynamoDBBackend.get_table = _tracking_get_table(DynamoDBBackend.get_table)
        DynamoDBBackend.put_item = _recording(DynamoDBBackend.put_item, "item_attrs")
        DynamoDBBackend.update_item = _recording(DynamoDBBackend.update_item, "key")
        DynamoDBBackend.delete_item = _recording(DynamoDBBackend.delete_item, "key")
        DynamoDBBackend.transact_write_items = _transaction(DynamoDBBackend.transact_write_items)
        Table.query = _lagging_query(Table.query)
        _state["installed"] = True


def settle() -> None:
    """Let the indexes catch up with every write so far (as time passing would)."""
    with _lock:
        _history.clear()
