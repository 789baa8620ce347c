"""Shared fixtures: moto DynamoDB with tables from template.yaml, and calling handlers like API Gateway."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from local.template import local_environment
from tests.helpers import Api
from tests.security.summary import pytest_terminal_summary  # noqa: F401  (the attack corpus table)

# The functions' environment, as the template defines it (before any worklogs module reads it).
os.environ.update(local_environment())
os.environ.update(
    {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "CURSOR_SIGNING_KEY": "test-cursor-key",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "worklogs-tests",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("CURSOR_SECRET_ARN", None)
os.environ.pop("DYNAMODB_ENDPOINT_URL", None)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow tests (`@pytest.mark.slow`) first: under xdist they start at once, spread over the workers, instead
    of serialising the end of the run."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(scope="session")
def moto_dynamodb() -> Iterator[Any]:
    """One moto DynamoDB with the template's tables per test process (tests/moto_store.py)."""
    from tests import moto_store

    yield moto_store.start()
    moto_store.stop()


@pytest.fixture
def dynamodb(moto_dynamodb: Any) -> Iterator[Any]:
    """The template's tables, empty, with no cached workspace reads: the repository uses them."""
    from tests import moto_store

    with moto_store.fresh() as client:
        yield client


@dataclass
class DynamoCalls:
    """DynamoDB requests made through the repository's client, counted with botocore's event hooks."""

    operations: list[str] = field(default_factory=list)

    def reset(self) -> None:
        self.operations.clear()


@pytest.fixture
def ddb_calls(dynamodb: Any) -> Iterator[DynamoCalls]:
    calls = DynamoCalls()

    def record(model: Any, **_: Any) -> None:
        calls.operations.append(model.name)

    dynamodb.meta.events.register("before-call.dynamodb", record)
    yield calls
    dynamodb.meta.events.unregister("before-call.dynamodb", record)


@pytest.fixture
def api(dynamodb: Any) -> Api:
    return Api()


@pytest.fixture
def atomic_writes(dynamodb: Any) -> Iterator[None]:
    """DynamoDB checks a write's condition and applies it atomically; moto's in-memory backend does not lock,
    so two threads can both pass `attribute_not_exists`. Tests that race on purpose restore the guarantee
    with the local runner's own mechanism (local/atomic.py)."""
    from local.atomic import serialise_store

    undo = serialise_store()
    yield
    undo()
