"""Loads each function's handler from its CodeUri, the way Lambda imports `app.lambda_handler`.

Like Lambda, an instance of a function serves one request at a time (Powertools' resolver keeps the
current event on the module). Concurrent requests get more instances — "containers" — each its own
module load; the shared layer modules are shared, as a layer is within one process.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from local.template import FunctionSpec, functions

_lock = threading.Lock()
_idle: dict[str, list[ModuleType]] = {}
_serial = itertools.count()


def _load(spec: FunctionSpec) -> ModuleType:
    name = f"worklogs_function_{spec.logical_id}_{next(_serial)}"
    module_spec = importlib.util.spec_from_file_location(name, spec.module_file)
    assert module_spec and module_spec.loader
    module = importlib.util.module_from_spec(module_spec)
    # Inside, the module is named as Lambda imports it (`app` for `app.lambda_handler`): names derived from
    # it, such as Powertools' idempotency key prefix (`<module>.<function>`), are the same in every instance,
    # as in every Lambda container. sys.modules keeps each instance under its own name.
    sys.modules[name] = module
    code = module_spec.loader.get_code(name)  # type: ignore[attr-defined]
    module.__dict__["__name__"] = spec.handler.rsplit(".", 1)[0]
    exec(code, module.__dict__)  # noqa: S102  (what exec_module does, under the module's Lambda name)
    return module


def _acquire(spec: FunctionSpec) -> ModuleType:
    with _lock:
        idle = _idle.setdefault(spec.logical_id, [])
        if idle:
            return idle.pop()
    return _load(spec)


def _release(spec: FunctionSpec, module: ModuleType) -> None:
    with _lock:
        _idle[spec.logical_id].append(module)


def handler(logical_id: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    spec = functions()[logical_id]

    def invoke(event: dict[str, Any], context: Any) -> dict[str, Any]:
        module = _acquire(spec)
        try:
            return getattr(module, spec.handler_name)(event, context)
        finally:
            _release(spec, module)

    return invoke


def warm(logical_id: str) -> None:
    """Load one instance ahead of the first request (the runner's start-up)."""
    spec = functions()[logical_id]
    _release(spec, _acquire(spec))


def resolver(logical_id: str) -> Any:
    """The function's Powertools resolver (`app`), e.g. to read its OpenAPI schema."""
    spec = functions()[logical_id]
    module = _acquire(spec)
    _release(spec, module)
    return module.app
