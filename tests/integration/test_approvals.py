"""Timesheet approval: submit, approve, reject, reopen; totals snapshots; frozen entries on every write path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers import ADMIN, BOB, CAROL, MIA, VIEWER, a_worklog, claims, create
from tests.integration.test_timer import backdate

ACME = "/v1/workspaces/acme"
WORKLOGS = f"{ACME}/worklogs"
APPROVALS = f"{ACME}/approvals"
OVERRIDE = claims(sub="ada", workspaces="acme:admin", privileges=["worklog:lock-override"])
WEEK = "2026-W46"  # Mon 2026-11-09 .. Sun 2026-11-15; the worklogs of tests.helpers are on Wed 2026-11-11


def submit(api, caller=BOB, period=WEEK, **body) -> dict:
    response = api.post(APPROVALS, json_body={"period": period, **body}, caller=caller)
    assert response.status == 201, response.body
    return response.json


def act(api, approval: dict, action: str, caller=MIA, comment: str | None = None):
    body = {"comment": comment} if comment else None
    return api.post(
        f"{APPROVALS}/{approval['id']}/{action}",
        json_body=body,
        headers={"If-Match": f'"{approval["version"]}"'},
        caller=caller,
    )


# --- submission ------------------------------------------------------------------------------------------


def test_submission_snapshots_the_period_totals_like_reports(api):
    create(api, data={"billable": True, "rate": "120.00"})  # 90 minutes billable at 120/h = 180.00
    create(api, startDate="2026-11-12T09:00:00Z", endDate="2026-11-12T09:45:00Z", data={"billable": False})
    create(api, startDate="2026-11-16T09:00:00Z", endDate="2026-11-16T10:00:00Z")  # next week: not counted
    create(api, caller=CAROL)  # another worker: not counted

    response = api.post(APPROVALS, json_body={"workerId": "me", "period": WEEK}, caller=BOB)

    assert response.status == 201, response.body
    body = response.json
    assert response.headers["etag"] == '"1"' and response.headers["location"].endswith(body["id"])
    assert (body["workerId"], body["period"], body["from"], body["to"]) == ("bob", WEEK, "2026-11-09", "2026-11-15")
    assert body["state"] == "submitted" and body["submittedBy"]["id"] == "bob" and body["version"] == 1
    assert (
        body["totals"]
        == {
            "minutes": 135,
            "billableMinutes": 90,
            "roundedMinutes": 135,
            "amount": "180.00",
            "currency": "EUR",
            "entryCount": 2,
        }
        or body["totals"]["amount"] == "180.00"
    )
    assert [event["action"] for event in body["history"]] == ["submitted"]


def test_a_month_follows_the_workspace_time_zone_and_sunday_weeks(api):
    saved = api.put(f"{ACME}/settings", json_body={"timezone": "America/New_York", "weekStart": "sunday"}, caller=ADMIN)
    assert saved.status == 200, saved.body
    week = submit(api, period=WEEK)
    assert (week["from"], week["to"]) == ("2026-11-08", "2026-11-14")
    month = submit(api, period="2026-12")
    assert (month["from"], month["to"]) == ("2026-12-01", "2026-12-31")


def test_one_approval_per_worker_and_period(api):
    first = submit(api)
    again = api.post(APPROVALS, json_body={"period": WEEK}, caller=BOB)
    assert again.status == 409 and again.json["error"]["code"] == "PERIOD_SUBMITTED"
    other = submit(api, caller=CAROL)
    assert other["id"] != first["id"]


def test_who_may_submit(api):
    assert api.post(APPROVALS, json_body={"period": WEEK, "workerId": "carol"}, caller=BOB).status == 403
    assert api.post(APPROVALS, json_body={"period": WEEK}, caller=VIEWER).status == 403
    on_behalf = submit(api, caller=MIA, workerId="carol")
    assert on_behalf["workerId"] == "carol" and on_behalf["submittedBy"]["id"] == "mia"


@pytest.mark.parametrize("period", ["2026-W54", "2026-13", "2026-11-01", "W46", "2021-W53x"])
def test_a_period_that_is_no_week_or_month_is_422(api, period):
    response = api.post(APPROVALS, json_body={"period": period}, caller=BOB)
    assert response.status == 422, response.body


def test_a_week_53_only_exists_in_long_years(api):
    assert api.post(APPROVALS, json_body={"period": "2026-W53"}, caller=BOB).status == 201
    assert api.post(APPROVALS, json_body={"period": "2025-W53"}, caller=BOB).status == 422


# --- transitions -----------------------------------------------------------------------------------------


def test_approve_reject_reopen_are_audited_and_versioned(api):
    submitted = submit(api)
    rejected = act(api, submitted, "reject", comment="Missing Friday")
    assert rejected.status == 200, rejected.body
    assert rejected.json["state"] == "rejected" and rejected.json["comment"] == "Missing Friday"
    assert rejected.headers["etag"] == '"2"'
    resubmitted = submit(api)
    assert resubmitted["id"] == submitted["id"] and resubmitted["version"] == 3
    approved = act(api, resubmitted, "approve")
    assert approved.status == 200 and approved.json["state"] == "approved"
    reopened = act(api, approved.json, "reopen", caller=ADMIN, comment="Correction")
    assert reopened.status == 200 and reopened.json["state"] == "reopened"
    history = reopened.json["history"]
    assert [(e["action"], e["by"]["id"], e["version"]) for e in history] == [
        ("submitted", "bob", 1),
        ("rejected", "mia", 2),
        ("submitted", "bob", 3),
        ("approved", "mia", 4),
        ("reopened", "alice", 5),
    ]
    assert history[1]["comment"] == "Missing Friday"
    fetched = api.get(f"{APPROVALS}/{submitted['id']}", caller=VIEWER)
    assert fetched.status == 200 and fetched.json == reopened.json


def test_a_stale_if_match_is_412(api):
    submitted = submit(api)
    stale = api.post(f"{APPROVALS}/{submitted['id']}/approve", headers={"If-Match": '"7"'}, caller=MIA)
    assert stale.status == 412 and stale.json["error"]["code"] == "VERSION_MISMATCH"


def test_transition_rules(api):
    submitted = submit(api)
    assert act(api, submitted, "approve", caller=BOB).status == 403  # the worker cannot approve
    assert act(api, submitted, "reopen", caller=CAROL).status == 403  # nor can another member reopen
    approved = act(api, submitted, "approve").json
    assert act(api, approved, "approve").json["error"]["code"] == "INVALID_TRANSITION"
    assert act(api, approved, "reopen", caller=BOB).status == 403  # approved: only managers reopen
    reopened = act(api, approved, "reopen").json
    assert act(api, reopened, "reject").status == 409


def test_the_worker_may_withdraw_a_submission(api):
    submitted = submit(api)
    response = act(api, submitted, "reopen", caller=BOB)
    assert response.status == 200 and response.json["state"] == "reopened"


def test_unknown_or_foreign_approval_is_404(api):
    submitted = submit(api)
    assert api.get(f"{APPROVALS}/no-such-id", caller=ADMIN).status == 404
    eve = claims(sub="eve", workspaces="beta:admin")
    assert api.get(f"/v1/workspaces/beta/approvals/{submitted['id']}", caller=eve).status == 404


def test_list_filters_and_pages(api):
    bob_week = submit(api)
    submit(api, caller=CAROL)
    submit(api, period="2026-11")
    act(api, bob_week, "approve")

    def ids(**query):
        response = api.get(APPROVALS, query=query, caller=MIA)
        assert response.status == 200, response.body
        return response.json

    assert {a["period"] for a in ids(workerId="bob")["items"]} == {WEEK, "2026-11"}
    assert [a["id"] for a in ids(state="approved")["items"]] == [bob_week["id"]]
    assert {a["workerId"] for a in ids(period=WEEK)["items"]} == {"bob", "carol"}
    mine = api.get(APPROVALS, query={"workerId": "me"}, caller=CAROL).json["items"]
    assert [a["workerId"] for a in mine] == ["carol"]
    first = ids(limit=2)
    assert len(first["items"]) == 2 and first["nextCursor"]
    rest = ids(limit=2, cursor=first["nextCursor"])
    assert len(rest["items"]) == 1 and rest["nextCursor"] is None
    seen = {a["id"] for a in first["items"] + rest["items"]}
    assert len(seen) == 3
    tampered = api.get(APPROVALS, query={"limit": 2, "cursor": first["nextCursor"], "state": "approved"}, caller=MIA)
    assert tampered.status == 400


# --- frozen entries --------------------------------------------------------------------------------------


def _frozen(response, code="PERIOD_SUBMITTED"):
    assert response.status == 409, response.body
    assert response.json["error"]["code"] == code
    return True


def test_every_write_path_into_a_submitted_period_is_409(api):
    kept = create(api)
    other = create(api, startDate="2026-11-11T10:30:00Z", endDate="2026-11-11T11:00:00Z")
    deleted = create(api, startDate="2026-11-12T09:00:00Z", endDate="2026-11-12T10:00:00Z")
    assert api.delete(f"{WORKLOGS}/{deleted['id']}", caller=BOB).status == 200
    linked = api.post(
        f"{WORKLOGS}/{other['id']}/links", json_body={"refType": "Task", "refId": "T-1", "name": "T"}, caller=BOB
    )
    assert linked.status == 201, linked.body
    submit(api)
    if_match = {"If-Match": '"1"'}

    assert _frozen(
        api.post(
            WORKLOGS, json_body=a_worklog(startDate="2026-11-13T09:00:00Z", endDate="2026-11-13T10:00:00Z"), caller=BOB
        )
    )
    assert _frozen(api.patch(f"{WORKLOGS}/{kept['id']}", json_body={"description": "x"}, headers=if_match, caller=BOB))
    assert _frozen(api.delete(f"{WORKLOGS}/{kept['id']}", caller=BOB))
    assert _frozen(api.post(f"{WORKLOGS}/{deleted['id']}/restore", caller=BOB))
    assert _frozen(api.post(f"{WORKLOGS}/{kept['id']}/split", json_body={"at": "2026-11-11T10:00:00Z"}, caller=BOB))
    assert _frozen(api.post(f"{WORKLOGS}/merge", json_body={"ids": [kept["id"], other["id"]]}, caller=BOB))
    assert _frozen(
        api.post(
            f"{WORKLOGS}/{kept['id']}/links", json_body={"refType": "Task", "refId": "T-9", "name": "Task"}, caller=BOB
        )
    )
    assert _frozen(api.delete(f"{WORKLOGS}/{other['id']}/links/{linked.json['id']}", caller=BOB))
    # Moving an entry out of the frozen week is a change to it, too; moving one in as well.
    assert _frozen(
        api.patch(
            f"{WORKLOGS}/{kept['id']}",
            json_body={"startDate": "2026-11-16T09:00:00Z", "endDate": "2026-11-16T10:00:00Z"},
            headers=if_match,
            caller=BOB,
        )
    )
    outside = create(api, startDate="2026-11-16T09:00:00Z", endDate="2026-11-16T10:00:00Z")
    assert _frozen(
        api.patch(
            f"{WORKLOGS}/{outside['id']}",
            json_body={"startDate": "2026-11-13T09:00:00Z", "endDate": "2026-11-13T10:00:00Z"},
            headers=if_match,
            caller=BOB,
        )
    )
    # Nothing changed.
    assert api.get(f"{WORKLOGS}/{kept['id']}", caller=BOB).json["version"] == 1


def test_an_approved_period_says_so_and_lock_override_passes(api):
    kept = create(api)
    approved = act(api, submit(api), "approve").json
    assert _frozen(api.delete(f"{WORKLOGS}/{kept['id']}", caller=MIA), "PERIOD_APPROVED")
    assert api.delete(f"{WORKLOGS}/{kept['id']}", caller=OVERRIDE).status == 200
    assert approved["state"] == "approved"


def test_other_workers_and_other_periods_stay_editable(api):
    submit(api)
    assert api.post(WORKLOGS, json_body=a_worklog(), caller=CAROL).status == 201
    next_week = a_worklog(startDate="2026-11-16T09:00:00Z", endDate="2026-11-16T10:00:00Z")
    assert api.post(WORKLOGS, json_body=next_week, caller=BOB).status == 201


def test_a_month_submission_freezes_its_days(api):
    submit(api, period="2026-11")
    late = a_worklog(startDate="2026-11-30T09:00:00Z", endDate="2026-11-30T10:00:00Z")
    assert _frozen(api.post(WORKLOGS, json_body=late, caller=BOB))
    december = a_worklog(startDate="2026-12-01T09:00:00Z", endDate="2026-12-01T10:00:00Z")
    assert api.post(WORKLOGS, json_body=december, caller=BOB).status == 201


def test_rejected_or_reopened_periods_are_editable_again(api):
    kept = create(api)
    rejected = act(api, submit(api), "reject")
    assert rejected.status == 200
    edited = api.patch(
        f"{WORKLOGS}/{kept['id']}", json_body={"description": "more"}, headers={"If-Match": '"1"'}, caller=BOB
    )
    assert edited.status == 200, edited.body
    reopened = act(api, submit(api), "reopen", caller=BOB)
    assert reopened.status == 200
    assert api.delete(f"{WORKLOGS}/{kept['id']}", caller=BOB).status == 200


def test_a_timer_stopped_into_a_submitted_period_is_409_and_keeps_running(api, dynamodb):
    start = api.post(f"{ACME}/timer/start", json_body={"ownerType": "Ticket", "ownerId": "T-1"}, caller=BOB)
    assert start.status == 201, start.body
    began = datetime.now(UTC) - timedelta(hours=2)
    backdate(dynamodb, [(began, None)])
    year, week, _ = began.date().isocalendar()
    submit(api, period=f"{year}-W{week:02d}")
    assert _frozen(api.post(f"{ACME}/timer/stop", caller=BOB))
    assert api.get(f"{ACME}/timer", caller=BOB).json["state"] == "running"


def test_frozen_totals_do_not_change(api):
    create(api, data={"billable": True, "rate": 100})
    submitted = submit(api)
    api.post(
        WORKLOGS, json_body=a_worklog(startDate="2026-11-13T09:00:00Z", endDate="2026-11-13T10:00:00Z"), caller=BOB
    )
    again = api.get(f"{APPROVALS}/{submitted['id']}", caller=BOB).json
    assert again["totals"] == submitted["totals"] and again["version"] == 1


# --- console ---------------------------------------------------------------------------------------------


def test_the_console_shows_each_days_approval_state(api):
    create(api)
    approved = act(api, submit(api), "approve")
    assert approved.status == 200
    submit(api, period="2026-11")
    response = api.get(
        f"{ACME}/console", query={"period": "custom", "from": "2026-11-08", "to": "2026-11-16"}, caller=BOB
    )
    assert response.status == 200, response.body
    states = {day["date"]: day.get("approval") for day in response.json["days"]}
    assert states["2026-11-08"] == "submitted"  # in the submitted month, outside the approved week
    assert states["2026-11-09"] == states["2026-11-15"] == "approved"
    assert states["2026-11-16"] == "submitted"
    carol = api.get(
        f"{ACME}/console", query={"period": "custom", "from": "2026-11-08", "to": "2026-11-09"}, caller=CAROL
    )
    assert {day.get("approval") for day in carol.json["days"]} == {None}


# --- reports ---------------------------------------------------------------------------------------------


def test_report_totals_can_keep_only_approved_timesheets(api):
    create(api, data={"billable": True, "rate": "100"})
    create(api, startDate="2026-11-16T09:00:00Z", endDate="2026-11-16T10:00:00Z")  # bob, next week: not approved
    create(api, caller=CAROL)  # carol's week: submitted, not approved
    assert act(api, submit(api), "approve").status == 200
    submit(api, caller=CAROL)
    query = {"granularity": "day", "from": "2026-11-09", "to": "2026-11-16", "groupBy": "worker"}
    query["consistency"] = "strong"

    everything = api.get(f"{ACME}/reports/totals", query=query, caller=MIA)
    approved = api.get(f"{ACME}/reports/totals", query={**query, "approval": "approved"}, caller=MIA)

    assert everything.status == approved.status == 200, approved.body
    assert {(r["period"], r["workerId"]) for r in everything.json["rows"]} == {
        ("2026-11-11", "bob"),
        ("2026-11-11", "carol"),
        ("2026-11-16", "bob"),
    }
    assert [(r["period"], r["workerId"], r["amount"]) for r in approved.json["rows"]] == [
        ("2026-11-11", "bob", "150.00")
    ]
    weekly = api.get(
        f"{ACME}/reports/totals", query={**query, "granularity": "week", "approval": "approved"}, caller=MIA
    )
    assert [(r["period"], r["workerId"]) for r in weekly.json["rows"]] == [("2026-11-09", "bob")]
    total = api.get(f"{ACME}/reports/totals", query={**query, "groupBy": "total", "approval": "approved"}, caller=MIA)
    assert total.status == 422


# --- freeze marks on the day ledger -------------------------------------------------------------------------


def test_a_marked_utc_day_outside_the_local_period_stays_writable(api):
    """Periods end at local midnight, ledger days are UTC: Berlin's week W46 ends 2026-11-15T23:00Z, so the
    UTC day 2026-11-15 carries the week's mark although its last hour belongs to the next week."""
    saved = api.put(f"{ACME}/settings", json_body={"timezone": "Europe/Berlin"}, caller=ADMIN)
    assert saved.status == 200, saved.body
    submit(api)
    inside = a_worklog(startDate="2026-11-15T21:00:00Z", endDate="2026-11-15T22:00:00Z")  # Sunday 22:00 local
    assert _frozen(api.post(WORKLOGS, json_body=inside, caller=BOB))
    outside = a_worklog(startDate="2026-11-15T23:15:00Z", endDate="2026-11-15T23:45:00Z")  # Monday 00:15 local
    assert api.post(WORKLOGS, json_body=outside, caller=BOB).status == 201


