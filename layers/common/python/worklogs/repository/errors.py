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


class CursorKeyMissing(StoreError):
    """Neither a cursor signing key nor the secret holding one is configured: no cursor can be signed."""


class PublishFailed(StoreError):
    """The event bus refused some entries: the batch is retried (events are delivered at least once)."""


class SettingsChanged(StoreError):
    """The workspace settings (or a worklog type, or the rates) changed after the write was checked: check
    it again against the current ones."""


class LedgerChanged(SettingsChanged):
    """Another write for the same worker and UTC day committed after the overlap check: check again."""


class FrozenDays(StoreError):
    """A day the change touches carries a freeze mark (a submitted or approved timesheet period has time in
    it): nothing was written; the caller checks each period precisely and commits again without the marks."""


class ItemTooLarge(StoreError):
    """A worklog would be larger than an item may be."""

    def __init__(self, worklog_id: str, limit_bytes: int):
        super().__init__(f"Worklog {worklog_id} would exceed {limit_bytes} bytes.")
        self.worklog_id = worklog_id
        self.limit_bytes = limit_bytes


class TooManyItems(StoreError):
    """The change needs more items than one transaction may hold."""


class AlreadyExists(StoreError):
    """A new worklog's id is taken."""


class WorklogVersionChanged(StoreError):
    """A worklog was written by someone else since it was read; `current_version` as found (None: gone)."""

    def __init__(self, worklog_id: str, current_version: int | None):
        super().__init__(f"Worklog {worklog_id} changed meanwhile (version {current_version}).")
        self.worklog_id = worklog_id
        self.current_version = current_version
