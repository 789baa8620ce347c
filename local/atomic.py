"""Make the embedded (moto) DynamoDB apply each API call atomically, as DynamoDB does.

DynamoDB evaluates a write's condition and applies it as one step, and applies a transaction's items
all or none; concurrent requests never see each other half done. moto's in-memory backend has no
locking: two threads can both pass `attribute_not_exists`, and a transaction can fail with "dictionary
changed size during iteration" while another thread writes. `serialise_store()` wraps every public
operation of moto's DynamoDB backend, and each whole request (its answer is built from the live items), in
one re-entrant lock, so each call runs alone. The local runner turns it on at start; tests that race on
purpose use it through the `atomic_writes` fixture.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

_LOCK = threading.RLock()  # a transaction applies its items through the same (locked) methods
_MARK = "__worklogs_serialised__"


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
        for name, original in wrapped.items():
            setattr(DynamoDBBackend, name, original)
        if getattr(DynamoHandler.call_action, _MARK, False) and not getattr(handled, _MARK, False):
            DynamoHandler.call_action = handled  # type: ignore[method-assign]

    return undo
