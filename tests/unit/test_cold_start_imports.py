"""What a function loads at cold start (docs/operations.md "Cold starts"): only what it serves.

Each function is imported in a fresh interpreter, as Lambda does, and the modules it loaded are listed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from local.template import ROOT, functions, local_environment

_LIST_MODULES = "import json, sys\nimport app\nprint(json.dumps(sorted(sys.modules)))\n"


def _modules_after_import(function: str) -> set[str]:
    spec = functions()[function]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "POWERTOOLS_"))}
    env.update(local_environment())
    env["PYTHONPATH"] = os.pathsep.join([str(spec.code_dir), str(ROOT / "layers" / "common" / "python")])
    # As on Lambda: Powertools and the X-Ray SDK take their Lambda paths (elsewhere the SDK's default sampler
    # creates botocore clients at import).
    env.update(LAMBDA_TASK_ROOT=str(spec.code_dir), AWS_LAMBDA_FUNCTION_NAME=function, AWS_REGION="us-east-1")
    out = subprocess.run(
        [sys.executable, "-c", _LIST_MODULES], cwd=spec.code_dir, env=env, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_the_scheduled_rollup_loads_neither_the_http_resolver_nor_pydantic():
    # A run with nothing dirty (the common case) needs neither; the recomputation loads them when a day needs it.
    loaded = _modules_after_import("RollupPeriodsFunction")
    resolver = "aws_lambda_powertools.event_handler.api_gateway"  # the package itself is an unloaded index
    assert not {resolver, "pydantic", "worklogs.models", "boto3"} & loaded
    assert "worklogs.rollups.recompute" not in loaded


@pytest.mark.parametrize("function", ["CreateWorklogFunction", "ReportWorklogsFunction"])
def test_api_functions_create_no_aws_client_at_import(function):
    loaded = _modules_after_import(function)
    assert "boto3" not in loaded
    assert "botocore.session" not in loaded  # the DynamoDB client is created on first use


@pytest.mark.parametrize("function", ["CreateWorklogFunction", "WorklogTypesFunction"])
def test_api_functions_load_only_the_http_resolver_and_its_event_shape(function):
    # coldstart.begin() makes Powertools' event_handler and data_classes packages load names on use.
    loaded = _modules_after_import(function)
    assert "aws_lambda_powertools.event_handler.api_gateway" in loaded
    assert "aws_lambda_powertools.utilities.data_classes.api_gateway_proxy_event" in loaded
    others = {
        "aws_lambda_powertools.event_handler.appsync",
        "aws_lambda_powertools.event_handler.bedrock_agent",
        "aws_lambda_powertools.event_handler.vpc_lattice",
        "aws_lambda_powertools.utilities.data_classes.kinesis_firehose_event",
        "aws_lambda_powertools.utilities.data_classes.s3_event",
        "aws_lambda_powertools.utilities.data_classes.sqs_event",
    }
    assert not others & loaded


def test_pydantic_model_modules_evaluate_annotations_at_class_creation():
    # With `from __future__ import annotations` every field annotation is a string that pydantic compiles and
    # evaluates when the class is made: measurably slower imports (docs/operations.md "Cold starts").
    import ast

    layer = ROOT / "layers" / "common" / "python" / "worklogs"
    offenders = []
    for path in sorted(layer.rglob("*.py")):
        tree = ast.parse(path.read_text())
        future = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "__future__"
            and any(alias.name == "annotations" for alias in node.names)
            for node in tree.body
        )
        models = any(
            isinstance(node, ast.ClassDef)
            and any(isinstance(base, ast.Name) and base.id in {"BaseModel", "ApiModel"} for base in node.bases)
            for node in tree.body
        )
        if future and models:
            offenders.append(str(path.relative_to(layer)))
    assert not offenders


@pytest.mark.parametrize("fails", [False, True])
def test_every_invocation_ends_with_the_collector_back_on(fails):
    # On Lambda the collector stays off from init until the first invocation is answered, however it ends.
    import gc

    from local.events import LambdaContext
    from worklogs import bootstrap

    def body(event, context):
        if fails:
            raise RuntimeError("refused")
        return {"ok": True}

    handler = bootstrap.Function().entry(body)
    gc.disable()
    try:
        try:
            handler({}, LambdaContext("test"))
        except RuntimeError:
            assert fails
        assert gc.isenabled()
    finally:
        gc.enable()
