"""Settings that change accounting re-roll the past: until the rollup has followed a change of weekStart,
timezone, rounding or currency, the days it affects are pending; after a drain the table follows the new
settings exactly."""

from __future__ import annotations

from typing import Any

from local.events import LambdaContext
from local.functions import handler
from tests.helpers import a_worklog, claims

WS = "/v1/workspaces/acme"
ADMIN = claims()


def _settings(api: Any, **values: Any) -> dict:
    current = api.get(f"{WS}/settings", caller=ADMIN)
    assert current.status == 200, current.body
    body = {**{k: v for k, v in current.json.items() if k not in {"workspaceId", "version", "updatedAt", "updatedBy"}}}
    body.update(values)
    saved = api.put(f"{WS}/settings", json_body=body, headers={"If-Match": current.headers["etag"]}, caller=ADMIN)
    assert saved.status == 200, saved.body
    return saved.json


def _log(api: Any, start: str, end: str, **overrides: Any) -> None:
    created = api.post(f"{WS}/worklogs", json_body=a_worklog(startDate=start, endDate=end, **overrides), caller=ADMIN)
    assert created.status == 201, created.body


def _drain() -> list[dict]:
    runs = []
    for _ in range(20):
        runs.append(
            handler("RollupPeriodsFunction")({"detail": {"drain": True}}, LambdaContext("RollupPeriodsFunction"))
        )
        if runs[-1]["complete"]:
            return runs
    raise AssertionError(f"the rollup did not drain: {runs[-1]}")


def _report(api: Any, granularity: str, first: str, last: str, consistency: str = "eventual") -> dict:
    response = api.get(
        f"{WS}/reports/totals",
        query={"granularity": granularity, "from": first, "to": last, "consistency": consistency},
        caller=ADMIN,
    )
    assert response.status == 200, response.body
    return response.json


def _stored(dynamodb: Any, granularity: str) -> dict[str, dict]:
    from worklogs.repository.dynamodb import deserialize

    items = [deserialize(item) for item in dynamodb.scan(TableName="RollupTable")["Items"]]  # inspection only
    return {row["period"]: row for row in items if row["granularity"] == granularity and row["dimension"] == "total"}


def test_week_start_change_and_one_new_worklog_leave_week_rows_equal_to_the_real_totals(api, dynamodb):
    _log(api, "2026-11-14T09:00:00Z", "2026-11-14T10:00:00Z")  # Saturday, 60
    _log(api, "2026-11-15T09:00:00Z", "2026-11-15T11:00:00Z")  # Sunday, 120
    _log(api, "2026-11-16T09:00:00Z", "2026-11-16T13:00:00Z")  # Monday, 240
    _drain()
    assert {p: r["minutes"] for p, r in _stored(dynamodb, "week").items()} == {"2026-11-09": 180, "2026-11-16": 240}

    _settings(api, weekStart="sunday")
    _log(api, "2026-11-17T09:00:00Z", "2026-11-17T10:00:00Z")  # Tuesday, 60

    before = _report(api, "week", "2026-11-08", "2026-11-21")
    assert before["freshness"]["pendingDays"] != []
    assert {"2026-11-14", "2026-11-15", "2026-11-16"} <= set(before["freshness"]["pendingDays"])
    # Week rows of the earlier weekStart are never shown as weeks of the new one.
    assert all(row["period"] in {"2026-11-08", "2026-11-15"} for row in before["rows"])

    _drain()

    after = _report(api, "week", "2026-11-08", "2026-11-21")
    assert after["freshness"]["pendingDays"] == []
    assert [(row["period"], row["minutes"]) for row in after["rows"]] == [("2026-11-08", 60), ("2026-11-15", 420)]
    assert {p: r["minutes"] for p, r in _stored(dynamodb, "week").items()} == {"2026-11-08": 60, "2026-11-15": 420}
    assert sum(row["minutes"] for row in after["rows"]) == 480  # the real total: 60 + 120 + 240 + 60
    assert _stored(dynamodb, "month")["2026-11"]["minutes"] == 480


