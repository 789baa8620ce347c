"""Effective-dated rates: resolution by specificity and validFrom, snapshots on write, reapply on purpose."""

from __future__ import annotations

import pytest

from tests.helpers import ADMIN, BOB, MIA, create

ACME = "/v1/workspaces/acme"
WORKLOGS = f"{ACME}/worklogs"
RATES = f"{ACME}/rates"

RULES = [
    {"rate": "80.00", "validFrom": "2026-01-01"},
    {"worklogTypeCode": "Testing", "rate": "90.00", "validFrom": "2026-01-01"},
    {"workerId": "bob", "rate": "100.00", "validFrom": "2026-01-01"},
    {"projectId": "P-1", "rate": "110.00", "validFrom": "2026-01-01"},
    {"projectId": "P-1", "rate": "115.00", "validFrom": "2026-11-12"},
    {"projectId": "P-1", "workerId": "bob", "rate": "120.00", "validFrom": "2026-01-01"},
]


def put_rules(api, rules, caller=ADMIN, **headers):
    return api.put(RATES, json_body={"rules": rules}, headers=headers or None, caller=caller)


def test_rules_are_saved_versioned_and_read_by_members(api):
    empty = api.get(RATES, caller=BOB).json
    assert (empty["rules"], empty["currency"], empty["version"], empty["updatedBy"]) == ([], "EUR", 0, None)
    saved = put_rules(api, RULES)
    assert saved.status == 200, saved.body
    assert saved.headers["etag"] == '"1"' and len(saved.json["rules"]) == 6
    assert api.get(RATES, caller=BOB).json["rules"] == saved.json["rules"]
    assert put_rules(api, RULES, caller=MIA).status == 403
    stale = put_rules(api, RULES, **{"If-Match": '"0"'})
    assert stale.status == 412
    assert put_rules(api, [], **{"If-Match": '"1"'}).status == 200


@pytest.mark.parametrize(
    "rule",
    [
        {"projectId": "P-1", "worklogTypeCode": "Testing", "rate": "1", "validFrom": "2026-01-01"},
        {"rate": "-1", "validFrom": "2026-01-01"},
        {"rate": 12.5, "validFrom": "2026-01-01"},
        {"rate": "1", "validFrom": "soon"},
    ],
)
def test_invalid_rules_are_422(api, rule):
    assert put_rules(api, [rule]).status == 422


def test_duplicate_rules_are_422(api):
    assert put_rules(api, [RULES[0], RULES[0]]).status == 422


@pytest.mark.parametrize(
    ("overrides", "rate", "source"),
    [
        ({"workerId": "carol"}, "80.00", "rule:workspace:2026-01-01"),
        ({"workerId": "carol", "worklogTypeCode": "Testing"}, "90.00", "rule:type:2026-01-01"),
        ({"worklogTypeCode": "Testing"}, "100.00", "rule:worker:2026-01-01"),
        ({"workerId": "carol", "projectId": "P-1"}, "110.00", "rule:project:2026-01-01"),
        (
            {
                "workerId": "carol",
                "projectId": "P-1",
                "startDate": "2026-11-12T09:00:00Z",
                "endDate": "2026-11-12T10:00:00Z",
            },
            "115.00",
            "rule:project:2026-11-12",
        ),
        ({"projectId": "P-1"}, "120.00", "rule:worker+project:2026-01-01"),
        ({"projectId": "P-1", "data": {"billable": True, "rate": "150"}}, "150", "data"),
        ({"startDate": "2025-12-31T09:00:00Z", "endDate": "2025-12-31T10:00:00Z"}, None, None),
    ],
)
def test_each_worklog_stores_the_rate_resolved_when_written(api, overrides, rate, source):
    assert put_rules(api, RULES).status == 200
    created = create(api, caller=ADMIN, **{"workerId": "bob", **overrides})
    assert (created["rate"], created["rateSource"]) == (rate, source)
    stored = api.get(f"{WORKLOGS}/{created['id']}", caller=BOB).json
    assert (stored["rate"], stored["rateSource"]) == (rate, source)


