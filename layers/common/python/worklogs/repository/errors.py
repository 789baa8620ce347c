"""What the repository raises: outcomes of storage calls, in storage terms. The services map them to API
errors (worklogs/errors.py); a repository module never decides an HTTP status."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the repository's own errors."""


class VersionConflict(StoreError):
    """A conditional write found the item at another version than the one read (or present, when it was
    read as absent): someone else wrote it meanwhile."""

    def __init__(self, entity: str, workspace_id: str):
        super().__init__(f"The {entity} of workspace {workspace_id} changed meanwhile.")
        self.entity = entity
        self.workspace_id = workspace_id


class LedgerMoved(StoreError):
    """A day of the ledger changed after a snapshot read it (the conditional write lost): read it again."""


class PublishFailed(StoreError):
    """The event bus refused some entries: the batch is retried (events are delivered at least once)."""
