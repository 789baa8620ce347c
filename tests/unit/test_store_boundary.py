"""Only `worklogs/repository/` talks to AWS data stores: no other module of the layer, and no function
handler, imports boto3 or botocore. The repository, in turn, raises its own errors (repository/errors.py)
and never the API's (worklogs/errors.py): the services decide what a store outcome means over HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "common" / "python" / "worklogs"
AWS_SDK = {"boto3", "botocore"}
API_ERRORS = "worklogs.errors"


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


def _imported_modules(source: str, package: tuple[str, ...]) -> set[str]:
    """Every module a file of `package` imports, by full name: `from worklogs import errors` and
    `from ..errors import X` (in worklogs.repository) both import worklogs.errors."""
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            parent = list(package[: len(package) - node.level + 1]) if node.level else []
            base = ".".join([*parent, *([node.module] if node.module else [])])
            modules |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return modules


def _layer_imports(path: Path) -> set[str]:
    return _imported_modules(path.read_text(encoding="utf-8"), path.relative_to(LAYER.parent).parent.parts)


def _imports_api_errors(modules: set[str]) -> bool:
    return any(name == API_ERRORS or name.startswith(API_ERRORS + ".") for name in modules)


def test_the_repository_raises_no_api_errors():
    sources = list((LAYER / "repository").rglob("*.py"))
    assert len(sources) > 10  # the repository was found
    offenders = sorted(str(path.relative_to(ROOT)) for path in sources if _imports_api_errors(_layer_imports(path)))
    assert offenders == []


@pytest.mark.parametrize(
    "source",
    [
        "from worklogs.errors import PreconditionFailed",
        "import worklogs.errors",
        "from worklogs import errors",
        "from ..errors import ServiceUnavailable",
        "def f():\n    from worklogs.errors import NotFound",
    ],
)
def test_the_check_sees_each_spelling_of_the_import(source):
    assert _imports_api_errors(_imported_modules(source, ("worklogs", "repository")))


def test_the_check_tells_the_repository_errors_apart():
    assert not _imports_api_errors(_imported_modules("from .errors import VersionConflict", ("worklogs", "repository")))
    assert not _imports_api_errors(_imported_modules("from worklogs.repository.errors import X", ("worklogs",)))
    assert _imports_api_errors(_layer_imports(LAYER / "core" / "store_errors.py"))
