"""The event bus (EventBridge I/O): the publisher's only outside call. The client is created lazily."""

from __future__ import annotations

import os
import threading
from typing import Any

import boto3

from worklogs.events.rules import bus_entry

MAX_ENTRIES = 10  # PutEvents takes at most 10 entries per request
_lock = threading.Lock()
_client: Any = None


def client() -> Any:
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = boto3.client("events")
    return _client


def use_client(new_client: Any) -> None:
    """Swap the client (tests)."""
    global _client
    with _lock:
        _client = new_client


class PublishFailed(Exception):
    """Some entries were not accepted: the batch is retried (events are delivered at least once)."""


def publish(events: list[dict[str, Any]], bus_name: str | None = None) -> int:
    """PutEvents in commit order, 10 per request; raises when EventBridge refuses any entry."""
    name = bus_name or os.environ.get("EVENT_BUS_NAME", "default")
    for offset in range(0, len(events), MAX_ENTRIES):
        entries = [bus_entry(event, name) for event in events[offset : offset + MAX_ENTRIES]]
        response = client().put_events(Entries=entries)
        if response.get("FailedEntryCount"):
            failed = [entry for entry in response.get("Entries", []) if entry.get("ErrorCode")]
            raise PublishFailed(f"{len(failed)} of {len(entries)} events refused: {failed[:3]}")
    return len(events)
