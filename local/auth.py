"""Local stand-in for the HTTP API's JWT authorizer: an RS256 key made on first use, kept in .local/."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from local.template import ROOT

LOCAL_ISSUER = "https://worklogs.local/issuer"
LOCAL_AUDIENCE = "worklogs"


def key_file() -> Path:
    return Path(os.environ.get("WORKLOGS_LOCAL_KEY_FILE", ROOT / ".local" / "jwt-signing-key.pem"))


def signing_key(path: Path | None = None) -> rsa.RSAPrivateKey:
    path = path or key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(pem)
        temporary.chmod(0o600)
        temporary.replace(path)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


def issue_token(
    *,
    sub: str,
    workspaces: list[str],
    privileges: list[str] | None = None,
    name: str | None = None,
    ttl_seconds: int = 12 * 3600,
    now: float | None = None,
    key: rsa.RSAPrivateKey | None = None,
) -> str:
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": LOCAL_ISSUER,
        "aud": LOCAL_AUDIENCE,
        "sub": sub,
        "iat": issued,
        "exp": issued + ttl_seconds,
        "workspaces": workspaces,
        "privileges": privileges or [],
    }
    if name:
        claims["name"] = name
    return jwt.encode(claims, key or signing_key(), algorithm="RS256")


class InvalidToken(Exception):
    pass


def verify_authorization(header: str | None, public_key: Any) -> dict[str, Any]:
    """Claims of a valid `Bearer` token, as API Gateway's JWT authorizer would pass them on."""
    if not header:
        raise InvalidToken("missing Authorization header")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("expected a Bearer token")
    try:
        return jwt.decode(
            token.strip(),
            public_key,
            algorithms=["RS256"],
            audience=LOCAL_AUDIENCE,
            issuer=LOCAL_ISSUER,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
