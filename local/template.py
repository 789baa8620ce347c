"""Reads template.yaml: the routes, tables and function settings that tests and the runner share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_PATH = ROOT / "template.yaml"


class _TemplateLoader(yaml.SafeLoader):
    """YAML loader that understands CloudFormation short tags (`!Ref X` → {"Ref": "X"})."""


def _cfn_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _cfn_tag)


FOR_EACH = "Fn::ForEach::"


def read_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as written (`Fn::ForEach::<Loop>` keys left in place)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_TemplateLoader)  # noqa: S506 - safe loader subclass


@lru_cache(maxsize=4)
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as CloudFormation sees it after AWS::LanguageExtensions: every Fn::ForEach expanded."""
    return expand_for_each(read_template(path))


def expand_for_each(template: dict[str, Any]) -> dict[str, Any]:
    """Expand every `Fn::ForEach::<Loop>: [Identifier, Collection, {OutputKey: OutputValue}]` the way the
    AWS::LanguageExtensions transform does: one copy of the fragment per item, with `${Identifier}` and
    `&{Identifier}` replaced in keys and `Fn::Sub` strings, and `{"Ref": Identifier}` replaced by the item."""
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
    """Where the transform substitutes: keys, `Fn::Sub` strings, and `{"Ref": Identifier}`."""
    if isinstance(node, list):
        return [_substitute(value, identifier, item) for value in node]
    if not isinstance(node, dict):
        return node
    if node == {"Ref": identifier}:
        return item
    result = {}
    for key, value in node.items():
        if key == "Fn::Sub" and isinstance(value, str):
            value = _fill(value, identifier, item)
            if "${" not in value:
                return value  # nothing left to substitute: CloudFormation resolves it to the string
        elif key == "Fn::Sub" and isinstance(value, list) and value and isinstance(value[0], str):
            value = [_fill(value[0], identifier, item), *_substitute(value[1:], identifier, item)]
        else:
            value = _substitute(value, identifier, item)
        result[_fill(key, identifier, item)] = value
    return result


def _fill(text: str, identifier: str, item: str) -> str:
    alphanumeric = re.sub(r"[^A-Za-z0-9]", "", item)
    return text.replace(f"${{{identifier}}}", item).replace(f"&{{{identifier}}}", alphanumeric)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as in the template: /v1/workspaces/{workspaceId}/worklogs
    function: str  # logical id
    authorized: bool
    pattern: re.Pattern[str] = field(compare=False)

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method != self.method:
            return None
        found = self.pattern.fullmatch(path)
        return found.groupdict() if found else None


@dataclass(frozen=True)
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, Any]

    @property
    def module_file(self) -> Path:
        return self.code_dir / f"{self.handler.rsplit('.', 1)[0]}.py"

    @property
    def handler_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]


def _path_pattern(path: str) -> re.Pattern[str]:
    regex = ""
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]
            if name.endswith("+"):
                regex += f"(?P<{name[:-1]}>.+)"
            else:
                regex += f"(?P<{name}>[^/]+)"
        else:
            regex += re.escape(piece)
    return re.compile(regex)


def resources(template: dict[str, Any] | None = None, kind: str | None = None) -> dict[str, dict[str, Any]]:
    template = template or load_template()
    return {
        name: resource
        for name, resource in template["Resources"].items()
        if kind is None or resource.get("Type") == kind
    }


def functions(template: dict[str, Any] | None = None) -> dict[str, FunctionSpec]:
    template = template or load_template()
    global_env = (((template.get("Globals") or {}).get("Function") or {}).get("Environment") or {}).get("Variables", {})
    specs = {}
    for name, resource in resources(template, "AWS::Serverless::Function").items():
        props = resource["Properties"]
        env = {**global_env, **((props.get("Environment") or {}).get("Variables") or {})}
        specs[name] = FunctionSpec(
            logical_id=name,
            code_dir=ROOT / props["CodeUri"],
            handler=props["Handler"],
            environment=env,
        )
    return specs


def routes(template: dict[str, Any] | None = None) -> list[Route]:
    template = template or load_template()
    found = []
    for name, resource in resources(template, "AWS::Serverless::Function").items():
        for event in (resource["Properties"].get("Events") or {}).values():
            if event.get("Type") != "HttpApi":
                continue
            props = event["Properties"]
            auth = (props.get("Auth") or {}).get("Authorizer")
            found.append(
                Route(
                    method=props["Method"].upper(),
                    path=props["Path"],
                    function=name,
                    authorized=auth != "NONE",
                    pattern=_path_pattern(props["Path"]),
                )
            )
    # Literal segments win over parameters, as in API Gateway: sort by fewest parameters first.
    return sorted(found, key=lambda route: (route.path.count("{"), -len(route.path)))


def table_definitions(template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """CreateTable arguments for each AWS::DynamoDB::Table, keyed by logical id (used as table name)."""
    definitions = {}
    for name, resource in resources(template, "AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if props.get("GlobalSecondaryIndexes"):
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        if props.get("StreamSpecification"):
            view = props["StreamSpecification"]["StreamViewType"]
            request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        definitions[name] = request
    return definitions


def ttl_attribute(table: str, template: dict[str, Any] | None = None) -> str | None:
    spec = resources(template)[table]["Properties"].get("TimeToLiveSpecification") or {}
    return spec.get("AttributeName") if spec.get("Enabled") else None


def local_environment(template: dict[str, Any] | None = None) -> dict[str, str]:
    """The functions' environment with every !Ref resolved for a local run (tables by logical id)."""
    template = template or load_template()
    tables = set(resources(template, "AWS::DynamoDB::Table"))
    parameters = template.get("Parameters") or {}
    env: dict[str, str] = {}
    for spec in functions(template).values():
        for key, value in spec.environment.items():
            if key == "POWERTOOLS_SERVICE_NAME":
                continue  # one process serves every function locally
            if isinstance(value, dict) and "Ref" in value:
                ref = value["Ref"]
                if ref in tables:
                    env[key] = ref
                elif ref in parameters and "Default" in parameters[ref]:
                    env[key] = str(parameters[ref]["Default"])
                # Other resources (e.g. the cursor secret) have local stand-ins set by the runner.
            elif not isinstance(value, dict):
                env[key] = str(value)
    return env
