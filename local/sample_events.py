"""Write the sample API Gateway v2 events in events/ (realistic headers, claims as API Gateway passes them).

python -m local.sample_events
"""

from __future__ import annotations

import json
from typing import Any

from local.events import http_api_event
from local.template import ROOT

EVENTS_DIR = ROOT / "events"
HOST = "abc123.execute-api.eu-central-1.amazonaws.com"
SAMPLE_ID = "6f1c2a9e-4b7d-4e8a-9c3f-2d5e8a1b7c40"
OTHER_ID = "0b7f4c1d-2e3a-4f5b-8c6d-7e8f9a0b1c2d"
LINK_ID = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
TIMER_ID = "5e0d9b3a-71c4-4f28-a6e1-9b2c3d4e5f60"
APPROVAL_ID = "3c1e5a7b-9d2f-5b4a-8e6c-1f0a2b3c4d5e"
CLAIMS = {
    "sub": "alice",
    "name": "Alice Doe",
    "iss": "https://issuer.example.com",
    "aud": "worklogs",
    "iat": 1795420800,
    "exp": 1795464000,
    "workspaces": ["acme:admin", "beta:viewer"],
    "privileges": ["worklog:lock-override"],
}
HEADERS = {
    "host": HOST,
    "user-agent": "curl/8.5.0",
    "authorization": "Bearer eyJhbGciOiJSUzI1NiJ9.redacted.redacted",
    "x-forwarded-for": "203.0.113.7",
    "x-forwarded-proto": "https",
    "x-forwarded-port": "443",
}
WORKLOG = {
    "ownerType": "Ticket",
    "ownerId": "T-1042",
    "projectId": "P-7",
    "worklogTypeCode": "Investigation",
    "description": "<p>Reviewed logs and reproduced the issue.</p>",
    "startDate": "2026-11-11T09:00:00Z",
    "endDate": "2026-11-11T10:30:00Z",
    "data": {"billable": True, "rate": 95, "location": "remote"},
}
WS = "/v1/workspaces/acme"

