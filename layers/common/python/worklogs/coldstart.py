"""Garbage collection around a cold start.

Init and the first request allocate most of what a container keeps (modules, models, the DynamoDB client
and its service model); cyclic collections during them find almost nothing to free. Each function's
`app.py` disables the collector before its imports and calls `init_done()` at its end; on Lambda
(`LAMBDA_TASK_ROOT` set) the collector stays off until the first request is answered, then everything
allocated so far is frozen (later collections skip it) and collection resumes. Elsewhere (tests, the
local runner) collection resumes at the end of init.
"""

from __future__ import annotations

import gc
import os


def init_done() -> None:
    gc.freeze()
    if not os.environ.get("LAMBDA_TASK_ROOT"):
        gc.enable()


def request_done() -> None:
    """After each invocation: the first one re-enables the collector (a no-op once it is on)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
