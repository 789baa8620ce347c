"""Creating worklogs through the handler, against moto tables built from template.yaml."""

from __future__ import annotations

import base64
import json

import pytest

from tests.helpers import a_worklog, claims

WS = "/v1/workspaces/acme/worklogs"


def test_create_returns_201_with_location_etag_and_derived_fields(api):
    response = api.post(
        WS,
        json_body=a_worklog(projectId="P-7", worklogTypeCode="Investigation"),
        caller=claims(name="Alice Doe"),
    )

    assert response.status == 201, response.body
    body = response.json
    assert response.headers["location"] == f"{WS}/{body['id']}" == body["self"]
    assert response.headers["etag"] == '"1"'
    assert body["version"] == 1
    assert body["workspaceId"] == "acme"
    assert body["workerId"] == "alice"
    assert body["durationMinutes"] == 90
    assert body["duration"] == "PT1H30M"
    assert body["startDate"] == "2026-11-11T09:00:00Z"
    assert body["endDate"] == "2026-11-11T10:30:00Z"
    assert body["createdBy"] == body["updatedBy"] == body["loggedBy"] == {"id": "alice", "display": "Alice Doe"}
    assert body["data"] == {"billable": True, "location": "remote"}
    assert body["projectId"] == "P-7"
    assert body["worklogTypeCode"] == "Investigation"
    assert body["taskEntityRefId"] is None
    assert body["deletedAt"] is None


def test_created_worklog_reads_back_identically(api):
    created = api.post(WS, json_body=a_worklog(data={"rate": 95.5, "tags": ["a", 2]}), caller=claims()).json

    fetched = api.get(f"{WS}/{created['id']}", caller=claims())

    assert fetched.status == 200
    assert created.pop("warnings") == []
    assert fetched.json == created
    assert fetched.headers["etag"] == '"1"'


def test_create_is_one_dynamodb_write_once_settings_are_cached(api, ddb_calls):
    assert api.post(WS, json_body=a_worklog(), caller=claims()).status == 201  # a cold container reads settings
    ddb_calls.reset()
    assert api.post(WS, json_body=a_worklog(), caller=claims()).status == 201
    assert ddb_calls.operations == ["TransactWriteItems"]


@pytest.mark.parametrize(
    ("times", "start", "end", "minutes"),
    [
        (
            {"startDate": "2026-11-11T09:00:00+02:00", "duration": "PT45M"},
            "2026-11-11T07:00:00Z",
            "2026-11-11T07:45:00Z",
            45,
        ),
        (
            {"endDate": "2026-11-11T10:00:00Z", "durationMinutes": 30},
            "2026-11-11T09:30:00Z",
            "2026-11-11T10:00:00Z",
            30,
        ),
        (
            {"startDate": "2026-11-11T09:00:00Z", "duration": "P1D"},
            "2026-11-11T09:00:00Z",
            "2026-11-11T17:00:00Z",
            480,
        ),
        (
            {"startDate": "2026-11-11T22:00:00+01:00", "endDate": "2026-11-12T02:00:00+01:00"},
            "2026-11-11T21:00:00Z",
            "2026-11-12T01:00:00Z",
            240,
        ),
        (
            {"startDate": "2026-11-11T09:00:00Z", "endDate": "2026-11-11T10:00:00Z", "duration": "PT1H"},
            "2026-11-11T09:00:00Z",
            "2026-11-11T10:00:00Z",
            60,
        ),
    ],
)
def test_any_two_of_start_end_duration(api, times, start, end, minutes):
    body = a_worklog(startDate=None, endDate=None)
    body.update(times)
    response = api.post(WS, json_body=body, caller=claims())
    assert response.status == 201, response.body
    assert (response.json["startDate"], response.json["endDate"], response.json["durationMinutes"]) == (
        start,
        end,
        minutes,
    )


def test_duration_alone_ends_now(api):
    response = api.post(WS, json_body=a_worklog(startDate=None, endDate=None, duration="PT2H"), caller=claims())
    assert response.status == 201
    from datetime import UTC, datetime

    end = datetime.fromisoformat(response.json["endDate"])
    assert abs((datetime.now(UTC) - end).total_seconds()) < 60
    assert response.json["durationMinutes"] == 120


def test_description_is_sanitised(api):
    dirty = '<p onclick="steal()">Fixed <b>it</b><script>alert(1)</script><a href="javascript:x()">x</a></p>'
    response = api.post(WS, json_body=a_worklog(description=dirty), caller=claims())
    assert response.status == 201
    description = response.json["description"]
    assert "<script" not in description and "onclick" not in description and "javascript:" not in description
    assert description.startswith("<p>Fixed <b>it</b>")


def test_worker_defaults_to_caller_and_manager_may_log_for_others(api):
    mine = api.post(WS, json_body=a_worklog(), caller=claims(sub="bob", workspaces="acme:member"))
    assert mine.json["workerId"] == "bob"
    for_carol = api.post(WS, json_body=a_worklog(workerId="carol"), caller=claims(sub="mia", workspaces="acme:manager"))
    assert for_carol.status == 201
    assert for_carol.json["workerId"] == "carol"
    assert for_carol.json["loggedBy"]["id"] == "mia"


def test_member_cannot_log_for_someone_else(api):
    response = api.post(WS, json_body=a_worklog(workerId="carol"), caller=claims(sub="bob", workspaces="acme:member"))
    assert response.status == 403
    assert response.json["error"]["code"] == "FORBIDDEN"


