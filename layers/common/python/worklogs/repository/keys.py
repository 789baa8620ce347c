"""Every key format of the main table, in one place (docs/access-patterns.md lists the patterns).

Key parts are escaped so that user-given ids containing `#` cannot collide with another key.
"""

from __future__ import annotations

WORKLOG_SK = "WORKLOG"
SETTINGS_SK = "SETTINGS"
HISTORY_PREFIX = "HISTORY#"


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


def timeline_sk(start_utc: str, worklog_id: str) -> str:
    """Sort key of both timelines: start time (fixed-width UTC text), then id to make it unique."""
    return f"{start_utc}#{worklog_id}"


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
