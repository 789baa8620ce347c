"""Property: whatever the writes (crossing midnight, DST days, edits, deletes, merges, splits) and however the
rollup runs interleave with them — including runs that crash halfway and are run again — the rollup table ends
equal to a brute-force recomputation from the surviving worklogs, minute by minute."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import boto3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from local.dynamodb import create_tables
from worklogs import services
from worklogs.auth import Caller, Role
from worklogs.domain.rollup import COMPARED, round_minutes, row_dimension_key
from worklogs.domain.settings import Rounding, WorkspaceSettings
from worklogs.errors import WorklogsError
from worklogs.models import WorklogCreate, WorklogPatch
from worklogs.repository import rollups as rollup_store
from worklogs.repository import settings as settings_store
from worklogs.repository import worklogs as worklog_store
from worklogs.repository.dynamodb import deserialize, use_client

WS = "prop"
CALLER = Caller(sub="alice", roles={WS: Role.ADMIN})
ZONES = ["Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"]
# DST days (23 h / 25 h) and a month end that is also a week boundary for some week starts.
ANCHORS = [date(2026, 3, 29), date(2026, 10, 25), date(2026, 3, 8), date(2026, 11, 1), date(2026, 5, 31)]
FAR_FUTURE = datetime(2030, 1, 1, tzinfo=UTC)  # every marker is past the settle window

entry = st.fixed_dictionaries(
    {
        "offset": st.integers(min_value=0, max_value=60 * 60),  # minutes after the anchor's 00:00 UTC - 12 h
        "minutes": st.integers(min_value=1, max_value=14 * 60),
        "worker": st.sampled_from(["ann", "bob"]),
        "owner": st.sampled_from(["T-1", "T-2"]),
        "project": st.sampled_from([None, "P-1"]),
        "billable": st.booleans(),
        "rate": st.sampled_from([None, 50, "95.5", 120]),
    }
)
operation = st.one_of(
    st.tuples(st.just("create"), entry),
    st.tuples(st.just("edit"), st.integers(0, 20), entry),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("restore"), st.integers(0, 20)),
    st.tuples(st.just("merge"), st.integers(0, 20), st.integers(0, 20)),
    st.tuples(st.just("split"), st.integers(0, 20), st.integers(1, 600)),
    st.tuples(st.just("rollup"), st.none() | st.integers(0, 12)),
)


class Crash(Exception):
    pass


def _window(anchor: date, spec: dict[str, Any]) -> tuple[datetime, datetime]:
    start = datetime.combine(anchor, datetime.min.time(), tzinfo=UTC) - timedelta(hours=12)
    start += timedelta(minutes=spec["offset"])
    return start, start + timedelta(minutes=spec["minutes"])


def _data(spec: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"billable": spec["billable"]}
    if spec["rate"] is not None:
        data["rate"] = spec["rate"]
    return data


def _apply(op: tuple, anchor: date, ids: list[str], now: datetime, monkeypatch_crash: Any) -> None:
    kind = op[0]
    try:
        if kind == "create":
            start, end = _window(anchor, op[1])
            request = WorklogCreate(
                ownerType="Ticket",
                ownerId=op[1]["owner"],
                workerId=op[1]["worker"],
                projectId=op[1]["project"],
                startDate=start,
                endDate=end,
                data=_data(op[1]),
            )
            written = services.create_worklog(WS, CALLER, Role.ADMIN, request, now)
            ids.append(written.worklogs[0].id)
        elif kind in {"edit", "delete", "restore", "split", "merge"} and ids:
            target = ids[op[1] % len(ids)]
            current = worklog_store.get(WS, target)
            if kind == "edit":
                start, end = _window(anchor, op[2])
                patch = WorklogPatch(startDate=start, endDate=end, workerId=op[2]["worker"], data=_data(op[2]))
                services.edit_worklog(WS, target, CALLER, Role.ADMIN, patch, current.version, now)
            elif kind == "delete":
                services.delete_worklog(WS, target, CALLER, Role.ADMIN, current.version, now)
            elif kind == "restore":
                services.restore_worklog(WS, target, CALLER, Role.ADMIN, current.version, now)
            elif kind == "split":
                at = current.startDate + timedelta(minutes=op[2])
                written = services.split_worklog(WS, target, CALLER, Role.ADMIN, at, current.version, now)
                ids.extend(w.id for w in written.worklogs if w.id not in ids)
            else:
                other = ids[op[2] % len(ids)]
                services.merge_worklogs(WS, CALLER, Role.ADMIN, [target, other], True, now)
        elif kind == "rollup":
            monkeypatch_crash(op[1])
            try:
                services.roll_up_dirty_days(FAR_FUTURE)
            except Crash:
                pass
            finally:
                monkeypatch_crash(None)
    except WorklogsError:
        pass  # a refused change (merge of different owners, split outside the entry, …) changes nothing


def _week_start(day: date, first: str) -> date:
    return day - timedelta(days=(day.weekday() - (0 if first == "monday" else 6)) % 7)


def _expected(ws_settings: WorkspaceSettings, ids: list[str]) -> dict[tuple, dict[str, Any]]:
    """Brute force: walk every surviving worklog minute by minute into local days."""
    tz = ZoneInfo(ws_settings.timezone)
    pieces: dict[date, list[tuple[Any, int]]] = defaultdict(list)
    for worklog in worklog_store.get_many(WS, ids).values() if ids else []:
        if worklog.deletedAt is not None:
            continue
        seconds: dict[date, int] = defaultdict(int)
        moment = worklog.startDate
        while moment < worklog.endDate:
            seconds[moment.astimezone(tz).date()] += 60
            moment += timedelta(minutes=1)
        for day, amount in seconds.items():
            pieces[day].append((worklog, amount))
    day_rows: dict[tuple, dict[str, Any]] = {}
    for day, found in pieces.items():
        groups: dict[tuple, list[tuple[Any, int]]] = defaultdict(list)
        for worklog, secs in found:
            billable = worklog.data.get("billable") is True
            for key in [
                ("total", ()),
                ("worker", (worklog.workerId,)),
                ("owner", (worklog.ownerType, worklog.ownerId)),
                ("project", (worklog.projectId or "",)),
                ("type", (worklog.worklogTypeCode or "",)),
                ("billable", ("true" if billable else "false",)),
                ("worker-owner", (worklog.workerId, worklog.ownerType, worklog.ownerId)),
            ]:
                groups[key].append((worklog, secs))
        for key, members in groups.items():
            total = sum(s for _, s in members)
            billable_secs = sum(s for w, s in members if w.data.get("billable") is True)
            amount = sum(
                (
                    Decimal(str(w.data.get("rate") or 0)) * s / 3600
                    for w, s in members
                    if w.data.get("billable") is True
                ),
                Decimal(0),
            ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if ws_settings.rounding.scope == "entry":
                rounded = sum(round_minutes(Fraction(s, 60), ws_settings.rounding) for _, s in members)
            else:
                rounded = round_minutes(Fraction(total, 60), ws_settings.rounding)
            day_rows[("day", day.isoformat(), key)] = {
                "seconds": total,
                "minutes": total // 60,
                "billableSeconds": billable_secs,
                "billableMinutes": billable_secs // 60,
                "roundedMinutes": rounded,
                "amount": str(amount),
                "entryCount": len(members),
            }
    expected = dict(day_rows)
    for (_, period, key), row in day_rows.items():
        day = date.fromisoformat(period)
        for granularity, bucket in (
            ("week", _week_start(day, ws_settings.weekStart).isoformat()),
            ("month", period[:7]),
        ):
            target = expected.setdefault((granularity, bucket, key), {name: 0 for name in COMPARED})
            for name in COMPARED:
                if name == "amount":
                    target[name] = str(Decimal(str(target[name])) + Decimal(row[name]))
                else:
                    target[name] += row[name]
    for row in expected.values():
        row["amount"] = str(Decimal(str(row["amount"])).quantize(Decimal("0.01")))
    return expected


def _stored(client: Any) -> dict[tuple, dict[str, Any]]:
    found = {}
    for item in client.scan(TableName="RollupTable")["Items"]:  # test inspection of the whole table
        row = deserialize(item)
        found[(row["granularity"], row["period"], row_dimension_key(row))] = {name: row[name] for name in COMPARED}
    return found


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    zone=st.sampled_from(ZONES),
    week_start=st.sampled_from(["monday", "sunday"]),
    rounding=st.builds(
        Rounding,
        mode=st.sampled_from(["none", "up", "down", "nearest"]),
        unitMinutes=st.sampled_from([1, 6, 15]),
        scope=st.sampled_from(["entry", "day"]),
    ),
    anchor=st.sampled_from(ANCHORS),
    operations=st.lists(operation, min_size=1, max_size=10),
)
def test_rollup_equals_brute_force_after_any_interleaving_and_crash(zone, week_start, rounding, anchor, operations):
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client)
        use_client(client)
        settings_store.invalidate()
        try:
            ws_settings = WorkspaceSettings(
                workspaceId=WS, timezone=zone, weekStart=week_start, rounding=rounding, version=1
            )
            settings_store.save(ws_settings, expected_version=0)
            original_write = rollup_store.batch_write
            original_delete = rollup_store.delete_marker

            def crash_after(writes: int | None) -> None:
                """Make the next rollup fail after `writes` batch writes (or marker deletes)."""
                if writes is None:
                    rollup_store.batch_write = original_write
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
                rollup_store.delete_marker = counted(original_delete)

            ids: list[str] = []
            now = datetime(2026, 12, 1, tzinfo=UTC)
            for op in operations:
                _apply(op, anchor, ids, now, crash_after)
            services.roll_up_dirty_days(FAR_FUTURE)
            assert _stored(client) == _expected(settings_store.load(WS), ids)
            # A rerun over a drained table changes nothing.
            assert services.roll_up_dirty_days(FAR_FUTURE).days_recomputed == 0
        finally:
            rollup_store.batch_write = original_write
            rollup_store.delete_marker = original_delete
            use_client(None)
            settings_store.invalidate()
