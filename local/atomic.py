"""Make the embedded (moto) DynamoDB apply each API call atomically, as DynamoDB does.

DynamoDB evaluates a write's condition and applies it as one step, and applies a transaction's items
all or none; concurrent requests never see each other half done. moto's in-memory backend has no
locking: two threads can both pass `attribute_not_exists`, and a transaction can fail with "dictionary
changed size during iteration" while another thread writes. `serialise_store()` wraps every public
operation of moto's DynamoDB backend, and each whole request (its answer is built from the live items), in
one re-entrant lock, so each call runs alone. The local runner turns it on at start; tests that race on
purpose use it through the `atomic_writes` fixture.

It also honours a transaction's ClientRequestToken, as DynamoDB does (moto ignores it): a TransactWriteItems
repeated with the token of a successful one within 10 minutes succeeds without writing again, and one with
the same token but other items is refused (IdempotentParameterMismatchException). The repository sends a
token with each transaction, so a retry of a transaction that was applied but whose answer was lost (the
client's read timeout) is answered as the first one was, not as a failed condition.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import threading
import time
from collections.abc import Callable
from typing import Any

_LOCK = threading.RLock()  # a transaction applies its items through the same (locked) methods
_MARK = "__worklogs_serialised__"
TOKEN_SECONDS = 600  # DynamoDB keeps a transaction's client token for 10 minutes
# token → (fingerprint of its items, when it succeeded), oldest first (a token is added once, at its success)
_TOKENS: dict[str, tuple[str, float]] = {}


def _operations(backend_class: type) -> list[str]:
    names = []
    for name, _member in inspect.getmembers(backend_class, inspect.isfunction):
        if not name.startswith("_"):
            names.append(name)
    return names


def serialise_store(lock: threading.RLock | None = None) -> Callable[[], None]:
    """Wrap each public DynamoDB backend operation in `lock` (one process-wide lock by default).

    Idempotent: operations already wrapped are left alone. Returns a function that undoes what this call
    wrapped (tests use it to leave moto as they found it)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    guard = lock or _LOCK
    wrapped: dict[str, Any] = {}
    # The whole request too: moto builds an answer from the live items after the backend call returns, and
    # an update in another thread changes those items in place ("dictionary changed size during iteration").
    handled = DynamoHandler.call_action
    if not getattr(handled, _MARK, False):

        @functools.wraps(handled)
        def call_action(self: Any, *args: Any, **kwargs: Any) -> Any:
            with guard:
                return handled(self, *args, **kwargs)

        setattr(call_action, _MARK, True)
        DynamoHandler.call_action = call_action  # type: ignore[method-assign]
    transact = DynamoHandler.transact_write_items
    if not getattr(transact, _MARK, False):
        DynamoHandler.transact_write_items = _honouring_tokens(transact, guard)  # type: ignore[method-assign,assignment]
    for name in _operations(DynamoDBBackend):
        original = getattr(DynamoDBBackend, name)
        if getattr(original, _MARK, False):
            continue

        @functools.wraps(original)
        def locked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with guard:
                return _original(self, *args, **kwargs)

        setattr(locked, _MARK, True)
        wrapped[name] = original
        setattr(DynamoDBBackend, name, locked)

    def undo() -> None:
        _TOKENS.clear()
        for name, original in wrapped.items():
            setattr(DynamoDBBackend, name, original)
        if getattr(DynamoHandler.call_action, _MARK, False) and not getattr(handled, _MARK, False):
            DynamoHandler.call_action = handled  # type: ignore[method-assign]
        if getattr(DynamoHandler.transact_write_items, _MARK, False) and not getattr(transact, _MARK, False):
            DynamoHandler.transact_write_items = transact  # type: ignore[method-assign]

    return undo


def _honouring_tokens(transact: Callable[[Any], Any], guard: threading.RLock) -> Callable[[Any], Any]:
    """TransactWriteItems idempotent per ClientRequestToken, as in DynamoDB (see the module's docstring)."""
    from moto.core.responses import ActionResult
    from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException

    @functools.wraps(transact)
    def transact_write_items(self: Any) -> Any:
        token = self.body.get("ClientRequestToken")
        if not token:
            return transact(self)
        fingerprint = hashlib.sha256(json.dumps(self.body["TransactItems"], sort_keys=True).encode()).hexdigest()
        with guard:
            now = time.monotonic()
            while _TOKENS:  # forget the expired ones, from the oldest
                oldest = next(iter(_TOKENS))
                if now - _TOKENS[oldest][1] < TOKEN_SECONDS:
                    break
                del _TOKENS[oldest]
            seen = _TOKENS.get(token)
            if seen is not None:
                if seen[0] != fingerprint:
                    raise DynamodbException(
                        ERROR_TYPE_PREFIX + "IdempotentParameterMismatchException",
                        "The request uses the same client token as a previous, but non-identical request.",
                    )
                return ActionResult({"ConsumedCapacity": [], "ItemCollectionMetrics": {}})
            result = transact(self)
            _TOKENS[token] = (fingerprint, now)
            return result

    setattr(transact_write_items, _MARK, True)
    return transact_write_items
