"""Worklog-type forms as an attack surface: server-side fetches ($ref), regex DoS (pattern), oversize and
deep schemas. A form is refused at PUT with a message, and nothing is ever fetched."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from tests.helpers import a_worklog, claims

ADMIN = claims("ada", "acme:admin")
MEMBER = claims("carol", "acme:member")
TYPES = "/v1/workspaces/acme/worklog-types"


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server that answers every GET with a JSON schema and counts the requests it got."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b'{"type": "object"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _remote_forms(base: str, tmp_path) -> list[dict]:
    schema_file = tmp_path / "schema.json"
    schema_file.write_text('{"type": "object"}')
    return [
        {"$ref": f"{base}/schema.json"},
        {"type": "object", "properties": {"x": {"$ref": f"{base}/x.json#/a"}}},
        {"$ref": f"file://{schema_file}"},
        {"$ref": "file:///etc/hostname"},
        {"$ref": "file:///no/such/file.json"},
        {"$ref": "other.json"},
        {"$ref": "//127.0.0.1:1/x"},
        {"$id": f"{base}/", "properties": {"x": {"$ref": "x.json"}}},
        {"id": f"{base}/", "properties": {"x": {"$ref": "#/definitions/x"}}, "definitions": {"x": {}}},
        {"allOf": [{"$ref": f"{base}/a.json"}]},
        {"definitions": {"a": {"$ref": f"{base}/a.json"}}, "$ref": "#/definitions/a"},
        {"$ref": "#/definitions/missing"},
        {"$ref": "#/properties/x/properties/y"},
        {"$ref": "urn:uuid:4a1d0c1e-8c59-4b57-a1f4-0b1a6e4c5d61"},
        {"$ref": 7},
    ]


def test_a_form_cannot_make_the_service_fetch_anything(api, listener, tmp_path, tried):
    base, hits = listener
    forms = _remote_forms(base, tmp_path)
    for number, form in enumerate(forms):
        response = api.put(f"{TYPES}/Ref{number}", json_body={"name": "Ref", "form": form}, caller=ADMIN)
        assert response.status == 422, (form, response.status, response.body)
        error = response.json["error"]
        assert error["code"] == "VALIDATION_FAILED" and error["message"], error
        assert error["details"][0]["loc"][:2] == ["body", "form"], error
    assert hits == [], "the service fetched a schema"
    tried("forms with remote or unreachable $ref", len(forms))


def test_a_form_stored_before_the_rules_is_never_fetched(api, dynamodb, listener):
    """A type already in the table with a remote ref: creating a worklog with it is 422, and no fetch."""
    from worklogs.repository import types as types_store

    base, hits = listener
    assert api.put(f"{TYPES}/Legacy", json_body={"name": "Legacy"}, caller=ADMIN).status == 201
    stored = types_store.load_all("acme")["Legacy"]
    types_store.save("acme", stored.model_copy(update={"form": {"$ref": f"{base}/s.json"}, "version": 2}), 1)
    started = time.monotonic()
    response = api.post("/v1/workspaces/acme/worklogs", json_body=a_worklog(worklogTypeCode="Legacy"), caller=MEMBER)
    assert response.status == 422, response.body
    assert time.monotonic() - started < 5
    assert hits == []


def test_same_document_refs_still_work(api):
    form = {
        "type": "object",
        "definitions": {"hours": {"type": "integer", "minimum": 0}},
        "properties": {"extra": {"$ref": "#/definitions/hours"}},
    }
    assert api.put(f"{TYPES}/Local", json_body={"name": "Local", "form": form}, caller=ADMIN).status == 201
    ok = api.post(
        "/v1/workspaces/acme/worklogs", json_body=a_worklog(worklogTypeCode="Local", data={"extra": 2}), caller=ADMIN
    )
    assert ok.status == 201, ok.body
    bad = api.post(
        "/v1/workspaces/acme/worklogs", json_body=a_worklog(worklogTypeCode="Local", data={"extra": -1}), caller=ADMIN
    )
    assert bad.status == 422, bad.body


EVIL_PATTERNS = ["^(a+)+$", "^(a|a)*$", "^(a|aa)+$", "^([a-zA-Z]+)*$", "^(.*a){12}$", "(x+x+)+y"]


@pytest.mark.parametrize("pattern", EVIL_PATTERNS)
def test_a_catastrophic_pattern_checks_in_linear_time(api, pattern, tried):
    form = {"type": "object", "properties": {"x": {"type": "string", "pattern": pattern}}}
    assert api.put(f"{TYPES}/Slow", json_body={"name": "Slow", "form": form}, caller=ADMIN).status == 201
    worst = 0.0
    for size in (16, 23, 28, 2000, 20000):
        value = "a" * size + "!" if "y" not in pattern else "x" * size
        started = time.monotonic()
        response = api.post(
            "/v1/workspaces/acme/worklogs",
            json_body=a_worklog(worklogTypeCode="Slow", data={"x": value}),
            caller=MEMBER,
        )
        worst = max(worst, time.monotonic() - started)
        assert response.status == 422, response.body
        assert "must match pattern" in response.json["error"]["details"][0]["msg"]
    # Backtracking takes seconds at n=23 and years at n=28; a linear engine answers each in milliseconds
    # (the bound leaves room for a loaded test machine).
    assert worst < 2.0, f"{pattern}: slowest check took {worst:.2f} s"
    tried("ReDoS inputs", 5)


def test_patterns_a_linear_engine_cannot_run_are_refused_at_put(api, tried):
    refused = ["(a)\\1", "(?=a)b", "(?!a)b", "(?<=a)b", "(?<!a)b", "a{1001}{1001}", "(", "x" * 600]
    for number, pattern in enumerate(refused):
        form = {"properties": {"x": {"type": "string", "pattern": pattern}}}
        response = api.put(f"{TYPES}/P{number}", json_body={"name": "P", "form": form}, caller=ADMIN)
        assert response.status == 422, (pattern, response.body)
        assert response.json["error"]["details"][0]["loc"] == ["body", "form", "properties", "x", "pattern"]
    pattern_properties = {"patternProperties": {"^(a+)+$": {"type": "string"}}}
    response = api.put(f"{TYPES}/PP", json_body={"name": "PP", "form": pattern_properties}, caller=ADMIN)
    assert response.status == 422, response.body
    tried("unsafe patterns", len(refused) + 1)


def test_a_pattern_matches_like_json_schema(api):
    form = {"type": "object", "properties": {"code": {"type": "string", "pattern": "^[A-Z]{2}-\\d+$"}}}
    assert api.put(f"{TYPES}/Code", json_body={"name": "Code", "form": form}, caller=ADMIN).status == 201
    for value, status in (("AB-12", 201), ("ab-12", 422), ("AB-12\n", 422), ("xAB-1", 422)):
        response = api.post(
            "/v1/workspaces/acme/worklogs",
            json_body=a_worklog(worklogTypeCode="Code", data={"code": value}),
            caller=ADMIN,
        )
        assert response.status == status, (value, response.body)


def test_oversize_and_deep_forms_are_refused(api: Any, tried: Any) -> None:
    deep: dict = {"type": "object"}
    for _ in range(40):
        deep = {"type": "object", "properties": {"x": deep}}
    wide = {"type": "object", "properties": {f"field{i}": {"type": "string", "maxLength": 10} for i in range(700)}}
    for number, form in enumerate((deep, wide, [], "string")):
        response = api.put(f"{TYPES}/Big{number}", json_body={"name": "Big", "form": form}, caller=ADMIN)
        assert response.status == 422, response.body[:300]
    tried("oversize or deep forms", 4)
