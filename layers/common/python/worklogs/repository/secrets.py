"""The key that signs pagination cursors: from the environment locally, from Secrets Manager on AWS."""

from __future__ import annotations

import hashlib

from worklogs.config import environment
from worklogs.repository.errors import CursorKeyMissing


def cursor_signing_key() -> bytes:
    """CursorKeyMissing when the function has neither the key nor the secret's ARN."""
    config = environment()
    if config.cursor_signing_key:
        return hashlib.sha256(config.cursor_signing_key.encode()).digest()
    if config.cursor_secret_arn:
        from aws_lambda_powertools.utilities import parameters

        from worklogs.repository.dynamodb import trace_aws_calls

        trace_aws_calls()
        # Cached for five minutes per container: one Secrets Manager call per cold start, not per request.
        secret = parameters.get_secret(config.cursor_secret_arn, max_age=300)
        return hashlib.sha256(str(secret).encode()).digest()
    raise CursorKeyMissing("Neither CURSOR_SIGNING_KEY nor CURSOR_SECRET_ARN is set.")
