"""Runtime configuration, read from the environment once (the template sets these variables)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

API_PREFIX = "/v1"
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Settings:
    worklogs_table: str
    rollup_table: str
    dynamodb_endpoint_url: str | None
    cursor_secret_arn: str | None
    cursor_signing_key: str | None


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings(
        worklogs_table=os.environ.get("WORKLOGS_TABLE", "MainTable"),
        rollup_table=os.environ.get("ROLLUP_TABLE", "RollupTable"),
        dynamodb_endpoint_url=os.environ.get("DYNAMODB_ENDPOINT_URL") or None,
        cursor_secret_arn=os.environ.get("CURSOR_SECRET_ARN") or None,
        cursor_signing_key=os.environ.get("CURSOR_SIGNING_KEY") or None,
    )
