"""Every metric a function emits has a literal name, and docs/operations.md lists exactly those names.

A name built at run time is how approvals once counted `ApprovalsRejectd`: names are string literals, or
values of a module-level dict of literals, so they can be read here, searched for and documented."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "functions").glob("*/app.py")) + sorted((ROOT / "layers/common/python").rglob("*.py"))


def _literal_dicts(tree: ast.Module) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and len(node.targets) == 1:
            target = node.targets[0]
            values = [v.value if isinstance(v, ast.Constant) else None for v in node.value.values]
            if isinstance(target, ast.Name) and all(isinstance(v, str) for v in values):
                found[target.id] = [str(v) for v in values]
    return found


def emitted_names() -> dict[str, list[str]]:
    """metric name → files emitting it; raises on a name that is not a literal."""
    names: dict[str, list[str]] = {}
    for source in SOURCES:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        tables = _literal_dicts(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "add_metric"):
                continue
            name = next((k.value for k in node.keywords if k.arg == "name"), node.args[0] if node.args else None)
            where = f"{source.relative_to(ROOT)}:{node.lineno}"
            if isinstance(name, ast.Constant) and isinstance(name.value, str):
                found = [name.value]
            elif isinstance(name, ast.Subscript) and isinstance(name.value, ast.Name) and name.value.id in tables:
                found = tables[name.value.id]
            else:
                raise AssertionError(f"{where}: metric name is not a literal: {ast.unparse(name) if name else None}")
            for metric in found:
                names.setdefault(metric, []).append(where)
    return names


def documented_names() -> set[str]:
    text = (ROOT / "docs/operations.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `(\w+)` \| (?:Count|Seconds|Milliseconds) \|", text, re.M))


def test_every_metric_name_is_a_literal_and_documented() -> None:
    emitted = emitted_names()
    assert {"WorklogsCreated", "ApprovalsRejected", "OldestMarkerAge"} <= set(emitted)
    assert set(emitted) == documented_names(), (
        f"emitted, not in docs/operations.md: {sorted(set(emitted) - documented_names())}; "
        f"documented, never emitted: {sorted(documented_names() - set(emitted))}"
    )


def test_a_name_built_at_run_time_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = tmp_path / "app.py"
    module.write_text('metrics.add_metric(name=f"Approvals{action}d", unit="Count", value=1)\n')
    monkeypatch.setattr(sys.modules[__name__], "SOURCES", [module])
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="not a literal"):
        emitted_names()
