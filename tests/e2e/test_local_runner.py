"""The quick start, over real HTTP: a token from the local key creates, gets and finds a worklog."""

from __future__ import annotations

import time

import pytest
import requests

pytestmark = pytest.mark.e2e


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_create_get_search_and_tenant_isolation(local_api, token):
    alice = token("alice", "acme:admin", name="Alice")
    body = {
        "ownerType": "Ticket",
        "ownerId": "T-100",
        "worklogTypeCode": "Investigation",
        "description": "<p>Reviewed logs.</p><script>x()</script>",
        "startDate": "2026-11-11T09:00:00Z",
        "endDate": "2026-11-11T10:30:00Z",
        "data": {"billable": True},
    }
    defined = requests.put(
        f"{local_api}/v1/workspaces/acme/worklog-types/Investigation",
        json={"name": "Investigation"},
        headers={**auth(alice), "If-Match": "*"},  # define it whether or not an earlier test did
        timeout=10,
    )
    assert defined.status_code in (200, 201), defined.text
    created = requests.post(f"{local_api}/v1/workspaces/acme/worklogs", json=body, headers=auth(alice), timeout=10)
    assert created.status_code == 201, created.text
    worklog = created.json()
    assert worklog.pop("warnings") == []
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == worklog["self"]
    assert worklog["description"] == "<p>Reviewed logs.</p>"

    fetched = requests.get(f"{local_api}{worklog['self']}", headers=auth(alice), timeout=10)
    assert fetched.status_code == 200
    assert fetched.json() == worklog

    found = requests.get(
        f"{local_api}/v1/workspaces/acme/worklogs",
        params={"ownerType": "Ticket", "ownerId": "T-100"},
        headers=auth(alice),
        timeout=10,
    )
    assert found.status_code == 200
    assert [item["id"] for item in found.json()["items"]] == [worklog["id"]]

    eve = token("eve", "beta:admin")
    assert requests.get(f"{local_api}{worklog['self']}", headers=auth(eve), timeout=10).status_code == 404
    beta_path = f"{local_api}/v1/workspaces/beta/worklogs/{worklog['id']}"
    assert requests.get(beta_path, headers=auth(eve), timeout=10).status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
    ],
)
def test_requests_without_a_valid_token_are_401(local_api, headers):
    response = requests.get(f"{local_api}/v1/workspaces/acme/worklogs?workerId=me", headers=headers, timeout=10)
    assert response.status_code == 401


def test_expired_token_is_401(local_api, token):
    expired = token("alice", "acme:admin", now=time.time() - 7200, ttl_seconds=60)
    response = requests.get(f"{local_api}/v1/workspaces/acme/worklogs?workerId=me", headers=auth(expired), timeout=10)
    assert response.status_code == 401


def test_token_signed_by_another_key_is_401(local_api):
    from cryptography.hazmat.primitives.asymmetric import rsa

    from local.auth import issue_token

    forged = issue_token(sub="alice", workspaces=["acme:admin"], key=rsa.generate_private_key(65537, 2048))
    response = requests.get(f"{local_api}/v1/workspaces/acme/worklogs?workerId=me", headers=auth(forged), timeout=10)
    assert response.status_code == 401


def test_bad_input_over_http_gets_the_error_shape(local_api, token):
    alice = auth(token())
    url = f"{local_api}/v1/workspaces/acme/worklogs"
    malformed = requests.post(url, data="{", headers={**alice, "Content-Type": "application/json"}, timeout=10)
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "MALFORMED_JSON"
    form = requests.post(url, data={"a": "b"}, headers=alice, timeout=10)
    assert form.status_code == 415
    too_big = requests.post(url, json={"ownerType": "x" * 70_000}, headers=alice, timeout=10)
    assert too_big.status_code == 413
    invalid = requests.post(url, json={"ownerType": "Ticket"}, headers=alice, timeout=10)
    assert invalid.status_code == 422
    assert {tuple(d["loc"]) for d in invalid.json()["error"]["details"]} >= {("body", "ownerId")}
    binary = requests.post(url, data=b"\xff\xfe", headers={**alice, "Content-Type": "application/json"}, timeout=10)
    assert binary.status_code == 400


def test_paging_over_http(local_api, token):
    bob = auth(token("bob", "acme:member"))
    url = f"{local_api}/v1/workspaces/acme/worklogs"
    for day in range(1, 6):
        body = {"ownerType": "Order", "ownerId": "O-5", "startDate": f"2026-10-0{day}T08:00:00Z", "duration": "PT1H"}
        assert requests.post(url, json=body, headers=bob, timeout=10).status_code == 201
    seen, cursor = [], None
    while True:
        params = {"ownerType": "Order", "ownerId": "O-5", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = requests.get(url, params=params, headers=bob, timeout=10).json()
        seen += [item["startDate"] for item in page["items"]]
        cursor = page.get("nextCursor")
        if not cursor:
            break
    assert seen == [f"2026-10-0{day}T08:00:00Z" for day in range(5, 0, -1)]


def test_schema_docs_and_unknown_routes(local_api):
    schema = requests.get(f"{local_api}/v1/openapi.json", timeout=10)
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.1")
    docs = requests.get(f"{local_api}/v1/docs", timeout=10)
    assert docs.status_code == 200 and "text/html" in docs.headers["Content-Type"]
    assert requests.get(f"{local_api}/v1/nothing-here", timeout=10).status_code == 404


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT"])
def test_methods_without_a_route_are_404_as_in_api_gateway(local_api, token, method):
    response = requests.request(method, f"{local_api}/v1/workspaces/acme/worklogs", headers=auth(token()), timeout=10)
    assert response.status_code == 404
    assert response.json() == {"message": "Not Found"}


@pytest.mark.slow  # starts a second runner
def test_dynamodb_endpoint_url_points_the_runner_at_another_store(tmp_path):
    """With DYNAMODB_ENDPOINT_URL set, the runner creates the template's tables there and writes to it."""
    import os
    import subprocess
    import sys

    import boto3

    from local.auth import issue_token, signing_key
    from local.dynamodb import start_embedded_dynamodb
    from tests.e2e.conftest import ROOT, _free_port

    store, endpoint = start_embedded_dynamodb()
    port = _free_port()
    key_file = tmp_path / "key.pem"
    env = {
        **os.environ,
        "DYNAMODB_ENDPOINT_URL": endpoint,
        "WORKLOGS_LOCAL_KEY_FILE": str(key_file),
        "WORKLOGS_LOCAL_QUIET": "1",
        "WORKLOGS_LOCAL_DIR": str(tmp_path / "local"),
    }
    env.pop("CURSOR_SIGNING_KEY", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local.server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        while "Worklogs API ready" not in (line := process.stdout.readline()):
            assert line, "runner exited"
        alice = issue_token(sub="alice", workspaces=["acme:member"], key=signing_key(key_file))
        body = {"ownerType": "Ticket", "ownerId": "EXT-1", "duration": "PT10M"}
        created = requests.post(
            f"http://127.0.0.1:{port}/v1/workspaces/acme/worklogs", json=body, headers=auth(alice), timeout=10
        )
        assert created.status_code == 201
        client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1")
        item = client.get_item(
            TableName="MainTable", Key={"PK": {"S": f"WS#acme#WL#{created.json()['id']}"}, "SK": {"S": "WORKLOG"}}
        )
        assert item["Item"]["ownerId"] == {"S": "EXT-1"}
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        store.stop()