# name: (method, path, template path, body, extra headers, query)
SAMPLES: dict[str, tuple[str, str, str, Any, dict[str, str], str]] = {
    "create_worklog": (
        "POST",
        f"{WS}/worklogs",
        "/v1/workspaces/{workspaceId}/worklogs",
        WORKLOG,
        {"idempotency-key": "9d2e7c1a-create-T-1042"},
        "",
    ),
    "get_worklog": (
        "GET",
        f"{WS}/worklogs/{SAMPLE_ID}",
        "/v1/workspaces/{workspaceId}/worklogs/{worklogId}",
        None,
        {},
        "",
    ),
    "search_worklogs_by_owner": (
        "GET",
        f"{WS}/worklogs",
        "/v1/workspaces/{workspaceId}/worklogs",
        None,
        {},
        "ownerType=Ticket&ownerId=T-1042&limit=20",
    ),
    "search_worklogs_by_worker": (
        "GET",
        f"{WS}/worklogs",
        "/v1/workspaces/{workspaceId}/worklogs",
        None,
        {},
        "workerId=me",
    ),
    "list_owner_worklogs": (
        "GET",
        f"{WS}/owners/Ticket/T-1042/worklogs",
        "/v1/workspaces/{workspaceId}/owners/{ownerType}/{ownerId}/worklogs",
        None,
        {},
        "limit=20",
    ),
    "search_worklogs_by_window": (
        "GET",
        f"{WS}/worklogs",
        "/v1/workspaces/{workspaceId}/worklogs",
        None,
        {},
        "from=2026-11-11T00%3A00%3A00Z&to=2026-11-12T00%3A00%3A00Z&billable=true",
    ),
    "search_worklogs_changed_since": (
        "GET",
        f"{WS}/worklogs",
        "/v1/workspaces/{workspaceId}/worklogs",
        None,
        {},
        "updatedSince=2026-11-01T00%3A00%3A00Z",
    ),
    "get_worklog_history": (
        "GET",
        f"{WS}/worklogs/{SAMPLE_ID}/history",
        "/v1/workspaces/{workspaceId}/worklogs/{worklogId}/history",
        None,
        {},
        "",
    ),
    "edit_worklog": (
        "PATCH",
        f"{WS}/worklogs/{SAMPLE_ID}",
        "/v1/workspaces/{workspaceId}/worklogs/{worklogId}",
        {"endDate": "2026-11-11T11:00:00Z", "description": "<p>Reproduced and fixed.</p>"},
        {"if-match": '"1"'},
        "",
    ),
    "split_worklog": (
        "POST",
        f"{WS}/worklogs/{SAMPLE_ID}/split",
        "/v1/workspaces/{workspaceId}/worklogs/{worklogId}/split",
        {"at": "2026-11-11T10:00:00Z"},
        {"if-match": '"2"'},
        "",
    ),
    "merge_worklogs": (
        "POST",
        f"{WS}/worklogs/merge",
        "/v1/workspaces/{workspaceId}/worklogs/merge",
        {"ids": [SAMPLE_ID, OTHER_ID]},
        {},
        "",
    ),
    "delete_worklog": (
        "DELETE",
        f"{WS}/worklogs/{SAMPLE_ID}",
        "/v1/workspaces/{workspaceId}/worklogs/{worklogId}",
        None,
        {"if-match": '"4"'},
        "",
    ),
    "restore_worklog": (
        "POST",
        f"{WS}/worklogs/{SAMPLE_ID}/restore",
        "/v1/workspaces/{workspaceId}/worklogs/{worklogId}/restore",
        None,
        {},
        "",
    ),
    "create_link": (
        "POST",
        f"{WS}/worklogs/{SAMPLE_ID}/links",
        "/v1/workspaces/{workspaceId}/worklogs/{worklogId}/links",
        {"refType": "Task", "refId": "TASK-77", "name": "Related task", "data": {"relation": "executed-for"}},
        {},
        "",
    ),
    "list_links": (
        "GET",
        f"{WS}/worklogs/{SAMPLE_ID}/links",
        "/v1/workspaces/{workspaceId}/worklogs/{worklogId}/links",
        None,
        {},
        "",
    ),
    "delete_link": (
        "DELETE",
        f"{WS}/worklogs/{SAMPLE_ID}/links/{LINK_ID}",
        "/v1/workspaces/{workspaceId}/worklogs/{worklogId}/links/{linkId}",
        None,
        {},
        "",
    ),
    "put_worklog_type": (
        "PUT",
        f"{WS}/worklog-types/Investigation",
        "/v1/workspaces/{workspaceId}/worklog-types/{code}",
        {
            "name": "Investigation",
            "description": "Finding the cause",
            "icon": "search",
            "localizationData": {"de": {"name": "Analyse", "description": "Ursache finden"}},
            "form": {
                "type": "object",
                "properties": {"billable": {"type": "boolean"}, "rate": {"type": "number", "minimum": 0}},
            },
            "dataTags": ["support"],
            "validityFrom": "2026-01-01",
        },
        {},
        "",
    ),
    "patch_worklog_type": (
        "PATCH",
        f"{WS}/worklog-types/Investigation",
        "/v1/workspaces/{workspaceId}/worklog-types/{code}",
        {"description": "Finding the root cause", "localizationData": {"de": {"description": "Grundursache finden"}}},
        {"if-match": '"1"'},
        "",
    ),
    "list_worklog_types": (
        "GET",
        f"{WS}/worklog-types",
        "/v1/workspaces/{workspaceId}/worklog-types",
        None,
        {"accept-language": "de-CH, de;q=0.9"},
        "",
    ),
    "get_worklog_type": (
        "GET",
        f"{WS}/worklog-types/Investigation",
        "/v1/workspaces/{workspaceId}/worklog-types/{code}",
        None,
        {},
        "",
    ),
    "delete_worklog_type": (
        "DELETE",
        f"{WS}/worklog-types/Obsolete",
        "/v1/workspaces/{workspaceId}/worklog-types/{code}",
        None,
        {},
        "",
    ),
    "get_settings": ("GET", f"{WS}/settings", "/v1/workspaces/{workspaceId}/settings", None, {}, ""),
    "put_settings": (
        "PUT",
        f"{WS}/settings",
        "/v1/workspaces/{workspaceId}/settings",
        {
            "timezone": "Europe/Berlin",
            "weekStart": "monday",
            "overlapPolicy": "warn",
            "rounding": {"mode": "up", "unitMinutes": 15, "scope": "entry"},
            "currency": "EUR",
        },
        {},
        "",
    ),
    "patch_settings": (
        "PATCH",
        f"{WS}/settings",
        "/v1/workspaces/{workspaceId}/settings",
        {"overlapPolicy": "reject", "rounding": {"unitMinutes": 6}},
        {"if-match": '"1"'},
        "",
    ),
    "start_timer": (
        "POST",
        f"{WS}/timer/start",
        "/v1/workspaces/{workspaceId}/timer/start",
        {
            "ownerType": "Ticket",
            "ownerId": "T-1042",
            "projectId": "P-7",
            "worklogTypeCode": "Investigation",
            "description": "<p>Reproducing the login issue.</p>",
            "data": {"billable": True},
        },
        {},
        "",
    ),
    "get_timer": ("GET", f"{WS}/timer", "/v1/workspaces/{workspaceId}/timer", None, {}, ""),
    "pause_timer": ("POST", f"{WS}/timer/pause", "/v1/workspaces/{workspaceId}/timer/pause", None, {}, ""),
    "resume_timer": ("POST", f"{WS}/timer/resume", "/v1/workspaces/{workspaceId}/timer/resume", None, {}, ""),
    "stop_timer": (
        "POST",
        f"{WS}/timer/stop",
        "/v1/workspaces/{workspaceId}/timer/stop",
        {"timerId": TIMER_ID, "description": "<p>Reproduced and fixed the login issue.</p>"},
        {},
        "",
    ),
    "discard_timer": ("DELETE", f"{WS}/timer", "/v1/workspaces/{workspaceId}/timer", None, {}, ""),
    "get_console": (
        "GET",
        f"{WS}/console",
        "/v1/workspaces/{workspaceId}/console",
        None,
        {},
        "period=week&date=2026-11-11",
    ),
    "get_openapi_schema": ("GET", "/v1/openapi.json", "/v1/openapi.json", None, {}, ""),
    "report_totals": (
        "GET",
        f"{WS}/reports/totals",
        "/v1/workspaces/{workspaceId}/reports/totals",
        None,
        {},
        "granularity=week&from=2026-11-02&to=2026-11-29&groupBy=worker&consistency=strong",
    ),
    "export_worklogs": (
        "GET",
        f"{WS}/reports/worklogs",
        "/v1/workspaces/{workspaceId}/reports/worklogs",
        None,
        {},
        "from=2026-11-01&to=2026-11-30&format=csv&limit=100",
    ),
    "report_totals_csv": (
        "GET",
        f"{WS}/reports/totals.csv",
        "/v1/workspaces/{workspaceId}/reports/totals.csv",
        None,
        {},
        "granularity=month&from=2026-11-01&to=2026-11-30&groupBy=owner",
    ),
    "export_worklogs_csv": (
        "GET",
        f"{WS}/reports/worklogs.csv",
        "/v1/workspaces/{workspaceId}/reports/worklogs.csv",
        None,
        {},
        "from=2026-11-01&to=2026-11-30&limit=100",
    ),
    # Timesheet approvals, rates and bulk import.
    "submit_approval": (
        "POST",
        f"{WS}/approvals",
        "/v1/workspaces/{workspaceId}/approvals",
        {"period": "2026-W46"},
        {},
        "",
    ),
    "list_approvals": ("GET", f"{WS}/approvals", "/v1/workspaces/{workspaceId}/approvals", None, {}, "state=submitted"),
    "get_approval": (
        "GET",
        f"{WS}/approvals/{APPROVAL_ID}",
        "/v1/workspaces/{workspaceId}/approvals/{approvalId}",
        None,
        {},
        "",
    ),
    "approve_approval": (
        "POST",
        f"{WS}/approvals/{APPROVAL_ID}/approve",
        "/v1/workspaces/{workspaceId}/approvals/{approvalId}/approve",
        {"comment": "Looks right."},
        {"if-match": '"1"'},
        "",
    ),
    "reject_approval": (
        "POST",
        f"{WS}/approvals/{APPROVAL_ID}/reject",
        "/v1/workspaces/{workspaceId}/approvals/{approvalId}/reject",
        {"comment": "Friday is missing."},
        {"if-match": '"1"'},
        "",
    ),
    "reopen_approval": (
        "POST",
        f"{WS}/approvals/{APPROVAL_ID}/reopen",
        "/v1/workspaces/{workspaceId}/approvals/{approvalId}/reopen",
        {"comment": "Correction."},
        {},
        "",
    ),
    "get_rates": ("GET", f"{WS}/rates", "/v1/workspaces/{workspaceId}/rates", None, {}, ""),
    "put_rates": (
        "PUT",
        f"{WS}/rates",
        "/v1/workspaces/{workspaceId}/rates",
        {
            "rules": [
                {"rate": "80.00", "validFrom": "2026-01-01"},
                {"projectId": "P-7", "rate": "110.00", "validFrom": "2026-01-01"},
            ]
        },
        {},
        "",
    ),
    "reapply_rates": (
        "POST",
        f"{WS}/rates/reapply",
        "/v1/workspaces/{workspaceId}/rates/reapply",
        {"from": "2026-11-01", "to": "2026-11-30"},
        {},
        "",
    ),
    "create_worklogs_batch": (
        "POST",
        f"{WS}/worklogs/batch",
        "/v1/workspaces/{workspaceId}/worklogs/batch",
        {"items": [WORKLOG, {**WORKLOG, "startDate": "2026-11-12T09:00:00Z", "endDate": "2026-11-12T10:00:00Z"}]},
        {"idempotency-key": "9d2e7c1a-import-2026-11"},
        "",
    ),
}


