"""Fn::ForEach expanded as the AWS::LanguageExtensions transform does, for the tools that do not.

template.yaml writes the per-function log groups and alarms once, in a `Fn::ForEach` loop. CloudFormation
(and `sam`, `cfn-lint`) expand it; the local runner, the tests and checkov read the template themselves, so
they read it expanded by this module. `python -m local.for_each` prints the expanded template as JSON
(`make checkov` checks that).

Expanded here: `Fn::ForEach::<Loop>: [Identifier, Collection, {OutputKey: OutputValue}]` anywhere, nested
loops included; the collection is a list or a `!Ref` to a CommaDelimitedList parameter (its default);
`${Identifier}` and `&{Identifier}` (non-alphanumerics dropped) are replaced in keys and in `Fn::Sub`
strings, and `!Ref Identifier` by the item — where cfn-lint substitutes too. A `Fn::Sub` left with no
variable is its string, as CloudFormation resolves it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

FOR_EACH = "Fn::ForEach::"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"


def expand_for_each(template: dict[str, Any]) -> dict[str, Any]:
    """A copy of `template` with every Fn::ForEach replaced by its outputs (the input is left unchanged)."""
    parameters = template.get("Parameters") or {}
    return _expand(template, parameters)


def _expand(node: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_expand(item, parameters) for item in node]
    if not isinstance(node, dict):
        return node
    expanded: dict[str, Any] = {}
    for key, value in node.items():
        if not key.startswith(FOR_EACH):
            _put(expanded, key, _expand(value, parameters))
            continue
        identifier, collection, fragment = value
        for item in _collection(collection, parameters):
            for out_key, out_value in _expand(_substitute(fragment, identifier, item), parameters).items():
                _put(expanded, out_key, out_value)
    return expanded


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if key in target:
        raise ValueError(f"template key {key!r} is defined twice (a Fn::ForEach output clashes with another key)")
    target[key] = value


def _collection(collection: Any, parameters: dict[str, Any]) -> list[str]:
    if isinstance(collection, dict) and set(collection) == {"Ref"}:  # a CommaDelimitedList parameter
        default = parameters[collection["Ref"]]["Default"]
        return [item.strip() for item in default.split(",")] if isinstance(default, str) else list(default)
    return [str(item) for item in collection]


def _substitute(node: Any, identifier: str, item: str) -> Any:
    if isinstance(node, list):
        return [_substitute(value, identifier, item) for value in node]
    if not isinstance(node, dict):
        return node
    if node == {"Ref": identifier}:
        return item
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "Fn::Sub" and isinstance(value, str):
            value = _fill(value, identifier, item)
            if "${" not in value:
                return value
        elif key == "Fn::Sub" and isinstance(value, list) and value and isinstance(value[0], str):
            value = [_fill(value[0], identifier, item), *_substitute(value[1:], identifier, item)]
        else:
            value = _substitute(value, identifier, item)
        result[_fill(key, identifier, item)] = value
    return result


def _fill(text: str, identifier: str, item: str) -> str:
    alphanumeric = re.sub(r"[^A-Za-z0-9]", "", item)
    return text.replace(f"${{{identifier}}}", item).replace(f"&{{{identifier}}}", alphanumeric)


def as_deployed(template: dict[str, Any]) -> dict[str, Any]:
    """The expanded template with AWS::LanguageExtensions taken off its transforms (it has been applied)."""
    expanded = expand_for_each(template)
    transforms = expanded.get("Transform")
    if isinstance(transforms, list):
        remaining = [name for name in transforms if name != LANGUAGE_EXTENSIONS]
        expanded["Transform"] = remaining[0] if len(remaining) == 1 else remaining
    return expanded


def main(argv: list[str] | None = None) -> int:
    from local.template import TEMPLATE_PATH, read_template

    parser = argparse.ArgumentParser(description="Print template.yaml with its Fn::ForEach loops expanded (JSON).")
    parser.add_argument("--template", default=str(TEMPLATE_PATH), help="template to expand (default: %(default)s)")
    args = parser.parse_args(argv)
    json.dump(as_deployed(read_template(Path(args.template))), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
