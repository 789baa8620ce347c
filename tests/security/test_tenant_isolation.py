"""Tenant isolation, generated from template.yaml's route list: every route by every kind of caller.

Requests go through the local runner's gateway in-process (JWT check as API Gateway does it, the
route table, the real handlers, moto DynamoDB). A route added to the template without an entry in
EXPECTATIONS fails `test_every_route_has_an_expectation`; so does an entry for a route that is gone.
Callers whose token does not admit them to the workspace must never see its data, whatever the status.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local.auth import issue_token
from local.template import routes
from tests.helpers import a_worklog
from worklogs.openapi import SCHEMA_FILE

WORKSPACE, OTHER_WORKSPACE = "acme", "beta"
SECRET = "acme-internal-note-7c31"  # in every acme worklog: must never reach a caller outside acme

# Who calls: the token's claims (None = no Authorization header).
PERSONAS: dict[str, dict[str, Any] | None] = {
    "no_token": None,
    "expired_token": {"sub": "bob", "workspaces": [f"{WORKSPACE}:admin"], "expired": True},
    "other_workspace": {"sub": "eve", "workspaces": [f"{OTHER_WORKSPACE}:admin"]},
    "viewer": {"sub": "val", "workspaces": [f"{WORKSPACE}:viewer"]},
    "member_not_owner": {"sub": "carol", "workspaces": [f"{WORKSPACE}:member"]},  # the worklogs are bob's
    "manager": {"sub": "mia", "workspaces": [f"{WORKSPACE}:manager"]},
    "admin": {"sub": "ada", "workspaces": [f"{WORKSPACE}:admin"]},
}
OUTSIDERS = {"no_token", "expired_token", "other_workspace"}


def row(no_token, expired_token, other_workspace, viewer, member_not_owner, manager, admin) -> dict[str, int]:
    return dict(zip(PERSONAS, (no_token, expired_token, other_workspace, viewer, member_not_owner, manager, admin)))


_tokens: dict[tuple[int, str, tuple[str, ...], bool], str] = {}


@dataclass
class World:
    """What every cell starts from: bob's two adjacent worklogs in acme, eve's worklog in beta."""

    gateway: Any
    key: rsa.RSAPrivateKey
    worklog: str = ""
    next_worklog: str = ""
    other_tenant_worklog: str = ""
    link: str = "no-such-link"
    approval: str = "no-such-approval"

    def call(self, method, path, *, claims=None, body=None, query=None, headers=None):
        all_headers = {key.lower(): value for key, value in (headers or {}).items()}
        if claims is not None:
            all_headers["authorization"] = f"Bearer {self.token(claims)}"
        raw = b""
        if body is not None:
            raw = json.dumps(body).encode()
            all_headers["content-type"] = "application/json"
        target = path + (f"?{urlencode(query)}" if query else "")
        status, out_headers, payload = self.gateway(method, target, all_headers, raw)
        return status, out_headers, payload.decode("utf-8", errors="replace")

    def token(self, claims: dict[str, Any]) -> str:
        """One signed token per caller and key per test process (valid for an hour; the expired one expired
        an hour ago)."""
        expired = claims.get("expired", False)
        cache_key = (id(self.key), claims["sub"], tuple(claims["workspaces"]), expired)
        if cache_key not in _tokens:
            _tokens[cache_key] = issue_token(
                sub=claims["sub"],
                workspaces=claims["workspaces"],
                key=self.key,
                now=time.time() - 7200 if expired else None,
                ttl_seconds=3600,
            )
        return _tokens[cache_key]

    def create(self, workspace, claims, **overrides) -> str:
        status, _, text = self.call(
            "POST", f"/v1/workspaces/{workspace}/worklogs", claims=claims, body=a_worklog(**overrides)
        )
        assert status == 201, text
        return json.loads(text)["id"]


BOB = {"sub": "bob", "workspaces": [f"{WORKSPACE}:member"]}
EVE = PERSONAS["other_workspace"]
ADMIN = PERSONAS["admin"]


@dataclass(frozen=True)
class Case:
    """One route's row: the expected status per caller, and how to build its request.

    `foreign_ids`: the status when a caller uses its *own* workspace's path with another tenant's ids
    (404 for routes that take ids; None when the route takes none)."""

    expect: dict[str, int]
    foreign_ids: int | None
    body: Callable[[World], Any] | None = None
    query: Callable[[World], dict[str, Any]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[World], None] | None = None


def _link_first(world: World) -> None:
    status, _, text = world.call(
        "POST",
        f"/v1/workspaces/{WORKSPACE}/worklogs/{world.worklog}/links",
        claims=BOB,
        body={"refType": "Task", "refId": "TASK-1", "name": "Related task"},
    )
    assert status == 201, text
    world.link = json.loads(text)["id"]


def _timers(*actions: str) -> Callable[[World], None]:
    """Every member-level caller runs a timer of their own (then pauses it, ...); bob runs one too."""

    def prepare(world: World) -> None:
        for claims in (BOB, PERSONAS["member_not_owner"], PERSONAS["manager"], PERSONAS["admin"]):
            status, _, text = world.call(
                "POST",
                f"/v1/workspaces/{WORKSPACE}/timer/start",
                claims=claims,
                body={"ownerType": "Ticket", "ownerId": "T-1"},
            )
            assert status == 201, text
            for action in actions:
                status, _, text = world.call("POST", f"/v1/workspaces/{WORKSPACE}/timer/{action}", claims=claims)
                assert status == 200, text

    return prepare


def _delete_first(world: World) -> None:
    status, _, text = world.call("DELETE", f"/v1/workspaces/{WORKSPACE}/worklogs/{world.worklog}", claims=BOB)
    assert status == 200, text


def _submitted(world: World) -> None:
    """bob submits the week of his worklogs (2026-11-11 is in ISO week 46)."""
    status, _, text = world.call(
        "POST", f"/v1/workspaces/{WORKSPACE}/approvals", claims=BOB, body={"period": "2026-W46"}
    )
    assert status == 201, text
    world.approval = json.loads(text)["id"]


def _two_approvals(world: World) -> dict[str, Any]:
    """bob's week and month are submitted: two approvals to page through."""
    for period in ("2026-W46", "2026-11"):
        status, _, text = world.call(
            "POST", f"/v1/workspaces/{WORKSPACE}/approvals", claims=BOB, body={"period": period}
        )
        assert status == 201, text
    return {}


