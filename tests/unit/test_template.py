"""template.yaml is the truth: every route has a handler and is documented, every !Ref resolves."""

import json
import re

import pytest

from local.template import functions, load_template, routes, table_definitions
from worklogs.openapi import SCHEMA_FILE


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref":
                yield value
            elif key == "Fn::GetAtt":
                yield value[0]
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_every_ref_resolves():
    template = load_template()
    known = set(template["Resources"]) | set(template.get("Parameters", {})) | {"AWS::Region", "AWS::URLSuffix"}
    missing = {ref for ref in _refs(template) if ref not in known and not ref.startswith("AWS::")}
    assert not missing


def test_every_function_handler_exists():
    for spec in functions().values():
        assert spec.module_file.is_file(), spec
        text = spec.module_file.read_text()
        # defined, or made once at import by the bootstrap (`lambda_handler = function.api_entry()`)
        assert re.search(rf"^(def {spec.handler_name}\(|{spec.handler_name} = )", text, re.MULTILINE), spec


def test_openapi_documents_exactly_the_template_routes():
    schema = json.loads(SCHEMA_FILE.read_text())
    documented = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    public = {(route.method, route.path) for route in routes() if route.authorized}
    assert documented == public


def test_main_table_keys_and_indexes():
    main = table_definitions()["MainTable"]
    assert [k["AttributeName"] for k in main["KeySchema"]] == ["PK", "SK"]
    assert {index["IndexName"] for index in main["GlobalSecondaryIndexes"]} >= {"GSI1", "GSI2"}
    properties = load_template()["Resources"]["MainTable"]["Properties"]
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["TimeToLiveSpecification"]["AttributeName"] == "expiresAt"


@pytest.mark.parametrize("function", ["SearchWorklogsFunction", "ReportWorklogsFunction"])
def test_read_function_cannot_write(function):
    policies = load_template()["Resources"][function]["Properties"]["Policies"]
    assert all("Crud" not in next(iter(policy)) and "Write" not in next(iter(policy)) for policy in policies)


def test_the_timer_needs_no_secret():
    policies = load_template()["Resources"]["TimerFunction"]["Properties"]["Policies"]
    assert [next(iter(policy)) for policy in policies] == ["DynamoDBCrudPolicy"]


def test_rollup_function_runs_on_a_schedule_parameter_and_billing_can_only_read():
    template = load_template()
    rollup = template["Resources"]["RollupPeriodsFunction"]["Properties"]
    schedule = next(iter(rollup["Events"].values()))
    assert schedule["Type"] == "Schedule" and schedule["Properties"]["Schedule"] == {"Ref": "RollupSchedule"}
    assert template["Parameters"]["RollupSchedule"]["Default"] == "rate(5 minutes)"
    billing = template["Resources"]["BillingReadPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    actions = {action for statement in billing for action in statement["Action"]}
    assert actions <= {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:DescribeTable"}
    assert "BillingReadPolicyArn" in template["Outputs"]
    rollup_table = table_definitions()["RollupTable"]
    assert {index["IndexName"] for index in rollup_table["GlobalSecondaryIndexes"]} == {"GSI1", "GSI2"}


def test_report_function_cannot_write():
    policies = load_template()["Resources"]["ReportWorklogsFunction"]["Properties"]["Policies"]
    assert all("Crud" not in next(iter(policy)) and "Write" not in next(iter(policy)) for policy in policies)
