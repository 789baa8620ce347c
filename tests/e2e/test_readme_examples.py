"""The README's marked example blocks run verbatim against the local runner, so the README cannot drift.

A block preceded by `<!-- doc-test: name -->` runs in bash (`set -euo pipefail`) with the runner's URL in
place of http://127.0.0.1:3000. Each `curl` must answer the status named by the nearest `→ NNN` comment
above it. `sleep N` does not wait: it moves the runner's running timers N seconds into the past
(tests/e2e/timewarp.py), which is all that waiting does to them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
_BLOCK = re.compile(r"<!-- doc-test: ([\w-]+) -->\s*```bash\n(.*?)```", re.S)
_EXPECT = re.compile(r"→ (\d{3})")


def marked_blocks(text: str) -> dict[str, str]:
    return {name: body for name, body in _BLOCK.findall(text)}


def expected_statuses(script: str) -> list[int]:
    expected, current = [], None
    for line in script.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and (match := _EXPECT.search(stripped)):
            current = int(match.group(1))
        elif re.match(r"^(\w+=\$\()?curl\b", stripped):
            assert current is not None, f"no expected status above: {stripped}"
            expected.append(current)
    return expected


PRELUDE = """
set -euo pipefail
curl() { command curl -w '%{stderr}HTTP_STATUS %{http_code}\\n' "$@"; }
make() { command make --no-print-directory -C "$WORKLOGS_ROOT" "$@"; }
sleep() { "$WORKLOGS_PYTHON" -m tests.e2e.timewarp "$1" "$WORKLOGS_RUNNER_STATE"; }
"""


def run_block(script: str, base_url: str, workdir: Path, runner_state: Path) -> tuple[list[int], str]:
    script = script.replace("http://127.0.0.1:3000", base_url)
    result = subprocess.run(
        ["bash", "-c", PRELUDE + script],
        cwd=workdir,
        env={
            **os.environ,
            "WORKLOGS_ROOT": str(ROOT),
            "WORKLOGS_PYTHON": sys.executable,
            "WORKLOGS_RUNNER_STATE": str(runner_state),
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"block failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    statuses = [int(code) for code in re.findall(r"HTTP_STATUS (\d{3})", result.stderr)]
    return statuses, result.stdout


def test_readme_has_marked_examples():
    assert {"quick-start", "timer", "bulk-import", "approvals", "rates"} <= set(
        marked_blocks(README.read_text(encoding="utf-8"))
    )


@pytest.mark.parametrize("name", sorted(marked_blocks(README.read_text(encoding="utf-8"))))
def test_readme_example_runs_as_written(name, local_api, local_dir, tmp_path):
    script = marked_blocks(README.read_text(encoding="utf-8"))[name]
    statuses, output = run_block(script, local_api, tmp_path, local_dir / "runner.json")
    assert statuses == expected_statuses(script), output
