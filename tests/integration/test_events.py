"""The sample API Gateway v2 events in events/ run through the real handlers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local.events import LambdaContext
from local.functions import handler
from local.template import routes

EVENTS = Path(__file__).resolve().parents[2] / "events"


def load(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def invoke(event: dict) -> dict:
    route = next(route for route in routes() if route.route_key == event["routeKey"])
    return handler(route.function)(event, LambdaContext(route.function))


def test_every_route_has_a_sample_event():
    sampled = {load(path.stem)["routeKey"] for path in EVENTS.glob("*.json") if "routeKey" in load(path.stem)}
    documented = {route.route_key for route in routes() if route.path != "/v1/docs"}
    assert documented <= sampled


def test_create_then_get_then_search_with_the_sample_events(dynamodb):
    created = invoke(load("create_worklog"))
    assert created["statusCode"] == 201, created["body"]
    worklog = json.loads(created["body"])
    assert worklog["ownerId"] == "T-1042" and worklog["durationMinutes"] == 90

    get_event = load("get_worklog")
    sample_id = get_event["pathParameters"]["worklogId"]
    get_event["pathParameters"]["worklogId"] = worklog["id"]
    get_event["rawPath"] = get_event["rawPath"].replace(sample_id, worklog["id"])
    get_event["requestContext"]["http"]["path"] = get_event["rawPath"]
    fetched = invoke(get_event)
    assert fetched["statusCode"] == 200
    assert json.loads(fetched["body"]) == worklog

    for name in ("search_worklogs_by_owner", "search_worklogs_by_worker"):
        page = invoke(load(name))
        assert page["statusCode"] == 200
        assert [item["id"] for item in json.loads(page["body"])["items"]] == [worklog["id"]]


@pytest.mark.parametrize("name", ["get_openapi_schema"])
def test_public_events(name):
    assert invoke(load(name))["statusCode"] == 200
