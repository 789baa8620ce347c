"""Worklog-type forms (JSON Schema for `data`) made safe to accept from a tenant admin and to run on every
create: bounded size and depth, `$ref` only into the same schema (never a fetch over the network or from
a file), and `pattern` matched by RE2, a linear-time engine, so no input can make a check slow.

`compile_form` is the only way a form becomes a validator; `check_form` is what PUT runs first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote

import fastjsonschema

MAX_FORM_BYTES = 16 * 1024
MAX_FORM_DEPTH = 24
MAX_PATTERN_LENGTH = 512
_PATTERN_FORMAT = "worklogs-pattern-"

# Keywords whose value is one subschema, a list of them, or a map of name → subschema.
_ONE = ("additionalProperties", "additionalItems", "items", "contains", "not", "if", "then", "else", "propertyNames")
_MANY = ("allOf", "anyOf", "oneOf", "items", "prefixItems")
_MAP = ("properties", "definitions", "$defs", "dependencies", "dependentSchemas")
_REFUSED = {
    "$id": "a form may not set its own base URI ($id)",
    "id": "a form may not set its own base URI (id)",
    "patternProperties": "patternProperties is not supported in forms; list the properties",
    "$dynamicRef": "$dynamicRef is not supported in forms",
    "$recursiveRef": "$recursiveRef is not supported in forms",
}


class FormError(ValueError):
    """The form cannot be accepted; `path` is where in the form (JSON pointer parts)."""

    def __init__(self, message: str, path: list[str | int] | None = None):
        super().__init__(message)
        self.path = path or []


class _RefuseRemote(dict):
    """fastjsonschema's `handlers`: every scheme is "handled" by refusing it, so it never calls urlopen."""

    def __contains__(self, scheme: object) -> bool:
        return True

    def __getitem__(self, scheme: str) -> Callable[[str], Any]:
        return _refuse

    def get(self, scheme: str, default: Any = None) -> Callable[[str], Any]:
        return _refuse


def _refuse(uri: str) -> Any:
    raise fastjsonschema.JsonSchemaDefinitionException(f"$ref {uri!r} is outside the form; only '#...' refs")


NO_REMOTE_REFS: dict[str, Callable[[str], Any]] = _RefuseRemote()


def _subschemas(schema: dict[str, Any]) -> Iterator[tuple[list[str | int], Any]]:
    for keyword in _ONE:
        if isinstance(schema.get(keyword), dict | bool):
            yield [keyword], schema[keyword]
    for keyword in _MANY:
        if isinstance(schema.get(keyword), list):
            for index, item in enumerate(schema[keyword]):
                yield [keyword, index], item
    for keyword in _MAP:
        if isinstance(schema.get(keyword), dict):
            for name, item in schema[keyword].items():
                if isinstance(item, dict | bool):
                    yield [keyword, name], item


def _pointer(root: Any, ref: str) -> bool:
    """Whether a same-document ref (`#`, `#/a/b`) names a place in the form."""
    fragment = ref[1:]
    if fragment == "":
        return True
    if not fragment.startswith("/"):
        return False
    node = root
    for raw in fragment[1:].split("/"):
        part = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return isinstance(node, dict | bool)


def _linear_pattern(pattern: str, path: list[str | int]) -> Any:
    import re2  # google-re2: matching time is linear in the input, whatever the pattern

    if len(pattern) > MAX_PATTERN_LENGTH:
        raise FormError(f"pattern is longer than {MAX_PATTERN_LENGTH} characters", path)
    try:
        return re2.compile(pattern, options=_re2_options())
    except Exception as error:  # re2.error, and TypeError for odd input
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise FormError(
            f"pattern {pattern!r} is not supported: {reason} (patterns run on a linear-time engine: no "
            "lookaround or backreferences)",
            path,
        ) from error


def _re2_options() -> Any:
    import re2

    options = re2.Options()
    options.log_errors = False
    options.max_mem = 8 << 20
    return options