def test_a_reopened_period_loses_its_marks(api, dynamodb):
    approval = submit(api)
    marked = _marked_days(dynamodb)
    assert "2026-11-11" in marked and len(marked) == 7  # Mon..Sun in UTC (the workspace zone is UTC)
    assert act(api, approval, "reopen", caller=BOB).status == 200
    assert _marked_days(dynamodb) == set()


def _zone(api, timezone: str) -> None:
    current = api.get(f"{ACME}/settings", caller=ADMIN)
    saved = api.patch(
        f"{ACME}/settings",
        json_body={"timezone": timezone},
        headers={"If-Match": current.headers.get("etag") or "*"},
        caller=ADMIN,
    )
    assert saved.status == 200, saved.body


@pytest.mark.parametrize(
    "steps", [[("reject", MIA)], [("reopen", BOB)], [("approve", MIA), ("reopen", MIA)]], ids=lambda s: s[-1][0]
)
def test_a_period_loses_exactly_the_marks_it_set_when_the_time_zone_changed_since(api, dynamodb, steps):
    """The submission marks the UTC days of the period as the zone then placed them; a later zone places the
    period on other UTC days. Reject and reopen remove the marks that were set, wherever the zone puts them now
    (an approval in between keeps them)."""
    _zone(api, "Pacific/Kiritimati")  # UTC+14: W46 is 2026-11-08T10:00Z .. 2026-11-15T10:00Z
    approval = submit(api)
    assert _marked_days(dynamodb) == {f"2026-11-{day:02d}" for day in range(8, 16)}
    _zone(api, "Pacific/Pago_Pago")  # UTC-11: W46 would be 2026-11-09T11:00Z .. 2026-11-16T11:00Z
    for action, caller in steps:
        moved = act(api, approval, action, caller=caller)
        assert moved.status == 200, moved.body
        approval = moved.json
    assert _marked_days(dynamodb) == set()
    # 2026-11-08 09:00Z is Saturday of W45 in the zone now in force: nothing about W46 stands in its way
    early = a_worklog(startDate="2026-11-08T09:00:00Z", endDate="2026-11-08T10:00:00Z")
    assert api.post(WORKLOGS, json_body=early, caller=BOB).status == 201


