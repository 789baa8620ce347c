"""Every integration test that races requests on real threads asks for `atomic_writes`: DynamoDB applies a
conditional write atomically and moto does not, so a race without it tests moto, and fails now and then."""

from __future__ import annotations

import ast

from local.template import ROOT

_RACE_MARKERS = {"Thread", "Barrier", "_race"}


def _races(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id in _RACE_MARKERS:
            return True
        if isinstance(node, ast.Attribute) and node.attr in _RACE_MARKERS:
            return True
    return False


def test_every_racing_integration_test_asks_for_atomic_writes():
    offenders = []
    for path in sorted((ROOT / "tests" / "integration").glob("test_*.py")):
        for node in ast.parse(path.read_text()).body:
            if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and _races(node)):
                continue
            if "atomic_writes" not in {argument.arg for argument in node.args.args}:
                offenders.append(f"{path.name}::{node.name}")
    assert not offenders
