"""The table of attacks tried, printed at the end of a run (hooked in by tests/conftest.py, which the
xdist controller loads too)."""

from __future__ import annotations

from collections import Counter

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counts: Counter[str] = Counter()
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        for name, value in getattr(report, "user_properties", []):
            if name == "attacks_tried" and report.when == "call":
                kind, _, count = str(value).rpartition("=")
                counts[kind] += int(count)
    if counts:
        terminalreporter.section("attack corpus (tests/security)")
        for kind, tried in sorted(counts.items()):
            terminalreporter.write_line(f"{tried:6d}  {kind}")
        terminalreporter.write_line(f"{sum(counts.values()):6d}  in all")
