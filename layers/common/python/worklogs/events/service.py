"""Publish the change events of a batch of stream records, in stream order (per resource: version order)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from worklogs.events import rules
from worklogs.repository import events as bus


def events_of(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for record in records if (event := rules.change_event(record)) is not None]


def publish_records(records: list[dict[str, Any]]) -> int:
    """One event per committed change in the records; an error makes the whole batch retry (at least once)."""
    name = bus.bus_name()
    return bus.put_events([rules.bus_entry(event, name) for event in events_of(records)])
