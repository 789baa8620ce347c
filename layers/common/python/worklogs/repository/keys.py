"""Every key format of the main table, in one place (docs/access-patterns.md lists the patterns).

Key parts are escaped so that user-given ids containing `#` cannot collide with another key.
"""

from __future__ import annotations

import zlib

WORKLOG_SK = "WORKLOG"
SETTINGS_SK = "SETTINGS"
HISTORY_PREFIX = "HISTORY#"
CONTINUATION_PREFIX = "CONT#"
REF_PREFIX = "REF#"
TYPE_PREFIX = "TYPE#"


def part(value: str) -> str:
    """Escape one key component: `%` and `#` are percent-encoded."""
    return value.replace("%", "%25").replace("#", "%23")


def workspace_prefix(workspace_id: str) -> str:
    return f"WS#{part(workspace_id)}#"


def worklog_pk(workspace_id: str, worklog_id: str) -> str:
    return f"WS#{part(workspace_id)}#WL#{part(worklog_id)}"


def worklog_key(workspace_id: str, worklog_id: str) -> dict[str, str]:
    return {"PK": worklog_pk(workspace_id, worklog_id), "SK": WORKLOG_SK}


def owner_timeline_pk(workspace_id: str, owner_type: str, owner_id: str) -> str:
    """GSI1: one owner record's worklogs."""
    return f"WS#{part(workspace_id)}#OWNER#{part(owner_type)}#{part(owner_id)}"


def worker_timeline_pk(workspace_id: str, worker_id: str) -> str:
    """GSI2: one worker's worklogs."""
    return f"WS#{part(workspace_id)}#WORKER#{part(worker_id)}"


def project_timeline_pk(workspace_id: str, project_id: str) -> str:
    """GSI3: one project's worklogs."""
    return f"WS#{part(workspace_id)}#PROJECT#{part(project_id)}"


def ref_timeline_pk(workspace_id: str, ref_type: str, ref_id: str) -> str:
    """GSI3 (overloaded): worklogs linked to one record, through their link copies. The ref type is
    upper-cased: `Task` and `TASK` are the same kind of record."""
    return f"WS#{part(workspace_id)}#REF#{part(ref_type.upper())}#{part(ref_id)}"


def type_timeline_pk(workspace_id: str, type_code: str) -> str:
    """GSI4: worklogs of one worklog type."""
    return f"WS#{part(workspace_id)}#TYPE#{part(type_code)}"


def worker_type_timeline_pk(workspace_id: str, worker_id: str, type_code: str) -> str:
    """GSI5: one worker's worklogs of one type."""
    return f"WS#{part(workspace_id)}#WORKER#{part(worker_id)}#TYPE#{part(type_code)}"


def workspace_timeline_pk(workspace_id: str) -> str:
    """GSI6: every worklog of the workspace, by start time (time-window searches, daily rollups)."""
    return f"WS#{part(workspace_id)}#TIMELINE"


def change_feed_pk(workspace_id: str) -> str:
    """GSI7: every worklog of the workspace in change order (`updatedSince`)."""
    return f"WS#{part(workspace_id)}#CHANGES"


def timeline_sk(start_utc: str, worklog_id: str) -> str:
    """Sort key of the timelines: start time (fixed-width UTC text), then id to make it unique."""
    return f"{start_utc}#{worklog_id}"


def change_sk(updated_utc: str, worklog_id: str) -> str:
    return f"{updated_utc}#{worklog_id}"


def continuation_sk(midnight_utc: str) -> str:
    """A worklog that runs past a UTC midnight is also indexed at that midnight (time-window searches
    then need to look back only to the start of the window's first day)."""
    return f"{CONTINUATION_PREFIX}{midnight_utc}"


def link_copy_sk(ref_type: str, ref_id: str) -> str:
    """The worklog as seen from one linked record (one per link; unique per refType+refId)."""
    return f"{REF_PREFIX}{part(ref_type.upper())}#{part(ref_id)}"


def type_key(workspace_id: str, code: str) -> dict[str, str]:
    return {"PK": workspace_pk(workspace_id), "SK": f"{TYPE_PREFIX}{code}"}


def workspace_pk(workspace_id: str) -> str:
    return f"WS#{part(workspace_id)}"


def settings_key(workspace_id: str) -> dict[str, str]:
    return {"PK": workspace_pk(workspace_id), "SK": SETTINGS_SK}


def history_key(workspace_id: str, worklog_id: str, version: int) -> dict[str, str]:
    """One audit entry per version, in the worklog's own partition (read with one Query)."""
    return {"PK": worklog_pk(workspace_id, worklog_id), "SK": f"{HISTORY_PREFIX}{version:010d}"}


