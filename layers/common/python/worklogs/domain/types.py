"""Worklog types (the code table): validity, visibility, localisation, and validating `data` against the
type's form (a JSON Schema)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import fastjsonschema

from worklogs.auth import Caller
from worklogs.domain import forms
from worklogs.errors import ValidationFailed
from worklogs.worklog_types.models import WorklogType, WorklogTypeInput

TYPE_CODE_PATTERN = r"^[A-Za-z0-9_.:\-]{1,64}$"


def is_valid(worklog_type: WorklogTypeInput, today: date) -> bool:
    starts, ends = worklog_type.validityFrom, worklog_type.validityTo
    return (starts is None or starts <= today) and (ends is None or today <= ends)


def visible_to(worklog_type: WorklogTypeInput, caller: Caller) -> bool:
    return worklog_type.privilege is None or caller.has_privilege(worklog_type.privilege)


def check_definition(definition: WorklogTypeInput) -> None:
    """A type must be usable: validity in order, and a form that is a JSON Schema."""
    if definition.validityFrom and definition.validityTo and definition.validityTo < definition.validityFrom:
        raise ValidationFailed(
            "validityTo is before validityFrom.",
            details=[{"loc": ["body", "validityTo"], "msg": "Before validityFrom.", "type": "validity"}],
        )
    from worklogs.domain.worklogs import validate_data

    for field in ("form", "config", "localizationData"):  # free maps: stored as DynamoDB maps
        value = getattr(definition, field, None)
        if isinstance(value, dict):
            validate_data(value, field=field)
    if definition.form is not None:
        try:
            forms.compile_form(definition.form)
        except forms.FormError as error:
            raise ValidationFailed(
                f"form is not usable: {error}",
                details=[{"loc": ["body", "form", *error.path], "msg": str(error), "type": "json_schema"}],
            ) from error


def _accepted_languages(header: str | None) -> list[str]:
    """`de-CH, de;q=0.9, en;q=0.5` → ["de-ch", "de", "en"] by preference."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            ranked.append((-quality, position, tag.lower()))
    return [tag for _, _, tag in sorted(ranked)]


def localize(worklog_type: WorklogType, accept_language: str | None) -> WorklogType:
    """Name and description in the caller's language, each field on its own: the exact tag (`de-CH`), then
    its primary language (`de`), then the next accepted language, then the type's own text."""
    translations = {tag.lower(): text for tag, text in worklog_type.localizationData.items()}
    chain = []
    for tag in _accepted_languages(accept_language):
        for candidate in (tag, tag.split("-")[0]):
            if candidate in translations and candidate not in chain:
                chain.append(candidate)
    update = {}
    for field in ("name", "description"):
        for candidate in chain:
            value = getattr(translations[candidate], field)
            if value is not None:
                update[field] = value
                break
    return worklog_type.model_copy(update=update) if update else worklog_type


@lru_cache(maxsize=512)
def _compiled(schema_text: str):
    import json

    return forms.compile_form(json.loads(schema_text))


def _validator(schema: Any):
    import json

    return _compiled(json.dumps(schema, sort_keys=True))


def _problem(error: fastjsonschema.JsonSchemaValueException, prefix: list[str | int]) -> dict[str, Any]:
    path = [part for part in (error.path or [])[1:]]
    message = forms.readable_message(error.message.replace("data", "value", 1))
    return {"loc": ["body", "data", *prefix, *path], "msg": message, "type": "form"}


def form_problems(form: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every failing path of `data` against the type's form (fastjsonschema stops at the first error, so
    an object form is also checked field by field to report each problem)."""
    try:
        _validator(form)(data)
        return []
    except fastjsonschema.JsonSchemaValueException as error:
        first = _problem(error, [])
    except forms.FormError as error:  # a form stored before the current rules: refuse, never fetch or hang
        return [
            {
                "loc": ["body", "worklogTypeCode"],
                "msg": f"The worklog type's form cannot be used ({error}); an admin must fix the type.",
                "type": "form",
            }
        ]
    problems: list[dict[str, Any]] = []
    if isinstance(data, dict) and form.get("type") in (None, "object"):
        for name in form.get("required", []):
            if name not in data:
                problems.append(
                    {"loc": ["body", "data", name], "msg": "Required by the worklog type's form.", "type": "form"}
                )
        properties = form.get("properties", {})
        for name, value in data.items():
            if name in properties:
                try:
                    _validator(properties[name])(value)
                except fastjsonschema.JsonSchemaValueException as error:
                    problems.append(_problem(error, [name]))
                except forms.FormError:
                    continue  # a field that refers elsewhere in the form: the whole-form error stands for it
            elif form.get("additionalProperties") is False:
                problems.append(
                    {"loc": ["body", "data", name], "msg": "Not a field of this worklog type's form.", "type": "form"}
                )
    return problems or [first]