def test_timezone_change_moves_day_rows_to_the_new_zones_days(api, dynamodb):
    _log(api, "2026-11-11T23:10:00Z", "2026-11-11T23:50:00Z")  # 40 min: 11-11 in UTC, 00:10-00:50 11-12 Berlin
    _drain()
    assert {p: r["minutes"] for p, r in _stored(dynamodb, "day").items()} == {"2026-11-11": 40}

    _settings(api, timezone="Europe/Berlin")

    before = _report(api, "day", "2026-11-10", "2026-11-13")
    assert {"2026-11-11", "2026-11-12"} <= set(before["freshness"]["pendingDays"])
    assert [(row["period"], row["timezone"]) for row in before["rows"]] == [("2026-11-11", "UTC")]  # says so
    strong = _report(api, "day", "2026-11-10", "2026-11-13", consistency="strong")
    assert [(row["period"], row["minutes"], row["timezone"]) for row in strong["rows"]] == [
        ("2026-11-12", 40, "Europe/Berlin")
    ]

    _drain()

    after = _report(api, "day", "2026-11-10", "2026-11-13")
    assert after["freshness"]["pendingDays"] == []
    assert [(row["period"], row["minutes"], row["timezone"]) for row in after["rows"]] == [
        ("2026-11-12", 40, "Europe/Berlin")
    ]
    assert {p: r["minutes"] for p, r in _stored(dynamodb, "day").items()} == {"2026-11-12": 40}


def test_currency_change_reaches_every_row_after_the_rollup(api, dynamodb):
    _log(api, "2026-11-11T09:00:00Z", "2026-11-11T10:30:00Z", data={"billable": True, "rate": 60})
    _drain()
    assert _stored(dynamodb, "day")["2026-11-11"]["currency"] == "EUR"

    _settings(api, currency="USD")

    before = _report(api, "month", "2026-11-01", "2026-11-30")
    assert "2026-11-11" in before["freshness"]["pendingDays"]
    assert [(row["currency"], row["amount"]) for row in before["rows"]] == [("EUR", "90.00")]

    _drain()

    after = _report(api, "month", "2026-11-01", "2026-11-30")
    assert after["freshness"]["pendingDays"] == []
    assert [(row["currency"], row["amount"]) for row in after["rows"]] == [("USD", "90.00")]
    assert {row["currency"] for row in _stored(dynamodb, "day").values()} == {"USD"}
    assert {row["currency"] for row in _stored(dynamodb, "week").values()} == {"USD"}


def test_settings_that_do_not_change_accounting_leave_nothing_pending(api, dynamodb):
    _log(api, "2026-11-11T09:00:00Z", "2026-11-11T10:00:00Z")
    _drain()
    _settings(api, overlapPolicy="warn", hoursPerDay=7)
    assert _report(api, "day", "2026-11-11", "2026-11-11")["freshness"]["pendingDays"] == []


def test_a_rerun_is_bounded_and_continues_where_it_stopped(api, dynamodb, monkeypatch):
    from worklogs import reroll

    _log(api, "2026-10-01T09:00:00Z", "2026-10-01T10:00:00Z")
    _log(api, "2026-11-28T09:00:00Z", "2026-11-28T10:00:00Z")
    _drain()
    _settings(api, rounding={"mode": "up", "unitMinutes": 15, "scope": "entry"}, currency="USD")
    monkeypatch.setattr(reroll, "REROLL_DAYS_PER_RUN", 10)
    runs = _drain()
    assert len(runs) >= 6 and not runs[0]["complete"]  # 2 months and margins, 10 days per run
    stored = _stored(dynamodb, "day")
    assert {p: (r["minutes"], r["roundedMinutes"], r["currency"]) for p, r in stored.items()} == {
        "2026-10-01": (60, 60, "USD"),
        "2026-11-28": (60, 60, "USD"),
    }
    assert _report(api, "month", "2026-10-01", "2026-11-30")["freshness"]["pendingDays"] == []
