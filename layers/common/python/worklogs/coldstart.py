"""What every function does first and last at a cold start: `begin()` before its imports, `init_done()` after.

Garbage collection. Init and the first request allocate most of what a container keeps (modules, models,
the DynamoDB client and its service model); cyclic collections during them find almost nothing to free.
`begin()` disables the collector; on Lambda (`LAMBDA_TASK_ROOT` set) it stays off until the first request
is answered, then everything allocated so far is frozen (later collections skip it) and collection
resumes. Elsewhere (tests, the local runner) collection resumes at the end of init.

Package indexes. Two Powertools packages import every module they index when first touched:
`aws_lambda_powertools.event_handler` (the AppSync, Bedrock, VPC Lattice, ALB and Function URL resolvers
beside the HTTP API one) and `aws_lambda_powertools.utilities.data_classes` (about 30 event shapes; the
resolver needs one). `begin()` registers each as an index that loads a name's module when the name is
first read, as `from package import Name` does. The names and their modules are read from the package's
own compiled `__init__` (its `from .module import Name` statements), so the index follows the installed
version; a name it does not list, or any failure to read the index, runs the real `__init__` instead.
Measured in `make bench` (docs/operations.md "Cold starts").
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
import sys
from typing import Any

# Powertools packages whose `__init__` imports far more than a function uses.
INDEXED_PACKAGES = ("aws_lambda_powertools.event_handler", "aws_lambda_powertools.utilities.data_classes")


def begin() -> None:
    """First statement of every function module: no collections during init, Powertools' indexes lazy."""
    gc.disable()
    for name in INDEXED_PACKAGES:
        lazy_package(name)


def init_done() -> None:
    gc.freeze()
    if not os.environ.get("LAMBDA_TASK_ROOT"):
        gc.enable()


def request_done() -> None:
    """After each invocation: the first one re-enables the collector (a no-op once it is on)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def package_exports(name: str, code: Any) -> dict[str, str]:
    """Each name a package's `__init__` binds with `from <module> import <name>`, and that module's full name.

    Read from the bytecode, since a precompiled layer ships libraries without their source: an
    `IMPORT_NAME` (preceded by its level and from-list constants) opens a module, each `IMPORT_FROM` names
    one of its attributes."""
    import dis

    exports: dict[str, str] = {}
    module: str | None = None
    before: list[Any] = [None, None]  # the two instructions before the current one: level, from-list
    for instruction in dis.get_instructions(code):
        if instruction.opname == "IMPORT_NAME":
            level = before[0].argval if before[0] is not None and isinstance(before[0].argval, int) else 0
            if before[1] is None or not isinstance(before[1].argval, tuple):
                module = None  # `import a.b as c` (no from-list): its IMPORT_FROM reads a submodule, not a name
            elif level:
                base = name.rsplit(".", level - 1)[0] if level > 1 else name
                module = f"{base}.{instruction.argval}" if instruction.argval else base
            else:
                module = instruction.argval
        elif instruction.opname == "IMPORT_FROM" and module:
            exports[instruction.argval] = module
        before = [before[1], instruction]
    return exports


def lazy_package(name: str) -> bool:
    """Register package `name` as an index (see the module docstring). False, with nothing changed, when the
    package is already imported, is not installed, or its index cannot be read."""
    if name in sys.modules:
        return False
    parent_name, _, child = name.rpartition(".")
    try:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not spec.submodule_search_locations:
            return False
        exports = package_exports(name, spec.loader.get_code(name))  # type: ignore[attr-defined]
    except Exception:  # any surprise: the package imports as usual
        return False
    if not exports:
        return False
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader
    complete = False

    def __getattr__(attribute: str) -> Any:
        nonlocal complete
        source = exports.get(attribute)
        if source is not None and not complete:
            value = getattr(importlib.import_module(source), attribute)
        elif not complete and importlib.util.find_spec(f"{name}.{attribute}") is not None:
            value = importlib.import_module(f"{name}.{attribute}")  # a submodule: `from package import module`
        elif not complete:
            complete = True  # a name the index does not list: the real `__init__` defines everything
            loader.exec_module(module)
            if attribute not in module.__dict__:
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
            value = module.__dict__[attribute]
        else:
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")
        setattr(module, attribute, value)
        return value

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[name] = module
    setattr(sys.modules[parent_name], child, module)
    return True
