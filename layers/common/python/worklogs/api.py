"""Shared HTTP plumbing for every API function: resolver setup, request guards, caller, error mapping.

Handlers stay thin: they get the caller, call the domain, and map the result with `json_response`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal, cast, overload
from urllib.parse import unquote

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from pydantic import BaseModel

from worklogs import snapstart
from worklogs.auth import Caller
from worklogs.config import MAX_BODY_BYTES
from worklogs.errors import (
    BadRequest,
    Conflict,
    PayloadTooLarge,
    PreconditionRequired,
    UnsupportedMediaType,
    ValidationFailed,
    WorklogsError,
)
from worklogs.models import ErrorResponse, GatewayError

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
    from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

logger = Logger()

_BODY_METHODS = {"POST", "PUT", "PATCH"}
_ERROR_DESCRIPTIONS = {
    400: "Malformed request (bad JSON, tampered cursor, an unknown query parameter).",
    401: "No valid bearer token (answered by API Gateway's JWT authorizer).",
    403: "Not allowed for your role in this workspace.",
    404: "Not found, or not in a workspace you belong to.",
    409: "Conflict with the current state.",
    412: "The If-Match version is stale.",
    413: "Request body larger than 64 KiB.",
    415: "The body is not JSON.",
    422: "The request is well-formed but invalid; `details` lists each problem.",
    428: "If-Match is required.",
    500: "Unexpected server error.",
    503: "A dependency is unavailable; retry later.",
}


def error_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI `responses` entries for error statuses, all in the common error shape."""
    return {
        status: {
            "description": _ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"model": GatewayError if status == 401 else ErrorResponse}},
        }
        for status in sorted({*statuses, 400, 500})  # 400: any route refuses unknown query parameters
    }


def model_response(status: int, model: type[BaseModel], description: str) -> dict[int, OpenAPIResponse]:
    return {status: {"description": description, "content": {"application/json": {"model": model}}}}


def _error_body(status: int, code: str, message: str, details: Iterable[dict[str, Any]], request_id: str | None) -> str:
    return json.dumps(
        {"error": {"code": code, "message": message, "details": list(details)}, "requestId": request_id},
        default=str,
    )


def _request_id(event: dict[str, Any] | None) -> str | None:
    if not isinstance(event, dict):
        return None
    return (event.get("requestContext") or {}).get("requestId")


def error_response(error: WorklogsError, request_id: str | None) -> Response:
    return Response(
        status_code=error.status,
        content_type=content_types.APPLICATION_JSON,
        body=_error_body(error.status, error.code, error.message, error.details, request_id),
    )


def json_response(
    status: int, model: BaseModel, *, headers: dict[str, str] | None = None, etag_version: int | None = None
) -> Response:
    all_headers = dict(headers or {})
    if etag_version is not None:
        all_headers["ETag"] = f'"{etag_version}"'
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=model.model_dump_json(by_alias=True),
        headers=all_headers,
    )


def _validation_details(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        loc = [part if isinstance(part, int) else str(part) for part in error.get("loc", ())]
        kind = str(error.get("type", "invalid"))
        message = error.get("msg") or kind.replace("_", " ")
        if kind == "missing":
            message = "Field required."
        elif kind == "extra_forbidden":
            message = "Unknown field; it is not part of this request."
        details.append({"loc": loc, "msg": str(message), "type": kind})
    return details


_ALLOWED_QUERY: dict[int, frozenset[str]] = {}


def allowed_query_parameters(route: Any) -> frozenset[str]:
    """The query parameters a route declares (its handler's `Query` parameters, by alias)."""
    allowed = _ALLOWED_QUERY.get(id(route))
    if allowed is None:
        allowed = _ALLOWED_QUERY[id(route)] = frozenset(field.alias for field in route.dependant.query_params)
    return allowed


def _reject_unknown_query_parameters(app: APIGatewayHttpResolver, next_middleware: Any) -> Response:
    """400 for a query parameter the route does not declare: a typo must not widen a search silently."""
    route = app.context.get("_route")
    given = app.current_event.query_string_parameters or {}
    if route is not None and given:
        allowed = allowed_query_parameters(route)
        unknown = sorted(set(given) - allowed)
        if unknown:
            listed = ", ".join(sorted(allowed)) or "none"
            raise BadRequest(
                f"Unknown query parameter(s): {', '.join(unknown)}. This route accepts: {listed}.",
                code="UNKNOWN_QUERY_PARAMETER",
                details=[
                    {"loc": ["query", name], "msg": f"Unknown query parameter; allowed: {listed}.", "type": "unknown"}
                    for name in unknown
                ],
            )
    return next_middleware(app)


class _Resolver(APIGatewayHttpResolver):
    """Path parameters as API Gateway passes them: percent-decoded (Powertools matches the raw path and
    would hand `Q%2F1` to the handler where API Gateway's `pathParameters` say `Q/1`)."""

    def _convert_matches_into_route_keys(self, match: re.Match) -> dict[str, str]:
        return {name: unquote(value) for name, value in match.groupdict().items()}


def create_app() -> APIGatewayHttpResolver:
    """The resolver every API function uses, with the common error mapping registered."""
    app = _Resolver(enable_validation=True)
    app.use(middlewares=[_reject_unknown_query_parameters])
    snapstart.register()

    @app.exception_handler(WorklogsError)
    def _domain_error(error: WorklogsError) -> Response:
        if error.status >= 500:
            logger.error("service error", extra={"code": error.code})
        return error_response(error, _request_id(app.current_event.raw_event))

    @app.exception_handler(RequestValidationError)
    def _invalid_request(error: RequestValidationError) -> Response:
        details = _validation_details(error.errors())
        summary = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['msg']}" for d in details[:5])
        return Response(
            status_code=HTTPStatus.UNPROCESSABLE_ENTITY,
            content_type=content_types.APPLICATION_JSON,
            body=_error_body(
                422,
                "VALIDATION_FAILED",
                f"The request is invalid: {summary}",
                details,
                _request_id(app.current_event.raw_event),
            ),
        )

    @app.exception_handler(RequestUnsupportedContentType)
    def _unsupported_media(_: Exception) -> Response:
        return error_response(
            UnsupportedMediaType("Send the request body as JSON with Content-Type: application/json."),
            _request_id(app.current_event.raw_event),
        )

    @app.not_found
    def _no_route(_: Exception) -> Response:
        return Response(
            status_code=HTTPStatus.NOT_FOUND,
            content_type=content_types.APPLICATION_JSON,
            body=_error_body(404, "ROUTE_NOT_FOUND", "No such route.", [], _request_id(app.current_event.raw_event)),
        )

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        logger.exception("unhandled error")
        return Response(
            status_code=HTTPStatus.INTERNAL_SERVER_ERROR,
            content_type=content_types.APPLICATION_JSON,
            body=_error_body(
                500,
                "INTERNAL_ERROR",
                "Unexpected error; it has been logged.",
                [],
                _request_id(app.current_event.raw_event),
            ),
        )

    return app


