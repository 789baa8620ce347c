"""Test helpers: call a route the way API Gateway does, and build request bodies and claims."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from local.template import routes


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def claims(sub: str = "alice", workspaces: str | list[str] = "acme:admin", privileges=(), name=None) -> dict:
    entries = workspaces.split() if isinstance(workspaces, str) else list(workspaces)
    found = {"sub": sub, "workspaces": entries, "privileges": list(privileges)}
    if name:
        found["name"] = name
    return found


class Api:
    """Calls a route the way API Gateway would: the template's route table, a v2 event, the real handler."""

    def __init__(self) -> None:
        self.routes = routes()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        body: str | bytes | None = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        caller: dict[str, Any] | None = None,
    ) -> ApiResponse:
        from local.events import LambdaContext, http_api_event
        from local.functions import handler

        method = method.upper()
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                break
        else:
            raise AssertionError(f"no route in template.yaml for {method} {path}")
        all_headers = {"content-type": "application/json"} if json_body is not None else {}
        all_headers.update({key.lower(): value for key, value in (headers or {}).items()})
        if json_body is not None:
            body = json.dumps(json_body)
        event = http_api_event(
            method=method,
            path=path,
            route_key=route.route_key,
            path_parameters=params or None,
            query_string=urlencode(query or {}, doseq=True),
            headers=all_headers,
            body=body,
            claims=caller if route.authorized else None,
        )
        result = handler(route.function)(event, LambdaContext(route.function))
        return ApiResponse(
            status=result["statusCode"],
            headers={key.lower(): value for key, value in (result.get("headers") or {}).items()},
            body=result.get("body") or "",
        )

    def get(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("PATCH", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("DELETE", path, **kwargs)


def a_worklog(**overrides: Any) -> dict[str, Any]:
    body = {
        "ownerType": "Ticket",
        "ownerId": "T-1",
        "description": "<p>Reviewed logs and reproduced the issue.</p>",
        "startDate": "2026-11-11T09:00:00Z",
        "endDate": "2026-11-11T10:30:00Z",
        "data": {"billable": True, "location": "remote"},
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


# The workspace most tests use, and its people (claims as the authorizer passes them).
WORKSPACE = "acme"
WORKLOGS = f"/v1/workspaces/{WORKSPACE}/worklogs"
ADMIN = claims()
BOB = claims(sub="bob", workspaces="acme:member")
CAROL = claims(sub="carol", workspaces="acme:member")
MIA = claims(sub="mia", workspaces="acme:manager")
VIEWER = claims(sub="val", workspaces="acme:viewer")
# The worklog types the integration tests' workspaces (acme, beta) start with (tests/integration/conftest.py).
COMMON_TYPES = ("Investigation", "Implementation", "Testing", "Other")


def post_worklog(api: Api, caller: dict | None = None, workspace: str = WORKSPACE, **overrides: Any) -> ApiResponse:
    """POST a worklog (`a_worklog(**overrides)`) as `caller` (Bob by default); the response, whatever it is."""
    return api.post(f"/v1/workspaces/{workspace}/worklogs", json_body=a_worklog(**overrides), caller=caller or BOB)


def create(api: Api, caller: dict | None = None, workspace: str = WORKSPACE, **overrides: Any) -> dict[str, Any]:
    """Create a worklog as `caller` (Bob by default); asserts it was created and returns it."""
    response = post_worklog(api, caller, workspace, **overrides)
    assert response.status == 201, response.body
    return response.json
