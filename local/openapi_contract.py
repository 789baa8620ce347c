"""Finish the merged OpenAPI document for generated clients (applied by `local.openapi.build_schema`).

Powertools builds each function's document from its routes; this pass adds what generated clients need
and the route declarations cannot say, by rules, so new routes follow them without edits here:

- response headers: `ETag` on 2xx JSON answers of versioned entities (a `version` property) and of the
  link routes, `Location` on every 201, `Idempotent-Replayed` where a retry can be answered from the
  first response (an `Idempotency-Key` header, or an operation listed in REPLAYABLE), `Next-Cursor` on
  CSV answers;
- `If-Match` is required where the operation answers 428;
- typed errors: `ErrorCode` (an enum of every code raised in the code base, read from the sources),
  422 `ValidationErrorResponse` (details `loc`/`msg`/`type`), 412 `VersionMismatchResponse` (details
  `currentVersion`), 409 `ConflictResponse` (overlap, merge-gap and period-lock details), every other
  status `ErrorResponse`;
- enums that appear inline more than once become one named component (named after the property);
- `anyOf` of an inline object and null becomes `type: [object, null]`;
- a 204 has no content; ISO 8601 `duration` strings carry `format: duration`; path parameters are
  described from PATH_PARAMETERS (an unknown name fails the build: add its description there);
- OpenAPI links (LINKS) between operations and realistic request examples (EXAMPLES) for clients and
  schemathesis' stateful phase;
- components no operation uses (Powertools' HTTPValidationError...) are dropped, and RENAMES give clearer
  names to a few models.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REF = "#/components/schemas/"
REPLAYABLE = {"stopTimer"}
RENAMES = {"Warning": "WorklogWarning"}
PATH_PARAMETERS = {
    "workspaceId": "Workspace id; your token's `workspaces` claim must name it.",
    "worklogId": "Worklog id (a UUID, from `id` or the `Location` header of the create).",
    "linkId": "Link id (from `id` or the `Location` header of the link's create).",
    "code": "Worklog type code (ASCII, no spaces).",
    "ownerType": "Type of the owner record, e.g. `Ticket`.",
    "ownerId": "Id of the owner record in its own system.",
}
HEADERS = {
    "ETag": 'The entity\'s version, quoted (`"3"`): send it back as `If-Match`.',
    "Location": "Path of the created resource.",
    "Idempotent-Replayed": "`true` when this is the stored answer to an earlier identical request.",
    "Next-Cursor": "Pass as `cursor` for the next page; absent on the last page.",
}
# OpenAPI links: what a response lets the client do next (schemathesis' stateful phase follows them).
_WS = {"workspaceId": "$request.path.workspaceId"}
_WORKLOG = {**_WS, "worklogId": "$response.body#/id"}
_WORKLOG_ETAG = {**_WORKLOG, "header.If-Match": "$response.header.ETag"}
_TYPE = {**_WS, "code": "$response.body#/code"}
_TYPE_ETAG = {**_TYPE, "header.If-Match": "$response.header.ETag"}
_SETTINGS_ETAG = {**_WS, "header.If-Match": "$response.header.ETag"}
_WORKLOG_NEXT = {
    "GetWorklog": ("getWorklog", _WORKLOG),
    "EditWorklog": ("editWorklog", _WORKLOG_ETAG),
    "DeleteWorklog": ("deleteWorklog", _WORKLOG),
    "RestoreWorklog": ("restoreWorklog", _WORKLOG),
    "SplitWorklog": ("splitWorklog", _WORKLOG),
    "ListLinks": ("listLinks", _WORKLOG),
    "CreateLink": ("createLink", _WORKLOG),
    "GetWorklogHistory": ("getWorklogHistory", _WORKLOG),
}
_TIMER_NEXT = {
    "GetTimer": ("getTimer", _WS),
    "PauseTimer": ("pauseTimer", _WS),
    "ResumeTimer": ("resumeTimer", _WS),
    "StopTimer": ("stopTimer", _WS),
    "DiscardTimer": ("discardTimer", _WS),
}
LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("createWorklog", "201"): _WORKLOG_NEXT,
    ("getWorklog", "200"): _WORKLOG_NEXT,
    ("editWorklog", "200"): _WORKLOG_NEXT,
    ("restoreWorklog", "200"): _WORKLOG_NEXT,
    ("startTimer", "201"): _TIMER_NEXT,
    ("pauseTimer", "200"): {"ResumeTimer": ("resumeTimer", _WS), "StopTimer": ("stopTimer", _WS)},
    ("resumeTimer", "200"): {"PauseTimer": ("pauseTimer", _WS), "StopTimer": ("stopTimer", _WS)},
    ("putSettings", "200"): {
        "GetSettings": ("getSettings", _WS),
        "ListWorklogTypes": ("listWorklogTypes", _WS),
        "GetConsole": ("getConsole", _WS),
        "PatchSettings": ("patchSettings", _SETTINGS_ETAG),
    },
    ("getSettings", "200"): {
        "ListWorklogTypes": ("listWorklogTypes", _WS),
        "PatchSettings": ("patchSettings", _SETTINGS_ETAG),
    },
    ("patchSettings", "200"): {"GetSettings": ("getSettings", _WS)},
    ("putWorklogType", "200"): {
        "GetWorklogType": ("getWorklogType", _TYPE),
        "PatchWorklogType": ("patchWorklogType", _TYPE_ETAG),
        "DeleteWorklogType": ("deleteWorklogType", _TYPE),
    },
    ("putWorklogType", "201"): {
        "GetWorklogType": ("getWorklogType", _TYPE),
        "PatchWorklogType": ("patchWorklogType", _TYPE_ETAG),
        "DeleteWorklogType": ("deleteWorklogType", _TYPE),
    },
    ("patchWorklogType", "200"): {"GetWorklogType": ("getWorklogType", _TYPE)},
}
# Realistic request bodies, so generated requests reach the domain rules.
EXAMPLES = {
    "WorklogCreate": {
        "ownerType": "Ticket",
        "ownerId": "T-1042",
        "description": "<p>Reviewed logs and reproduced the issue.</p>",
        "startDate": "2026-11-11T09:00:00+01:00",
        "duration": "PT1H30M",
        "data": {"billable": True, "location": "remote"},
    },
    "WorklogPatch": {"endDate": "2026-11-11T11:00:00Z", "description": "<p>Fixed.</p>"},
    "SplitRequest": {"at": "2026-11-11T10:00:00Z"},
    "LinkCreate": {"refType": "Task", "refId": "TASK-77", "name": "Related task", "data": {"relation": "executed-for"}},
    "TimerStart": {"ownerType": "Ticket", "ownerId": "T-1042", "description": "<p>Reproducing.</p>"},
    "TimerStop": {"description": "<p>Fixed.</p>"},
    "SettingsInput": {
        "timezone": "Europe/Vienna",
        "weekStart": "monday",
        "rounding": {"mode": "up", "unitMinutes": 15, "scope": "entry"},
        "overlapPolicy": "warn",
    },
    "SettingsPatch": {"overlapPolicy": "reject", "rounding": {"unitMinutes": 6}},
    "WorklogTypePatch": {"description": "Finding the root cause", "localizationData": {"de": {"name": "Analyse"}}},
    "WorklogTypeInput": {
        "name": "Investigation",
        "description": "Finding the cause",
        "icon": "search",
        "validityFrom": "2026-01-01",
        "dataTags": ["support"],
    },
}
_CODE = re.compile(r"""(?:\bcode\s*=\s*|_error_body\(\s*\d{3},\s*)["']([A-Z][A-Z0-9_]+)["']""")
_CODE_ELSE = re.compile(r"""\bcode\s*=\s*["'][A-Z][A-Z0-9_]+["']\s+if\s+[^\n]*?\s+else\s+["']([A-Z][A-Z0-9_]+)["']""")


def error_codes() -> list[str]:
    """Every error code the functions and the layer can answer, read from their sources."""
    sources = [*(ROOT / "layers" / "common" / "python" / "worklogs").rglob("*.py"), *(ROOT / "functions").rglob("*.py")]
    codes: set[str] = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        codes.update(_CODE.findall(text), _CODE_ELSE.findall(text))
    return sorted(codes)


def _error_schemas(codes: list[str]) -> dict[str, Any]:
    def envelope(info: str, description: str) -> dict[str, Any]:
        return {
            "type": "object",
            "description": description,
            "properties": {"error": {"$ref": REF + info}, "requestId": {"type": ["string", "null"]}},
            "required": ["error"],
        }

    def info(details: dict[str, Any], description: str) -> dict[str, Any]:
        return {
            "type": "object",
            "description": description,
            "properties": {
                "code": {"$ref": REF + "ErrorCode"},
                "message": {"type": "string", "description": "What went wrong, for people."},
                "details": {"type": "array", "items": details, "description": "One entry per problem."},
            },
            "required": ["code", "message", "details"],
        }

    moment = {"type": "string", "format": "date-time"}
    return {
        "ErrorCode": {"type": "string", "enum": codes, "description": "Stable, machine-readable error code."},
        "ErrorDetail": {
            "type": "object",
            "description": "One problem; its fields depend on the code.",
            "properties": {
                "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                "msg": {"type": "string"},
                "type": {"type": "string"},
            },
            "additionalProperties": True,
        },
        "ValidationIssue": {
            "type": "object",
            "description": "One invalid input: where (`loc`), what (`msg`) and its kind (`type`).",
            "properties": {
                "loc": {
                    "type": "array",
                    "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    "description": 'Path to the input, e.g. `["body", "data", "rate"]` or `["query", "to"]`.',
                },
                "msg": {"type": "string"},
                "type": {"type": "string"},
            },
            "required": ["loc", "msg", "type"],
        },
        "VersionMismatchDetail": {
            "type": "object",
            "description": "The version the entity has now; read it again and retry with that `If-Match`.",
            "properties": {
                "currentVersion": {"type": ["integer", "null"]},
                "worklogId": {"type": "string"},
                "timerId": {"type": "string"},
            },
            "required": ["currentVersion"],
        },
        "OverlapDetail": {
            "type": "object",
            "description": "`OVERLAP`: a worklog of the same worker that the entry overlaps.",
            "properties": {"worklogId": {"type": "string"}, "startDate": moment, "endDate": moment},
            "required": ["worklogId", "startDate", "endDate"],
        },
        "MergeGapDetail": {
            "type": "object",
            "description": "`MERGE_GAPS`: a stretch between the merged worklogs that nobody logged.",
            "properties": {"from": moment, "to": moment},
            "required": ["from", "to"],
        },
        "PeriodLockDetail": {
            "type": "object",
            "description": "`PERIOD_LOCKED`: the lock date and the zone it is read in.",
            "properties": {"lockedUntil": {"type": "string", "format": "date"}, "timezone": {"type": "string"}},
            "required": ["lockedUntil", "timezone"],
        },
        "ErrorInfo": info({"$ref": REF + "ErrorDetail"}, "The error: code, message and details."),
        "ValidationErrorInfo": info({"$ref": REF + "ValidationIssue"}, "A 422: every invalid input."),
        "VersionMismatchInfo": info({"$ref": REF + "VersionMismatchDetail"}, "A 412: the current version."),
        "ConflictInfo": info(
            {
                "anyOf": [
                    {"$ref": REF + "OverlapDetail"},
                    {"$ref": REF + "MergeGapDetail"},
                    {"$ref": REF + "PeriodLockDetail"},
                    {"$ref": REF + "ErrorDetail"},
                ]
            },
            "A 409: what the request conflicts with.",
        ),
        "ErrorResponse": envelope("ErrorInfo", "The one error shape of every 4xx and 5xx."),
        "ValidationErrorResponse": envelope("ValidationErrorInfo", "422: the request is well-formed but invalid."),
        "VersionMismatchResponse": envelope("VersionMismatchInfo", "412: the `If-Match` version is stale."),
        "ConflictResponse": envelope("ConflictInfo", "409: the request conflicts with the current state."),
    }


_ERROR_BY_STATUS = {"422": "ValidationErrorResponse", "412": "VersionMismatchResponse", "409": "ConflictResponse"}


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].removeprefix(REF)]
    return schema


