"""Import a Kimai or Clockify CSV export through `POST /worklogs/batch` (100 rows per request).

    make import FILE=export.csv [WS=acme] [SUB=alice WORKSPACES="acme:admin"] [PORT=3000] [IMPORT_TZ=Europe/Berlin]
    python -m local.import_csv --file export.csv --url http://127.0.0.1:3000 --workspace acme --token "$TOKEN"

The format is recognised by the header row. Local dates and times of the export are read in `--timezone`
(default: the workspace's time zone from its settings). Each row becomes a worklog on its project (or, for
Clockify, its task when it has one); `--keep-users` logs rows for the user named in the export (needs the
manager role), otherwise for the caller. Each batch is sent with an Idempotency-Key derived from the file
and the batch, so re-running an interrupted import does not duplicate what was already written.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests

BATCH_SIZE = 100
KIMAI = {"Date", "From", "To", "Duration", "User", "Project", "Activity", "Description"}
CLOCKIFY = {"Project", "Description", "User", "Billable", "Start Date", "Start Time", "End Date", "End Time"}


class UnknownFormat(ValueError):
    pass


def detect(header: Sequence[str]) -> str:
    names = {name.strip() for name in header}
    if names >= KIMAI:
        return "kimai"
    if names >= CLOCKIFY:
        return "clockify"
    raise UnknownFormat(f"Not a Kimai or Clockify export (columns: {', '.join(sorted(names))}).")


def _clock(text: str) -> str:
    """`09:00`, `09:00:00`, `9:00 AM`, `09:00:00 PM` as HH:MM:SS."""
    text = text.strip().upper()
    for pattern in ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p"):
        try:
            return datetime.strptime(text, pattern).strftime("%H:%M:%S")
        except ValueError:
            continue
    raise ValueError(f"unreadable time '{text}'")


def _day(text: str) -> str:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"unreadable date '{text}'")


def _instant(day: str, clock: str, tz: ZoneInfo) -> str:
    local = datetime.fromisoformat(f"{_day(day)}T{_clock(clock)}").replace(tzinfo=tz)
    return local.isoformat()


def _rate(text: str | None) -> str | None:
    value = (text or "").strip().replace(",", ".")
    try:
        return value if value and float(value) > 0 else None
    except ValueError:
        return None


def _description(text: str) -> str:
    return f"<p>{html.escape(text.strip())}</p>" if text.strip() else ""


def to_worklog(row: dict[str, str], kind: str, tz: ZoneInfo, *, keep_users: bool) -> dict[str, Any]:
    """One export row as a worklog create."""
    row = {key.strip(): (value or "").strip() for key, value in row.items() if key}
    project = row.get("Project") or "No project"
    if kind == "kimai":
        start, end = _instant(row["Date"], row["From"], tz), _instant(row["Date"], row["To"], tz)
        data: dict[str, Any] = {"billable": True, "activity": row.get("Activity") or None}
        rate = _rate(row.get("Hourly rate"))
        owner_type, owner_id = "Project", project
    else:
        start = _instant(row["Start Date"], row["Start Time"], tz)
        end = _instant(row["End Date"], row["End Time"], tz)
        data = {"billable": row.get("Billable", "").lower() in ("yes", "true", "1")}
        rate = next((_rate(v) for k, v in row.items() if k.startswith("Billable Rate")), None)
        owner_type, owner_id = ("Task", row["Task"]) if row.get("Task") else ("Project", project)
    if rate:
        data["rate"] = rate
    if row.get("Tags"):
        data["tags"] = row["Tags"]
    body: dict[str, Any] = {
        "ownerType": owner_type,
        "ownerId": owner_id[:256],
        "projectId": project[:128],
        "description": _description(row.get("Description", "")),
        "startDate": start,
        "endDate": end,
        "data": {key: value for key, value in data.items() if value is not None},
    }
    if keep_users and row.get("User"):
        body["workerId"] = row["User"][:128]
    return body


def parse(text: str, tz: ZoneInfo, *, keep_users: bool = False) -> tuple[str, list[dict[str, Any]], list[str]]:
    """(format, worklog creates, problems of rows that could not be read)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    kind = detect(reader.fieldnames or [])
    items, problems = [], []
    for line, row in enumerate(reader, start=2):
        try:
            items.append(to_worklog(row, kind, tz, keep_users=keep_users))
        except (KeyError, ValueError) as error:
            problems.append(f"line {line}: {error}")
    return kind, items, problems


def _bar(done: int, total: int, created: int, refused: int, width: int = 30) -> str:
    filled = width * done // max(total, 1)
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} rows, {created} created, {refused} refused"


def run(args: argparse.Namespace) -> int:
    headers = {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"}
    base = f"{args.url.rstrip('/')}/v1/workspaces/{args.workspace}"
    text = open(args.file, encoding="utf-8").read()  # noqa: SIM115 - read once, closed at exit
    zone = args.timezone
    if not zone:
        settings = requests.get(f"{base}/settings", headers=headers, timeout=30)
        settings.raise_for_status()
        zone = settings.json()["timezone"]
    kind, items, problems = parse(text, ZoneInfo(zone), keep_users=args.keep_users)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    created = refused = 0
    refusals: list[str] = []
    for offset in range(0, len(items), BATCH_SIZE):
        batch = items[offset : offset + BATCH_SIZE]
        key = f"import-{digest}-{offset // BATCH_SIZE}"
        response = requests.post(
            f"{base}/worklogs/batch",
            data=json.dumps({"items": batch}),
            headers={**headers, "Idempotency-Key": key},
            timeout=120,
        )
        if response.status_code != 200:
            print(
                f"\nbatch {offset // BATCH_SIZE + 1} refused: {response.status_code} {response.text[:300]}",
                file=sys.stderr,
            )
            return 1
        for result in response.json()["results"]:
            if result["status"] == 201:
                created += 1
            else:
                refused += 1
                error = result["error"]
                refusals.append(
                    f"row {offset + result['index'] + 1}: {result['status']} {error['code']} {error['message']}"
                )
        print(_bar(offset + len(batch), len(items), created, refused), end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    summary = {
        "format": kind,
        "timezone": zone,
        "rows": len(items) + len(problems),
        "created": created,
        "refused": refused,
        "unreadable": len(problems),
    }
    print(json.dumps(summary))
    for line in problems + refusals:
        print(f"  {line}", file=sys.stderr)
    return 0 if not refused and not problems else 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", required=True)
    parser.add_argument("--url", default="http://127.0.0.1:3000")
    parser.add_argument("--workspace", default="acme")
    parser.add_argument("--token", required=True)
    parser.add_argument("--timezone", default="", help="IANA zone of the export's times (default: the workspace's)")
    parser.add_argument("--keep-users", action="store_true", help="log rows for the export's users (manager role)")
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
