"""Domain errors. Each type carries its HTTP status and a stable error code; api.py maps them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from worklogs.repository.errors import VersionConflict


class WorklogsError(Exception):
    """Base error: `status` and `code` are part of the API contract."""

    status: int = 500
    code: str = "INTERNAL_ERROR"

    def __init__(self, message: str, *, code: str | None = None, details: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or []


class BadRequest(WorklogsError):
    status = 400
    code = "BAD_REQUEST"


class Unauthorized(WorklogsError):
    status = 401
    code = "UNAUTHORIZED"


class Forbidden(WorklogsError):
    status = 403
    code = "FORBIDDEN"


class NotFound(WorklogsError):
    status = 404
    code = "NOT_FOUND"


class Conflict(WorklogsError):
    status = 409
    code = "CONFLICT"


class PreconditionFailed(WorklogsError):
    status = 412
    code = "PRECONDITION_FAILED"


class PayloadTooLarge(WorklogsError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(WorklogsError):
    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class ValidationFailed(WorklogsError):
    status = 422
    code = "VALIDATION_FAILED"


class PreconditionRequired(WorklogsError):
    status = 428
    code = "PRECONDITION_REQUIRED"


class ServiceUnavailable(WorklogsError):
    status = 503
    code = "SERVICE_UNAVAILABLE"


@contextmanager
def conflicts_as_version_mismatch(message: str) -> Iterator[None]:
    """A store's VersionConflict (another writer saved first) as 412 VERSION_MISMATCH with `message`."""
    try:
        yield
    except VersionConflict as error:
        raise PreconditionFailed(message, code="VERSION_MISMATCH") from error
