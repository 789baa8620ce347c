"""The one entry helper of every function: its Logger (with the API Gateway correlation id), Metrics, Tracer
and error handling, and the configuration, validated once at cold start.

Cold-start rules kept here (docs/operations.md "Cold starts"): no boto3 at import (the DynamoDB client is
made on first use and patched for tracing then), `Tracer(auto_patch=False)`, responses never captured into
traces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths

from worklogs import coldstart, config

if TYPE_CHECKING:  # a worker function (schedule, stream) never loads the HTTP resolver
    from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class Function:
    """What a function's module builds once, at import: its telemetry and, for an API function, its resolver."""

    logger: Logger = field(default_factory=Logger)
    tracer: Tracer = field(default_factory=lambda: Tracer(auto_patch=False))  # botocore: patched on first client
    metrics: Metrics = field(default_factory=Metrics)
    app: APIGatewayHttpResolver | None = None

    def require_app(self) -> APIGatewayHttpResolver:
        if self.app is None:
            raise RuntimeError("Only a function made by api_function() has a resolver.")
        return self.app

    def entry(self, body: Handler, *, correlation_id_path: str | None = None) -> Handler:
        """`body` wrapped with the function's logging (correlation id, cleared state), metrics and tracing;
        every invocation ends with `coldstart.request_done()` (the first one turns the collector back on)."""

        @self.logger.inject_lambda_context(clear_state=True, correlation_id_path=correlation_id_path)
        @self.metrics.log_metrics
        @self.tracer.capture_lambda_handler(capture_response=False)
        def lambda_handler(event: dict[str, Any], context: Any) -> Any:
            try:
                return body(event, context)
            finally:
                coldstart.request_done()

        return lambda_handler

    def api_entry(self) -> Handler:
        """The Lambda handler of an API function: the request guard and the resolver (worklogs.api.handle)."""
        from worklogs.api import handle

        app = self.require_app()
        return self.entry(lambda event, context: handle(app, event, context), correlation_id_path=API_CORRELATION)


API_CORRELATION = correlation_paths.API_GATEWAY_HTTP


def api_function() -> Function:
    """An API function: the configuration checked, its telemetry, and the resolver with the shared error
    handling and request guards (worklogs.api.create_app)."""
    from worklogs.api import create_app

    config.environment()  # fails loudly at cold start when a variable is missing
    return Function(app=create_app())


def worker_function() -> Function:
    """A function invoked by a schedule or a stream: the configuration checked and its telemetry."""
    config.environment()
    return Function()