def idempotency_pk(workspace_id: str) -> str:
    """Idempotency records live per workspace, so one tenant's keys can never match another's."""
    return f"WS#{part(workspace_id)}#IDEMPOTENCY"


TIMER_SK = "TIMER"
TIMER_RECEIPT_PREFIX = "TIMER-STOP#"


def user_pk(workspace_id: str, user_id: str) -> str:
    """A user's own items in a workspace (the timer, its stop receipts): nobody else's key reaches them."""
    return f"WS#{part(workspace_id)}#USER#{part(user_id)}"


def timer_key(workspace_id: str, user_id: str) -> dict[str, str]:
    """The one live timer of a user in a workspace (a conditional put keeps it to one)."""
    return {"PK": user_pk(workspace_id, user_id), "SK": TIMER_SK}


def timer_receipt_key(workspace_id: str, user_id: str, timer_id: str) -> dict[str, str]:
    """What stopping a timer wrote, kept for a day so a retried stop returns it."""
    return {"PK": user_pk(workspace_id, user_id), "SK": f"{TIMER_RECEIPT_PREFIX}{part(timer_id)}"}


# Dirty-day markers (main table) and rollup rows (rollup table, docs/rollup-contract.md).

DIRTY_SHARDS = 10
DIRTY_PREFIX = "DIRTY#"


def dirty_shard(workspace_id: str, day: str) -> int:
    """A stable shard for (workspace, day): a busy workspace's days spread over every shard."""
    return zlib.crc32(f"{workspace_id}\n{day}".encode()) % DIRTY_SHARDS


def dirty_shard_pk(shard: int) -> str:
    return f"{DIRTY_PREFIX}{shard:02d}"


def dirty_day_sk(workspace_id: str, day: str) -> str:
    """Sorted by workspace then local day, so one workspace's dirty days in a range are one key range."""
    return f"{part(workspace_id)}#{day}"


def dirty_day_key(workspace_id: str, day: str) -> dict[str, str]:
    return {"PK": dirty_shard_pk(dirty_shard(workspace_id, day)), "SK": dirty_day_sk(workspace_id, day)}


def rollup_bucket(granularity: str, period: str) -> str:
    """Day rows are partitioned by month, week and month rows by year: a month of days is one partition."""
    return period[:7] if granularity == "day" else period[:4]


def rollup_pk(workspace_id: str, granularity: str, period: str) -> str:
    return f"WS#{part(workspace_id)}#{granularity.upper()}#{rollup_bucket(granularity, period)}"


def rollup_sk(period: str, dimension: str, value: tuple[str, ...]) -> str:
    return "#".join([period, dimension, *(part(v) for v in value)])


def rollup_owner_pk(workspace_id: str, granularity: str, owner_type: str, owner_id: str) -> str:
    """Rollup GSI1: one owner record's rows (owner and worker x owner dimensions) of one granularity."""
    return f"WS#{part(workspace_id)}#{granularity.upper()}#OWNER#{part(owner_type)}#{part(owner_id)}"


def rollup_worker_pk(workspace_id: str, granularity: str, worker_id: str) -> str:
    """Rollup GSI2: one worker's rows (worker and worker x owner dimensions) of one granularity."""
    return f"WS#{part(workspace_id)}#{granularity.upper()}#WORKER#{part(worker_id)}"


LEDGER_PREFIX = "LEDGER#"


def ledger_pk(workspace_id: str, utc_day: str) -> str:
    """A workspace's day ledger for one UTC day: every live worklog with time in that day, and the guards."""
    return f"{LEDGER_PREFIX}{part(workspace_id)}#{utc_day}"


def ledger_worker_sk(worker_id: str) -> str:
    """One worker's item in a day ledger."""
    return part(worker_id)


# Timesheet approvals: one item per worker and period, its id derived from both (approvals/rules.py).

APPROVAL_PREFIX = "APPROVAL#"


def approvals_pk(workspace_id: str) -> str:
    """A workspace's approvals: one partition, listed with one Query (filters on state, worker, period)."""
    return f"WS#{part(workspace_id)}#APPROVALS"


def approval_key(workspace_id: str, approval_id: str) -> dict[str, str]:
    return {"PK": approvals_pk(workspace_id), "SK": f"{APPROVAL_PREFIX}{part(approval_id)}"}


RATES_SK = "RATES"


def rates_key(workspace_id: str) -> dict[str, str]:
    """The workspace's rate rules: one item beside the settings, cached and version-checked like them."""
    return {"PK": workspace_pk(workspace_id), "SK": RATES_SK}
