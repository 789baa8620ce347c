"""Forged tokens against the authorizer emulation (API Gateway's JWT authorizer rules), and request
tampering: cursors, idempotency keys, mass assignment, encoded path parameters."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from local.auth import LOCAL_AUDIENCE, LOCAL_ISSUER, key_id
from local.template import routes
from tests.helpers import a_worklog

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
KID = key_id(KEY.public_key())


def now() -> int:
    """Read at each use: a slow run may reach these tests long after import."""
    return int(time.time())


def _claims(**changes: Any) -> dict[str, Any]:
    found = {
        "iss": LOCAL_ISSUER,
        "aud": LOCAL_AUDIENCE,
        "sub": "ada",
        "iat": now() - 10,
        "exp": now() + 3600,
        "workspaces": ["acme:admin"],
    }
    found.update(changes)
    return {k: v for k, v in found.items() if v is not None}


def _sign(claims: dict[str, Any], *, key: Any = KEY, algorithm: str = "RS256", kid: str | None = KID, **head) -> str:
    headers = {"kid": kid} if kid is not None else {}
    headers.update(head)
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _tampered() -> str:
    header, _, signature = _sign(_claims(workspaces=["acme:viewer"])).split(".")
    return ".".join([header, _b64(_claims(workspaces=["acme:admin", "beta:admin"])), signature])


def _none_alg() -> str:
    return ".".join([_b64({"alg": "none", "kid": KID, "typ": "JWT"}), _b64(_claims()), ""])


def _hs256_with_public_key() -> str:
    from cryptography.hazmat.primitives import serialization

    pem = KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = _b64({"alg": "HS256", "kid": KID, "typ": "JWT"})
    body = _b64(_claims())
    import hashlib
    import hmac

    signature = hmac.new(pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


FORGED = {
    "no header": None,
    "empty": "",
    "Bearer only": "Bearer ",
    "garbage": "Bearer not.a.token",
    "Basic scheme": "Basic " + base64.b64encode(b"ada:secret").decode(),
    "alg none": lambda: "Bearer " + _none_alg(),
    "HS256 keyed with the public key": lambda: "Bearer " + _hs256_with_public_key(),
    "ES256": lambda: "Bearer " + _sign(_claims(), key=EC_KEY, algorithm="ES256"),
    "signed by another key, same kid": lambda: "Bearer " + _sign(_claims(), key=OTHER_KEY),
    "no kid": lambda: "Bearer " + _sign(_claims(), kid=None),
    "unknown kid": lambda: "Bearer " + _sign(_claims(), kid="someone-else"),
    "kid of another key": lambda: "Bearer " + _sign(_claims(), key=OTHER_KEY, kid=key_id(OTHER_KEY.public_key())),
    "payload swapped": lambda: "Bearer " + _tampered(),
    "expired": lambda: "Bearer " + _sign(_claims(exp=now() - 1)),
    "no exp": lambda: "Bearer " + _sign(_claims(exp=None)),
    "exp as string": lambda: "Bearer " + _sign(_claims(exp=str(now() + 3600))),
    "exp as bool": lambda: "Bearer " + _sign(_claims(exp=True)),
    "nbf in the future": lambda: "Bearer " + _sign(_claims(nbf=now() + 600)),
    "nbf as string": lambda: "Bearer " + _sign(_claims(nbf=str(now() - 60))),
    "iat in the future": lambda: "Bearer " + _sign(_claims(iat=now() + 600)),
    "iat as string": lambda: "Bearer " + _sign(_claims(iat="yesterday")),
    "wrong issuer": lambda: "Bearer " + _sign(_claims(iss="https://evil.example")),
    "no issuer": lambda: "Bearer " + _sign(_claims(iss=None)),
    "wrong audience": lambda: "Bearer " + _sign(_claims(aud="someone-else")),
    "audience list without ours": lambda: "Bearer " + _sign(_claims(aud=["a", "b"])),
    "no aud, wrong client_id": lambda: "Bearer " + _sign(_claims(aud=None, client_id="other")),
    "no aud, no client_id": lambda: "Bearer " + _sign(_claims(aud=None)),
    "wrong aud, right client_id": lambda: "Bearer " + _sign(_claims(aud="other", client_id=LOCAL_AUDIENCE)),
    "no sub": lambda: "Bearer " + _sign(_claims(sub=None)),
    "token twice": lambda: "Bearer " + _sign(_claims()) + " " + _sign(_claims()),
}
ACCEPTED = {
    "Bearer token": lambda: "Bearer " + _sign(_claims()),
    "bearer in lower case": lambda: "bearer " + _sign(_claims()),
    "token without Bearer": lambda: _sign(_claims()),
    "RS384": lambda: "Bearer " + _sign(_claims(), algorithm="RS384"),
    "RS512": lambda: "Bearer " + _sign(_claims(), algorithm="RS512"),
    "client_id without aud": lambda: "Bearer " + _sign(_claims(aud=None, client_id=LOCAL_AUDIENCE)),
    "audience in a list": lambda: "Bearer " + _sign(_claims(aud=["other", LOCAL_AUDIENCE])),
    "nbf in the past": lambda: "Bearer " + _sign(_claims(nbf=now() - 60)),
}


@pytest.fixture
def gateway(dynamodb):
    from local.server import Gateway

    return Gateway(routes(), KEY.public_key())


def _call(gateway, method: str, path: str, authorization: str | None, body: Any = None, headers=None):
    all_headers = {"authorization": authorization} if authorization is not None else {}
    all_headers.update(headers or {})
    raw = b""
    if body is not None:
        raw = json.dumps(body).encode()
        all_headers["content-type"] = "application/json"
    status, _, payload = gateway(method, path, all_headers, raw)
    return status, payload.decode("utf-8", "replace")


def test_forged_tokens_are_401_and_valid_variants_pass(gateway, tried):
    for name, make in FORGED.items():
        header = make() if callable(make) else make
        status, body = _call(gateway, "GET", "/v1/workspaces/acme/settings", header)
        assert status == 401, (name, status, body)
    for name, make in ACCEPTED.items():
        status, body = _call(gateway, "GET", "/v1/workspaces/acme/settings", make())
        assert status == 200, (name, status, body)
    tried("forged tokens", len(FORGED))


def test_percent_encoded_path_parameters_are_decoded_as_api_gateway_does(gateway):
    token = "Bearer " + _sign(_claims())
    for owner_id in ("Q/1", "a b", "100%", "ü"):
        status, body = _call(gateway, "POST", "/v1/workspaces/acme/worklogs", token, a_worklog(ownerId=owner_id))
        assert status == 201, body
        from urllib.parse import quote

        status, body = _call(
            gateway, "GET", f"/v1/workspaces/acme/owners/Ticket/{quote(owner_id, safe='')}/worklogs", token
        )
        assert status == 200, body
        assert [item["ownerId"] for item in json.loads(body)["items"]] == [owner_id], body


def test_cursors_are_bound_to_the_tenant_and_the_filter(gateway, tried):
    acme = "Bearer " + _sign(_claims(workspaces=["acme:admin", "beta:admin"]))
    for number in range(3):
        start = f"2026-11-11T0{number}:00:00Z"
        status, _ = _call(
            gateway,
            "POST",
            "/v1/workspaces/acme/worklogs",
            acme,
            a_worklog(startDate=start, endDate=None, duration="PT30M"),
        )
        assert status == 201
    status, body = _call(gateway, "GET", "/v1/workspaces/acme/worklogs?limit=1", acme)
    cursor = json.loads(body)["nextCursor"]
    assert cursor
    attacks = [
        "/v1/workspaces/beta/worklogs?limit=1&cursor=" + cursor,
        "/v1/workspaces/acme/worklogs?limit=1&ownerType=Ticket&ownerId=T-1&cursor=" + cursor,
        "/v1/workspaces/acme/worklogs?limit=1&cursor=" + cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"),
        "/v1/workspaces/acme/worklogs?limit=1&cursor=" + _b64({"after": "x", "workspaceId": "beta"}),
        "/v1/workspaces/acme/worklogs?limit=1&cursor=%00%ff",
        "/v1/workspaces/acme/worklogs?limit=1&cursor=" + "A" * 4000,
    ]
    for path in attacks:
        status, body = _call(gateway, "GET", path, acme)
        assert status in (400, 422), (path[:80], status, body)
    tried("tampered cursors", len(attacks))


def test_idempotency_keys_are_scoped_to_the_tenant_and_caller(gateway, tried):
    acme = "Bearer " + _sign(_claims(sub="ada", workspaces=["acme:admin"]))
    beta = "Bearer " + _sign(_claims(sub="eve", workspaces=["beta:admin"]))
    key = {"idempotency-key": "shared-key-1"}
    status, first = _call(
        gateway, "POST", "/v1/workspaces/acme/worklogs", acme, a_worklog(description="<p>acme</p>"), key
    )
    assert status == 201
    status, second = _call(
        gateway, "POST", "/v1/workspaces/beta/worklogs", beta, a_worklog(description="<p>acme</p>"), key
    )
    assert status == 201, second
    assert json.loads(second)["id"] != json.loads(first)["id"]
    assert json.loads(second)["workspaceId"] == "beta"
    status, replay = _call(
        gateway, "POST", "/v1/workspaces/acme/worklogs", acme, a_worklog(description="<p>acme</p>"), key
    )
    assert status in (200, 201) and json.loads(replay)["id"] == json.loads(first)["id"]
    status, reused = _call(
        gateway, "POST", "/v1/workspaces/acme/worklogs", acme, a_worklog(description="<p>other</p>"), key
    )
    assert status == 422, reused
    tried("idempotency-key replays across tenants", 3)


MASS_ASSIGNMENT = {
    "id": "00000000-0000-4000-8000-000000000000",
    "workspaceId": "beta",
    "version": 99,
    "createdBy": {"id": "root"},
    "createdAt": "2020-01-01T00:00:00Z",
    "loggedBy": {"id": "root"},
    "taskEntityRefId": "T-1",
    "deletedAt": "2020-01-01T00:00:00Z",
    "links": [{"refType": "TASK", "refId": "x"}],
    "durationMinutes_": 1,
    "__proto__": {"admin": True},
    "role": "admin",
}


def test_mass_assignment_is_refused(gateway, tried):
    token = "Bearer " + _sign(_claims(sub="carol", workspaces=["acme:member"]))
    status, created = _call(gateway, "POST", "/v1/workspaces/acme/worklogs", token, a_worklog())
    worklog_id = json.loads(created)["id"]
    for field, value in MASS_ASSIGNMENT.items():
        status, body = _call(gateway, "POST", "/v1/workspaces/acme/worklogs", token, {**a_worklog(), field: value})
        assert status == 422, (field, status, body)
        status, body = _call(
            gateway, "PATCH", f"/v1/workspaces/acme/worklogs/{worklog_id}", token, {field: value}, {"if-match": '"1"'}
        )
        assert status == 422, (field, status, body)
    status, body = _call(gateway, "PUT", "/v1/workspaces/acme/settings", token, {"timezone": "UTC"})
    assert status == 403, body
    tried("mass-assignment fields", 2 * len(MASS_ASSIGNMENT))
