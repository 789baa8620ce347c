"""The OpenAPI document is usable by generated clients: headers, preconditions, typed errors, named enums."""

from __future__ import annotations

import json
import re

import pytest

from local.openapi import build_schema
from local.openapi_contract import error_codes

SCHEMA = build_schema()
OPERATIONS = [(method, path, operation) for path, item in SCHEMA["paths"].items() for method, operation in item.items()]
SOURCES_CODE = re.compile(r"""\b(?:code\s*=\s*|raise\s+\w+\()["']([A-Z][A-Z0-9_]+)["']""")


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"].rsplit("/", 1)[1]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=lambda v: v if isinstance(v, str) else "")
def test_every_operation_and_parameter_is_described(method, path, operation):
    assert operation.get("summary") and operation.get("description"), (method, path)
    for parameter in operation.get("parameters", []):
        assert parameter.get("description"), (method, path, parameter["name"])


def test_if_match_is_required_wherever_the_answer_without_it_is_428():
    for method, path, operation in OPERATIONS:
        if_match = [p for p in operation.get("parameters", []) if p["name"].lower() == "if-match"]
        if "428" not in operation["responses"]:
            continue
        # Create-or-replace: the first PUT needs no If-Match, a PUT over a saved one answers 428 without it.
        required = operation["operationId"] not in {"putSettings", "putWorklogType"}
        assert if_match and if_match[0]["required"] is required, (method, path)


def test_response_headers_are_declared():
    by_id = {operation["operationId"]: operation for _, _, operation in OPERATIONS}
    assert {"ETag", "Location", "Idempotent-Replayed"} <= set(by_id["createWorklog"]["responses"]["201"]["headers"])
    assert "ETag" in by_id["editWorklog"]["responses"]["200"]["headers"]
    assert "ETag" in by_id["getSettings"]["responses"]["200"]["headers"]
    assert "Idempotent-Replayed" in by_id["stopTimer"]["responses"]["200"]["headers"]
    assert "Next-Cursor" in by_id["exportWorklogsCsv"]["responses"]["200"]["headers"]
    assert list(by_id["exportWorklogsCsv"]["responses"]["200"]["content"]) == ["text/csv"]
    for _, _, operation in OPERATIONS:
        for status, response in operation["responses"].items():
            if status == "204":
                assert "content" not in response
            if status == "201":
                assert "Location" in response["headers"]


def test_errors_are_typed_per_status_with_an_enum_code():
    schemas = SCHEMA["components"]["schemas"]
    assert schemas["ErrorCode"]["enum"] == error_codes()
    assert {"VERSION_MISMATCH", "OVERLAP", "MERGE_GAPS", "VALIDATION_FAILED", "UNKNOWN_QUERY_PARAMETER"} <= set(
        schemas["ErrorCode"]["enum"]
    )
    assert schemas["VersionMismatchDetail"]["required"] == ["currentVersion"]
    assert schemas["ValidationIssue"]["required"] == ["loc", "msg", "type"]
    conflict_details = schemas["ConflictInfo"]["properties"]["details"]["items"]["anyOf"]
    assert {"#/components/schemas/OverlapDetail", "#/components/schemas/MergeGapDetail"} <= {
        d["$ref"] for d in conflict_details
    }


def test_no_leftover_schemas_and_shared_enums_are_named_once():
    schemas = SCHEMA["components"]["schemas"]
    used = set(_refs(SCHEMA["paths"]))
    pending = list(used)
    while pending:
        for ref in _refs(schemas[pending.pop()]):
            if ref not in used:
                used.add(ref)
                pending.append(ref)
    assert set(schemas) == used
    assert not {"HTTPValidationError", "ResponseValidationError", "ValidationError", "Warning"} & set(schemas)
    inline = [json.dumps(node["enum"]) for node in _walk(SCHEMA) if "enum" in node and "$ref" not in node]
    named = [json.dumps(schema["enum"]) for schema in schemas.values() if "enum" in schema]
    repeated = {enum for enum in inline if inline.count(enum) > 1}
    assert repeated <= set(named), repeated
    assert schemas["WeekStart"]["enum"] == ["monday", "sunday"]


def test_durations_carry_their_format():
    for name in ("Worklog", "WorklogCreate"):
        prop = SCHEMA["components"]["schemas"][name]["properties"]["duration"]
        assert "duration" in json.dumps(prop) and '"format": "duration"' in json.dumps(prop), name


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_links_lead_from_a_resource_to_what_can_be_done_with_it():
    by_id = {operation["operationId"]: operation for _, _, operation in OPERATIONS}

    def targets(operation_id, status):
        return {link["operationId"] for link in by_id[operation_id]["responses"][status]["links"].values()}

    assert {
        "getWorklog",
        "editWorklog",
        "deleteWorklog",
        "listLinks",
        "createLink",
        "splitWorklog",
        "getWorklogHistory",
    } <= targets("createWorklog", "201")
    assert "listWorklogTypes" in targets("putSettings", "200")
    assert "stopTimer" in targets("startTimer", "201")
    edit = by_id["createWorklog"]["responses"]["201"]["links"]["EditWorklog"]["parameters"]
    assert edit["header.If-Match"] == "$response.header.ETag" and edit["worklogId"] == "$response.body#/id"
    assert SCHEMA["components"]["schemas"]["WorklogCreate"]["examples"]
