"""Loads each function's handler from its CodeUri, the way Lambda imports `app.lambda_handler`."""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from local.template import FunctionSpec, functions

_lock = threading.Lock()
_modules: dict[str, ModuleType] = {}


def load_module(spec: FunctionSpec) -> ModuleType:
    with _lock:
        if spec.logical_id not in _modules:
            name = f"worklogs_function_{spec.logical_id}"
            module_spec = importlib.util.spec_from_file_location(name, spec.module_file)
            assert module_spec and module_spec.loader
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[name] = module
            module_spec.loader.exec_module(module)
            _modules[spec.logical_id] = module
        return _modules[spec.logical_id]


def handler(logical_id: str) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    spec = functions()[logical_id]
    return getattr(load_module(spec), spec.handler_name)


def resolver(logical_id: str) -> Any:
    """The function's Powertools resolver (`app`), e.g. to read its OpenAPI schema."""
    return load_module(functions()[logical_id]).app
