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


# API Gateway's JWT authorizers check signatures made with RSA keys from the issuer's JWKS.
ALGORITHMS = ("RS256", "RS384", "RS512")


def key_id(public_key: Any) -> str:
    """The key's `kid`: its RFC 7638 JWK thumbprint (what the local JWKS lists it under)."""
    import base64
    import hashlib
    import json

    numbers = public_key.public_numbers()

    def b64(number: int) -> str:
        raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    canonical = json.dumps({"e": b64(numbers.e), "kty": "RSA", "n": b64(numbers.n)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def local_jwks(*public_keys: Any) -> dict[str, Any]:
    """The local issuer's JWKS: `kid` → public key (API Gateway fetches the same from the issuer's jwks_uri)."""
    return {key_id(key): key for key in public_keys}


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
    signer = key or signing_key()
    return jwt.encode(claims, signer, algorithm="RS256", headers={"kid": key_id(signer.public_key())})


class InvalidToken(Exception):
    pass


def _number(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"{name} must be a NumericDate (a number of seconds)")
    return float(value)


def verify_authorization(
    header: str | None,
    keys: Any,
    *,
    issuer: str = LOCAL_ISSUER,
    audiences: tuple[str, ...] = (LOCAL_AUDIENCE,),
    now: float | None = None,
) -> dict[str, Any]:
    """Claims of a valid token, checked as an HTTP API JWT authorizer does: the token alone or after
    `Bearer `; an RSA signature by the key its `kid` names in the JWKS; `iss`; `aud` (or `client_id` when
    there is no `aud`) among the audiences; `exp` in the future, `nbf` and `iat` not in the future, each a
    number. `keys` is a JWKS (`kid` → public key) or one public key."""
    if not header or not header.strip():
        raise InvalidToken("missing Authorization header")
    token = header.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    jwks = keys if isinstance(keys, dict) else local_jwks(keys)
    try:
        head = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    algorithm, kid = head.get("alg"), head.get("kid")
    if algorithm not in ALGORITHMS:
        raise InvalidToken(f"algorithm {algorithm!r} is not accepted")
    if not isinstance(kid, str) or kid not in jwks:
        raise InvalidToken("kid names no key of the issuer's JWKS")
    try:
        claims = jwt.decode(
            token,
            jwks[kid],
            algorithms=[algorithm],
            options={
                "verify_signature": True,
                "verify_aud": False,
                "verify_iss": False,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    if claims.get("iss") != issuer:
        raise InvalidToken("iss does not match the authorizer's issuer")
    audience = claims.get("aud") if "aud" in claims else claims.get("client_id")
    presented = audience if isinstance(audience, list) else [audience]
    if not any(isinstance(value, str) and value in audiences for value in presented):
        raise InvalidToken("aud (or client_id) matches none of the authorizer's audiences")
    moment = time.time() if now is None else now
    expires, not_before, issued = _number(claims, "exp"), _number(claims, "nbf"), _number(claims, "iat")
    if expires is None or expires <= moment:
        raise InvalidToken("expired or without exp")
    if not_before is not None and not_before > moment:
        raise InvalidToken("not valid yet (nbf)")
    if issued is not None and issued > moment:
        raise InvalidToken("issued in the future (iat)")
    return claims