def test_a_rate_change_after_the_fact_changes_no_stored_amount_until_reapplied(api):
    put_rules(api, [{"rate": "100.00", "validFrom": "2026-01-01"}])
    kept = create(api)  # 90 minutes billable
    explicit = create(
        api, startDate="2026-11-12T09:00:00Z", endDate="2026-11-12T10:00:00Z", data={"billable": True, "rate": "10"}
    )
    report = {"granularity": "month", "from": "2026-11-01", "to": "2026-11-30", "consistency": "strong"}

    def amount() -> str:
        response = api.get(f"{ACME}/reports/totals", query=report, caller=MIA)
        assert response.status == 200, response.body
        return response.json["rows"][0]["amount"]

    assert amount() == "160.00"
    put_rules(api, [{"rate": "200.00", "validFrom": "2026-01-01"}], **{"If-Match": '"1"'})
    edited = api.patch(
        f"{WORKLOGS}/{kept['id']}", json_body={"description": "wording"}, headers={"If-Match": '"1"'}, caller=BOB
    )
    assert edited.json["rate"] == "100.00"  # an edit that does not touch what the rate depends on keeps it
    assert amount() == "160.00"

    reapplied = api.post(f"{RATES}/reapply", json_body={"from": "2026-11-01", "to": "2026-11-30"}, caller=ADMIN)
    assert reapplied.status == 200, reapplied.body
    assert reapplied.json == {"changed": 1, "unchanged": 0, "skippedExplicit": 1, "skippedFrozen": 0}
    after = api.get(f"{WORKLOGS}/{kept['id']}", caller=BOB).json
    assert (after["rate"], after["version"]) == ("200.00", 3)
    assert api.get(f"{WORKLOGS}/{explicit['id']}", caller=BOB).json["rate"] == "10"
    assert amount() == "310.00"
    again = api.post(f"{RATES}/reapply", json_body={"from": "2026-11-01", "to": "2026-11-30"}, caller=ADMIN)
    assert again.json["changed"] == 0 and again.json["unchanged"] == 1


def test_reapply_skips_submitted_and_approved_timesheets(api):
    put_rules(api, [{"rate": "100.00", "validFrom": "2026-01-01"}])
    frozen = create(api)
    free = create(api, startDate="2026-11-16T09:00:00Z", endDate="2026-11-16T10:00:00Z")
    assert api.post(f"{ACME}/approvals", json_body={"period": "2026-W46"}, caller=BOB).status == 201
    put_rules(api, [{"rate": "200.00", "validFrom": "2026-01-01"}])
    result = api.post(f"{RATES}/reapply", json_body={"from": "2026-11-01", "to": "2026-11-30"}, caller=ADMIN).json
    assert result == {"changed": 1, "unchanged": 0, "skippedExplicit": 0, "skippedFrozen": 1}
    assert api.get(f"{WORKLOGS}/{frozen['id']}", caller=BOB).json["rate"] == "100.00"
    assert api.get(f"{WORKLOGS}/{free['id']}", caller=BOB).json["rate"] == "200.00"


def test_reapply_is_for_admins_and_bounded(api):
    body = {"from": "2026-11-01", "to": "2026-11-30"}
    assert api.post(f"{RATES}/reapply", json_body=body, caller=MIA).status == 403
    assert (
        api.post(f"{RATES}/reapply", json_body={"from": "2026-01-01", "to": "2026-12-31"}, caller=ADMIN).status == 422
    )
    assert (
        api.post(f"{RATES}/reapply", json_body={"from": "2026-11-02", "to": "2026-11-01"}, caller=ADMIN).status == 422
    )


def test_a_create_resolves_the_rate_without_an_extra_request(api, ddb_calls):
    put_rules(api, RULES)
    create(api)  # warms the container's settings, types and rates caches
    ddb_calls.reset()
    created = create(api, startDate="2026-11-13T09:00:00Z", endDate="2026-11-13T10:00:00Z")
    assert created["rate"] == "100.00"
    assert ddb_calls.operations == ["TransactWriteItems"]


def test_rules_saved_by_another_container_are_seen_by_the_next_write(api):
    from worklogs.repository import rates as rates_store

    put_rules(api, [{"rate": "100.00", "validFrom": "2026-01-01"}])
    create(api)  # cached: version 1
    put_rules(api, [{"rate": "130.00", "validFrom": "2026-01-01"}], **{"If-Match": '"1"'})
    rates_store._item._cache.put(  # another container still holds version 1
        "acme", rates_store.load("acme", "EUR").model_copy(update={"version": 1, "rules": []})
    )
    created = create(api, startDate="2026-11-13T09:00:00Z", endDate="2026-11-13T10:00:00Z")
    assert created["rate"] == "130.00"
