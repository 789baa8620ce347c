"""Workspace settings (and, as the code table lands, worklog types): read by members, written by admins."""

from worklogs import coldstart

coldstart.begin()  # first: no collections during init, Powertools' package indexes lazy (worklogs/coldstart.py)

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path

from worklogs import bootstrap, merge_patch
from worklogs.api import (
    current_caller,
    error_responses,
    json_response,
    model_response,
    parse_if_match,
)
from worklogs.auth import Role
from worklogs.domain.settings import SettingsInput, WorkspaceSettings
from worklogs.domain.types import TYPE_CODE_PATTERN
from worklogs.settings import service as settings_service
from worklogs.worklog_types import service as type_service
from worklogs.worklog_types.models import WorklogType, WorklogTypeInput, WorklogTypePage

function = bootstrap.api_function()
logger, tracer, metrics, app = function.logger, function.tracer, function.metrics, function.require_app()

SETTINGS = "/v1/workspaces/<workspaceId>/settings"


@app.get(
    SETTINGS,
    operation_id="getSettings",
    summary="Workspace settings",
    description="Defaults apply until an admin saves settings (then `version` ≥ 1).",
    tags=["Settings"],
    responses={**model_response(200, WorkspaceSettings, "The settings in force."), **error_responses(401, 403, 422)},
)
@tracer.capture_method(capture_response=False)
def get_settings(workspaceId: str):
    found = settings_service.get_settings(workspaceId, current_caller(app))
    return json_response(200, found, etag_version=found.version)


@app.put(
    SETTINGS,
    operation_id="putSettings",
    summary="Replace workspace settings (admin)",
    description="Omitted fields take their defaults. Once settings are saved, `If-Match` is required (428 "
    "without): the version you read (412 when stale), or `*` to replace whatever is stored; `PATCH` changes "
    "only the fields sent. Writes checked against older settings are re-checked, so a new lock or policy "
    "applies to the next write. A change of `timezone`, `weekStart`, `rounding` or `currency` re-rolls the "
    "rollup rows of the past (their days are in `freshness.pendingDays` of the reports until done).",
    tags=["Settings"],
    responses={
        **model_response(200, WorkspaceSettings, "The saved settings."),
        **error_responses(400, 401, 403, 412, 413, 415, 422, 428),
    },
)
@tracer.capture_method(capture_response=False)
def put_settings(
    workspaceId: str,
    settings: SettingsInput,
    if_match: Annotated[
        str | None, Header(description='The version you read: `"3"`, or `*` (replace any).', max_length=64)
    ] = None,
):
    caller = current_caller(app)
    caller.require_collection_access(workspaceId, Role.ADMIN)
    expected, any_version = _replace_precondition(if_match)
    saved = settings_service.put_settings(
        workspaceId, caller, settings, expected, datetime.now(UTC), require_match=not any_version
    )
    return json_response(200, saved, etag_version=saved.version)


def _replace_precondition(if_match: str | None) -> tuple[int | None, bool]:
    """(version, False) for `If-Match: "3"`; (None, True) for `If-Match: *`; (None, False) when absent."""
    if if_match is not None and if_match.strip() == "*":
        return None, True
    return parse_if_match(if_match, required=False), False


@app.patch(
    SETTINGS,
    operation_id="patchSettings",
    summary="Change some workspace settings (admin)",
    description="A JSON merge patch (RFC 7386, sent as `application/json`): only the fields sent change, "
    "`null` resets a field to its default, `rounding` merges field by field. Needs `If-Match` with the version "
    "you read: 412 when stale (the current version is in the error details), 428 when absent.",
    tags=["Settings"],
    responses={
        **model_response(200, WorkspaceSettings, "The saved settings; `ETag` is their new version."),
        **error_responses(400, 401, 403, 412, 413, 415, 422, 428),
    },
)
@tracer.capture_method(capture_response=False)
def patch_settings(
    workspaceId: str,
    patch: merge_patch.SettingsPatch,
    if_match: Annotated[str | None, Header(description='The version you read: `"3"`.', max_length=64)] = None,
):
    caller = current_caller(app)
    caller.require_collection_access(workspaceId, Role.ADMIN)
    expected = parse_if_match(if_match, required=True)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    saved = merge_patch.patch_settings(workspaceId, caller, changes, expected, datetime.now(UTC))
    return json_response(200, saved, etag_version=saved.version)


TYPES = "/v1/workspaces/<workspaceId>/worklog-types"
Code = Annotated[str, Path(pattern=TYPE_CODE_PATTERN, description="ASCII code without spaces, e.g. Investigation.")]
AcceptLanguage = Annotated[
    str | None, Header(max_length=256, description="e.g. `de-CH, de;q=0.9`: localises name and description.")
]
TypeIfMatch = Annotated[str | None, Header(description='Optional: the version you read, `"3"`.', max_length=64)]
TypeReplaceIfMatch = Annotated[
    str | None,
    Header(description='Replacing an existing type: the version you read, `"3"`, or `*` (replace any).', max_length=64),
]
TypePatchIfMatch = Annotated[str | None, Header(description='The version you read: `"3"`.', max_length=64)]


