"""The local runner answers 401 like API Gateway (no reason for the caller) and logs why, for the developer."""

from __future__ import annotations

import json

import pytest

from local.auth import issue_token, signing_key
from local.server import Gateway
from local.template import routes


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [(None, "missing Authorization header"), ("Basic abc", ""), ("Bearer nope", "")],
)
def test_each_401_is_logged_with_its_reason(tmp_path, capsys, authorization, reason):
    gateway = Gateway(routes(), signing_key(tmp_path / "key.pem").public_key())
    headers = {"authorization": authorization} if authorization else {}
    status, _, body = gateway("GET", "/v1/workspaces/acme/worklogs", headers, b"")
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
    logged = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert logged["route"] == "GET /v1/workspaces/{workspaceId}/worklogs"
    assert logged["reason"] and reason in logged["reason"]


def test_a_token_of_another_key_is_logged_as_such(tmp_path, capsys):
    gateway = Gateway(routes(), signing_key(tmp_path / "key.pem").public_key())
    foreign = issue_token(sub="alice", workspaces=["acme:admin"], key=signing_key(tmp_path / "other.pem"))
    status, _, _ = gateway("GET", "/v1/workspaces/acme/worklogs", {"authorization": f"Bearer {foreign}"}, b"")
    assert status == 401
    reason = json.loads(capsys.readouterr().err.strip().splitlines()[-1])["reason"].lower()
    assert "kid" in reason or "signature" in reason
