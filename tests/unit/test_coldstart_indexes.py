"""worklogs.coldstart's lazy package indexes: the same names and objects as the real package, loaded on use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from local.template import ROOT
from worklogs.coldstart import INDEXED_PACKAGES, package_exports

LAYER = str(ROOT / "layers" / "common" / "python")


def _run(code: str) -> dict:
    env = {**os.environ, "PYTHONPATH": LAYER}
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_exports_are_read_from_from_imports_absolute_relative_and_nested():
    source = textwrap.dedent(
        """
        from .alb import ALBEvent
        from .proxy import (ProxyEvent, ProxyEventV2 as V2)
        from pkg.other.deep import Thing
        from ..sibling import Near
        from . import submodule
        import json
        import pkg.other.deep as deep_module
        ALIAS = 1
        """
    )
    code = compile(source, "pkg/sub/__init__.py", "exec")
    assert package_exports("pkg.sub", code) == {
        "ALBEvent": "pkg.sub.alb",
        "ProxyEvent": "pkg.sub.proxy",
        "ProxyEventV2": "pkg.sub.proxy",  # the module's attribute; the rare `as` rename is served by the full init
        "Thing": "pkg.other.deep",
        "Near": "pkg.sibling",
        "submodule": "pkg.sub",
    }


@pytest.mark.parametrize("package", INDEXED_PACKAGES)
def test_an_index_serves_every_public_name_as_the_real_package_does(package):
    real = _run(
        f"""
        import importlib, json
        module = importlib.import_module({package!r})
        print(json.dumps({{name: [getattr(module, name).__module__, getattr(module, name).__qualname__]
                          for name in module.__all__}}))
        """
    )
    lazy = _run(
        f"""
        import importlib, json, sys
        from worklogs import coldstart
        assert coldstart.lazy_package({package!r})
        module = importlib.import_module({package!r})
        assert module.__dict__['__getattr__'].__qualname__.startswith('lazy_package')  # an index, not the package
        names = {sorted(real)!r}
        served = {{name: [getattr(module, name).__module__, getattr(module, name).__qualname__] for name in names}}
        submodules = sorted(m for m in sys.modules if m.startswith({package!r} + "."))
        print(json.dumps({{"served": served, "submodules": submodules}}))
        """
    )
    assert real, "the package has public names"
    assert lazy["served"] == real


def test_an_index_loads_only_the_modules_of_the_names_read_and_falls_back_to_the_real_init():
    result = _run(
        """
        import json, sys
        from worklogs import coldstart
        coldstart.begin()
        from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, content_types
        import aws_lambda_powertools.event_handler as handler
        before = sorted(m for m in sys.modules if m.startswith("aws_lambda_powertools.event_handler."))
        try:
            handler.NoSuchName
            missing = "served"
        except AttributeError:
            missing = "AttributeError"
        everything = handler.__all__  # not a `from ... import` name: the real __init__ runs once
        after = sorted(m for m in sys.modules if m.startswith("aws_lambda_powertools.event_handler."))
        print(json.dumps({"resolver": APIGatewayHttpResolver.__name__, "content_types": content_types.__name__,
                          "before": before, "missing": missing, "everything": len(everything), "after": after}))
        """
    )
    assert result["resolver"] == "APIGatewayHttpResolver"
    assert result["content_types"] == "aws_lambda_powertools.event_handler.content_types"
    assert "aws_lambda_powertools.event_handler.appsync" not in result["before"]
    assert result["missing"] == "AttributeError"
    assert result["everything"] >= 10
    assert "aws_lambda_powertools.event_handler.appsync" in result["after"]


def test_an_already_imported_package_is_left_alone():
    result = _run(
        """
        import json
        import aws_lambda_powertools.event_handler
        from worklogs import coldstart
        print(json.dumps([coldstart.lazy_package("aws_lambda_powertools.event_handler"),
                          coldstart.lazy_package("no_such_package_here.sub")]))
        """
    )
    assert result == [False, False]
