"""Build the whole API's OpenAPI document from every function's resolver.

python -m local.openapi          # write layers/common/python/worklogs/openapi.json
python -m local.openapi --check  # exit 1 if the committed file is out of date
"""

from __future__ import annotations

import argparse
import json
import sys

from local.functions import resolver
from local.template import functions, routes

TITLE = "Worklogs API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Record who spent how much time on what, search it, and roll it up for billing. "
    "Every route except the schema and docs needs a bearer JWT whose claims carry `sub`, "
    "`workspaces` (`<workspaceId>:<role>`) and `privileges`. Errors share one shape: "
    '`{"error": {"code", "message", "details"}, "requestId"}`.'
)


def build_schema() -> dict:
    import os

    from local.template import local_environment

    # The functions validate their configuration at import; the schema needs no tables, only their names.
    for key, value in local_environment().items():
        os.environ.setdefault(key, value)
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

    merge = OpenAPIMerge(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")},
        security=[{"bearerAuth": []}],
        on_conflict="error",
    )
    routed = {route.function for route in routes()}
    for logical_id in sorted(functions()):
        if logical_id in routed:
            merge.add_schema(resolver(logical_id).get_openapi_schema())
    from local.openapi_contract import refine

    return refine(json.loads(merge.get_openapi_json_schema()))


def render() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    from worklogs.openapi import SCHEMA_FILE

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the committed schema is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
        if current != text:
            print(f"{SCHEMA_FILE} is out of date: run `make openapi`.", file=sys.stderr)
            return 1
        return 0
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
