"""Totals never depend on an index read: with indexes trailing writes by 3 s (as DynamoDB's can), a strong
report right after a write includes it, and a rollup run right after a write includes it or leaves its
marker; `make rollup` (a drain run) includes everything written before it started."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local import index_lag
from local.events import LambdaContext
from local.functions import handler
from tests.helpers import ADMIN, a_worklog

WS = "/v1/workspaces/acme"


@pytest.fixture
def lagging(dynamodb: Any) -> Iterator[None]:
    before = index_lag.lag_seconds()
    index_lag.set_lag(3)
    yield
    index_lag.set_lag(before)


def _log(api: Any) -> dict:
    response = api.post(f"{WS}/worklogs", json_body=a_worklog(), caller=ADMIN)  # 90 min on 2026-11-11
    assert response.status == 201, response.body
    return response.json


def _report(api: Any, consistency: str) -> dict:
    response = api.get(
        f"{WS}/reports/totals",
        query={"granularity": "day", "from": "2026-11-11", "to": "2026-11-11", "consistency": consistency},
        caller=ADMIN,
    )
    assert response.status == 200, response.body
    return response.json


def _minutes(report: dict) -> int:
    return sum(row["minutes"] for row in report["rows"])


def _rollup(drain: bool) -> dict:
    event: dict[str, Any] = {"time": "2026-11-23T12:00:00Z", "detail": {"drain": True} if drain else {}}
    return handler("RollupPeriodsFunction")(event, LambdaContext("RollupPeriodsFunction"))


def test_the_simulated_index_really_lags(api, lagging):
    created = _log(api)
    listed = api.get(
        f"{WS}/worklogs", query={"from": "2026-11-11T00:00:00Z", "to": "2026-11-12T00:00:00Z"}, caller=ADMIN
    )
    assert listed.status == 200 and created["id"] not in [w["id"] for w in listed.json["items"]]
    assert api.get(f"{WS}/worklogs/{created['id']}", caller=ADMIN).status == 200  # base table: exact
    index_lag.settle()
    listed = api.get(
        f"{WS}/worklogs", query={"from": "2026-11-11T00:00:00Z", "to": "2026-11-12T00:00:00Z"}, caller=ADMIN
    )
    assert created["id"] in [w["id"] for w in listed.json["items"]]


def test_a_strong_report_right_after_a_write_includes_it(api, lagging):
    _log(api)
    report = _report(api, "strong")
    assert _minutes(report) == 90 and report["freshness"]["pendingDays"] == []
    _log(api)
    assert _minutes(_report(api, "strong")) == 180


def test_a_scheduled_run_right_after_a_write_includes_it_or_leaves_its_marker(api, lagging):
    _log(api)
    run = _rollup(drain=False)
    report = _report(api, "eventual")
    if run["markersLeft"]:
        assert report["freshness"]["pendingDays"] == ["2026-11-11"]
    else:
        assert _minutes(report) == 90


def test_a_drain_run_right_after_a_write_rolls_it_up(api, lagging):
    _log(api)
    run = _rollup(drain=True)
    assert run["complete"] and run["markersLeft"] == 0
    report = _report(api, "eventual")
    assert _minutes(report) == 90 and report["freshness"]["pendingDays"] == []
