"""Property: whatever the history (entries crossing midnight, DST days, times that are not whole minutes,
edits, deletes, restores, merges, splits, rollup runs that crash halfway and are run again, under every
rounding mode and scope, settings changes of time zone, week start and rounding midway, and timesheets
submitted midway), the console's day totals, a strong report's day totals and the rollup table's rows all
equal a brute-force count made here, minute by minute, and every submitted timesheet's totals snapshot
still equals the brute force of its frozen period. Amounts come from each entry's explicit `data.rate` or,
without one, from the workspace's rate card (worker+project, project, worker and workspace rules).

The oracle imports nothing from `worklogs.domain`: it has its own idea of the rule (each whole minute of an
entry, counted from its start, belongs to the local day in which it ends; money from exact seconds) and its
own rounding. Everything else goes through the API as users and billing see it.

With INDEX_LAG_SECONDS set, index queries trail writes; strong reports and the rollup must still be exact
at once, and the console (which may read an index) is compared once the indexes have caught up.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from local import index_lag
from tests import moto_store
from tests.helpers import Api, claims

WS = "prop"
ADMIN = claims(workspaces=f"{WS}:admin")
BASE = f"/v1/workspaces/{WS}"
ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"]
# DST days (23 h / 25 h) and a month end that is also a week boundary for some week starts.
ANCHORS = [date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 11, 1), date(2026, 5, 31)]
WORKERS = ["ann", "bob"]
FIGURES = ("seconds", "minutes", "billableSeconds", "billableMinutes", "roundedMinutes", "amount", "entryCount")
FAR_FUTURE = datetime(2030, 1, 1, tzinfo=UTC)  # every marker is past any settle window
CENT = Decimal("0.01")

entry = st.fixed_dictionaries(
    {
        "offset": st.integers(min_value=0, max_value=60 * 60 * 60),  # seconds after the anchor's 00:00 UTC - 12 h
        "seconds": st.integers(min_value=1, max_value=14 * 3600),
        "worker": st.sampled_from(WORKERS),
        "owner": st.sampled_from(["T-1", "T-2"]),
        "project": st.sampled_from([None, "P-1"]),
        "billable": st.booleans(),
        "rate": st.sampled_from([None, None, 50, "95.5", 120]),  # None: the rate card decides
    }
)
# A rate card: at most one rule per level (levels are (workerId, projectId); None = any), all valid since long
# before any entry, so an entry's rate depends only on who, which project and its explicit data.rate.
RATE_LEVELS = [(None, None), ("ann", None), ("bob", None), (None, "P-1"), ("bob", "P-1")]
RATE_SINCE = "2020-01-01"
rate_card: st.SearchStrategy[dict[tuple[str | None, str | None], str]] = st.just({}) | st.dictionaries(
    st.sampled_from(RATE_LEVELS), st.sampled_from(["40", "65.25", "80", "110.5", "0.5"]), min_size=3
)
rounding_rule = st.fixed_dictionaries(
    {
        "mode": st.sampled_from(["none", "up", "down", "nearest"]),
        "unitMinutes": st.sampled_from([1, 6, 15]),
        "scope": st.sampled_from(["entry", "day"]),
    }
)
operation = st.one_of(
    st.tuples(st.just("create"), entry),
    st.tuples(st.just("edit"), st.integers(0, 20), entry),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("restore"), st.integers(0, 20)),
    st.tuples(st.just("merge"), st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.just("split"), st.integers(0, 20), st.integers(1, 36_000)),
    st.tuples(st.just("rollup"), st.none() | st.integers(0, 12)),
    # A settings change that alters accounting: the rollup must re-roll the past under the new rules.
    st.tuples(st.just("settings"), st.sampled_from(ZONES), st.sampled_from(["monday", "sunday"]), rounding_rule),
    # A worker submits the anchor's month: its entries are frozen, its totals snapshot must stay true.
    st.tuples(st.just("submit"), st.sampled_from(WORKERS)),
)


class Crash(Exception):
    pass


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _window(anchor: date, spec: dict[str, Any]) -> tuple[str, str]:
    start = datetime.combine(anchor, time(0), tzinfo=UTC) - timedelta(hours=12) + timedelta(seconds=spec["offset"])
    return _text(start), _text(start + timedelta(seconds=spec["seconds"]))


def _data(spec: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"billable": spec["billable"]}
    if spec["rate"] is not None:
        data["rate"] = spec["rate"]
    return data


def _apply(
    api: Api, op: tuple, anchor: date, ids: list[str], crash: Any, rules: dict[str, Any], approvals: list[tuple]
) -> None:
    """One user action through the API; refusals (merging different owners, a split outside the entry,
    a stale version, …) change nothing and are part of the history too."""
    kind = op[0]
    if kind == "create":
        start, end = _window(anchor, op[1])
        body = {
            "ownerType": "Ticket",
            "ownerId": op[1]["owner"],
            "workerId": op[1]["worker"],
            "startDate": start,
            "endDate": end,
            "data": _data(op[1]),
        }
        if op[1]["project"]:
            body["projectId"] = op[1]["project"]
        response = api.post(f"{BASE}/worklogs", json_body=body, caller=ADMIN)
        if response.status == 409:  # into a submitted timesheet: refused, nothing written
            assert response.json["error"]["code"] == "PERIOD_SUBMITTED", response.body
            return
        assert response.status == 201, response.body
        ids.append(response.json["id"])
    elif kind == "settings":
        current = api.get(f"{BASE}/settings", caller=ADMIN)
        changed = {"timezone": op[1], "weekStart": op[2], "rounding": op[3]}
        response = api.patch(
            f"{BASE}/settings", json_body=changed, headers={"If-Match": current.headers["etag"]}, caller=ADMIN
        )
        assert response.status == 200, response.body
        rules.update(changed)
        rules["changes"] = rules.get("changes", 0) + 1
    elif kind == "submit":
        period = anchor.strftime("%Y-%m")
        response = api.post(f"{BASE}/approvals", json_body={"workerId": op[1], "period": period}, caller=ADMIN)
        assert response.status in {201, 409}, response.body  # one approval per worker and period
        if response.status == 201:
            approvals.append((response.json["id"], op[1], period, rules.get("changes", 0)))
    elif kind == "rollup":
        from worklogs.rollups import service as rollup_service

        crash(op[1])
        try:
            rollup_service.roll_up_dirty_days(FAR_FUTURE)
        except Crash:
            pass
        finally:
            crash(None)
    elif ids:
        target = ids[op[1] % len(ids)]
        current = api.get(f"{BASE}/worklogs/{target}", query={"includeDeleted": "true"}, caller=ADMIN)
        version = {"If-Match": f'"{current.json["version"]}"'} if current.status == 200 else {}
        if kind == "edit":
            start, end = _window(anchor, op[2])
            body = {"startDate": start, "endDate": end, "workerId": op[2]["worker"], "data": _data(op[2])}
            response = api.patch(f"{BASE}/worklogs/{target}", json_body=body, headers=version, caller=ADMIN)
        elif kind == "delete":
            response = api.delete(f"{BASE}/worklogs/{target}", headers=version, caller=ADMIN)
        elif kind == "restore":
            response = api.post(f"{BASE}/worklogs/{target}/restore", headers=version, caller=ADMIN)
        elif kind == "split":
            at = datetime.fromisoformat(current.json["startDate"].replace("Z", "+00:00")) + timedelta(seconds=op[2])
            response = api.post(
                f"{BASE}/worklogs/{target}/split", json_body={"at": _text(at)}, headers=version, caller=ADMIN
            )
            if response.status == 201:
                ids.append(response.json["created"]["id"])
        else:
            other = ids[op[2] % len(ids)]
            response = api.post(
                f"{BASE}/worklogs/merge", json_body={"ids": [target, other], "allowGaps": True}, caller=ADMIN
            )
        assert response.status < 500, response.body


# --- the oracle: its own rule, minute by minute -----------------------------------------------------------


def _round(minutes: int, mode: str, unit: int) -> int:
    if mode == "none":
        return minutes
    if mode == "up":
        return math.ceil(minutes / unit) * unit
    if mode == "down":
        return math.floor(minutes / unit) * unit
    return math.floor(minutes / unit + 0.5) * unit


def _local_day(instant: datetime, tz: ZoneInfo) -> date:
    return instant.astimezone(tz).date()


def _entry_days(start: datetime, end: datetime, tz: ZoneInfo) -> dict[date, list[int]]:
    """[seconds, whole minutes] per local day, walking the entry one minute at a time from its start."""
    found: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    moment = start
    while moment < end:
        step_end = min(moment + timedelta(minutes=1), end)
        first, last = _local_day(moment, tz), _local_day(step_end - timedelta(microseconds=1), tz)
        if first == last:
            found[first][0] += int((step_end - moment).total_seconds())
        else:  # a midnight inside this minute: count its seconds one by one
            second = moment
            while second < step_end:
                found[_local_day(second, tz)][0] += 1
                second += timedelta(seconds=1)
        if step_end - moment == timedelta(minutes=1):  # a whole minute ends here: it belongs to this day
            found[last][1] += 1
        moment = step_end
    return found


def _week_start(day: date, first: str) -> date:
    return day - timedelta(days=(day.weekday() - (0 if first == "monday" else 6)) % 7)


def _rate(worklog: dict, card: dict[tuple, str]) -> Decimal:
    """The entry's hourly rate: its explicit data.rate, else the most specific rule of the card that matches
    (a rule naming a worker and a project over one naming a project, over a worker, over the workspace)."""
    if worklog["data"].get("rate") is not None:
        return Decimal(str(worklog["data"]["rate"]))
    specificity = {(True, True): 4, (False, True): 3, (True, False): 2, (False, False): 0}
    best: tuple[int, str] | None = None
    for (worker, project), rate in card.items():
        if worker is not None and worker != worklog["workerId"]:
            continue
        if project is not None and project != worklog.get("projectId"):
            continue
        rank = specificity[(worker is not None, project is not None)]
        if best is None or rank > best[0]:
            best = (rank, rate)
    return Decimal(best[1]) if best else Decimal(0)


def _expected(worklogs: list[dict], rules: dict[str, Any]) -> dict[tuple, dict[str, Any]]:
    tz = ZoneInfo(rules["timezone"])
    rounding = rules["rounding"]
    groups: dict[tuple, list[tuple[dict, int, int]]] = defaultdict(list)
    for worklog in worklogs:
        if worklog.get("deletedAt"):
            continue
        start = datetime.fromisoformat(worklog["startDate"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(worklog["endDate"].replace("Z", "+00:00"))
        billable = worklog["data"].get("billable") is True
        for day, (seconds, minutes) in _entry_days(start, end, tz).items():
            for key in [
                ("total", ()),
                ("worker", (worklog["workerId"],)),
                ("owner", (worklog["ownerType"], worklog["ownerId"])),
                ("project", (worklog.get("projectId") or "",)),
                ("type", (worklog.get("worklogTypeCode") or "",)),
                ("billable", ("true" if billable else "false",)),
                ("worker-owner", (worklog["workerId"], worklog["ownerType"], worklog["ownerId"])),
            ]:
                groups[("day", day.isoformat(), key)].append((worklog, seconds, minutes))
    expected: dict[tuple, dict[str, Any]] = {}
    for row_key, members in groups.items():
        billable_members = [(w, s, m) for w, s, m in members if w["data"].get("billable") is True]
        minutes = sum(m for _, _, m in members)
        if rounding["scope"] == "entry":
            rounded = sum(_round(m, rounding["mode"], rounding["unitMinutes"]) for _, _, m in members)
        else:
            rounded = _round(minutes, rounding["mode"], rounding["unitMinutes"])
        card = rules.get("rateCard", {})
        amount = sum((_rate(w, card) * s / 3600 for w, s, _ in billable_members), Decimal(0))
        expected[row_key] = {
            "seconds": sum(s for _, s, _ in members),
            "minutes": minutes,
            "billableSeconds": sum(s for _, s, _ in billable_members),
            "billableMinutes": sum(m for _, _, m in billable_members),
            "roundedMinutes": rounded,
            "amount": amount.quantize(CENT, rounding=ROUND_HALF_UP),
            "entryCount": len(members),
        }
    for (_, period, key), row in list(expected.items()):
        day = date.fromisoformat(period)
        for granularity, bucket in (
            ("week", _week_start(day, rules["weekStart"]).isoformat()),
            ("month", period[:7]),
        ):
            target = expected.setdefault((granularity, bucket, key), {name: 0 for name in FIGURES})
            for name in FIGURES:
                target[name] += row[name]
    for row in expected.values():
        row["amount"] = str(Decimal(row["amount"]).quantize(CENT))
    return expected


# --- what the product shows -------------------------------------------------------------------------------

_VALUE_FIELDS = {
    "total": (),
    "worker": ("workerId",),
    "owner": ("ownerType", "ownerId"),
    "project": ("projectId",),
    "type": ("worklogTypeCode",),
    "billable": ("billable",),
    "worker-owner": ("workerId", "ownerType", "ownerId"),
}


def _row_key(row: dict[str, Any]) -> tuple:
    values = tuple(str(row.get(name) or "") for name in _VALUE_FIELDS[row["dimension"]])
    return row["granularity"], row["period"], (row["dimension"], values)


def _stored(client: Any) -> dict[tuple, dict[str, Any]]:
    from worklogs.repository.dynamodb import deserialize

    found = {}
    for item in client.scan(TableName="RollupTable")["Items"]:  # test inspection of the whole table
        row = deserialize(item)
        found[_row_key(row)] = {name: row[name] for name in FIGURES}
    return found


def _days(expected: dict[tuple, dict[str, Any]], dimension: str) -> dict[tuple, tuple]:
    return {
        (period, key[1]): (row["minutes"], row["billableMinutes"], row["roundedMinutes"], row["entryCount"])
        for (granularity, period, key), row in expected.items()
        if granularity == "day" and key[0] == dimension
    }


def _report_days(api: Api, first: date, last: date, consistency: str) -> dict[tuple, tuple]:
    response = api.get(
        f"{BASE}/reports/totals",
        query={
            "granularity": "day",
            "from": first.isoformat(),
            "to": last.isoformat(),
            "groupBy": "worker",
            "consistency": consistency,
        },
        caller=ADMIN,
    )
    assert response.status == 200, response.body
    if consistency == "strong":
        assert response.json["freshness"]["pendingDays"] == []
    return {
        (row["period"], (row["workerId"],)): (
            row["minutes"],
            row["billableMinutes"],
            row["roundedMinutes"],
            row["entryCount"],
        )
        for row in response.json["rows"]
    }


def _console_days(api: Api, first: date, last: date) -> dict[tuple, tuple]:
    found = {}
    for worker in WORKERS:
        query = {"period": "custom", "from": first.isoformat(), "to": last.isoformat(), "workerId": worker}
        response = api.get(f"{BASE}/console", query=query, caller=ADMIN)
        assert response.status == 200, response.body
        for day in response.json["days"]:
            if day["entryCount"]:
                found[(day["date"], (worker,))] = (
                    day["minutes"],
                    day["billableMinutes"],
                    day["roundedMinutes"],
                    day["entryCount"],
                )
    return found


def _all_worklogs(api: Api, ids: list[str]) -> list[dict]:
    found = []
    for worklog_id in dict.fromkeys(ids):
        response = api.get(f"{BASE}/worklogs/{worklog_id}", query={"includeDeleted": "true"}, caller=ADMIN)
        assert response.status == 200, response.body
        found.append(response.json)
    return found


@pytest.mark.slow  # property test: many histories
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    week_start=st.sampled_from(["monday", "sunday"]),
    rounding=rounding_rule,
    anchor=st.sampled_from(ANCHORS),
    card=rate_card,
    operations=st.lists(operation, min_size=1, max_size=10),
)
@example(  # every level of the card decides one entry, and one entry's explicit rate overrides the card
    zone="Europe/Berlin",
    week_start="monday",
    rounding={"mode": "nearest", "unitMinutes": 15, "scope": "day"},
    anchor=date(2026, 10, 25),
    card={(None, None): "65.25", ("ann", None): "40", (None, "P-1"): "80", ("bob", "P-1"): "110.5"},
    operations=[
        (
            "create",
            {
                "offset": 43_200 + 3600 * hour,
                "seconds": 3000,
                "worker": worker,
                "owner": "T-1",
                "project": project,
                "billable": True,
                "rate": rate,
            },
        )
        for hour, (worker, project, rate) in enumerate(
            [("ann", "P-1", None), ("ann", None, None), ("bob", None, None), ("bob", "P-1", None), ("bob", "P-1", 120)]
        )
    ],
)
def test_console_reports_and_rollup_equal_a_brute_force_count(
    zone: Any, week_start: Any, rounding: Any, anchor: Any, card: Any, operations: Any
) -> None:
    from worklogs.repository import rollups as rollup_store
    from worklogs.repository import settings as settings_store
    from worklogs.rollups import service as rollup_service

    note(f"history: {zone} {week_start} {rounding} {anchor} {card} {operations}")
    with moto_store.fresh() as client:  # one moto per process, emptied for each example
        original_write = rollup_store.batch_write
        original_replace = rollup_store.replace_in_one_transaction
        original_delete = rollup_store.delete_marker
        try:
            api = Api()
            rules = {"timezone": zone, "weekStart": week_start, "rounding": rounding}
            assert api.put(f"{BASE}/settings", json_body=rules, caller=ADMIN).status == 200
            if card:
                rate_rules = [
                    {"rate": rate, "validFrom": RATE_SINCE}
                    | ({"workerId": worker} if worker else {})
                    | ({"projectId": project} if project else {})
                    for (worker, project), rate in card.items()
                ]
                saved = api.put(f"{BASE}/rates", json_body={"rules": rate_rules}, caller=ADMIN)
                assert saved.status == 200, saved.body
            rules["rateCard"] = card

            def crash_after(writes: int | None) -> None:
                """Make the next rollup fail after `writes` period writes (or marker deletes)."""
                if writes is None:
                    rollup_store.batch_write = original_write
                    rollup_store.replace_in_one_transaction = original_replace
                    rollup_store.delete_marker = original_delete
                    return
                budget = [writes]

                def counted(function):
                    def wrapper(*args, **kwargs):
                        if budget[0] <= 0:
                            raise Crash
                        budget[0] -= 1
                        return function(*args, **kwargs)

                    return wrapper

                rollup_store.batch_write = counted(original_write)
                rollup_store.replace_in_one_transaction = counted(original_replace)
                rollup_store.delete_marker = counted(original_delete)

            ids: list[str] = []
            approvals: list[tuple] = []
            for op in operations:
                _apply(api, op, anchor, ids, crash_after, rules, approvals)
            expected = _expected(_all_worklogs(api, ids), rules)
            # A submitted period is frozen: its snapshot still equals the brute force of its entries (unless
            # the accounting settings changed since, which re-counts the same frozen entries differently).
            for approval_id, worker, period, changes in approvals:
                if changes != rules.get("changes", 0):
                    continue
                snapshot = api.get(f"{BASE}/approvals/{approval_id}", caller=ADMIN).json["totals"]
                row = expected.get(("month", period, ("worker", (worker,))), {name: 0 for name in FIGURES})
                figures = ("minutes", "billableMinutes", "roundedMinutes", "entryCount")
                assert {name: snapshot[name] for name in figures} == {name: row[name] for name in figures}
                assert Decimal(snapshot["amount"]) == Decimal(row["amount"])
            first, last = anchor - timedelta(days=3), anchor + timedelta(days=4)
            worker_days = _days(expected, "worker")
            assert all(first.isoformat() <= period <= last.isoformat() for period, _ in worker_days)

            # Strong reports are exact right after the writes, whatever the rollup has done so far.
            assert _report_days(api, first, last, "strong") == worker_days
            for _ in range(10):  # a re-roll after a settings change may take more than one bounded run
                if rollup_service.roll_up_dirty_days(FAR_FUTURE).complete:
                    break
            assert _stored(client) == expected
            assert _report_days(api, first, last, "eventual") == worker_days
            index_lag.settle()  # the console may read an index: compare once it has caught up
            assert _console_days(api, first, last) == worker_days
            # A rerun over a drained table changes nothing.
            assert rollup_service.roll_up_dirty_days(FAR_FUTURE).days_recomputed == 0
        finally:
            rollup_store.batch_write = original_write
            rollup_store.replace_in_one_transaction = original_replace
            rollup_store.delete_marker = original_delete
            settings_store.invalidate()
