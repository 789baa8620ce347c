"""Settings and worklog-type changes cannot silently reset other fields: PATCH merges (RFC 7386) and needs
If-Match; PUT over a saved resource needs If-Match too (`*` replaces whatever is stored)."""

from __future__ import annotations

from typing import Any

from tests.helpers import claims

WS = "/v1/workspaces/acme"
ADMIN = claims()


def _etag(response: Any) -> str:
    return response.headers["etag"]


def test_patch_settings_changes_only_the_fields_sent(api, dynamodb):
    saved = api.put(
        f"{WS}/settings",
        json_body={"timezone": "Europe/Berlin", "rounding": {"mode": "up", "unitMinutes": 15}, "currency": "CHF"},
        caller=ADMIN,
    )
    assert saved.status == 200, saved.body
    patched = api.patch(
        f"{WS}/settings",
        json_body={"overlapPolicy": "reject", "rounding": {"unitMinutes": 6}},
        headers={"If-Match": _etag(saved)},
        caller=ADMIN,
    )
    assert patched.status == 200, patched.body
    body = patched.json
    assert (body["timezone"], body["currency"], body["overlapPolicy"]) == ("Europe/Berlin", "CHF", "reject")
    assert body["rounding"] == {"mode": "up", "unitMinutes": 6, "scope": "entry"}
    assert body["version"] == saved.json["version"] + 1 and _etag(patched) == f'"{body["version"]}"'

    reset = api.patch(
        f"{WS}/settings", json_body={"currency": None}, headers={"If-Match": _etag(patched)}, caller=ADMIN
    )
    assert reset.status == 200 and reset.json["currency"] == "EUR" and reset.json["timezone"] == "Europe/Berlin"


def test_patch_settings_needs_a_current_if_match(api, dynamodb):
    assert api.patch(f"{WS}/settings", json_body={"currency": "USD"}, caller=ADMIN).status == 428
    stale = api.patch(f"{WS}/settings", json_body={"currency": "USD"}, headers={"If-Match": '"7"'}, caller=ADMIN)
    assert stale.status == 412
    invalid = api.patch(
        f"{WS}/settings", json_body={"timezone": "Mars/Base"}, headers={"If-Match": '"0"'}, caller=ADMIN
    )
    assert invalid.status == 422
    unknown = api.patch(f"{WS}/settings", json_body={"colour": "red"}, headers={"If-Match": '"0"'}, caller=ADMIN)
    assert unknown.status == 422
    member = api.patch(
        f"{WS}/settings",
        json_body={"currency": "USD"},
        headers={"If-Match": '"0"'},
        caller=claims(workspaces="acme:member"),
    )
    assert member.status == 403


def test_put_over_saved_settings_needs_if_match(api, dynamodb):
    first = api.put(f"{WS}/settings", json_body={"currency": "CHF"}, caller=ADMIN)  # nothing saved yet
    assert first.status == 200
    missing = api.put(f"{WS}/settings", json_body={"timezone": "Europe/Berlin"}, caller=ADMIN)
    assert missing.status == 428 and missing.json["error"]["code"] == "PRECONDITION_REQUIRED"
    stale = api.put(
        f"{WS}/settings", json_body={"timezone": "Europe/Berlin"}, headers={"If-Match": '"9"'}, caller=ADMIN
    )
    assert stale.status == 412
    matched = api.put(
        f"{WS}/settings", json_body={"timezone": "Europe/Berlin"}, headers={"If-Match": _etag(first)}, caller=ADMIN
    )
    assert matched.status == 200 and matched.json["currency"] == "EUR"  # PUT replaces: omitted fields default
    forced = api.put(f"{WS}/settings", json_body={"currency": "USD"}, headers={"If-Match": "*"}, caller=ADMIN)
    assert forced.status == 200 and forced.json["version"] == 3


def test_patch_worklog_type_merges_and_needs_if_match(api, dynamodb):
    created = api.put(
        f"{WS}/worklog-types/Review",
        json_body={
            "name": "Review",
            "description": "Code review",
            "localizationData": {"de": {"name": "Prüfung"}},
            "dataTags": ["dev"],
        },
        caller=ADMIN,
    )
    assert created.status == 201, created.body
    assert api.patch(f"{WS}/worklog-types/Review", json_body={"icon": "eye"}, caller=ADMIN).status == 428
    stale = api.patch(
        f"{WS}/worklog-types/Review", json_body={"icon": "eye"}, headers={"If-Match": '"5"'}, caller=ADMIN
    )
    assert stale.status == 412
    patched = api.patch(
        f"{WS}/worklog-types/Review",
        json_body={"icon": "eye", "localizationData": {"fr": {"name": "Revue"}}, "description": None},
        headers={"If-Match": _etag(created)},
        caller=ADMIN,
    )
    assert patched.status == 200, patched.body
    body = patched.json
    assert (body["name"], body["icon"], body["dataTags"], body["description"]) == ("Review", "eye", ["dev"], None)
    assert set(body["localizationData"]) == {"de", "fr"} and body["version"] == 2
    emptied = api.patch(
        f"{WS}/worklog-types/Review", json_body={"name": None}, headers={"If-Match": _etag(patched)}, caller=ADMIN
    )
    assert emptied.status == 422  # a type needs a name
    missing = api.patch(f"{WS}/worklog-types/Nope", json_body={"icon": "x"}, headers={"If-Match": '"1"'}, caller=ADMIN)
    assert missing.status == 404


def test_put_over_an_existing_type_needs_if_match(api, dynamodb):
    assert api.put(f"{WS}/worklog-types/Review", json_body={"name": "Review"}, caller=ADMIN).status == 201
    missing = api.put(f"{WS}/worklog-types/Review", json_body={"name": "Renamed"}, caller=ADMIN)
    assert missing.status == 428
    matched = api.put(
        f"{WS}/worklog-types/Review", json_body={"name": "Renamed"}, headers={"If-Match": '"1"'}, caller=ADMIN
    )
    assert matched.status == 200 and matched.json["name"] == "Renamed"
    forced = api.put(f"{WS}/worklog-types/Review", json_body={"name": "Again"}, headers={"If-Match": "*"}, caller=ADMIN)
    assert forced.status == 200 and forced.json["version"] == 3
