"""The attack corpus: each test records how many attacks of its class it tried (`tried(kind, n)`), and the
run ends with a table of them (tests/security/summary.py), so a run says what was attempted."""

from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture
def tried(record_property: Callable[[str, object], None]) -> Callable[[str, int], None]:
    """`tried("forged tokens", 41)`: counted into the summary (works across xdist workers)."""

    def record(kind: str, count: int) -> None:
        assert count > 0, f"no {kind} were tried"
        record_property("attacks_tried", f"{kind}={count}")

    return record
