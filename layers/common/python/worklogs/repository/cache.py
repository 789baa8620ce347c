"""A small per-container cache of workspace-scoped reads (settings, worklog types).

Staleness is safe: writes check in their transaction that what they were validated against is still
current, and refresh the cache when it is not.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Generic, TypeVar

T = TypeVar("T")


class WorkspaceCache(Generic[T]):
    _every: weakref.WeakSet[WorkspaceCache] = weakref.WeakSet()

    def __init__(self, seconds: float = 300, max_workspaces: int = 1000):
        WorkspaceCache._every.add(self)
        self.seconds = seconds
        self.max_workspaces = max_workspaces
        self._entries: dict[str, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def get(self, workspace_id: str) -> T | None:
        with self._lock:
            entry = self._entries.get(workspace_id)
        if entry and time.monotonic() - entry[0] < self.seconds:
            return entry[1]
        return None

    def put(self, workspace_id: str, value: T) -> T:
        with self._lock:
            if len(self._entries) >= self.max_workspaces:
                self._entries.clear()
            self._entries[workspace_id] = (time.monotonic(), value)
        return value

    def invalidate(self, workspace_id: str | None = None) -> None:
        with self._lock:
            if workspace_id is None:
                self._entries.clear()
            else:
                self._entries.pop(workspace_id, None)

    @classmethod
    def invalidate_all(cls) -> None:
        """Empty every cache of the process (a SnapStart restore: the snapshot's entries may be old)."""
        for cache in list(cls._every):
            cache.invalidate()
