"""The worklog-type code table: admin writes, validity, privileges, localisation, forms, deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import ADMIN, BOB, claims
from tests.helpers import post_worklog as create

WS = "/v1/workspaces/acme"
TYPES = f"{WS}/worklog-types"
AUDITOR = claims(sub="ann", workspaces="acme:member", privileges=["worklog:audit"])
TODAY = datetime.now(UTC).date()


def put_type(api, code, caller=ADMIN, headers=None, **body):
    return api.put(f"{TYPES}/{code}", json_body={"name": code, **body}, caller=caller, headers=headers)


def test_admin_creates_and_replaces_a_type_with_every_field(api):
    body = {
        "description": "Finding the cause",
        "validityFrom": "2026-01-01",
        "validityTo": "2099-12-31",
        "localizationData": {"de": {"name": "Analyse", "description": "Ursache finden"}},
        "form": {"type": "object", "properties": {"rate": {"type": "number"}}},
        "icon": "search",
        "dataTags": ["support", "billable"],
        "config": {"color": "#336699"},
    }
    created = put_type(api, "Diagnosis", **body)
    assert created.status == 201, created.body
    assert created.headers["location"] == f"{TYPES}/Diagnosis" and created.headers["etag"] == '"1"'
    saved = created.json
    assert {key: saved[key] for key in body} == body
    assert saved["code"] == "Diagnosis" and saved["valid"] is True and saved["privilege"] is None
    assert saved["auditInfo"]["createdBy"]["id"] == "alice"
    replaced = put_type(api, "Diagnosis", headers={"If-Match": '"1"'}, description="Root cause analysis")
    assert replaced.status == 200 and replaced.json["version"] == 2
    assert replaced.json["auditInfo"]["createdAt"] == saved["auditInfo"]["createdAt"]
    assert replaced.json["form"] is None  # PUT replaces the whole definition
    assert put_type(api, "Diagnosis", headers={"If-Match": '"1"'}).status == 412
    fetched = api.get(f"{TYPES}/Diagnosis", caller=BOB)
    assert fetched.status == 200 and fetched.json["description"] == "Root cause analysis"
    codes = [item["code"] for item in api.get(TYPES, caller=claims(workspaces="acme:viewer")).json["items"]]
    assert codes == sorted(codes) and "Diagnosis" in codes


@pytest.mark.parametrize(
    ("code", "body", "status"),
    [
        ("has space", {}, 422),
        ("ünicode", {}, 422),
        ("x" * 65, {}, 422),
        ("Ok", {"validityFrom": "2026-02-01", "validityTo": "2026-01-01"}, 422),
        ("Ok", {"form": {"type": "no-such-type"}}, 422),
        ("Ok", {"form": {"properties": {"a": {"minimum": "zero"}}}}, 422),
        ("Ok", {"localizationData": {"not a tag!": {"name": "x"}}}, 422),
        ("Ok", {"name": ""}, 422),
        ("Ok", {"unknown": 1}, 422),
    ],
)
def test_bad_type_definitions_are_422(api, code, body, status):
    response = api.put(f"{TYPES}/{code}", json_body={"name": "n", **body}, caller=ADMIN)
    assert response.status == status, response.body
    assert api.get(f"{TYPES}/Ok", caller=ADMIN).status == 404


def test_only_admins_write_types(api):
    assert put_type(api, "Mine", caller=BOB).status == 403
    assert put_type(api, "Mine", caller=claims(workspaces="acme:manager")).status == 403
    assert put_type(api, "Mine", caller=claims(workspaces="beta:admin")).status == 403
    assert api.delete(f"{TYPES}/Investigation", caller=BOB).status == 403


def test_unknown_and_out_of_validity_types_are_422(api):
    assert create(api, worklogTypeCode="Nope").status == 422
    put_type(api, "Retired", validityTo=str(TODAY - timedelta(days=1)))
    put_type(api, "Future", validityFrom=str(TODAY + timedelta(days=2)))
    listed = {item["code"]: item["valid"] for item in api.get(TYPES, caller=BOB).json["items"]}
    assert listed["Retired"] is False and listed["Future"] is False and listed["Investigation"] is True
    for code in ("Retired", "Future"):
        response = create(api, worklogTypeCode=code)
        assert response.status == 422 and "not valid" in response.json["error"]["message"]


def test_a_worklog_keeps_its_retired_type_when_other_fields_change(api):
    put_type(api, "Legacy")
    worklog = create(api, worklogTypeCode="Legacy").json
    retired = put_type(api, "Legacy", headers={"If-Match": '"1"'}, validityTo=str(TODAY - timedelta(days=1)))
    assert retired.status == 200
    edited = api.patch(
        f"{WS}/worklogs/{worklog['id']}",
        json_body={"description": "still fine"},
        headers={"If-Match": '"1"'},
        caller=BOB,
    )
    assert edited.status == 200
    other = create(api, worklogTypeCode="Testing").json
    moved = api.patch(
        f"{WS}/worklogs/{other['id']}", json_body={"worklogTypeCode": "Legacy"}, headers={"If-Match": '"1"'}, caller=BOB
    )
    assert moved.status == 422


def test_privileged_types_are_invisible_and_unusable_without_the_privilege(api):
    put_type(api, "Audit", privilege="worklog:audit")
    assert "Audit" not in [item["code"] for item in api.get(TYPES, caller=BOB).json["items"]]
    assert api.get(f"{TYPES}/Audit", caller=BOB).status == 404
    assert create(api, worklogTypeCode="Audit").status == 422
    assert "Audit" in [item["code"] for item in api.get(TYPES, caller=AUDITOR).json["items"]]
    assert api.get(f"{TYPES}/Audit", caller=AUDITOR).status == 200
    assert create(api, caller=AUDITOR, worklogTypeCode="Audit").status == 201
    assert api.get(f"{TYPES}/Audit", caller=ADMIN).status == 404  # admins too need the privilege to see it


@pytest.mark.parametrize(
    ("header", "name", "description"),
    [
        ("de-CH", "Analyse (CH)", "Ursache finden"),
        ("de-AT, en;q=0.5", "Analyse", "Ursache finden"),
        ("de", "Analyse", "Ursache finden"),
        ("fr, de;q=0.8", "Analyse", "Ursache finden"),
        ("en-US", "Diagnosis", "Finding the cause"),
        ("de;q=0, en", "Diagnosis", "Finding the cause"),
        (None, "Diagnosis", "Finding the cause"),
    ],
)
def test_accept_language_localises_with_fallback(api, header, name, description):
    put_type(
        api,
        "Diagnosis",
        description="Finding the cause",
        localizationData={
            "de": {"name": "Analyse", "description": "Ursache finden"},
            "de-CH": {"name": "Analyse (CH)"},
        },
    )
    headers = {"Accept-Language": header} if header else None
    one = api.get(f"{TYPES}/Diagnosis", caller=BOB, headers=headers).json
    assert (one["name"], one["description"]) == (name, description)
    listed = next(
        item for item in api.get(TYPES, caller=BOB, headers=headers).json["items"] if item["code"] == "Diagnosis"
    )
    assert listed["name"] == name


FORM = {
    "type": "object",
    "properties": {
        "billable": {"type": "boolean"},
        "rate": {"type": "number", "minimum": 0},
        "category": {"enum": ["remote", "onsite"]},
    },
    "required": ["billable", "category"],
    "additionalProperties": False,
}


def test_data_is_validated_against_the_type_form_listing_each_failing_path(api):
    put_type(api, "Billable", form=FORM)
    ok = create(api, worklogTypeCode="Billable", data={"billable": True, "rate": 90, "category": "remote"})
    assert ok.status == 201, ok.body
    bad = create(api, worklogTypeCode="Billable", data={"billable": "yes", "rate": -1, "colour": "red"})
    assert bad.status == 422
    locs = {tuple(detail["loc"]) for detail in bad.json["error"]["details"]}
    assert locs == {
        ("body", "data", "billable"),
        ("body", "data", "rate"),
        ("body", "data", "colour"),
        ("body", "data", "category"),
    }
    assert all(detail["msg"] for detail in bad.json["error"]["details"])


def test_edits_are_validated_against_the_form(api):
    put_type(api, "Billable", form=FORM)
    worklog = create(api, worklogTypeCode="Billable", data={"billable": True, "category": "onsite"}).json
    bad = api.patch(
        f"{WS}/worklogs/{worklog['id']}",
        json_body={"data": {"billable": True}},
        headers={"If-Match": '"1"'},
        caller=BOB,
    )
    assert bad.status == 422
    free = create(api, worklogTypeCode="Other", data={"anything": 1}).json
    retyped = api.patch(
        f"{WS}/worklogs/{free['id']}",
        json_body={"worklogTypeCode": "Billable"},
        headers={"If-Match": '"1"'},
        caller=BOB,
    )
    assert retyped.status == 422


def test_delete_only_unused_types(api):
    put_type(api, "Unused")
    assert api.delete(f"{TYPES}/Unused", caller=ADMIN).status == 204
    assert api.get(f"{TYPES}/Unused", caller=ADMIN).status == 404
    assert create(api, worklogTypeCode="Unused").status == 422
    worklog = create(api, worklogTypeCode="Testing").json
    api.delete(f"{WS}/worklogs/{worklog['id']}", caller=BOB)  # even a deleted worklog can come back
    in_use = api.delete(f"{TYPES}/Testing", caller=ADMIN)
    assert in_use.status == 409 and in_use.json["error"]["code"] == "TYPE_IN_USE"
    assert api.delete(f"{TYPES}/Nope", caller=ADMIN).status == 404


def test_a_type_changed_by_another_container_is_enforced_on_the_next_write(api, dynamodb):
    put_type(api, "Strict")
    assert create(api, worklogTypeCode="Strict", data={}).status == 201  # the type is now cached
    # Another container adds a form to the type; this container's cache still has the old definition.
    dynamodb.update_item(
        TableName="MainTable",
        Key={"PK": {"S": "WS#acme"}, "SK": {"S": "TYPE#Strict"}},
        UpdateExpression="SET #form = :form, version = :v",
        ExpressionAttributeNames={"#form": "form"},
        ExpressionAttributeValues={":form": {"M": {"required": {"L": [{"S": "ticketRef"}]}}}, ":v": {"N": "2"}},
    )
    response = create(api, worklogTypeCode="Strict", data={})
    assert response.status == 422
    assert response.json["error"]["details"][0]["loc"] == ["body", "data", "ticketRef"]


@pytest.mark.parametrize("field", ["form", "config"])
def test_a_type_whose_maps_cannot_be_stored_is_422(field):
    """An empty key cannot be stored in a DynamoDB map: refused on write, never a broken item."""
    from worklogs.domain.types import check_definition
    from worklogs.errors import ValidationFailed
    from worklogs.worklog_types.models import WorklogTypeInput

    value = {"type": "object", "properties": {"x": {"": False}}} if field == "form" else {"": 1}
    with pytest.raises(ValidationFailed) as raised:
        check_definition(WorklogTypeInput.model_validate({"name": "T", field: value}))
    assert raised.value.details[0]["loc"][:2] == ["body", field]
    assert raised.value.details[0]["type"] == "empty_key"
