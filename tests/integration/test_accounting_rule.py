"""One accounting rule everywhere: the console, a strong report and the rollup table show the same day
figures for the same entries (each case below once disagreed between them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from local import index_lag
from tests.helpers import ADMIN, BOB, a_worklog

WS = "/v1/workspaces/acme"


def _settings(api: Any, **values: Any) -> None:
    response = api.put(f"{WS}/settings", json_body=values, caller=ADMIN)
    assert response.status == 200, response.body


def _log(api: Any, start: str, end: str, **overrides: Any) -> dict:
    response = api.post(f"{WS}/worklogs", json_body=a_worklog(startDate=start, endDate=end, **overrides), caller=BOB)
    assert response.status == 201, response.body
    return response.json


def console_days(api: Any, first: str, last: str) -> dict[str, tuple[int, int, int]]:
    response = api.get(f"{WS}/console", query={"period": "custom", "from": first, "to": last}, caller=BOB)
    assert response.status == 200, response.body
    return {
        day["date"]: (day["minutes"], day["billableMinutes"], day["roundedMinutes"])
        for day in response.json["days"]
        if day["entryCount"]
    }


def report_days(api: Any, first: str, last: str, consistency: str = "strong") -> dict[str, tuple[int, int, int]]:
    response = api.get(
        f"{WS}/reports/totals",
        query={"granularity": "day", "from": first, "to": last, "groupBy": "worker", "consistency": consistency},
        caller=ADMIN,
    )
    assert response.status == 200, response.body
    return {
        row["period"]: (row["minutes"], row["billableMinutes"], row["roundedMinutes"])
        for row in response.json["rows"]
        if row["workerId"] == "bob"
    }


def rolled_up_days(api: Any, first: str, last: str) -> dict[str, tuple[int, int, int]]:
    from worklogs.rollups import service as rollup_service

    rollup_service.roll_up_dirty_days(datetime.now(UTC) + timedelta(minutes=1))
    return report_days(api, first, last, consistency="eventual")


def assert_everywhere(api: Any, first: str, last: str, expected: dict[str, tuple[int, int, int]]) -> None:
    index_lag.settle()  # the console lists items from an index: compare once it has caught up
    assert console_days(api, first, last) == expected
    assert report_days(api, first, last) == expected
    assert rolled_up_days(api, first, last) == expected


def test_two_90_second_entries_are_one_minute_each(api):
    _log(api, "2026-11-10T09:00:00Z", "2026-11-10T09:01:30Z")
    _log(api, "2026-11-10T10:00:00Z", "2026-11-10T10:01:30Z")
    # Each entry's durationMinutes is 1; the day is the sum of its entries: 2, not 180 s // 60 = 3.
    assert_everywhere(api, "2026-11-10", "2026-11-10", {"2026-11-10": (2, 2, 2)})


def test_nearest_rounding_rounds_whole_minutes(api):
    _settings(api, rounding={"mode": "nearest", "unitMinutes": 15, "scope": "entry"})
    _log(api, "2026-11-10T09:00:00Z", "2026-11-10T09:07:30Z")
    # 7 whole minutes are under half of 15: 0, as the console always showed.
    assert_everywhere(api, "2026-11-10", "2026-11-10", {"2026-11-10": (7, 7, 0)})


def test_two_three_second_timer_runs_round_up_to_nothing(api):
    from worklogs.auth import Caller, Role
    from worklogs.timer import service as timer_service
    from worklogs.timer.models import TimerStart, TimerStop

    _settings(api, rounding={"mode": "up", "unitMinutes": 15, "scope": "entry"}, minTimerSeconds=0)
    caller = Caller(sub="bob", roles={"acme": Role.MEMBER})
    for begin in (datetime(2026, 11, 10, 9, tzinfo=UTC), datetime(2026, 11, 10, 10, tzinfo=UTC)):
        request = TimerStart(ownerType="Ticket", ownerId="T-1", data={"billable": True})
        timer_service.start_timer("acme", caller, request, replace=False, now=begin)
        timer_service.stop_timer("acme", caller, TimerStop(), None, begin + timedelta(seconds=3))
    # A 3-second entry has 0 whole minutes; rounding 0 up is 0, not 15 per entry.
    assert_everywhere(api, "2026-11-10", "2026-11-10", {"2026-11-10": (0, 0, 0)})


def test_a_minute_completed_after_midnight_reaches_billing(api):
    _log(api, "2026-11-10T23:59:30Z", "2026-11-11T00:00:40Z", data={"billable": True, "rate": 60})
    # 70 s: the first whole minute ends at 00:00:30, on the 11th. 0 + 1 = its durationMinutes.
    assert_everywhere(api, "2026-11-10", "2026-11-11", {"2026-11-10": (0, 0, 0), "2026-11-11": (1, 1, 1)})


@pytest.mark.parametrize("scope", ["entry", "day"])
def test_rounded_minutes_agree_for_every_scope_across_midnight(api, scope):
    _settings(api, timezone="Europe/Berlin", rounding={"mode": "up", "unitMinutes": 15, "scope": scope})
    _log(api, "2026-11-10T22:50:10Z", "2026-11-11T00:20:00Z")  # 23:50:10-01:20 Berlin
    _log(api, "2026-11-11T08:00:00Z", "2026-11-11T08:05:59Z")
    index_lag.settle()  # the console lists items from an index: compare once it has caught up
    figures = console_days(api, "2026-11-10", "2026-11-11")
    assert sum(minutes for minutes, _, _ in figures.values()) == 89 + 5
    assert figures["2026-11-10"][0] == 9  # 9 min 50 s before midnight: 9 whole minutes end on the 10th
    assert report_days(api, "2026-11-10", "2026-11-11") == figures
    assert rolled_up_days(api, "2026-11-10", "2026-11-11") == figures