@app.get(
    TYPES,
    operation_id="listWorklogTypes",
    summary="Worklog types",
    description="Every type visible to you (types with a `privilege` only to holders of it), with `valid` computed "
    "for today in the workspace time zone.",
    tags=["Worklog types"],
    responses={**model_response(200, WorklogTypePage, "The code table."), **error_responses(401, 403, 422)},
)
@tracer.capture_method(capture_response=False)
def list_worklog_types(workspaceId: str, accept_language: AcceptLanguage = None):
    caller = current_caller(app)
    caller.require_collection_access(workspaceId, Role.VIEWER)
    found = type_service.list_types(workspaceId, caller, accept_language, datetime.now(UTC))
    return json_response(200, WorklogTypePage(items=found))


@app.get(
    f"{TYPES}/<code>",
    operation_id="getWorklogType",
    summary="One worklog type",
    description="One entry of the code table, localised by `Accept-Language`; `valid` is computed for today "
    "in the workspace time zone. A type with a privilege the caller lacks is 404.",
    tags=["Worklog types"],
    responses={
        **model_response(200, WorklogType, "The type; `ETag` is its version."),
        **error_responses(401, 404, 422),
    },
)
@tracer.capture_method(capture_response=False)
def get_worklog_type(workspaceId: str, code: Code, accept_language: AcceptLanguage = None):
    caller = current_caller(app)
    caller.require_entity_access(workspaceId, Role.VIEWER)
    found = type_service.get_type(workspaceId, code, caller, accept_language, datetime.now(UTC))
    return json_response(200, found, etag_version=found.version)


@app.put(
    f"{TYPES}/<code>",
    operation_id="putWorklogType",
    summary="Create or replace a worklog type (admin)",
    description="`form` is a JSON Schema that worklog `data` must satisfy on create and edit. Set `validityTo` to "
    "retire a type that worklogs use. Creating needs no `If-Match`; replacing an existing type needs it (428 "
    "without): the version you read (412 when stale), or `*` to replace whatever is stored. `PATCH` changes only "
    "the fields sent.",
    tags=["Worklog types"],
    responses={
        **model_response(200, WorklogType, "Replaced."),
        **model_response(201, WorklogType, "Created."),
        **error_responses(400, 401, 403, 404, 412, 413, 415, 422, 428),
    },
)
@tracer.capture_method(capture_response=False)
def put_worklog_type(workspaceId: str, code: Code, worklog_type: WorklogTypeInput, if_match: TypeReplaceIfMatch = None):
    caller = current_caller(app)
    caller.require_collection_access(workspaceId, Role.ADMIN)
    expected, any_version = _replace_precondition(if_match)
    saved, created = type_service.put_type(
        workspaceId, code, caller, worklog_type, expected, datetime.now(UTC), require_match=not any_version
    )
    headers = {"Location": f"/v1/workspaces/{quote(workspaceId, safe='')}/worklog-types/{code}"} if created else {}
    return json_response(201 if created else 200, saved, headers=headers, etag_version=saved.version)


@app.patch(
    f"{TYPES}/<code>",
    operation_id="patchWorklogType",
    summary="Change some fields of a worklog type (admin)",
    description="A JSON merge patch (RFC 7386, sent as `application/json`): only the fields sent change, "
    "`null` removes a field (its default applies), objects merge key by key. Needs `If-Match` with the "
    "version you read: 412 when stale, 428 when absent.",
    tags=["Worklog types"],
    responses={
        **model_response(200, WorklogType, "The changed type; `ETag` is its new version."),
        **error_responses(400, 401, 403, 404, 412, 413, 415, 422, 428),
    },
)
@tracer.capture_method(capture_response=False)
def patch_worklog_type(
    workspaceId: str, code: Code, patch: merge_patch.WorklogTypePatch, if_match: TypePatchIfMatch = None
):
    caller = current_caller(app)
    caller.require_collection_access(workspaceId, Role.ADMIN)
    expected = parse_if_match(if_match, required=True)
    changes = patch.model_dump(mode="json", exclude_unset=True)
    saved = merge_patch.patch_type(workspaceId, code, caller, changes, expected, datetime.now(UTC))
    return json_response(200, saved, etag_version=saved.version)


@app.delete(
    f"{TYPES}/<code>",
    operation_id="deleteWorklogType",
    summary="Delete an unused worklog type (admin)",
    description="409 `TYPE_IN_USE` when any worklog has the type: set `validityTo` instead.",
    tags=["Worklog types"],
    responses={204: {"description": "Deleted."}, **error_responses(400, 401, 403, 404, 409, 412, 422)},
)
@tracer.capture_method(capture_response=False)
def delete_worklog_type(workspaceId: str, code: Code, if_match: TypeIfMatch = None):
    caller = current_caller(app)
    caller.require_collection_access(workspaceId, Role.ADMIN)
    type_service.delete_type(workspaceId, code, caller, parse_if_match(if_match, required=False))
    return Response(status_code=204, body="")


lambda_handler = function.api_entry()


coldstart.init_done()  # freezes what init built; on Lambda collection resumes after the first request
