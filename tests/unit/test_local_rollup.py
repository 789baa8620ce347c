"""The local runner's rollup: its period comes from template.yaml, and `make rollup` runs it against a store."""

from __future__ import annotations

import copy
import json

import pytest

from local.rollup import main, schedule_seconds
from local.template import load_template


def test_schedule_period_is_read_from_the_template():
    assert schedule_seconds() == 300
    template = copy.deepcopy(load_template())  # the loaded template is shared: do not change it
    template["Parameters"]["RollupSchedule"]["Default"] = "rate(1 hour)"
    assert schedule_seconds(template) == 3600
    template["Parameters"]["RollupSchedule"]["Default"] = "cron(0 * * * ? *)"
    with pytest.raises(ValueError):
        schedule_seconds(template)


def test_make_rollup_runs_the_scheduled_function_against_a_running_store(capsys, monkeypatch):
    from local.dynamodb import create_tables, dynamodb_client, start_embedded_dynamodb

    for name in ("DYNAMODB_ENDPOINT_URL", "CURSOR_SIGNING_KEY"):
        monkeypatch.setenv(name, "placeholder")  # restored after the test: prepare_environment overwrites them
    store, endpoint = start_embedded_dynamodb()
    try:
        create_tables(dynamodb_client(endpoint))
        assert main(["--endpoint", endpoint]) == 0
    finally:
        store.stop()
        from worklogs.config import environment
        from worklogs.repository.dynamodb import use_client

        use_client(None)
        environment.cache_clear()  # forget the stopped endpoint
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    last = printed["runs"][-1]
    assert last["complete"] is True and last["daysRecomputed"] == 0