def check_form(form: Any) -> None:
    """Raise FormError unless the form is small, shallow, self-contained and its patterns are linear-time."""
    if not isinstance(form, dict):
        raise FormError("form must be a JSON object")
    try:
        size = len(json.dumps(form, ensure_ascii=False).encode("utf-8"))
    except (TypeError, ValueError, RecursionError) as error:
        raise FormError(f"form is not plain JSON: {error}") from error
    if size > MAX_FORM_BYTES:
        raise FormError(f"form is larger than {MAX_FORM_BYTES // 1024} KiB ({size} bytes)")

    def walk(schema: Any, path: list[str | int], depth: int) -> None:
        if depth > MAX_FORM_DEPTH:
            raise FormError(f"form is nested deeper than {MAX_FORM_DEPTH} levels", path)
        if isinstance(schema, bool):
            return
        if not isinstance(schema, dict):
            raise FormError("a subschema must be an object or a boolean", path)
        for keyword, reason in _REFUSED.items():
            if keyword in schema:
                raise FormError(reason, [*path, keyword])
        ref = schema.get("$ref")
        if ref is not None:
            if not isinstance(ref, str) or not ref.startswith("#"):
                raise FormError(f"$ref {ref!r} points outside the form; only refs inside it ('#/...')", path)
            if not _pointer(form, ref):
                raise FormError(f"$ref {ref!r} names nothing in the form", [*path, "$ref"])
        if "pattern" in schema:
            if not isinstance(schema["pattern"], str):
                raise FormError("pattern must be a string", [*path, "pattern"])
            _linear_pattern(schema["pattern"], [*path, "pattern"])
        for where, child in _subschemas(schema):
            walk(child, [*path, *where], depth + 1)

    walk(form, [], 0)


def _matcher(compiled: Any) -> Callable[[str], bool]:
    """A custom format: the value contains a match of the compiled RE2 pattern."""
    return lambda value: compiled.search(value) is not None


def _rewrite_patterns(form: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Callable[[str], bool]]]:
    """A copy of the form where each `pattern` is a custom format matched by RE2 (fastjsonschema would use
    Python's backtracking `re`), and the formats that implement them."""
    formats: dict[str, Callable[[str], bool]] = {}
    patterns: dict[str, str] = {}

    def rewrite(schema: Any, path: list[str | int]) -> Any:
        if not isinstance(schema, dict):
            return schema
        copy = dict(schema)
        for where, child in _subschemas(schema):
            target: Any = copy
            for part in where[:-1]:
                target[part] = list(target[part]) if isinstance(target[part], list) else dict(target[part])
                target = target[part]
            target[where[-1]] = rewrite(child, [*path, *where])
        if isinstance(copy.get("pattern"), str):
            pattern = copy.pop("pattern")
            name = _PATTERN_FORMAT + hashlib.sha256(pattern.encode("utf-8", "surrogatepass")).hexdigest()[:20]
            compiled = _linear_pattern(pattern, [*path, "pattern"])
            formats[name] = _matcher(compiled)
            patterns[name] = pattern
            copy["allOf"] = [*copy.get("allOf", []), {"format": name}]
        return copy

    rewritten = rewrite(form, [])
    _PATTERN_TEXT.update(patterns)
    return rewritten, formats


_PATTERN_TEXT: dict[str, str] = {}


def _regex_format(value: str) -> bool:
    """`format: regex` on data: compiled by RE2, never by Python's `re`."""
    import re2

    if len(value) > MAX_PATTERN_LENGTH:
        return False
    try:
        re2.compile(value, options=_re2_options())
    except Exception:
        return False
    return True


def compile_form(form: dict[str, Any]) -> Callable[[Any], Any]:
    """A validator for `data`; raises FormError for a form that is not safe (e.g. stored before the rules)."""
    check_form(form)
    rewritten, formats = _rewrite_patterns(form)
    try:
        return fastjsonschema.compile(rewritten, handlers=NO_REMOTE_REFS, formats={"regex": _regex_format, **formats})
    except (fastjsonschema.JsonSchemaDefinitionException, TypeError, ValueError, RecursionError) as error:
        raise FormError(f"form is not a usable JSON Schema: {error}") from error


def readable_message(message: str) -> str:
    """fastjsonschema names a rewritten pattern by its format; say which pattern it was."""
    for name, pattern in _PATTERN_TEXT.items():
        if message.endswith(f"must be {name}"):
            return message[: -len(f"must be {name}")] + f"must match pattern {pattern}"
    return message
