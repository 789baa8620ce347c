"""Lambda SnapStart: what a restored snapshot must not share with every other sandbox restored from it.

With SnapStart on, Lambda runs a function's init once per published version, snapshots the memory, and
starts each new sandbox from that snapshot. Anything init created is then identical in every sandbox and
possibly minutes or days old. After each restore this module:

- reseeds `random` from the OS (jitter and any other pseudo-random choice would otherwise repeat in every
  sandbox; ids use `uuid4`, which reads the OS entropy pool each time and is safe);
- drops the DynamoDB client (its connections and credentials belong to the snapshot; the next call creates
  a fresh one, with a fresh X-Ray patch state check);
- empties the per-container caches (workspace settings, worklog types, the cursor key from Secrets Manager).

`snapshot_restore_py` exists only in the Lambda Python runtime (3.12+); elsewhere `register()` does nothing.
"""

from __future__ import annotations

import random
import sys


def after_restore() -> None:
    random.seed()
    from worklogs.repository.cache import WorkspaceCache
    from worklogs.repository.dynamodb import use_client

    use_client(None)
    WorkspaceCache.invalidate_all()
    parameters = sys.modules.get("aws_lambda_powertools.utilities.parameters")
    if parameters is not None:
        parameters.clear_caches()


_registered = False


def register() -> None:
    """Register the restore hook once per process (a no-op outside Lambda's runtime)."""
    global _registered
    if _registered:
        return
    try:
        from snapshot_restore_py import register_after_restore
    except ImportError:
        return
    register_after_restore(after_restore)
    _registered = True