def _path_parameters(path: str, template_path: str) -> dict[str, str]:
    names = template_path.strip("/").split("/")
    values = path.strip("/").split("/")
    return {name[1:-1]: value for name, value in zip(names, values, strict=True) if name.startswith("{")}


def build(name: str) -> dict[str, Any]:
    method, path, template_path, body, extra, query = SAMPLES[name]
    public = template_path.startswith("/v1/openapi")
    headers = {**HEADERS, **extra}
    text = None
    if body is not None:
        text = json.dumps(body)
        headers.update({"content-type": "application/json", "content-length": str(len(text))})
    if public:
        headers.pop("authorization")
    event = http_api_event(
        method=method,
        path=path,
        route_key=f"{method} {template_path}",
        path_parameters=_path_parameters(path, template_path) or None,
        query_string=query,
        headers=headers,
        body=text,
        claims=None if public else CLAIMS,
        source_ip="203.0.113.7",
    )
    context = event["requestContext"]
    context.update(
        {
            "requestId": f"{name}-JkT3pgQ6FiAEJ7w=",
            "time": "23/Nov/2026:09:00:00 +0000",
            "timeEpoch": 1795424400000,
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": HOST,
            "domainPrefix": "abc123",
        }
    )
    return event


def main() -> None:
    EVENTS_DIR.mkdir(exist_ok=True)
    for name in SAMPLES:
        (EVENTS_DIR / f"{name}.json").write_text(json.dumps(build(name), indent=2) + "\n", encoding="utf-8")
        print(f"wrote events/{name}.json")


if __name__ == "__main__":
    main()
