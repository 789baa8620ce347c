"""Idempotent operations: with an `Idempotency-Key`, a retried request gets the first response (24 hours)
instead of running again; the same key with another body is refused (422). Powertools Idempotency stores
the records in the workspace's own partition (repository/idempotency.py), so one tenant's key never answers
another's request.

The utility is imported on the first keyed request, not at cold start. Each operation keeps its own record
names (the function name Powertools stores with every record), so a create and a batch never answer each
other, and records written before a deploy still replay after it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from worklogs.auth import Caller

TTL_SECONDS = 24 * 3600


@dataclass
class IdempotentOperation:
    """One API operation that accepts an `Idempotency-Key`; `record_name` names its stored records."""

    record_name: str
    key_parts: str = "[workspaceId, callerId, idempotencyKey]"
    _config: Any = field(default=None, repr=False)

    def _idempotency_config(self) -> Any:
        if self._config is None:
            from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

            self._config = IdempotencyConfig(
                event_key_jmespath=self.key_parts,
                payload_validation_jmespath="body",
                raise_on_no_idempotency_key=True,
                expires_after_seconds=TTL_SECONDS,
            )
        return self._config

    def run(
        self,
        operation: Callable[[], dict[str, Any]],
        *,
        workspace_id: str,
        caller: Caller,
        key: str | None,
        raw_body: str | None,
        lambda_context: Any,
    ) -> tuple[dict[str, Any], bool]:
        """`operation()`'s result, and whether it is a replay of an earlier request's."""
        if key is None:
            return operation(), False
        from aws_lambda_powertools.utilities.idempotency import idempotent_function

        from worklogs.api import idempotency_failure
        from worklogs.repository.idempotency import persistence_for

        executed: list[bool] = []

        def once(request: dict[str, Any]) -> dict[str, Any]:
            executed.append(True)
            return operation()

        module, _, qualname = self.record_name.partition(":")
        once.__module__, once.__qualname__ = module, qualname
        config = self._idempotency_config()
        config.register_lambda_context(lambda_context)
        guarded = idempotent_function(
            data_keyword_argument="request", persistence_store=persistence_for(workspace_id), config=config
        )(once)
        request = {
            "workspaceId": workspace_id,
            "callerId": caller.sub,
            "idempotencyKey": key,
            "body": json.loads(raw_body or "{}"),
        }
        try:
            outcome = guarded(request=request)
        except Exception as error:
            mapped = idempotency_failure(error)
            if mapped is None:
                raise
            raise mapped from error
        return outcome, not executed
