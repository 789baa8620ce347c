"""The template's operational guarantees, checked for every function and table it declares — so a
function added later cannot ship without a log group, alarms or a build recipe."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from local.template import ROOT, load_template, resources

TEMPLATE = load_template()
FUNCTIONS = resources(TEMPLATE, "AWS::Serverless::Function")
ALARMS = resources(TEMPLATE, "AWS::CloudWatch::Alarm")


def _alarms_on(namespace: str, metric: str, dimension: str, target: str) -> list[str]:
    found = []
    for name, alarm in ALARMS.items():
        props = alarm["Properties"]
        dimensions = {d["Name"]: d["Value"] for d in props.get("Dimensions", [])}
        if (
            props.get("Namespace") == namespace
            and props.get("MetricName") == metric
            and dimensions.get(dimension) == {"Ref": target}
            and props.get("AlarmActions") == [{"Ref": "AlarmTopic"}]
        ):
            found.append(name)
    return found


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_has_a_log_group_with_retention(function):
    log_group = FUNCTIONS[function]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    group = TEMPLATE["Resources"][log_group]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_every_function_has_error_and_throttle_alarms(function, metric):
    assert _alarms_on("AWS/Lambda", metric, "FunctionName", function), f"no {metric} alarm for {function}"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_every_function_builds_with_its_makefile(function):
    resource = FUNCTIONS[function]
    assert resource["Metadata"]["BuildMethod"] == "makefile"
    makefile = ROOT / resource["Properties"]["CodeUri"] / "Makefile"
    assert re.search(rf"^build-(%|{function}):", makefile.read_text(), re.M), makefile


def test_functions_have_a_reserved_concurrency_parameter():
    reserved = TEMPLATE["Globals"]["Function"]["ReservedConcurrentExecutions"]
    assert reserved["Fn::If"][0] == "HasReservedConcurrency"
    assert reserved["Fn::If"][1] == {"Ref": "FunctionReservedConcurrency"}


def test_api_has_throttling_access_logs_and_a_5xx_alarm():
    api = TEMPLATE["Resources"]["WorklogsApi"]["Properties"]
    assert set(api["DefaultRouteSettings"]) >= {"ThrottlingRateLimit", "ThrottlingBurstLimit"}
    destination = api["AccessLogSettings"]["DestinationArn"]["Fn::GetAtt"][0]
    assert TEMPLATE["Resources"][destination]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert _alarms_on("AWS/ApiGateway", "5xx", "ApiId", "WorklogsApi")


@pytest.mark.parametrize("table", sorted(resources(TEMPLATE, "AWS::DynamoDB::Table")))
def test_tables_are_protected(table):
    resource = TEMPLATE["Resources"][table]
    props = resource["Properties"]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    assert props["DeletionProtectionEnabled"] == {"Ref": "TableDeletionProtection"}
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True


def test_billing_gets_a_read_only_policy_on_the_rollup_table_and_its_indexes():
    policy = TEMPLATE["Resources"]["BillingReadPolicy"]
    assert policy["Type"] == "AWS::IAM::ManagedPolicy"
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"]
    assert statement["Resource"] == [
        {"Fn::GetAtt": ["RollupTable", "Arn"]},
        {"Fn::Sub": "${RollupTable.Arn}/index/*"},
    ]
    outputs = TEMPLATE["Outputs"]
    assert outputs["BillingReadPolicyArn"]["Value"] == {"Ref": "BillingReadPolicy"}
    assert "Export" in outputs["BillingReadPolicyArn"]
    assert "WorklogsApi" in outputs["ApiUrl"]["Value"]["Fn::Sub"]


def test_every_skipped_checkov_check_is_explained_in_the_operations_doc():
    skipped = yaml.safe_load((ROOT / ".checkov.yaml").read_text())["skip-check"]
    doc = (ROOT / "docs" / "operations.md").read_text()
    assert skipped
    for check in skipped:
        assert re.search(rf"^\| `{check}` \| .{{20,}}", doc, re.M), f"{check} is skipped but not explained"


def test_the_layer_ships_exactly_the_runtime_dependencies():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = (ROOT / "layers" / "common" / "requirements.txt").read_text().splitlines()
    shipped = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert shipped == declared
