"""CSV exports carry decimal hours beside minutes, computed exactly (Decimal) from the whole minutes."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from local.events import LambdaContext
from local.functions import handler
from tests.helpers import a_worklog, claims

WS = "/v1/workspaces/acme"
ADMIN = claims()
DAY = {"from": "2026-11-11", "to": "2026-11-11"}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def logged(api: Any, dynamodb: Any) -> None:
    for start, end, billable in (
        ("2026-11-11T09:00:00Z", "2026-11-11T10:30:00Z", True),  # 90 min
        ("2026-11-11T11:00:00Z", "2026-11-11T11:07:00Z", False),  # 7 min
    ):
        body = a_worklog(startDate=start, endDate=end, data={"billable": billable})
        assert api.post(f"{WS}/worklogs", json_body=body, caller=ADMIN).status == 201
    api.put(f"{WS}/settings", json_body={"rounding": {"mode": "up", "unitMinutes": 15}}, caller=ADMIN)
    handler("RollupPeriodsFunction")({"detail": {"drain": True}}, LambdaContext("RollupPeriodsFunction"))


@pytest.mark.parametrize("path, query", [("reports/totals.csv", {}), ("reports/totals", {"format": "csv"})])
def test_totals_csv_has_decimal_hours_beside_minutes(api, logged, path, query):
    response = api.get(f"{WS}/{path}", query={**DAY, **query}, caller=ADMIN)
    assert response.status == 200, response.body
    header = response.body.splitlines()[0].split(",")
    assert header.index("hours") == header.index("minutes") + 1
    assert header.index("billableHours") == header.index("billableMinutes") + 1
    assert header.index("roundedHours") == header.index("roundedMinutes") + 1
    (row,) = _rows(response.body)
    assert (row["minutes"], row["hours"]) == ("97", "1.62")  # 97 / 60 = 1.6166… → 1.62
    assert (row["billableMinutes"], row["billableHours"]) == ("90", "1.50")
    assert (row["roundedMinutes"], row["roundedHours"]) == ("105", "1.75")  # 90 → 90, 7 → 15


@pytest.mark.parametrize("path, query", [("reports/worklogs.csv", {}), ("reports/worklogs", {"format": "csv"})])
def test_worklog_csv_has_decimal_hours_beside_minutes(api, logged, path, query):
    response = api.get(f"{WS}/{path}", query={**DAY, **query}, caller=ADMIN)
    assert response.status == 200, response.body
    header = response.body.splitlines()[0].split(",")
    assert header.index("durationHours") == header.index("durationMinutes") + 1
    assert sorted((row["durationMinutes"], row["durationHours"]) for row in _rows(response.body)) == [
        ("7", "0.12"),
        ("90", "1.50"),
    ]


@pytest.mark.parametrize(
    "minutes, hours", [(0, "0.00"), (1, "0.02"), (20, "0.33"), (30, "0.50"), (90, "1.50"), (100_000, "1666.67")]
)
def test_decimal_hours_are_exact_and_rounded_half_up(minutes, hours):
    from worklogs.report_models import decimal_hours

    assert decimal_hours(minutes) == hours
