"""Search cost benchmark: 20,000 worklogs across 50 owners, 20 workers and 10 days in moto; for every
search pattern, the DynamoDB requests per page, items read per item returned (read amplification) and the
read units computed from item sizes (moto does not report consumed capacity truthfully).

    python bench/search.py [--worklogs 20000] [--pages 3] [--json bench/search-results.json]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: the repo root

from bench.environment import ROOT, prepare

prepare()

WORKSPACE = "bench"
DAYS = [datetime(2026, 11, 2, tzinfo=UTC) + timedelta(days=n) for n in range(10)]
TYPES = ["Investigation", "Implementation", "Testing", "Review", "Meeting"]
TARGET_REQUESTS_PER_PAGE = 1
TARGET_AMPLIFICATION = 1.5
EVENTUALLY_CONSISTENT_RCU_BYTES = 8192  # 4 KB per RCU, halved for eventually consistent reads

# (pattern, query, indexed): `indexed` patterns have a key built for them and carry the amplification target;
# the others add a filter whose selectivity sets their amplification (docs/access-patterns.md).
DAY = {"from": "2026-11-05T00:00:00Z", "to": "2026-11-06T00:00:00Z"}
WEEK = {"from": "2026-11-02T00:00:00Z", "to": "2026-11-09T00:00:00Z"}
PATTERNS: list[tuple[str, dict[str, str], bool]] = [
    ("owner", {"ownerType": "Ticket", "ownerId": "T-7"}, True),
    ("worker", {"workerId": "user-3"}, True),
    ("project", {"projectId": "P-2"}, True),
    ("type", {"worklogTypeCode": "Testing"}, True),
    ("ref (linked record)", {"refType": "TASK", "refId": "TASK-11"}, True),
    ("worker + type", {"workerId": "user-3", "worklogTypeCode": "Testing"}, True),
    ("window: 1 day", DAY, True),
    ("window: 1 week", WEEK, True),
    ("owner + window (1 day)", {"ownerType": "Ticket", "ownerId": "T-7", **DAY}, True),
    ("worker + window (1 day)", {"workerId": "user-3", **DAY}, True),
    ("project + window (1 day)", {"projectId": "P-2", **DAY}, True),
    ("type + window (1 day)", {"worklogTypeCode": "Testing", **DAY}, True),
    ("worker + type + window (1 week)", {"workerId": "user-3", "worklogTypeCode": "Testing", **WEEK}, True),
    ("ref + window (1 week)", {"refType": "TASK", "refId": "TASK-11", **WEEK}, True),
    ("changes (updatedSince)", {"updatedSince": "2026-01-01T00:00:00Z"}, True),
    ("owner + worker (filter)", {"ownerType": "Ticket", "ownerId": "T-7", "workerId": "user-3"}, False),
    ("window + billable (filter)", {**DAY, "billable": "true"}, False),
    ("project + type (filter)", {"projectId": "P-2", "worklogTypeCode": "Testing"}, False),
]


def make_worklogs(count: int, seed: int = 7) -> list[Any]:
    from worklogs.domain.durations import format_iso_duration
    from worklogs.models import Link, UserRef, Worklog

    rng = random.Random(seed)
    made = []
    for _ in range(count):
        day = rng.choice(DAYS)
        start = day + timedelta(hours=rng.randint(6, 22), minutes=rng.choice([0, 15, 30, 45]))
        seconds = rng.choice([15, 30, 45, 60, 90, 120, 180, 240]) * 60
        worklog_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        worker = f"user-{rng.randrange(20)}"
        who = UserRef(id=worker, display=worker.title())
        stamp = start + timedelta(seconds=seconds, minutes=5)
        links = []
        if rng.random() < 0.3:
            links.append(
                Link(
                    id=str(uuid.uuid4()),
                    worklogId=worklog_id,
                    refType="Task",
                    refId=f"TASK-{rng.randrange(100)}",
                    name="Task",
                    createdAt=stamp,
                    createdBy=who,
                )
            )
        made.append(
            Worklog(
                id=worklog_id,
                workspaceId=WORKSPACE,
                projectId=f"P-{rng.randrange(10)}",
                ownerType="Ticket",
                ownerId=f"T-{rng.randrange(50)}",
                workerId=worker,
                worklogTypeCode=rng.choice(TYPES),
                description="<p>Worked on the ticket: analysis, changes and verification.</p>",
                data={"billable": rng.random() < 0.6, "rate": 95, "location": rng.choice(["remote", "onsite"])},
                startDate=start,
                endDate=start + timedelta(seconds=seconds),
                durationMinutes=seconds // 60,
                duration=format_iso_duration(seconds),
                links=links,
                taskEntityRefId=links[0].refId if links else None,
                version=1,
                createdAt=stamp,
                createdBy=who,
                updatedAt=stamp,
                updatedBy=who,
                loggedBy=who,
                self=f"/v1/workspaces/{WORKSPACE}/worklogs/{worklog_id}",
            )
        )
    return made


def load(client: Any, worklogs: list[Any]) -> int:
    """Write the worklogs and their derived copies exactly as the repository would, in batches."""
    from worklogs.repository.dynamodb import serialize
    from worklogs.repository.worklog_items import derived_items, to_item

    items = [item for worklog in worklogs for item in (to_item(worklog), *derived_items(worklog))]
    for offset in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": serialize(item)}} for item in items[offset : offset + 25]]
        pending = {"MainTable": batch}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(items)


class Meter:
    """Counts DynamoDB requests and the items each Query read (ScannedCount) and returned, with their sizes."""

    def __init__(self, client: Any):
        self.requests = 0
        self.scanned = 0
        self.returned = 0
        self.bytes_returned = 0
        client.meta.events.register("before-call.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb.Query", self._after)

    def _before(self, **_: Any) -> None:
        self.requests += 1

    def _after(self, parsed: dict[str, Any], **_: Any) -> None:
        self.scanned += parsed.get("ScannedCount", 0)
        self.returned += parsed.get("Count", 0)
        self.bytes_returned += sum(len(json.dumps(item)) for item in parsed.get("Items", []))

    def reset(self) -> None:
        self.requests = self.scanned = self.returned = self.bytes_returned = 0


def call_search(query: dict[str, str]) -> dict[str, Any]:
    from local.events import LambdaContext, http_api_event
    from local.functions import handler

    event = http_api_event(
        method="GET",
        path=f"/v1/workspaces/{WORKSPACE}/worklogs",
        route_key="GET /v1/workspaces/{workspaceId}/worklogs",
        path_parameters={"workspaceId": WORKSPACE},
        query_string=urlencode(query),
        claims={"sub": "bench", "workspaces": [f"{WORKSPACE}:viewer"]},
    )
    result = handler("SearchWorklogsFunction")(event, LambdaContext("search"))
    body = json.loads(result["body"])
    if result["statusCode"] != 200:
        raise RuntimeError(f"{query}: {result['statusCode']} {body}")
    return body


def measure(meter: Meter, query: dict[str, str], pages: int) -> dict[str, Any]:
    requests, scanned, returned, units, walked = [], 0, 0, 0.0, 0
    cursor = None
    for _ in range(pages):
        meter.reset()
        page = call_search({**query, "limit": "50", **({"cursor": cursor} if cursor else {})})
        walked += 1
        requests.append(meter.requests)
        scanned += meter.scanned
        returned += len(page["items"])
        average = meter.bytes_returned / meter.returned if meter.returned else 0
        units += math.ceil(meter.scanned * average / EVENTUALLY_CONSISTENT_RCU_BYTES) if meter.scanned else 0.5
        cursor = page.get("nextCursor")
        if not cursor:
            break
    return {
        "pages": walked,
        "requestsPerPage": max(requests),
        "itemsRead": scanned,
        "itemsReturned": returned,
        "readAmplification": round(scanned / returned, 3) if returned else None,
        "readUnitsPerPage": round(units / walked, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worklogs", type=int, default=20_000)
    parser.add_argument("--pages", type=int, default=3, help="pages walked per pattern (limit 50)")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "search-results.json")
    args = parser.parse_args(argv)

    import boto3
    from moto import mock_aws

    from local.dynamodb import create_tables
    from worklogs.repository.dynamodb import use_client

    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_tables(client)
        use_client(client)
        began = time.monotonic()
        worklogs = make_worklogs(args.worklogs)
        written = load(client, worklogs)
        print(
            f"loaded {len(worklogs)} worklogs ({written} items with their index copies) "
            f"in {time.monotonic() - began:.0f} s\n"
        )
        from worklogs.domain import search as search_rules

        search_rules.FEED_SAFETY_SECONDS = -(10**9)  # the loaded history is "in the past" for the feed
        meter = Meter(client)
        rows = []
        for name, query, indexed in PATTERNS:
            result = measure(meter, query, args.pages)
            amplification = result["readAmplification"]
            met = result["requestsPerPage"] <= TARGET_REQUESTS_PER_PAGE and (
                not indexed or amplification is None or amplification <= TARGET_AMPLIFICATION
            )
            rows.append({"pattern": name, "query": query, "indexed": indexed, **result, "meetsTargets": met})
    header = (
        f"{'pattern':36} {'pages':>5} {'req/page':>8} {'read':>6} {'returned':>8} {'read/returned':>13} "
        f"{'RCU/page':>8}  target"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        target = ("ok" if row["meetsTargets"] else "MISSED") if row["indexed"] else "filter"
        print(
            f"{row['pattern']:36} {row['pages']:>5} {row['requestsPerPage']:>8} {row['itemsRead']:>6} "
            f"{row['itemsReturned']:>8} {row['readAmplification'] or '-':>13} {row['readUnitsPerPage']:>8}  "
            f"{target}"
        )
    print(
        f"\ntargets: {TARGET_REQUESTS_PER_PAGE} request per page for every pattern; read amplification <= "
        f"{TARGET_AMPLIFICATION} for every indexed pattern (`filter` rows: amplification = 1 / selectivity of "
        "the extra filter). RCU: items read x average item size / 4 KB, halved (eventually consistent GSI reads)."
    )
    args.json.write_text(json.dumps({"worklogs": args.worklogs, "rows": rows}, indent=2) + "\n")
    print(f"written to {args.json}")
    missed = [row["pattern"] for row in rows if not row["meetsTargets"]]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
