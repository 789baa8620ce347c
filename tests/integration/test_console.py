"""The personal console: a period's worklogs with daily and weekly totals in the workspace time zone,
entries across midnight and DST days, rounding, paging, and who may see whose console."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ADMIN, BOB, CAROL, MIA, VIEWER, a_worklog, claims

WS = "/v1/workspaces/acme"
CONSOLE = f"{WS}/console"


def settings(api, **values) -> None:
    response = api.put(f"{WS}/settings", json_body=values, caller=ADMIN)
    assert response.status == 200, response.body


def log(api, start: str, end: str, caller=BOB, **overrides) -> dict:
    response = api.post(f"{WS}/worklogs", json_body=a_worklog(startDate=start, endDate=end, **overrides), caller=caller)
    assert response.status == 201, response.body
    return response.json


def console(api, caller=BOB, **query) -> dict:
    response = api.get(CONSOLE, query=query, caller=caller)
    assert response.status == 200, response.body
    return response.json


def day_minutes(view: dict) -> dict[str, int]:
    return {day["date"]: day["minutes"] for day in view["days"]}


# --- days, midnight and DST ------------------------------------------------------------------------------


def test_an_entry_across_midnight_counts_toward_each_day(api):
    settings(api, timezone="Europe/Berlin")
    night = log(api, "2026-11-11T22:00:00+01:00", "2026-11-12T02:00:00+01:00")
    view = console(api, period="week", date="2026-11-11")
    assert view["period"] == {
        "period": "week",
        "from": "2026-11-09",
        "to": "2026-11-15",
        "timezone": "Europe/Berlin",
        "weekStart": "monday",
        "start": "2026-11-08T23:00:00Z",
        "end": "2026-11-15T23:00:00Z",
    }
    assert day_minutes(view) == {
        "2026-11-09": 0,
        "2026-11-10": 0,
        "2026-11-11": 120,
        "2026-11-12": 120,
        "2026-11-13": 0,
        "2026-11-14": 0,
        "2026-11-15": 0,
    }
    assert [item["id"] for item in view["items"]] == [night["id"]]
    assert view["totals"] == {"minutes": 240, "billableMinutes": 240, "roundedMinutes": 240, "entryCount": 1}
    assert [d["entryCount"] for d in view["days"] if d["minutes"]] == [1, 1]
    # a single day shows only its part
    assert console(api, period="today", date="2026-11-12")["totals"]["minutes"] == 120


@pytest.mark.parametrize(
    ("timezone", "day", "hours", "before", "after"),
    [
        ("Europe/Berlin", "2026-03-29", 23, "2026-03-28", "2026-03-30"),
        ("Europe/Berlin", "2026-10-25", 25, "2026-10-24", "2026-10-26"),
        ("America/New_York", "2026-03-08", 23, "2026-03-07", "2026-03-09"),
        ("America/New_York", "2026-11-01", 25, "2026-10-31", "2026-11-02"),
    ],
)
def test_dst_days_are_23_or_25_hours_and_add_up(api, timezone, day, hours, before, after):
    from datetime import date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    settings(api, timezone=timezone, maxEntryHours=30)
    tz = ZoneInfo(timezone)

    def at(text: str, hour: int) -> str:
        return datetime.combine(date.fromisoformat(text), time(hour), tzinfo=tz).isoformat()

    whole_day = log(
        api, at(day, 0), datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0), tzinfo=tz).isoformat()
    )
    assert whole_day["durationMinutes"] == hours * 60
    night_before = log(api, at(before, 22), at(day, 0))  # 2 h, ending where the DST day begins
    night_after = log(api, at(after, 0), at(after, 4), ownerId="T-2")
    crossing = log(api, at(before, 23), at(day, 0), caller=CAROL)  # another worker's: never counted
    view = console(api, period="custom", **{"from": before, "to": after})
    assert day_minutes(view) == {before: 120, day: hours * 60, after: 240}
    assert view["totals"]["minutes"] == sum(item["durationMinutes"] for item in view["items"])
    assert {item["id"] for item in view["items"]} == {whole_day["id"], night_before["id"], night_after["id"]}
    assert crossing["id"] not in {item["id"] for item in view["items"]}
    # an entry across the DST night itself: 22:00 the evening before to 04:00, in real hours
    other = console(api, caller=CAROL, period="custom", **{"from": before, "to": day})
    assert day_minutes(other) == {before: 60, day: 0}
    late = log(api, at(before, 22), at(day, 4), caller=MIA)
    by_day = day_minutes(console(api, caller=MIA, period="custom", **{"from": before, "to": day}))
    assert by_day[before] == 120 and by_day[before] + by_day[day] == late["durationMinutes"]
    assert by_day[day] == (4 + (hours - 24)) * 60  # 3 real hours on a spring day, 5 on an autumn one


def test_an_entry_starting_before_the_period_is_listed_and_counts_only_inside(api):
    settings(api, maxEntryHours=48)
    long_one = log(api, "2026-11-08T10:00:00Z", "2026-11-10T02:00:00Z")  # Sunday 10:00 to Tuesday 02:00
    view = console(api, period="week", date="2026-11-10")  # Monday 9th to Sunday 15th, UTC
    assert [item["id"] for item in view["items"]] == [long_one["id"]]
    assert view["totals"]["minutes"] == 24 * 60 + 120


def test_deleted_and_other_workers_entries_are_left_out(api):
    kept = log(api, "2026-11-11T09:00:00Z", "2026-11-11T10:00:00Z")
    gone = log(api, "2026-11-11T11:00:00Z", "2026-11-11T12:00:00Z")
    api.delete(f"{WS}/worklogs/{gone['id']}", caller=BOB)
    log(api, "2026-11-11T09:00:00Z", "2026-11-11T10:00:00Z", caller=CAROL)
    view = console(api, period="today", date="2026-11-11")
    assert [item["id"] for item in view["items"]] == [kept["id"]] and view["totals"]["minutes"] == 60


# --- weeks, months, periods ------------------------------------------------------------------------------


def test_weeks_follow_week_start_and_are_clipped_to_the_period(api):
    settings(api, weekStart="sunday")
    log(api, "2026-11-01T09:00:00Z", "2026-11-01T10:00:00Z")  # Sunday
    log(api, "2026-11-07T09:00:00Z", "2026-11-07T09:30:00Z")  # Saturday
    log(api, "2026-11-08T09:00:00Z", "2026-11-08T09:15:00Z")  # next Sunday
    log(api, "2026-10-31T09:00:00Z", "2026-10-31T11:00:00Z")  # October: outside the month
    view = console(api, period="month", date="2026-11-20")
    assert (view["period"]["from"], view["period"]["to"], len(view["days"])) == ("2026-11-01", "2026-11-30", 30)
    weeks = [(w["weekStart"], w["from"], w["to"], w["minutes"]) for w in view["weeks"]]
    assert weeks == [
        ("2026-11-01", "2026-11-01", "2026-11-07", 90),
        ("2026-11-08", "2026-11-08", "2026-11-14", 15),
        ("2026-11-15", "2026-11-15", "2026-11-21", 0),
        ("2026-11-22", "2026-11-22", "2026-11-28", 0),
        ("2026-11-29", "2026-11-29", "2026-11-30", 0),
    ]
    assert view["totals"]["minutes"] == 105 == sum(w["minutes"] for w in view["weeks"])
    monday_weeks = console(api, period="custom", **{"from": "2026-10-31", "to": "2026-11-02"})
    assert [(w["weekStart"], w["from"], w["to"]) for w in monday_weeks["weeks"]] == [
        ("2026-10-25", "2026-10-31", "2026-10-31"),
        ("2026-11-01", "2026-11-01", "2026-11-02"),
    ]


def test_the_default_period_is_this_week(api):
    view = console(api)
    assert view["period"]["period"] == "week" and len(view["days"]) == 7 and view["workerId"] == "bob"


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ({"period": "year"}, "period"),
        ({"period": "custom"}, "from"),
        ({"period": "custom", "from": "2026-11-01"}, "to"),
        ({"period": "custom", "from": "2026-11-02", "to": "2026-11-01"}, "from"),
        ({"period": "custom", "from": "2026-01-01", "to": "2027-01-02"}, "to"),
        ({"period": "week", "from": "2026-11-01"}, "from"),
        ({"period": "custom", "from": "yesterday", "to": "2026-11-01"}, "from"),
        ({"date": "2026-13-01"}, "date"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
    ],
)
def test_invalid_periods_are_422(api, query, where):
    response = api.get(CONSOLE, query=query, caller=BOB)
    assert response.status == 422, response.body
    assert response.json["error"]["code"] == "VALIDATION_FAILED"
    assert where in response.json["error"]["details"][0]["loc"]


# --- rounding and billable -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "scope", "rounded"),
    [
        ("none", "entry", 37),
        ("none", "day", 37),
        ("up", "entry", 60),  # 15 + 15 + 30
        ("up", "day", 45),  # 37 → 45
        ("down", "entry", 15),  # 0 + 0 + 15
        ("down", "day", 30),
        ("nearest", "entry", 30),  # 0 + 15 + 15
        ("nearest", "day", 30),
    ],
)
def test_rounding_modes_and_scopes(api, mode, scope, rounded):
    settings(api, rounding={"mode": mode, "unitMinutes": 15, "scope": scope})
    log(api, "2026-11-11T09:00:00Z", "2026-11-11T09:07:00Z")
    log(api, "2026-11-11T10:00:00Z", "2026-11-11T10:08:00Z", data={"billable": False})
    log(api, "2026-11-11T11:00:00Z", "2026-11-11T11:22:00Z", data={"billable": "yes"})
    view = console(api, period="today", date="2026-11-11")
    assert view["rounding"] == {"mode": mode, "unitMinutes": 15, "scope": scope}
    assert view["totals"] == {"minutes": 37, "billableMinutes": 7, "roundedMinutes": rounded, "entryCount": 3}
    assert view["days"][0]["roundedMinutes"] == view["weeks"][0]["roundedMinutes"] == rounded
    assert [item["durationMinutes"] for item in view["items"]] == [7, 8, 22]  # raw minutes are never changed


def test_entry_rounding_rounds_each_entrys_part_of_the_day(api):
    settings(api, rounding={"mode": "up", "unitMinutes": 15, "scope": "entry"})
    log(api, "2026-11-11T23:50:00Z", "2026-11-12T00:20:00Z")  # 10 + 20 minutes
    view = console(api, period="custom", **{"from": "2026-11-11", "to": "2026-11-12"})
    assert [(d["minutes"], d["roundedMinutes"]) for d in view["days"]] == [(10, 15), (20, 30)]


# --- paging ----------------------------------------------------------------------------------------------


def test_items_are_paged_and_totals_cover_the_whole_period_on_every_page(api: Any) -> None:
    ids = [log(api, f"2026-11-1{n}T09:00:00Z", f"2026-11-1{n}T10:00:00Z")["id"] for n in range(5)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = {"period": "custom", "from": "2026-11-10", "to": "2026-11-14", "limit": 2}
        if cursor:
            query["cursor"] = cursor
        view = console(api, **query)
        assert view["totals"]["minutes"] == 300 and view["limit"] == 2
        seen += [item["id"] for item in view["items"]]
        pages += 1
        cursor = view.get("nextCursor")
        if not cursor:
            break
    assert seen == ids and pages == 3  # by start time, each once


def test_cursors_only_work_for_their_period_and_worker(api):
    for n in range(3):
        log(api, f"2026-11-1{n}T09:00:00Z", f"2026-11-1{n}T10:00:00Z")
    query = {"period": "custom", "from": "2026-11-10", "to": "2026-11-12", "limit": 1}
    cursor = console(api, **query)["nextCursor"]
    assert api.get(CONSOLE, query={**query, "cursor": cursor}, caller=BOB).status == 200
    for changed in ({"to": "2026-11-13"}, {"cursor": cursor[:-2] + "xx"}):
        response = api.get(CONSOLE, query={**query, "cursor": cursor, **changed}, caller=BOB)
        assert response.status == 400 and response.json["error"]["code"] == "INVALID_CURSOR"
    as_manager = api.get(CONSOLE, query={**query, "cursor": cursor}, caller=MIA)  # mia's own console
    assert as_manager.status == 400


# --- who sees what ---------------------------------------------------------------------------------------


def test_managers_see_anyones_console_members_only_their_own(api):
    mine = log(api, "2026-11-11T09:00:00Z", "2026-11-11T10:00:00Z")
    assert [i["id"] for i in console(api, caller=MIA, workerId="bob", date="2026-11-11")["items"]] == [mine["id"]]
    assert console(api, caller=BOB, workerId="me", date="2026-11-11")["workerId"] == "bob"
    assert console(api, caller=BOB, workerId="bob", date="2026-11-11")["totals"]["minutes"] == 60
    assert api.get(CONSOLE, query={"workerId": "bob"}, caller=CAROL).status == 403
    assert console(api, caller=VIEWER)["items"] == []
    assert api.get(CONSOLE, caller=claims(sub="eve", workspaces="beta:admin")).status == 403


def test_the_console_shows_the_callers_own_running_timer_only(api):
    timer = api.post(f"{WS}/timer/start", json_body={"ownerType": "Ticket", "ownerId": "T-1"}, caller=BOB).json
    shown = console(api)["timer"]
    assert shown["id"] == timer["id"] and shown["state"] == "running"
    assert console(api, caller=MIA, workerId="bob")["timer"] is None  # nobody else sees it
    assert console(api, caller=CAROL)["timer"] is None


def test_console_requests(api, ddb_calls):
    log(api, "2026-11-11T09:00:00Z", "2026-11-11T10:00:00Z")  # caches the settings, as a warm container has
    ddb_calls.reset()
    console(api, date="2026-11-11")
    # the period on the worker timeline; the timesheet approvals of its weeks and months with the caller's timer
    assert ddb_calls.operations == ["Query", "BatchGetItem"]
    ddb_calls.reset()
    console(api, caller=MIA, workerId="bob", date="2026-11-11")
    assert ddb_calls.operations == ["Query", "BatchGetItem"]


@pytest.mark.parametrize("name", ["from", "to", "date"])
def test_console_dates_are_iso_dates_only(api, name):
    query = {"period": "custom", "from": "2026-11-01", "to": "2026-11-02", name: "0.5"}
    response = api.get("/v1/workspaces/acme/console", query=query, caller=claims(sub="bob", workspaces="acme:member"))
    assert response.status == 422, response.body
