"""Only `worklogs/repository/` talks to AWS data stores: no other module of the layer, and no function
handler, imports boto3 or botocore."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "common" / "python" / "worklogs"
AWS_SDK = {"boto3", "botocore"}


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_repository_imports_the_aws_sdk():
    sources = [*LAYER.rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    outside = [path for path in sources if (LAYER / "repository") not in path.parents]
    assert len(outside) > 50  # the layer and the handlers were found
    offenders = sorted(str(path.relative_to(ROOT)) for path in outside if _imported_roots(path) & AWS_SDK)
    assert offenders == []


def test_the_repository_does_import_it():
    """The check above can see an import: the repository's own modules show up."""
    users = [path.name for path in (LAYER / "repository").glob("*.py") if _imported_roots(path) & AWS_SDK]
    assert {"dynamodb.py", "workspace_item.py", "approvals.py"} <= set(users)
