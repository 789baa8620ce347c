"""The event bus (EventBridge): the change-event publisher's only outside call. The client is created on
first use, as the DynamoDB client is (`AwsClient`, repository/dynamodb.py)."""

from __future__ import annotations

import os
from typing import Any

from worklogs.repository.dynamodb import AwsClient
from worklogs.repository.errors import PublishFailed

MAX_ENTRIES = 10  # PutEvents takes at most 10 entries per request
_events = AwsClient("events")


def use_client(new_client: Any) -> None:
    """Swap the client (tests)."""
    _events.use(new_client)


def bus_name() -> str:
    """The bus the template names (EVENT_BUS_NAME); the account's default bus otherwise."""
    return os.environ.get("EVENT_BUS_NAME", "default")


def put_events(entries: list[dict[str, Any]]) -> int:
    """PutEvents in order, 10 entries per request; PublishFailed when EventBridge refuses any entry."""
    for offset in range(0, len(entries), MAX_ENTRIES):
        batch = entries[offset : offset + MAX_ENTRIES]
        response = _events.get().put_events(Entries=batch)
        if response.get("FailedEntryCount"):
            failed = [entry for entry in response.get("Entries", []) if entry.get("ErrorCode")]
            raise PublishFailed(f"{len(failed)} of {len(batch)} events refused: {failed[:3]}")
    return len(entries)
