"""Reads template.yaml: the routes, tables and function settings that tests and the runner share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from local.for_each import expand_for_each

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
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        raise yaml.constructor.ConstructorError(None, None, f"!{tag_suffix} on an unexpected node", node.start_mark)
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _cfn_tag)


def read_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as written (`Fn::ForEach::<Loop>` keys left in place)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_TemplateLoader)  # noqa: S506 - safe loader subclass


@lru_cache(maxsize=4)
def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """The template as CloudFormation reads it after AWS::LanguageExtensions: every Fn::ForEach expanded."""
    return expand_for_each(read_template(path))


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
