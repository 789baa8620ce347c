"""Integration fixtures: each workspace the tests use starts with the worklog types they log against."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests import moto_store
from tests.helpers import COMMON_TYPES, claims

_seeded: dict[str, moto_store.Snapshot] = {}


def _with_common_types(api: Any) -> moto_store.Snapshot:
    """The store after an admin of `acme` and of `beta` defined the common types through the API: made once
    per test process, then put back directly for each test."""
    if "types" not in _seeded:
        for workspace in ("acme", "beta"):
            for code in COMMON_TYPES:
                response = api.put(
                    f"/v1/workspaces/{workspace}/worklog-types/{code}",
                    json_body={"name": code},
                    caller=claims(workspaces=f"{workspace}:admin"),
                )
                assert response.status == 201, response.body
        _seeded["types"] = moto_store.snapshot()
    return _seeded["types"]


@pytest.fixture(autouse=True)
def worklog_types(request: pytest.FixtureRequest) -> None:
    """Define the common worklog types in `acme` and `beta` for tests that talk to the API."""
    if "api" not in request.fixturenames:
        return
    api = request.getfixturevalue("api")
    moto_store.reset(_with_common_types(api))


@pytest.fixture(params=[0, 3], ids=["no-lag", "index-lag-3s"])
def lag(request: pytest.FixtureRequest, dynamodb: Any) -> Iterator[float]:
    """Each test twice: with indexes that answer at once and with indexes trailing writes by 3 s."""
    from local import index_lag

    before = index_lag.lag_seconds()
    index_lag.set_lag(request.param)
    yield request.param
    index_lag.set_lag(before)