def idempotency_failure(error: Exception) -> WorklogsError | None:
    """Our error for a Powertools Idempotency failure (a reused key, a retry while the first still runs).

    Only the create function uses Idempotency, and only when a key is sent: the utility is imported there,
    then, not by every function at import."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    if isinstance(error, IdempotencyValidationError):
        return ValidationFailed(
            "This Idempotency-Key was already used with a different request body; use a new key for a "
            "different request.",
            code="IDEMPOTENCY_KEY_REUSED",
            details=[{"loc": ["header", "Idempotency-Key"], "msg": "Reused with another body.", "type": "idempotency"}],
        )
    if isinstance(error, IdempotencyAlreadyInProgressError):
        return Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code="IDEMPOTENCY_IN_PROGRESS",
        )
    return None


def current_caller(app: APIGatewayHttpResolver) -> Caller:
    """The caller from the authorizer's verified JWT claims (never from the request body)."""
    context = app.current_event.raw_event.get("requestContext") or {}
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims")
    return Caller.from_claims(claims)


_ETAG = re.compile(r'^(?:W/)?"(\d{1,9})"$')


@overload
def parse_if_match(value: str | None, *, required: Literal[True]) -> int: ...
@overload
def parse_if_match(value: str | None, *, required: bool) -> int | None: ...
def parse_if_match(value: str | None, *, required: bool) -> int | None:
    """The version in an `If-Match: "<version>"` header (W/ accepted); 428 when required and absent."""
    if value is None or not value.strip():
        if required:
            raise PreconditionRequired(
                'Send If-Match: "<version>" with the version you read (the ETag of your last GET).',
                code="IF_MATCH_REQUIRED",
            )
        return None
    match = _ETAG.match(value.strip())
    if not match:
        raise BadRequest(
            'If-Match must be the quoted version from the ETag, e.g. If-Match: "3".',
            code="INVALID_IF_MATCH",
            details=[{"loc": ["header", "If-Match"], "msg": "Expected a quoted version number.", "type": "etag"}],
        )
    return int(match.group(1))


def _reject_nan(constant: str) -> Any:
    raise ValueError(f"{constant} is not valid JSON")


def _guard_request(event: dict[str, Any]) -> dict[str, Any]:
    """Checks the resolver does not make: body encoding, size, content type and JSON syntax."""
    body = event.get("body")
    if body is None or body == "":
        return event
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body, validate=True)
            text = raw.decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError) as error:
            raise BadRequest("The request body is not valid UTF-8 text.", code="MALFORMED_BODY") from error
        event = {**event, "body": text, "isBase64Encoded": False}
    else:
        raw = body.encode("utf-8", errors="surrogatepass")
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.")
    method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "").upper()
    if method in _BODY_METHODS:
        headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
        media_type = str(headers.get("content-type", "")).split(";", 1)[0].strip().lower()
        if media_type != "application/json" and not media_type.endswith("+json"):
            raise UnsupportedMediaType("Send the request body as JSON with Content-Type: application/json.")
        try:
            json.loads(event["body"], parse_constant=_reject_nan)
        except (ValueError, RecursionError) as error:
            raise BadRequest(f"The request body is not valid JSON: {error}", code="MALFORMED_JSON") from error
        if media_type != "application/json" or headers.get("content-type") != "application/json":
            # `*+json` and any spelling of application/json are JSON: the resolver parses only the plain name.
            kept = {k: v for k, v in (event.get("headers") or {}).items() if str(k).lower() != "content-type"}
            event = {**event, "headers": {**kept, "content-type": "application/json"}}
    return event


def handle(app: APIGatewayHttpResolver, event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Entry point of every API function: guard the raw request, then route it."""
    try:
        event = _guard_request(event)
    except WorklogsError as error:
        response = error_response(error, _request_id(event))
        return {
            "statusCode": response.status_code,
            "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": response.body,
            "isBase64Encoded": False,
        }
    # Powertools keeps the current event on the resolver *class* (shared by every resolver in the process);
    # as instance attributes they are this resolver's own, so resolvers serving requests side by side in
    # one process (the local runner, threaded tests) never read each other's event or caller.
    app.current_event = cast("APIGatewayProxyEventV2", app._to_proxy_event(event))  # an HTTP API resolver's kind
    app.lambda_context = context
    return app.resolve(event, context)