WORKLOGS = "/v1/workspaces/{workspaceId}/worklogs"
APPROVAL = "/v1/workspaces/{workspaceId}/approvals/{approvalId}"
WORKLOGS_PATH = f"/v1/workspaces/{WORKSPACE}/worklogs"
WORKLOG = WORKLOGS + "/{worklogId}"

EXPECTATIONS: dict[str, Case] = {
    f"POST {WORKLOGS}": Case(  # logging time for bob: a member may not, managers and admins may
        expect=row(401, 401, 403, 403, 403, 201, 201),
        foreign_ids=None,
        body=lambda w: a_worklog(workerId="bob", startDate="2026-11-12T09:00:00Z", endDate="2026-11-12T10:00:00Z"),
    ),
    f"POST {WORKLOGS}/batch": Case(  # per-item results: carol's item for bob is refused inside a 200
        expect=row(401, 401, 403, 403, 200, 200, 200),
        foreign_ids=None,
        body=lambda w: {
            "items": [a_worklog(workerId="bob", startDate="2026-11-12T09:00:00Z", endDate="2026-11-12T10:00:00Z")]
        },
    ),
    f"GET {WORKLOGS}": Case(
        expect=row(401, 401, 403, 200, 200, 200, 200), foreign_ids=None, query=lambda w: {"workerId": "bob"}
    ),
    f"GET {WORKLOG}": Case(expect=row(401, 401, 404, 200, 200, 200, 200), foreign_ids=404),
    f"PATCH {WORKLOG}": Case(
        expect=row(401, 401, 404, 403, 403, 200, 200),
        foreign_ids=404,
        body=lambda w: {"description": "changed"},
        headers={"If-Match": '"1"'},
    ),
    f"DELETE {WORKLOG}": Case(expect=row(401, 401, 404, 403, 403, 200, 200), foreign_ids=404),
    f"POST {WORKLOG}/restore": Case(
        expect=row(401, 401, 404, 403, 403, 200, 200), foreign_ids=404, prepare=_delete_first
    ),
    f"POST {WORKLOG}/split": Case(
        expect=row(401, 401, 404, 403, 403, 201, 201), foreign_ids=404, body=lambda w: {"at": "2026-11-11T10:00:00Z"}
    ),
    f"POST {WORKLOGS}/merge": Case(
        expect=row(401, 401, 403, 403, 403, 200, 200),
        foreign_ids=404,
        body=lambda w: {"ids": [w.worklog, w.next_worklog]},
    ),
    f"GET {WORKLOG}/history": Case(expect=row(401, 401, 404, 200, 200, 200, 200), foreign_ids=404),
    "GET /v1/workspaces/{workspaceId}/settings": Case(expect=row(401, 401, 403, 200, 200, 200, 200), foreign_ids=None),
    "PUT /v1/workspaces/{workspaceId}/settings": Case(
        expect=row(401, 401, 403, 403, 403, 403, 200), foreign_ids=None, body=lambda w: {"timezone": "Europe/Berlin"}
    ),
    "PATCH /v1/workspaces/{workspaceId}/settings": Case(  # the world never saved settings: version 0
        expect=row(401, 401, 403, 403, 403, 403, 200),
        foreign_ids=None,
        body=lambda w: {"timezone": "Europe/Berlin"},
        headers={"If-Match": '"0"'},
    ),
    "GET /v1/workspaces/{workspaceId}/owners/{ownerType}/{ownerId}/worklogs": Case(
        expect=row(401, 401, 403, 200, 200, 200, 200), foreign_ids=None
    ),
    f"POST {WORKLOG}/links": Case(
        expect=row(401, 401, 404, 403, 403, 201, 201),
        foreign_ids=404,
        body=lambda w: {"refType": "Task", "refId": "TASK-2", "name": "Related task"},
    ),
    f"GET {WORKLOG}/links": Case(expect=row(401, 401, 404, 200, 200, 200, 200), foreign_ids=404),
    f"DELETE {WORKLOG}/links/{{linkId}}": Case(
        expect=row(401, 401, 404, 403, 403, 200, 200), foreign_ids=404, prepare=_link_first
    ),
    # Worklog types: the code table (codes are per workspace; `Other` is defined in acme and beta).
    "GET /v1/workspaces/{workspaceId}/worklog-types": Case(
        expect=row(401, 401, 403, 200, 200, 200, 200), foreign_ids=None
    ),
    "GET /v1/workspaces/{workspaceId}/worklog-types/{code}": Case(
        expect=row(401, 401, 404, 200, 200, 200, 200), foreign_ids=None
    ),
    "PUT /v1/workspaces/{workspaceId}/worklog-types/{code}": Case(  # replacing an existing type needs If-Match
        expect=row(401, 401, 403, 403, 403, 403, 200),
        foreign_ids=None,
        body=lambda w: {"name": "Other work"},
        headers={"If-Match": '"1"'},
    ),
    "PATCH /v1/workspaces/{workspaceId}/worklog-types/{code}": Case(
        expect=row(401, 401, 403, 403, 403, 403, 200),
        foreign_ids=None,
        body=lambda w: {"description": "Changed"},
        headers={"If-Match": '"1"'},
    ),
    "DELETE /v1/workspaces/{workspaceId}/worklog-types/{code}": Case(
        expect=row(401, 401, 403, 403, 403, 403, 204), foreign_ids=None
    ),
    # The timer is the caller's own: outside the workspace it does not exist (404), viewers cannot time (403).
    "GET /v1/workspaces/{workspaceId}/timer": Case(
        expect=row(401, 401, 404, 403, 200, 200, 200), foreign_ids=None, prepare=_timers()
    ),
    "DELETE /v1/workspaces/{workspaceId}/timer": Case(
        expect=row(401, 401, 404, 403, 200, 200, 200), foreign_ids=None, prepare=_timers()
    ),
    "POST /v1/workspaces/{workspaceId}/timer/start": Case(
        expect=row(401, 401, 403, 403, 201, 201, 201),
        foreign_ids=None,
        body=lambda w: {"ownerType": "Ticket", "ownerId": "T-1"},
    ),
    "POST /v1/workspaces/{workspaceId}/timer/pause": Case(
        expect=row(401, 401, 404, 403, 200, 200, 200), foreign_ids=None, prepare=_timers()
    ),
    "POST /v1/workspaces/{workspaceId}/timer/resume": Case(
        expect=row(401, 401, 404, 403, 200, 200, 200), foreign_ids=None, prepare=_timers("pause")
    ),
    "POST /v1/workspaces/{workspaceId}/timer/stop": Case(
        expect=row(401, 401, 404, 403, 200, 200, 200), foreign_ids=None, prepare=_timers()
    ),
    "GET /v1/workspaces/{workspaceId}/console": Case(expect=row(401, 401, 403, 200, 200, 200, 200), foreign_ids=None),
    # Reports: managers and admins.
    "GET /v1/workspaces/{workspaceId}/reports/totals": Case(
        expect=row(401, 401, 403, 403, 403, 200, 200),
        foreign_ids=None,
        query=lambda w: {"granularity": "day", "from": "2026-11-01", "to": "2026-11-30", "groupBy": "worker"},
    ),
    "GET /v1/workspaces/{workspaceId}/reports/worklogs": Case(
        expect=row(401, 401, 403, 403, 403, 200, 200),
        foreign_ids=None,
        query=lambda w: {"from": "2026-11-01", "to": "2026-11-30"},
    ),
    "GET /v1/workspaces/{workspaceId}/reports/totals.csv": Case(
        expect=row(401, 401, 403, 403, 403, 200, 200),
        foreign_ids=None,
        query=lambda w: {"granularity": "day", "from": "2026-11-01", "to": "2026-11-30", "groupBy": "worker"},
    ),
    "GET /v1/workspaces/{workspaceId}/reports/worklogs.csv": Case(
        expect=row(401, 401, 403, 403, 403, 200, 200),
        foreign_ids=None,
        query=lambda w: {"from": "2026-11-01", "to": "2026-11-30"},
    ),
    # Timesheet approvals: members submit their own, managers and admins decide; reading is workspace-wide.
    "POST /v1/workspaces/{workspaceId}/approvals": Case(
        expect=row(401, 401, 403, 403, 201, 201, 201), foreign_ids=None, body=lambda w: {"period": "2026-W46"}
    ),
    "GET /v1/workspaces/{workspaceId}/approvals": Case(
        expect=row(401, 401, 403, 200, 200, 200, 200), foreign_ids=None, prepare=_submitted
    ),
    f"GET {APPROVAL}": Case(expect=row(401, 401, 404, 200, 200, 200, 200), foreign_ids=404, prepare=_submitted),
    f"POST {APPROVAL}/approve": Case(
        expect=row(401, 401, 404, 403, 403, 200, 200), foreign_ids=404, prepare=_submitted
    ),
    f"POST {APPROVAL}/reject": Case(
        expect=row(401, 401, 404, 403, 403, 200, 200),
        foreign_ids=404,
        prepare=_submitted,
        body=lambda w: {"comment": "Missing Friday"},
    ),
    f"POST {APPROVAL}/reopen": Case(expect=row(401, 401, 404, 403, 403, 200, 200), foreign_ids=404, prepare=_submitted),
    # Rates: members read, admins write and reapply.
    "GET /v1/workspaces/{workspaceId}/rates": Case(expect=row(401, 401, 403, 200, 200, 200, 200), foreign_ids=None),
    "PUT /v1/workspaces/{workspaceId}/rates": Case(
        expect=row(401, 401, 403, 403, 403, 403, 200),
        foreign_ids=None,
        body=lambda w: {"rules": [{"rate": "100.00", "validFrom": "2026-01-01"}]},
    ),
    "POST /v1/workspaces/{workspaceId}/rates/reapply": Case(
        expect=row(401, 401, 403, 403, 403, 403, 200),
        foreign_ids=None,
        body=lambda w: {"from": "2026-11-01", "to": "2026-11-30"},
    ),
    # Public: API Gateway does not check a token on these (an expired one is ignored).
    "GET /v1/openapi.json": Case(expect=row(200, 200, 200, 200, 200, 200, 200), foreign_ids=None),
    "GET /v1/docs": Case(expect=row(200, 200, 200, 200, 200, 200, 200), foreign_ids=None),
}

