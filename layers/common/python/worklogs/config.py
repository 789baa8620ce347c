"""Runtime configuration: the function's environment, parsed and validated once at cold start (the template
sets these variables; tests and the local runner set them from the template too)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

API_PREFIX = "/v1"
MAX_BODY_BYTES = 64 * 1024
REQUIRED = ("WORKLOGS_TABLE", "ROLLUP_TABLE")


class MissingConfiguration(RuntimeError):
    """A variable the template sets is missing: the function cannot serve anything."""


@dataclass(frozen=True)
class Environment:
    worklogs_table: str
    rollup_table: str
    dynamodb_endpoint_url: str | None
    cursor_secret_arn: str | None
    cursor_signing_key: str | None


@lru_cache(maxsize=1)
def environment() -> Environment:
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        raise MissingConfiguration(f"Environment variables not set: {', '.join(missing)} (template.yaml sets them).")
    return Environment(
        worklogs_table=os.environ["WORKLOGS_TABLE"],
        rollup_table=os.environ["ROLLUP_TABLE"],
        dynamodb_endpoint_url=os.environ.get("DYNAMODB_ENDPOINT_URL") or None,
        cursor_secret_arn=os.environ.get("CURSOR_SECRET_ARN") or None,
        cursor_signing_key=os.environ.get("CURSOR_SIGNING_KEY") or None,
    )