def test_workspace_comes_from_path_and_claims_not_body(api):
    response = api.post(WS, json_body={**a_worklog(), "workspaceId": "other"}, caller=claims())
    assert response.status == 422  # unknown field, never silently used


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        (claims(workspaces="acme:viewer"), 403),
        (claims(workspaces="beta:admin"), 403),
        (claims(workspaces=[]), 403),
    ],
)
def test_who_may_create(api, caller, status):
    response = api.post(WS, json_body=a_worklog(), caller=caller)
    assert response.status == status
    assert set(response.json) == {"error", "requestId"}


def test_missing_claims_is_401(api):
    response = api.post(WS, json_body=a_worklog(), caller={})
    assert response.status == 401
    assert response.json["error"]["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (a_worklog(ownerType=""), ["body", "ownerType"]),
        (a_worklog(ownerType=None), ["body", "ownerType"]),
        (a_worklog(ownerId="   "), ["body", "ownerId"]),
        (a_worklog(startDate="2026-11-11T09:00:00"), ["body", "startDate"]),
        (a_worklog(endDate="yesterday"), ["body", "endDate"]),
        (a_worklog(durationMinutes=0), ["body", "durationMinutes"]),
        (a_worklog(durationMinutes=-5), ["body", "durationMinutes"]),
        (a_worklog(worklogTypeCode="has space"), ["body", "worklogTypeCode"]),
        ({**a_worklog(), "colour": "red"}, ["body", "colour"]),
        (a_worklog(data="not a map"), ["body", "data"]),
    ],
)
def test_schema_violations_are_422_with_loc_and_msg(api, dynamodb, body, loc):
    response = api.post(WS, json_body=body, caller=claims())
    assert response.status == 422, response.body
    error = response.json["error"]
    assert error["code"] == "VALIDATION_FAILED"
    assert any(detail["loc"][: len(loc)] == loc and detail["msg"] for detail in error["details"]), error
    assert response.json["requestId"]


@pytest.mark.parametrize(
    ("times", "fragment"),
    [
        ({"startDate": "2026-11-11T10:00:00Z", "endDate": "2026-11-11T09:00:00Z"}, "end after it starts"),
        ({"startDate": "2026-11-11T10:00:00Z", "endDate": "2026-11-11T10:00:00Z"}, "end after it starts"),
        ({"startDate": "2026-11-11T00:00:00Z", "endDate": "2026-11-12T00:00:01Z"}, "24 hours"),
        ({"startDate": "2026-11-11T10:00:00Z"}, "missing"),
        ({}, "missing"),
        ({"startDate": "2026-11-11T10:00:00Z", "duration": "P1M"}, "ISO 8601"),
        ({"startDate": "2026-11-11T10:00:00Z", "duration": "90 minutes"}, "ISO 8601"),
        ({"startDate": "2026-11-11T10:00:00Z", "duration": "PT1H", "durationMinutes": 60}, "not both"),
        (
            {"startDate": "2026-11-11T09:00:00Z", "endDate": "2026-11-11T10:00:00Z", "duration": "PT2H"},
            "disagree",
        ),
    ],
)
def test_bad_time_windows_are_422_and_store_nothing(api, ddb_calls, times, fragment):
    body = a_worklog(startDate=None, endDate=None)
    body.update(times)
    ddb_calls.reset()
    response = api.post(WS, json_body=body, caller=claims())
    assert response.status == 422, response.body
    assert fragment in response.json["error"]["message"]
    assert not {"PutItem", "TransactWriteItems", "UpdateItem"} & set(ddb_calls.operations)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"": 1}, "empty"),
        ({"n": 10**40}, "out of range"),
        ({"deep": json.loads("[" * 20 + "]" * 20)}, "Nested"),
    ],
)
def test_unstorable_data_is_422(api, data, fragment):
    response = api.post(WS, json_body=a_worklog(data=data), caller=claims())
    assert response.status == 422
    assert any(fragment in detail["msg"] for detail in response.json["error"]["details"])


@pytest.mark.parametrize(
    ("body", "headers", "base64_encoded", "status", "code"),
    [
        ('{"ownerType": "Ticket",', {"content-type": "application/json"}, False, 400, "MALFORMED_JSON"),
        ('{"n": NaN}', {"content-type": "application/json"}, False, 400, "MALFORMED_JSON"),
        ("[" * 100_00 + "]" * 100_00, {"content-type": "application/json"}, False, 400, "MALFORMED_JSON"),
        (
            "ownerType=Ticket",
            {"content-type": "application/x-www-form-urlencoded"},
            False,
            415,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        ("{}", {"content-type": "multipart/form-data"}, False, 415, "UNSUPPORTED_MEDIA_TYPE"),
        ("{}", {}, False, 415, "UNSUPPORTED_MEDIA_TYPE"),
        (
            base64.b64encode(b"\xff\xfe\x00").decode(),
            {"content-type": "application/json"},
            True,
            400,
            "MALFORMED_BODY",
        ),
        (
            json.dumps({"ownerType": "x" * (65 * 1024)}),
            {"content-type": "application/json"},
            False,
            413,
            "PAYLOAD_TOO_LARGE",
        ),
    ],
)
def test_malformed_requests_get_the_common_error_shape(api, body, headers, base64_encoded, status, code):
    from local.events import LambdaContext, http_api_event
    from local.functions import handler

    event = http_api_event(
        method="POST",
        path=WS,
        route_key="POST /v1/workspaces/{workspaceId}/worklogs",
        path_parameters={"workspaceId": "acme"},
        headers=headers,
        body=body,
        claims=claims(),
    )
    if base64_encoded:
        event["body"], event["isBase64Encoded"] = body, True
    result = handler("CreateWorklogFunction")(event, LambdaContext("create"))
    assert result["statusCode"] == status
    error = json.loads(result["body"])["error"]
    assert error["code"] == code and error["message"]