ROUTE_KEYS = sorted(route.route_key for route in routes())


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


_built: dict[str, Any] = {}


@pytest.fixture
def world(dynamodb, signing_key) -> World:
    """The world, built through the API once per test process and then put back directly for each test (the
    store's items and cached workspace reads, as right after those requests)."""
    from local.server import Gateway
    from tests import moto_store

    world = World(gateway=Gateway(routes(), signing_key.public_key()), key=signing_key)
    if "store" in _built and _built["key"] is signing_key:
        moto_store.reset(_built["store"])
        world.worklog, world.next_worklog, world.other_tenant_worklog = _built["ids"]
        return world
    text = f"<p>{SECRET}</p>"
    world.worklog = world.create(WORKSPACE, BOB, description=text, data={"note": SECRET})
    world.next_worklog = world.create(
        WORKSPACE, BOB, startDate="2026-11-11T10:30:00Z", endDate="2026-11-11T11:00:00Z", description=text
    )
    world.other_tenant_worklog = world.create(OTHER_WORKSPACE, EVE, description="<p>beta</p>")
    for workspace, claims in ((WORKSPACE, ADMIN), (OTHER_WORKSPACE, EVE)):
        status, _, text = world.call(
            "PUT", f"/v1/workspaces/{workspace}/worklog-types/Other", claims=claims, body={"name": "Other"}
        )
        assert status == 201, text
    _built.update(
        store=moto_store.snapshot(),
        key=signing_key,
        ids=(world.worklog, world.next_worklog, world.other_tenant_worklog),
    )
    return world


