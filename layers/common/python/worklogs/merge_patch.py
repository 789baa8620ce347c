"""JSON merge patches (RFC 7386) of workspace settings and worklog types: a change names only what it changes,
so it can never reset a field the caller did not send. Both need `If-Match` (the version the caller read)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Optional

from pydantic import BaseModel, Field, ValidationError, create_model

from worklogs.auth import Caller
from worklogs.domain import types as type_rules
from worklogs.domain.settings import SettingsInput, WorkspaceSettings
from worklogs.errors import NotFound, ValidationFailed
from worklogs.models import ApiModel
from worklogs.repository import settings as settings_store
from worklogs.repository import types as types_store
from worklogs.settings import service as settings_service
from worklogs.worklog_types import service as type_service
from worklogs.worklog_types.models import WorklogType, WorklogTypeInput


def merge(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge key by key, `null` removes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge(merged.get(key), value)
    return merged


def _patch_model(name: str, base: type[BaseModel], doc: str) -> type[ApiModel]:
    fields: dict[str, Any] = {
        field_name: (Optional[field.annotation], Field(default=None, description=field.description))  # noqa: UP045
        for field_name, field in base.model_fields.items()
    }
    return create_model(name, __base__=ApiModel, __doc__=doc, **fields)


if TYPE_CHECKING:  # generated from the input models at import: statically, request models like any other
    SettingsPatch = ApiModel
    WorklogTypePatch = ApiModel
else:
    SettingsPatch = _patch_model(
        "SettingsPatch",
        SettingsInput,
        "A JSON merge patch of the settings: only the fields sent change; `null` resets a field to its default; "
        "objects (`rounding`) merge field by field.",
    )
    WorklogTypePatch = _patch_model(
        "WorklogTypePatch",
        WorklogTypeInput,
        "A JSON merge patch of a worklog type: only the fields sent change; `null` removes a field (its default "
        "applies); objects (`localizationData`, `form`, `config`) merge key by key.",
    )


def _validated(model: type[BaseModel], merged: dict[str, Any]) -> Any:
    try:
        return model.model_validate(merged)
    except ValidationError as error:
        raise ValidationFailed(
            "The patched result is not valid.",
            details=[
                {"loc": ["body", *map(str, problem["loc"])], "msg": problem["msg"], "type": problem["type"]}
                for problem in error.errors(include_url=False)
            ],
        ) from error


def patch_settings(
    workspace_id: str, caller: Caller, patch: dict[str, Any], expected_version: int, now: datetime
) -> WorkspaceSettings:
    current = settings_store.load(workspace_id)
    base = current.model_dump(mode="json", include=set(SettingsInput.model_fields))
    request = _validated(SettingsInput, merge(base, patch))
    return settings_service.put_settings(workspace_id, caller, request, expected_version, now)


def patch_type(
    workspace_id: str, code: str, caller: Caller, patch: dict[str, Any], expected_version: int, now: datetime
) -> WorklogType:
    current = types_store.load_all(workspace_id).get(code)
    if current is None or not type_rules.visible_to(current, caller):
        raise NotFound("Worklog type not found.")
    base = current.model_dump(mode="json", include=set(WorklogTypeInput.model_fields), exclude_none=True)
    definition = _validated(WorklogTypeInput, merge(base, patch))
    saved, _ = type_service.put_type(workspace_id, code, caller, definition, expected_version, now)
    return saved
