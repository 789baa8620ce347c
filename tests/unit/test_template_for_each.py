"""Fn::ForEach in template.yaml: the reader expands it as AWS::LanguageExtensions does, and the generated
log groups and alarms keep the logical IDs a deployed stack already has (a renamed log group is replaced)."""

from __future__ import annotations

import pytest

from local.for_each import FOR_EACH, as_deployed, expand_for_each
from local.template import TEMPLATE_PATH, load_template, read_template, resources

FUNCTIONS = sorted(resources(load_template(), "AWS::Serverless::Function"))


def test_the_template_declares_language_extensions_before_sam():
    transform = read_template()["Transform"]
    assert transform == ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]


def test_the_per_function_operations_are_one_loop_over_every_function():
    written = read_template()["Resources"]
    (loop,) = [value for key, value in written.items() if key.startswith(FOR_EACH)]
    identifier, collection, fragment = loop
    assert sorted(f"{name}Function" for name in collection) == FUNCTIONS
    assert sorted(fragment) == [f"${{{identifier}}}{suffix}" for suffix in ("ErrorsAlarm", "Logs", "ThrottlesAlarm")]
    # written once: no function's log group or Lambda alarm is left outside the loop
    written = {key: value for key, value in written.items() if not key.startswith(FOR_EACH)}
    assert not [
        key for key, value in written.items() if value.get("Type") == "AWS::Logs::LogGroup" and key != "ApiAccessLogs"
    ]
    assert not [
        key for key, value in written.items() if (value.get("Properties") or {}).get("Namespace") == "AWS/Lambda"
    ]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_generated_logical_ids_are_the_deployed_ones(function):
    name = function.removesuffix("Function")
    generated = load_template()["Resources"]
    assert generated[f"{name}Logs"]["Type"] == "AWS::Logs::LogGroup"
    assert generated[function]["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": f"{name}Logs"}
    for metric in ("Errors", "Throttles"):
        alarm = generated[f"{name}{metric}Alarm"]["Properties"]
        assert alarm["MetricName"] == metric
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function}}]
        assert alarm["AlarmDescription"].startswith(f"{function} ")  # a plain string once expanded


def test_the_expansion_is_cfn_lints():
    """cfn-lint (`make lint`) expands the loop with its own implementation of the transform: every
    CloudFormation resource comes out the same (SAM resources differ only by the Globals it merges in)."""
    import cfnlint.decode  # imported here: every test process collects this module, one runs this test
    import cfnlint.template

    decoded, problems = cfnlint.decode.decode(str(TEMPLATE_PATH))
    assert not problems
    linted = cfnlint.template.Template(str(TEMPLATE_PATH), decoded, ["us-east-1"])
    assert not linted.transform()
    theirs = linted.template["Resources"]
    ours = load_template()["Resources"]
    assert set(theirs) == set(ours)
    plain = [name for name, resource in ours.items() if not resource["Type"].startswith("AWS::Serverless::")]
    assert len(plain) > 3 * len(FUNCTIONS)
    assert {name: theirs[name] for name in plain} == {name: ours[name] for name in plain}


def test_the_checked_template_has_the_loop_applied_and_sam_left_to_transform():
    deployed = as_deployed(read_template())
    assert deployed["Transform"] == "AWS::Serverless-2016-10-31"
    assert deployed["Resources"] == load_template()["Resources"]
    assert not [key for key in deployed["Resources"] if key.startswith(FOR_EACH)]


def test_expansion_substitutes_keys_sub_strings_and_refs_to_the_identifier():
    template = {
        "Parameters": {"Queues": {"Type": "CommaDelimitedList", "Default": "a-1, b-2"}},
        "Resources": {
            "Kept": {"Type": "AWS::SNS::Topic"},
            "Fn::ForEach::Queues": [
                "Q",
                {"Ref": "Queues"},
                {
                    "Queue&{Q}": {
                        "Type": "AWS::SQS::Queue",
                        "Properties": {
                            "QueueName": {"Ref": "Q"},
                            "Tags": [{"Key": "literal", "Value": "${Q} stays: only Fn::Sub is substituted"}],
                            "Plain": {"Fn::Sub": "queue-${Q}"},
                            "Stack": {"Fn::Sub": "${AWS::StackName}-${Q}"},
                            "Target": {"Ref": {"Fn::Sub": "Topic&{Q}"}},
                            "Fn::ForEach::Inner": ["N", ["x", "y"], {"Prop${N}": {"Fn::Sub": "${Q}/${N}"}}],
                        },
                    }
                },
            ],
        },
    }
    expanded = expand_for_each(template)["Resources"]
    assert list(expanded) == ["Kept", "Queuea1", "Queueb2"]
    props = expanded["Queueb2"]["Properties"]
    assert props["QueueName"] == "b-2"
    assert props["Tags"][0]["Value"].startswith("${Q} stays")
    assert props["Plain"] == "queue-b-2"
    assert props["Stack"] == {"Fn::Sub": "${AWS::StackName}-b-2"}
    assert props["Target"] == {"Ref": "Topicb2"}
    assert props["Propx"] == "b-2/x" and props["Propy"] == "b-2/y"
    assert template["Resources"]["Fn::ForEach::Queues"][2]["Queue&{Q}"]["Properties"]["Plain"] == {
        "Fn::Sub": "queue-${Q}"
    }


def test_a_loop_output_that_clashes_with_a_written_resource_is_an_error():
    template = {"Resources": {"TopicA": {}, "Fn::ForEach::T": ["X", ["A"], {"Topic${X}": {}}]}}
    with pytest.raises(ValueError, match="TopicA"):
        expand_for_each(template)