def _path(template: str, world: World, *, workspace: str = WORKSPACE) -> str:
    # The world's worklogs are bob's, on the owner record Ticket/T-1 (tests.helpers.a_worklog).
    values = {
        "workspaceId": workspace,
        "worklogId": world.worklog,
        "ownerType": "Ticket",
        "ownerId": "T-1",
        "linkId": world.link,
        "code": "Other",
        "approvalId": world.approval,
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise AssertionError(f"no value for path parameter {{{name}}}: extend World and _path for it")
        return values[name]

    return re.sub(r"\{([^}]+)\}", fill, template)


def _request(world: World, route_key: str, claims, *, workspace: str = WORKSPACE, prepare: bool = True):
    case = EXPECTATIONS[route_key]
    method, template = route_key.split(" ", 1)
    if case.prepare and prepare:
        case.prepare(world)
    return world.call(
        method,
        _path(template, world, workspace=workspace),
        claims=claims,
        body=case.body(world) if case.body else None,
        query=case.query(world) if case.query else None,
        headers=case.headers,
    )


def test_every_route_has_an_expectation():
    missing = sorted(set(ROUTE_KEYS) - set(EXPECTATIONS))
    stale = sorted(set(EXPECTATIONS) - set(ROUTE_KEYS))
    assert not missing, f"routes in template.yaml without a tenant-isolation entry: {missing}"
    assert not stale, f"entries for routes no longer in template.yaml: {stale}"
    for route_key, case in EXPECTATIONS.items():
        assert set(case.expect) == set(PERSONAS), route_key


@pytest.mark.parametrize("persona", list(PERSONAS))
@pytest.mark.parametrize("route_key", ROUTE_KEYS)
def test_route_as_persona(world, route_key, persona):
    if route_key not in EXPECTATIONS:
        pytest.fail(f"{route_key} has no entry in EXPECTATIONS")
    status, _, text = _request(world, route_key, PERSONAS[persona])
    assert status == EXPECTATIONS[route_key].expect[persona], f"{route_key} as {persona}: {status} {text[:300]}"
    if persona in OUTSIDERS and "openapi" not in route_key and "docs" not in route_key:
        assert SECRET not in text and world.worklog not in text
    if status == 401:
        assert json.loads(text) == {"message": "Unauthorized"}
    elif status >= 400:
        assert set(json.loads(text)) == {"error", "requestId"}


@pytest.mark.parametrize(
    "route_key", [key for key in ROUTE_KEYS if key in EXPECTATIONS and EXPECTATIONS[key].foreign_ids]
)
def test_another_tenants_ids_through_your_own_workspace(world, route_key):
    """eve, admin of beta, puts acme's ids into beta's paths and bodies: 404, and acme's data stays put."""
    case = EXPECTATIONS[route_key]
    if case.prepare:
        case.prepare(world)

    def acme_state() -> list[str]:
        return [
            world.call("GET", f"{WORKLOGS_PATH}/{worklog_id}", claims=ADMIN, query={"includeDeleted": "true"})[2]
            for worklog_id in (world.worklog, world.next_worklog)
        ]

    before = acme_state()
    status, _, text = _request(world, route_key, EVE, workspace=OTHER_WORKSPACE, prepare=False)
    assert status == case.foreign_ids, text
    assert SECRET not in text
    assert acme_state() == before, "acme's worklogs were touched"


# --- cursors and idempotency keys --------------------------------------------------------------------

_SCHEMA = json.loads(SCHEMA_FILE.read_text())


def _operations_with(parameter: str, location: str) -> list[str]:
    found = []
    for path, operations in _SCHEMA["paths"].items():
        for method, operation in operations.items():
            names = {(p["name"].lower(), p["in"]) for p in operation.get("parameters", [])}
            if (parameter.lower(), location) in names:
                found.append(f"{method.upper()} {path}")
    return sorted(found)


# Every paginated route: a query that yields more than one page in acme (limit=1) for `ada`.
PAGINATED: dict[str, Callable[[World], dict[str, Any]]] = {
    f"GET {WORKLOGS}": lambda w: {"workerId": "bob"},
    f"GET {WORKLOG}/history": lambda w: {},
    "GET /v1/workspaces/{workspaceId}/owners/{ownerType}/{ownerId}/worklogs": lambda w: {},
    "GET /v1/workspaces/{workspaceId}/reports/worklogs": lambda w: {"from": "2026-11-11", "to": "2026-11-11"},
    "GET /v1/workspaces/{workspaceId}/reports/worklogs.csv": lambda w: {"from": "2026-11-11", "to": "2026-11-11"},
    "GET /v1/workspaces/{workspaceId}/approvals": _two_approvals,
    "GET /v1/workspaces/{workspaceId}/console": lambda w: {
        "workerId": "bob",
        "period": "custom",
        "from": "2026-11-11",
        "to": "2026-11-11",
    },
}


def test_every_paginated_route_has_a_cursor_case():
    assert set(_operations_with("cursor", "query")) == set(PAGINATED)


@pytest.mark.parametrize("route_key", _operations_with("cursor", "query"))
def test_a_cursor_from_one_workspace_reveals_nothing_in_another(world, route_key):
    method, template = route_key.split(" ", 1)
    query = {**PAGINATED[route_key](world), "limit": 1}
    # history needs two versions
    world.call("PATCH", _path(WORKLOG, world), claims=BOB, body={"description": "v2"}, headers={"If-Match": '"1"'})
    status, headers, text = world.call(method, _path(template, world), claims=ADMIN, query=query)
    assert status == 200, text
    cursor = headers.get("Next-Cursor") if template.endswith(".csv") else json.loads(text)["nextCursor"]
    assert cursor
    both = {"sub": "zoe", "workspaces": [f"{WORKSPACE}:admin", f"{OTHER_WORKSPACE}:admin"]}
    for claims in (EVE, both):  # another tenant, and one user who belongs to both workspaces
        status, _, text = world.call(
            method, _path(template, world, workspace=OTHER_WORKSPACE), claims=claims, query={**query, "cursor": cursor}
        )
        assert status in (400, 404), text
        assert SECRET not in text and world.worklog not in text
        if status == 400:
            assert json.loads(text)["error"]["code"] == "INVALID_CURSOR"


def test_every_idempotent_route_is_covered():
    assert _operations_with("idempotency-key", "header") == [f"POST {WORKLOGS}", f"POST {WORKLOGS}/batch"]


def test_an_idempotency_key_of_one_tenant_never_replays_into_another(world):
    body = a_worklog(startDate="2026-11-13T09:00:00Z", endDate="2026-11-13T10:00:00Z", description=f"<p>{SECRET}</p>")
    key = {"Idempotency-Key": "shared-retry-key-1"}
    both = {"sub": "zoe", "workspaces": [f"{WORKSPACE}:admin", f"{OTHER_WORKSPACE}:admin"]}
    status, _, text = world.call("POST", f"/v1/workspaces/{WORKSPACE}/worklogs", claims=both, body=body, headers=key)
    assert status == 201, text
    acme_id = json.loads(text)["id"]
    # The same key and body: in another workspace by its admin, by the same user in the other workspace,
    # and by another user of the same workspace. Each creates its own worklog; none replays acme's.
    for claims, workspace in ((EVE, OTHER_WORKSPACE), (both, OTHER_WORKSPACE), (ADMIN, WORKSPACE)):
        status, headers, text = world.call(
            "POST", f"/v1/workspaces/{workspace}/worklogs", claims=claims, body=body, headers=key
        )
        assert status == 201, text
        created = json.loads(text)
        assert created["id"] != acme_id and created["workspaceId"] == workspace
        assert "Idempotent-Replayed" not in headers
    # The same user, workspace and key is a retry: it replays the first response.
    status, headers, text = world.call(
        "POST", f"/v1/workspaces/{WORKSPACE}/worklogs", claims=both, body=body, headers=key
    )
    assert status == 201 and json.loads(text)["id"] == acme_id and headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("route_key", [key for key in ROUTE_KEYS if key.startswith("GET ")])
def test_an_unknown_query_parameter_is_400_listing_the_allowed_ones(world, route_key):
    method, template = route_key.split(" ", 1)
    case = EXPECTATIONS[route_key]
    query = {**(case.query(world) if case.query else {}), "wokerId": "me"}
    status, _, text = world.call(method, _path(template, world), claims=ADMIN, query=query)
    assert status == 400, text
    error = json.loads(text)["error"]
    assert error["code"] == "UNKNOWN_QUERY_PARAMETER"
    assert error["details"] == [{"loc": ["query", "wokerId"], "msg": error["details"][0]["msg"], "type": "unknown"}]
    operation = json.loads(_schema_text())["paths"].get(template.replace("<", "{").replace(">", "}"), {}).get("get")
    for name in [p["name"] for p in (operation or {}).get("parameters", []) if p["in"] == "query"]:
        assert name in error["message"], (name, error["message"])


def _schema_text() -> str:
    from worklogs.openapi import SCHEMA_FILE

    return SCHEMA_FILE.read_text(encoding="utf-8")
