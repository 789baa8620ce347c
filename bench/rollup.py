"""Rollup cost benchmark: 1,000 changed worklogs on 3 days, rolled up once, in a table that also holds
10,000 and then 100,000 other worklogs (other days of the same workspace, and another workspace). Prints the
DynamoDB requests and the items read by the run for each size, and their ratio: the cost of a run follows
the changed days, not the size of the table.

    python bench/rollup.py [--changed 1000] [--sizes 10000 100000] [--json bench/rollup-results.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo root

from bench.environment import prepare

prepare()

WORKSPACE = "bench"
CHANGED_DAYS = [date(2026, 11, 10), date(2026, 11, 11), date(2026, 11, 12)]
OTHER_DAYS = [
    date(2026, 9, 1) + timedelta(days=n) for n in range(120) if date(2026, 9, 1) + timedelta(days=n) not in CHANGED_DAYS
]
TOLERANCE = 0.05


def make_worklogs(count: int, days: list[date], workspace: str, seed: int) -> list[Any]:
    from worklogs.domain.durations import format_iso_duration
    from worklogs.models import UserRef, Worklog

    rng = random.Random(seed)
    made = []
    for _ in range(count):
        day = rng.choice(days)
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=rng.randint(6, 23), minutes=rng.choice([0, 15, 30, 45])
        )
        seconds = rng.choice([15, 30, 60, 90, 120, 240]) * 60
        worklog_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        worker = f"user-{rng.randrange(20)}"
        who = UserRef(id=worker, display=worker)
        made.append(
            Worklog(
                id=worklog_id,
                workspaceId=workspace,
                projectId=f"P-{rng.randrange(10)}",
                ownerType="Ticket",
                ownerId=f"T-{rng.randrange(50)}",
                workerId=worker,
                worklogTypeCode="Implementation",
                description="<p>Worked on the ticket.</p>",
                data={"billable": rng.random() < 0.6, "rate": 95},
                startDate=start,
                endDate=start + timedelta(seconds=seconds),
                durationMinutes=seconds // 60,
                duration=format_iso_duration(seconds),
                version=1,
                createdAt=start,
                createdBy=who,
                updatedAt=start,
                updatedBy=who,
                loggedBy=who,
                self=f"/v1/workspaces/{workspace}/worklogs/{worklog_id}",
            )
        )
    return made


def load(client: Any, worklogs: list[Any]) -> int:
    """Write the worklogs and their midnight copies exactly as the repository builds them, in batches."""
    from worklogs.repository.dynamodb import serialize
    from worklogs.repository.worklog_items import derived_items, to_item

    items = [item for worklog in worklogs for item in (to_item(worklog), *derived_items(worklog))]
    for offset in range(0, len(items), 25):
        pending = {"MainTable": [{"PutRequest": {"Item": serialize(i)}} for i in items[offset : offset + 25]]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(items)


def mark(client: Any, days: list[date]) -> None:
    """The markers the changes' transactions would have written."""
    from worklogs.repository.rollups import marker_update

    for day in days:
        update = marker_update(WORKSPACE, day, datetime(2026, 11, 13, tzinfo=UTC))["Update"]
        client.update_item(**update)


class Meter:
    def __init__(self, client: Any):
        self.requests = 0
        self.read = 0
        client.meta.events.register("before-call.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)

    def _before(self, **_: Any) -> None:
        self.requests += 1

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name == "Query":
            self.read += parsed.get("ScannedCount", 0)
        elif model.name == "GetItem":
            self.read += 1 if parsed.get("Item") else 0


def run(size: int, changed: int) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from local.dynamodb import create_tables
    from worklogs.repository import settings as settings_store
    from worklogs.repository.dynamodb import use_client
    from worklogs.rollups import service as rollup_service

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client)
        use_client(client)
        settings_store.invalidate()
        began = time.monotonic()
        other = make_worklogs(size * 9 // 10, OTHER_DAYS, WORKSPACE, seed=size)
        other += make_worklogs(size - len(other), CHANGED_DAYS + OTHER_DAYS, "neighbour", seed=size + 1)
        load(client, other)
        load(client, make_worklogs(changed, CHANGED_DAYS, WORKSPACE, seed=7))
        mark(client, CHANGED_DAYS)
        load_seconds = time.monotonic() - began
        meter = Meter(client)
        began = time.monotonic()
        result = rollup_service.roll_up_dirty_days(datetime(2026, 11, 14, tzinfo=UTC))
        run_seconds = time.monotonic() - began
        use_client(None)
    return {
        "otherWorklogs": size,
        "changedWorklogs": changed,
        "daysRecomputed": result.days_recomputed,
        "periodsRecomputed": result.periods_recomputed,
        "requests": meter.requests,
        "itemsRead": meter.read,
        "loadSeconds": round(load_seconds, 1),
        "runSeconds": round(run_seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--changed", type=int, default=1000)
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 100_000])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = [run(size, args.changed) for size in args.sizes]
    for found in results:
        print(json.dumps(found), flush=True)
    small, large = results
    ratios = {name: large[name] / small[name] for name in ("requests", "itemsRead")}
    print(json.dumps({"ratio (large / small)": {k: round(v, 3) for k, v in ratios.items()}}))
    if args.json:
        args.json.write_text(json.dumps({"runs": results, "ratios": ratios}, indent=2) + "\n")
    within = all(abs(ratio - 1) <= TOLERANCE for ratio in ratios.values())
    print("cost follows changed days, not table size" if within else f"ratio outside ±{TOLERANCE:.0%}")
    return 0 if within else 1


if __name__ == "__main__":
    raise SystemExit(main())
