"""The API's answer to each outcome the worklog store reports in its own terms (repository/errors.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from worklogs.errors import Conflict, PreconditionFailed, ServiceUnavailable, ValidationFailed
from worklogs.repository import secrets
from worklogs.repository.errors import (
    AlreadyExists,
    CursorKeyMissing,
    ItemTooLarge,
    TooManyItems,
    WorklogVersionChanged,
)


def cursor_signing_key() -> bytes:
    """The key that signs pagination cursors; 503 when the function is deployed without one."""
    try:
        return secrets.cursor_signing_key()
    except CursorKeyMissing as error:
        raise ServiceUnavailable("Pagination is not configured (no cursor signing key).") from error


@contextmanager
def worklog_write_errors() -> Iterator[None]:
    """Around a worklog transaction: what the store refused, as the 4xx the caller can act on."""
    try:
        yield
    except ItemTooLarge as error:
        # Only a merge can grow a worklog past the limit (each part fits): the caller's input, not a 5xx.
        raise ValidationFailed(
            f"Worklog {error.worklog_id} would be larger than the {error.limit_bytes // 1024} KB a worklog can "
            "hold (description and data together); merge fewer worklogs or shorten their descriptions.",
            code="WORKLOG_TOO_LARGE",
            details=[{"loc": ["body"], "msg": "Resulting worklog too large.", "type": "item_size"}],
        ) from error
    except TooManyItems as error:
        raise Conflict(
            "This change touches too many stored items for one atomic write (links and days spanned count); "
            "change fewer worklogs at once or remove some links first.",
            code="CHANGE_TOO_LARGE",
        ) from error
    except AlreadyExists as error:
        raise Conflict("A worklog with this id already exists.", code="WORKLOG_EXISTS") from error
    except WorklogVersionChanged as error:
        raise PreconditionFailed(
            f"Worklog {error.worklog_id} changed meanwhile (version {error.current_version}); read it again and retry.",
            code="VERSION_MISMATCH",
            details=[{"worklogId": error.worklog_id, "currentVersion": error.current_version}],
        ) from error
