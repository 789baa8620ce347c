"""Integration fixtures: each workspace the tests use starts with the worklog types they log against."""

from __future__ import annotations

import pytest

from tests.helpers import claims

COMMON_TYPES = ("Investigation", "Implementation", "Testing", "Other")


@pytest.fixture(autouse=True)
def worklog_types(request):
    """Define the common worklog types in `acme` and `beta` for tests that talk to the API."""
    if "api" not in request.fixturenames:
        return
    api = request.getfixturevalue("api")
    for workspace in ("acme", "beta"):
        for code in COMMON_TYPES:
            response = api.put(
                f"/v1/workspaces/{workspace}/worklog-types/{code}",
                json_body={"name": code},
                caller=claims(workspaces=f"{workspace}:admin"),
            )
            assert response.status == 201, response.body
