"""Opaque pagination cursors: signed, and bound to the workspace and the filter they were made for."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from worklogs.errors import BadRequest

_VERSION = 1


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def filter_fingerprint(workspace_id: str, query: dict[str, Any]) -> str:
    """A short digest of what the cursor is valid for; any other workspace or filter does not match it."""
    canonical = json.dumps({"ws": workspace_id, "q": query}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def encode_cursor(position: dict[str, Any], *, binding: str, key: bytes) -> str:
    payload = json.dumps({"v": _VERSION, "b": binding, "p": position}, separators=(",", ":")).encode()
    signature = hmac.new(key, payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(signature)}"


def decode_cursor(cursor: str, *, binding: str, key: bytes) -> dict[str, Any]:
    """The position inside the cursor; 400 when it is malformed, tampered with or made for another query."""
    invalid = BadRequest(
        "The cursor is invalid: pass back the nextCursor of a previous page with the same filters.",
        code="INVALID_CURSOR",
        details=[{"loc": ["query", "cursor"], "msg": "Invalid cursor.", "type": "cursor"}],
    )
    try:
        payload_text, signature_text = cursor.split(".", 1)
        payload = _unb64(payload_text)
        signature = _unb64(signature_text)
    except (ValueError, AttributeError) as error:
        raise invalid from error
    expected = hmac.new(key, payload, hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise invalid
    try:
        body = json.loads(payload)
    except ValueError as error:
        raise invalid from error
    if not isinstance(body, dict) or body.get("v") != _VERSION or body.get("b") != binding:
        raise invalid
    position = body.get("p")
    if not isinstance(position, dict):
        raise invalid
    return position