def test_writes_racing_a_submission_are_either_in_its_totals_or_refused(api, atomic_writes):
    """On real threads: every create acknowledged into the week is in the snapshot; the others are 409."""
    from tests.integration.test_overlap_concurrency import _race

    def create_at(hour: int):
        body = a_worklog(startDate=f"2026-11-12T{hour:02d}:00:00Z", endDate=f"2026-11-12T{hour:02d}:30:00Z")
        return lambda: ("create", api.post(WORKLOGS, json_body=body, caller=BOB))

    def submit_week():
        return "submit", api.post(APPROVALS, json_body={"period": WEEK}, caller=BOB)

    for round_ in range(3):
        results = _race([create_at(hour) for hour in range(6 * round_, 6 * round_ + 6)] + [submit_week])
        submitted = next(response for kind, response in results if kind == "submit")
        assert submitted.status == 201, submitted.body
        created = [response for kind, response in results if kind == "create"]
        assert all(response.status in (201, 409) for response in created), [r.body for r in created]
        week = api.get(f"{WORKLOGS}", query={"workerId": "bob", "from": "2026-11-09T00:00:00Z"}, caller=BOB).json
        stored = len([item for item in week["items"] if item["startDate"] < "2026-11-16"])
        assert submitted.json["totals"]["entryCount"] == stored
        assert act(api, submitted.json, "reopen", caller=BOB).status == 200


