"""No input gives a 5xx: content types, extreme dates, settings that would break later writes, oversize,
deep and odd-unicode bodies. Each answer is a 2xx or a 4xx in the common error shape."""

from __future__ import annotations

import json

import pytest

from local.template import routes
from tests.helpers import a_worklog, claims

WS = "/v1/workspaces/acme"
ADMIN = claims("ada", "acme:admin")
VIEWER = claims("val", "acme:viewer")
BODY_ROUTES = sorted(r.route_key for r in routes() if r.method in {"POST", "PUT", "PATCH"})
CONTENT_TYPES = [
    "application/vnd.api+json",
    "application/merge-patch+json",
    "application/problem+json; charset=utf-8",
    "APPLICATION/JSON",
    "Application/Json; charset=UTF-8",
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/octet-stream",
    "",
    "application/jsonx",
    "*/*",
]


def _fill(template: str, worklog_id: str) -> str:
    values = {"workspaceId": "acme", "worklogId": worklog_id, "linkId": "x", "code": "Other"}
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template


def test_every_content_type_on_every_body_route_is_answered_without_5xx(api, tried):
    worklog_id = api.post(f"{WS}/worklogs", json_body=a_worklog(), caller=ADMIN).json["id"]
    count = 0
    for route_key in BODY_ROUTES:
        method, template = route_key.split(" ", 1)
        for content_type in CONTENT_TYPES:
            response = api.request(
                method,
                _fill(template, worklog_id),
                body=json.dumps({"name": "x"}),
                headers={"content-type": content_type, "if-match": '"1"'},
                caller=ADMIN,
            )
            count += 1
            assert response.status < 500, (route_key, content_type, response.status, response.body)
            is_json = content_type.split(";")[0].strip().lower()
            if not (is_json == "application/json" or is_json.endswith("+json")):
                assert response.status in (400, 404, 415), (route_key, content_type, response.status)
    tried("content types x body routes", count)


@pytest.mark.parametrize(
    "content_type", ["application/vnd.api+json", "application/merge-patch+json", "APPLICATION/JSON"]
)
def test_json_under_another_name_is_accepted(api, content_type):
    response = api.request(
        "POST", f"{WS}/worklogs", body=json.dumps(a_worklog()), headers={"content-type": content_type}, caller=ADMIN
    )
    assert response.status == 201, response.body


EXTREME_DATES = ["9999-12-31", "9999-01-01", "0001-01-01", "1000-01-01", "9998-12-31T00:00:00Z"]


def test_extreme_dates_are_422_on_every_report(api, tried):
    count = 0
    for day in EXTREME_DATES:
        queries = [
            ("/console", {"period": "custom", "from": day, "to": day}),
            ("/console", {"period": "month", "date": day}),
            ("/console", {"period": "week", "date": day}),
            ("/reports/totals", {"from": day, "to": day, "granularity": "month"}),
            ("/reports/totals", {"from": "2026-01-01", "to": day}),
            ("/reports/worklogs", {"from": day, "to": day}),
            ("/worklogs", {"from": f"{day}T00:00:00Z" if "T" not in day else day}),
            ("/worklogs", {"updatedSince": f"{day}T00:00:00Z" if "T" not in day else day}),
        ]
        for path, query in queries:
            response = api.get(f"{WS}{path}", query=query, caller=VIEWER)
            count += 1
            assert response.status < 500, (path, query, response.status, response.body)
            if day.startswith(("9999", "0001", "1000")):
                assert response.status in (400, 422), (path, query, response.status, response.body)
    for start in ("9999-12-31T23:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00"):
        response = api.post(f"{WS}/worklogs", json_body=a_worklog(startDate=start, endDate=None, duration="PT2H"))
        count += 1
        assert response.status in (401, 422), response.body
        response = api.post(
            f"{WS}/worklogs", json_body=a_worklog(startDate=start, endDate=None, duration="PT2H"), caller=ADMIN
        )
        count += 1
        assert response.status == 422, response.body
    tried("extreme dates", count)


def test_settings_that_would_break_every_write_are_refused(api, tried):
    broken = [
        {"timezone": "Etc/GMT-14", "lockedUntil": "0001-01-01"},
        {"timezone": "Etc/GMT+12", "lockedUntil": "9999-12-31"},
        {"lockedUntil": "0001-01-01"},
        {"timezone": "Pacific/Kiritimati", "lockedUntil": "0001-01-02"},
    ]
    for settings in broken:
        response = api.put(f"{WS}/settings", json_body=settings, caller=ADMIN)
        assert response.status == 422, (settings, response.body)
    fine = api.put(f"{WS}/settings", json_body={"timezone": "Etc/GMT-14", "lockedUntil": "1900-01-01"}, caller=ADMIN)
    assert fine.status == 200, fine.body
    created = api.post(f"{WS}/worklogs", json_body=a_worklog(), caller=ADMIN)
    assert created.status == 201, created.body
    tried("settings that break writes", len(broken))


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


ODD_STRINGS = [
    "\u0000",
    "\ud800",
    "\udfff\ud800",
    "\u202e\u202dreversed",
    "\ufeff",
    "e\u0301\u0301\u0301\u0301",
    "\U0001f600" * 1000,
    "\u2028\u2029",
    "\uff9f\uff65\u273f\u30fe\u2572(\uff61\u25d5\u203f\u25d5\uff61)\u2571\u273f",
    "a" * 20_001,
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "${jndi:ldap://x}",
    "%00%2e%2e%2f",
]


@pytest.mark.slow  # hundreds of hostile bodies
def test_oversize_deep_and_odd_bodies_never_give_5xx(api, tried):
    count = 0
    raw_bodies = [
        "x" * (70 * 1024),
        json.dumps({"description": "y" * (70 * 1024)}),
        _deep(100_000),
        '{"a":' * 50_000 + "1" + "}" * 50_000,
        '{"ownerType": "Ticket", "ownerId": "\\ud800"}',
        "\udcff",
        '{"data": NaN}',
        '{"durationMinutes": 1e999}',
        "[]",
        "null",
        '"string"',
        "{" * 10,
    ]
    for body in raw_bodies:
        response = api.request(
            "POST", f"{WS}/worklogs", body=body, headers={"content-type": "application/json"}, caller=ADMIN
        )
        count += 1
        assert response.status in (400, 413, 422), (body[:40], response.status, response.body[:300])
    for text in ODD_STRINGS:
        for field in ("ownerId", "ownerType", "description", "projectId"):
            response = api.post(f"{WS}/worklogs", json_body=a_worklog(**{field: text}), caller=ADMIN)
            count += 1
            assert response.status in (201, 400, 413, 422), (field, text[:20], response.status, response.body[:300])
        response = api.post(f"{WS}/worklogs", json_body=a_worklog(data={text[:100]: text}), caller=ADMIN)
        count += 1
        assert response.status in (201, 400, 413, 422), (text[:20], response.status, response.body[:300])
        for path in (f"{WS}/worklogs/{text[:60]}", f"{WS}/owners/{text[:30]}/x/worklogs"):
            try:
                response = api.get(path, caller=ADMIN)
            except AssertionError:
                continue  # no route for it (API Gateway answers 404 itself)
            count += 1
            assert response.status < 500, (path[:60], response.status, response.body[:300])
    tried("oversize, deep or odd-unicode bodies", count)