def _rename(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    for old, new in RENAMES.items():
        if old in schemas:
            schemas[new] = schemas.pop(old)
            schemas[new].setdefault("title", new)
            schemas[new]["title"] = new
    for node in _walk(doc):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.removeprefix(REF) in RENAMES:
            node["$ref"] = REF + RENAMES[ref.removeprefix(REF)]


def _hoist_enums(doc: dict[str, Any]) -> None:
    """Inline enums seen more than once become one component named after their property."""
    seen: dict[tuple[str, tuple], list[dict[str, Any]]] = {}
    for node in _walk(doc):
        for name, prop in (node.get("properties") or {}).items():
            options = [prop, *prop.get("anyOf", [])] if isinstance(prop, dict) else []  # nullable: in anyOf
            for option in options:
                if isinstance(option, dict) and "enum" in option and option.get("type") == "string":
                    seen.setdefault((name, tuple(option["enum"])), []).append(option)
    for node in _walk(doc.get("paths", {})):
        schema = node.get("schema") if node.get("in") in {"query", "header", "path"} else None
        for option in [schema, *schema.get("anyOf", [])] if isinstance(schema, dict) else []:
            if isinstance(option, dict) and "enum" in option and option.get("type") == "string":
                seen.setdefault((node["name"], tuple(option["enum"])), []).append(option)
    schemas = doc["components"]["schemas"]
    for (name, values), places in seen.items():
        if len(places) < 2:
            continue
        component = name[0].upper() + name[1:]
        if component in schemas and schemas[component].get("enum") != list(values):
            component += "Value"
        schemas[component] = {"type": "string", "enum": list(values), "title": component}
        for place in places:
            description = place.get("description")
            default = place.get("default")
            place.clear()
            place["$ref"] = REF + component
            if description:
                place["description"] = description
            if default is not None:
                place["default"] = default


def _nullable_objects(doc: dict[str, Any]) -> None:
    """`anyOf: [{type: object}, {type: null}]` → `type: [object, null]` (generators then name it `…Data`,
    not `…DataType0`)."""
    for node in _walk(doc["components"]["schemas"]):
        options = node.get("anyOf")
        if not isinstance(options, list) or len(options) != 2 or {"type": "null"} not in options:
            continue
        other = options[0] if options[1] == {"type": "null"} else options[1]
        if other.get("type") != "object" or "$ref" in other:
            continue
        del node["anyOf"]
        node.update({**other, "type": ["object", "null"]})


def _durations(doc: dict[str, Any]) -> None:
    for node in _walk(doc["components"]["schemas"]):
        prop = (node.get("properties") or {}).get("duration")
        if not isinstance(prop, dict):
            continue
        for option in [prop, *prop.get("anyOf", [])]:
            if option.get("type") == "string":
                option["format"] = "duration"


def _headers(doc: dict[str, Any], operation: dict[str, Any], path: str) -> None:
    params = {p["name"].lower() for p in operation.get("parameters", []) if p.get("in") == "header"}
    query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    replayable = "idempotency-key" in params or operation.get("operationId") in REPLAYABLE
    for status, response in operation["responses"].items():
        if not status.startswith("2"):
            continue
        if status == "204":
            response.pop("content", None)
            continue
        content = response.get("content") or {}
        headers = response.setdefault("headers", {})
        json_schema = (content.get("application/json") or {}).get("schema")
        if json_schema is not None:
            resolved = _resolve(doc, json_schema)
            if "version" in (resolved.get("properties") or {}) or "/links" in path:
                headers["ETag"] = {"description": HEADERS["ETag"], "schema": {"type": "string"}}
        if status == "201":
            headers["Location"] = {"description": HEADERS["Location"], "schema": {"type": "string"}}
        if replayable:
            headers["Idempotent-Replayed"] = {
                "description": HEADERS["Idempotent-Replayed"],
                "schema": {"type": "string", "const": "true"},
            }
        if "text/csv" in content and "cursor" in query:
            headers["Next-Cursor"] = {"description": HEADERS["Next-Cursor"], "schema": {"type": "string"}}
        if not headers:
            response.pop("headers")


def _errors(operation: dict[str, Any]) -> None:
    for status, response in operation["responses"].items():
        media = (response.get("content") or {}).get("application/json")
        if not media or status[0] not in "45" or status == "401":
            continue
        media["schema"] = {"$ref": REF + _ERROR_BY_STATUS.get(status, "ErrorResponse")}


# Create-or-replace operations: the first write needs no If-Match, replacing a saved one does (428 then).
IF_MATCH_ON_REPLACE_ONLY = {"putSettings", "putWorklogType"}


def _parameters(operation: dict[str, Any]) -> None:
    answers_428 = "428" in operation["responses"] and operation.get("operationId") not in IF_MATCH_ON_REPLACE_ONLY
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and not parameter.get("description"):
            if parameter["name"] not in PATH_PARAMETERS:
                raise ValueError(f"Describe path parameter {parameter['name']!r} in PATH_PARAMETERS")
            parameter["description"] = PATH_PARAMETERS[parameter["name"]]
        if parameter.get("in") == "header" and parameter["name"].lower() == "if-match" and answers_428:
            parameter["required"] = True


def _links(operation: dict[str, Any], operation_ids: set[str]) -> None:
    for (operation_id, status), targets in LINKS.items():
        if operation.get("operationId") != operation_id or status not in operation["responses"]:
            continue
        links = operation["responses"][status].setdefault("links", {})
        for name, (target, parameters) in targets.items():
            if target in operation_ids:
                links[name] = {"operationId": target, "parameters": dict(parameters)}


def _examples(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    for name, example in EXAMPLES.items():
        if name in schemas:
            schemas[name]["examples"] = [example]


def _prune(doc: dict[str, Any]) -> None:
    """Drop components that nothing outside them references (transitively)."""
    schemas = doc["components"]["schemas"]
    used: set[str] = set()
    pending = [node["$ref"] for node in _walk(doc["paths"]) if isinstance(node.get("$ref"), str)]
    while pending:
        name = pending.pop().removeprefix(REF)
        if name in used or name not in schemas:
            continue
        used.add(name)
        pending.extend(node["$ref"] for node in _walk(schemas[name]) if isinstance(node.get("$ref"), str))
    for name in list(schemas):
        if name not in used:
            del schemas[name]


def refine(document: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name in ("ErrorResponse", "ErrorInfo", "ErrorDetail"):
        schemas.pop(name, None)
    schemas.update(_error_schemas(error_codes()))
    _rename(doc)
    _durations(doc)
    _nullable_objects(doc)
    for path, item in doc["paths"].items():
        for operation in item.values():
            _headers(doc, operation, path)
            _errors(operation)
            _parameters(operation)
    operation_ids = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    for item in doc["paths"].values():
        for operation in item.values():
            _links(operation, operation_ids)
    _examples(doc)
    _hoist_enums(doc)
    _prune(doc)
    return doc