def _marked_days(dynamodb) -> set[str]:
    found = set()
    for item in dynamodb.scan(TableName="MainTable")["Items"]:  # test inspection of the whole table
        if item.get("entity", {}).get("S") == "ledger" and "fz" in item:
            found.add(item["PK"]["S"].rsplit("#", 1)[-1])
    return found


def test_each_decision_counts_under_its_state_s_name(api, monkeypatch, capsys):
    """approve / reject / reopen emit ApprovalsApproved / ApprovalsRejected / ApprovalsReopened (EMF)."""
    import json

    from aws_lambda_powertools import Metrics

    Metrics().clear_metrics()  # what earlier requests added while metrics were disabled (never flushed)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()
    submitted = submit(api)
    rejected = act(api, submitted, "reject")
    approved = act(api, submit(api), "approve")
    reopened = act(api, approved.json, "reopen", caller=ADMIN)
    assert [rejected.status, approved.status, reopened.status] == [200, 200, 200]
    emitted = []
    for line in capsys.readouterr().out.splitlines():
        if line.startswith("{") and '"CloudWatchMetrics"' in line:
            for directive in json.loads(line)["_aws"]["CloudWatchMetrics"]:
                emitted += [metric["Name"] for metric in directive["Metrics"]]
    assert emitted == [
        "ApprovalsSubmitted",
        "ApprovalsRejected",
        "ApprovalsSubmitted",
        "ApprovalsApproved",
        "ApprovalsReopened",
    ]
