"""Dirty-day markers, the scheduled rollup and the reports API, through the handlers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local.events import LambdaContext
from local.functions import handler
from tests.helpers import a_worklog, claims

WS = "/v1/workspaces/acme"


def markers(dynamodb: Any) -> list[dict[str, Any]]:
    items = []
    for shard in range(10):
        response = dynamodb.query(
            TableName="MainTable",
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": f"DIRTY#{shard:02d}"}},
        )
        items += response["Items"]
    return sorted(items, key=lambda item: item["day"]["S"])


def run_rollup(now: datetime | None = None) -> Any:
    """A rollup run a minute from now: past the settle window it waits for (computed per call, not at import:
    a slow suite reaches this module minutes after collecting it)."""
    from worklogs.rollups import service as rollup_service

    return rollup_service.roll_up_dirty_days(now or datetime.now(UTC) + timedelta(minutes=1))


def rows(dynamodb: Any) -> dict[str, dict[str, Any]]:
    from worklogs.repository.dynamodb import deserialize

    items = dynamodb.scan(TableName="RollupTable")["Items"]  # test inspection only
    return {f"{item['PK']['S']}|{item['SK']['S']}": deserialize(item) for item in items}


def test_create_marks_each_local_day_touched_and_a_rollup_drains_them(api, dynamodb):
    api.put(f"{WS}/settings", json_body={"timezone": "Europe/Berlin"}, caller=claims())
    created = api.post(
        f"{WS}/worklogs",
        json_body=a_worklog(
            startDate="2026-11-11T21:00:00Z", endDate="2026-11-12T01:00:00Z", data={"billable": True, "rate": 90}
        ),
        caller=claims(),
    )
    assert created.status == 201, created.body
    # 22:00-02:00 Berlin: two local days.
    assert [m["day"]["S"] for m in markers(dynamodb)] == ["2026-11-11", "2026-11-12"]

    run = run_rollup()

    assert run.days_recomputed == 2 and run.markers_deleted == 2
    assert markers(dynamodb) == []
    stored = rows(dynamodb)
    day1 = stored["WS#acme#DAY#2026-11|2026-11-11#total"]
    day2 = stored["WS#acme#DAY#2026-11|2026-11-12#total"]
    assert (day1["minutes"], day2["minutes"]) == (120, 120)
    assert (day1["amount"], day2["amount"]) == ("180.00", "180.00")
    month = stored["WS#acme#MONTH#2026|2026-11#total"]
    assert month["minutes"] == 240 and month["amount"] == "360.00" and month["currency"] == "EUR"
    week = stored["WS#acme#WEEK#2026|2026-11-09#total"]
    assert week["minutes"] == 240 and week["contractVersion"] == "2.0"


def test_edit_marks_old_and_new_days_and_rerun_is_idempotent(api, dynamodb):
    created = api.post(f"{WS}/worklogs", json_body=a_worklog(), caller=claims()).json
    run_rollup()
    first = rows(dynamodb)
    edited = api.patch(
        f"{WS}/worklogs/{created['id']}",
        json_body={"startDate": "2026-11-13T09:00:00Z", "endDate": "2026-11-13T10:00:00Z"},
        headers={"If-Match": '"1"'},
        caller=claims(),
    )
    assert edited.status == 200, edited.body
    assert [m["day"]["S"] for m in markers(dynamodb)] == ["2026-11-11", "2026-11-13"]
    run_rollup()
    second = rows(dynamodb)
    assert "WS#acme#DAY#2026-11|2026-11-11#total" not in second  # no entries left that day: rows deleted
    assert second["WS#acme#DAY#2026-11|2026-11-13#total"]["minutes"] == 60
    assert second["WS#acme#MONTH#2026|2026-11#total"]["minutes"] == 60
    assert first != second
    rerun = run_rollup()
    assert rerun.days_recomputed == 0
    assert {k: {**v, "computedAt": 0} for k, v in rows(dynamodb).items()} == {
        k: {**v, "computedAt": 0} for k, v in second.items()
    }


def test_description_and_link_changes_write_no_marker(api, dynamodb):
    created = api.post(f"{WS}/worklogs", json_body=a_worklog(), caller=claims()).json
    run_rollup()
    api.patch(
        f"{WS}/worklogs/{created['id']}",
        json_body={"description": "<p>Other words</p>"},
        headers={"If-Match": '"1"'},
        caller=claims(),
    )
    api.post(f"{WS}/worklogs/{created['id']}/links", json_body={"refType": "TASK", "refId": "T-9"}, caller=claims())
    assert markers(dynamodb) == []


def test_marker_rewritten_during_a_run_is_kept(api, dynamodb, monkeypatch):
    from worklogs.repository import rollups as rollup_store

    api.post(f"{WS}/worklogs", json_body=a_worklog(), caller=claims())
    original = rollup_store.delete_marker

    def write_meanwhile(marker):
        api.post(
            f"{WS}/worklogs",
            json_body=a_worklog(startDate="2026-11-11T12:00:00Z", endDate="2026-11-11T13:00:00Z"),
            caller=claims(),
        )
        return original(marker)

    monkeypatch.setattr(rollup_store, "delete_marker", write_meanwhile)
    run = run_rollup()
    assert run.markers_rewritten == 1 and len(markers(dynamodb)) == 1
    monkeypatch.setattr(rollup_store, "delete_marker", original)
    run_rollup()
    assert rows(dynamodb)["WS#acme#DAY#2026-11|2026-11-11#total"]["minutes"] == 150


def test_the_scheduled_handler_reports_its_run(api, dynamodb, monkeypatch):
    import json

    from worklogs.rollups import service as rollup_service

    monkeypatch.setattr(rollup_service, "ROLLUP_SETTLE_SECONDS", 0)

    from local.template import ROOT

    api.post(
        f"{WS}/worklogs",
        json_body=a_worklog(startDate="2020-01-01T09:00:00Z", endDate="2020-01-01T10:00:00Z"),
        caller=claims(),
    )
    event = json.loads((ROOT / "events" / "rollup_periods_schedule.json").read_text())
    result = handler("RollupPeriodsFunction")(event, LambdaContext("RollupPeriodsFunction"))
    assert result["daysRecomputed"] == 1 and result["complete"] is True


def totals(api, **query):
    return api.get(f"{WS}/reports/totals", query=query, caller=claims(workspaces="acme:manager"))


def test_totals_report_shows_pending_days_until_rolled_up_and_strong_recomputes(api, dynamodb):
    api.post(f"{WS}/worklogs", json_body=a_worklog(workerId="bob"), caller=claims())
    eventual = totals(api, **{"from": "2026-11-01", "to": "2026-11-30", "groupBy": "worker"})
    assert eventual.status == 200, eventual.body
    assert eventual.json["rows"] == [] and eventual.json["freshness"]["pendingDays"] == ["2026-11-11"]

    strong = totals(api, **{"from": "2026-11-01", "to": "2026-11-30", "groupBy": "worker", "consistency": "strong"})
    assert strong.status == 200
    assert [(r["workerId"], r["minutes"]) for r in strong.json["rows"]] == [("bob", 90)]
    assert strong.json["freshness"]["pendingDays"] == [] and strong.json["freshness"]["recomputedDays"] == [
        "2026-11-11"
    ]

    run_rollup()
    monthly = totals(api, **{"from": "2026-11-01", "to": "2026-11-30", "granularity": "month"})
    assert [(r["period"], r["minutes"], r["billableMinutes"]) for r in monthly.json["rows"]] == [("2026-11", 90, 90)]
    assert monthly.json["freshness"]["pendingDays"] == []


def test_totals_csv_has_a_header_row(api, dynamodb):
    api.post(f"{WS}/worklogs", json_body=a_worklog(), caller=claims())
    run_rollup()
    response = totals(api, **{"from": "2026-11-11", "to": "2026-11-11", "format": "csv"})
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.body.strip().splitlines()
    assert lines[0].startswith("period,periodStart,periodEnd,dimension")
    assert lines[1].startswith("2026-11-11,2026-11-11,2026-11-12,total")


def test_totals_need_manager_and_a_sane_range(api, dynamodb):
    member = api.get(
        f"{WS}/reports/totals",
        query={"from": "2026-11-01", "to": "2026-11-02"},
        caller=claims(workspaces="acme:member"),
    )
    assert member.status == 403
    backwards = totals(api, **{"from": "2026-11-05", "to": "2026-11-01"})
    assert backwards.status == 422
    assert totals(api, **{"from": "2026-11-01", "to": "2026-11-02", "granularity": "year"}).status == 422


def test_strong_refuses_too_many_pending_days(api, dynamodb):
    for day in range(1, 33):
        start = datetime(2026, 10, 1, 9, tzinfo=UTC) + timedelta(days=day)
        api.post(
            f"{WS}/worklogs",
            json_body=a_worklog(startDate=start.isoformat(), endDate=(start + timedelta(hours=1)).isoformat()),
            caller=claims(),
        )
    response = totals(api, **{"from": "2026-10-01", "to": "2026-11-30", "consistency": "strong"})
    assert response.status == 409 and response.json["error"]["code"] == "TOO_MANY_PENDING_DAYS"


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_worklog_export_pages_with_a_signed_cursor(api, dynamodb, fmt):
    for hour in range(3):
        api.post(
            f"{WS}/worklogs",
            json_body=a_worklog(startDate=f"2026-11-11T0{hour}:00:00Z", endDate=f"2026-11-11T0{hour}:30:00Z"),
            caller=claims(),
        )
    query = {"from": "2026-11-11", "to": "2026-11-11", "format": fmt, "limit": 2}
    first = api.get(f"{WS}/reports/worklogs", query=query, caller=claims(workspaces="acme:manager"))
    assert first.status == 200, first.body
    cursor = first.json["nextCursor"] if fmt == "json" else first.headers["next-cursor"]
    second = api.get(
        f"{WS}/reports/worklogs", query={**query, "cursor": cursor}, caller=claims(workspaces="acme:manager")
    )
    if fmt == "json":
        assert len(first.json["items"]) == 2 and len(second.json["items"]) == 1
    else:
        assert len(first.body.strip().splitlines()) == 3 and len(second.body.strip().splitlines()) == 2
    tampered = api.get(
        f"{WS}/reports/worklogs",
        query={**query, "cursor": cursor[:-2] + "xx"},
        caller=claims(workspaces="acme:manager"),
    )
    assert tampered.status == 400


class _ConflictOnce:
    """The real client, but the first transaction is cancelled as if another write marked the same day."""

    def __init__(self, real: Any):
        self.real = real
        self.transactions = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def transact_write_items(self, **request: Any) -> Any:
        from botocore.exceptions import ClientError

        self.transactions += 1
        if self.transactions == 1:
            raise ClientError(
                {
                    "Error": {"Code": "TransactionCanceledException"},
                    "CancellationReasons": [
                        {"Code": "TransactionConflict" if "Update" in item else "None"}
                        for item in request["TransactItems"]
                    ],
                },
                "TransactWriteItems",
            )
        return self.real.transact_write_items(**request)


def test_a_write_racing_another_on_the_same_day_marker_is_retried(api, dynamodb):
    from worklogs.repository.dynamodb import use_client

    flaky = _ConflictOnce(dynamodb)
    use_client(flaky)
    created = api.post(f"{WS}/worklogs", json_body=a_worklog(), caller=claims())
    assert created.status == 201, created.body
    assert flaky.transactions == 2
    assert [m["day"]["S"] for m in markers(dynamodb)] == ["2026-11-11"]
