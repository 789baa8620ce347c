"""Change events: one per committed change, from the main table's stream, in commit order; the publisher
puts them on the event bus (moto EventBridge, a rule to SQS, as docs/events.md shows)."""

from __future__ import annotations

import json

import boto3
import pytest

from local.change_events import EmbeddedStreams, StreamFeed, write_events
from tests.helpers import BOB, MIA, a_worklog, claims

ACME = "/v1/workspaces/acme"


@pytest.fixture
def feed(dynamodb) -> StreamFeed:
    return StreamFeed(endpoint_url=None)


def _commits(api) -> dict[str, str]:
    created = api.post(f"{ACME}/worklogs", json_body=a_worklog(), caller=BOB).json
    url = f"{ACME}/worklogs/{created['id']}"
    api.patch(url, json_body={"description": "edited"}, headers={"If-Match": '"1"'}, caller=BOB)
    api.post(f"{url}/split", json_body={"at": "2026-11-11T10:00:00Z"}, caller=BOB)
    api.delete(url, caller=BOB)
    api.post(f"{url}/restore", caller=BOB)
    api.put(f"{ACME}/settings", json_body={"timezone": "Europe/Berlin"}, caller=claims())
    api.put(f"{ACME}/rates", json_body={"rules": [{"rate": "90.00", "validFrom": "2026-01-01"}]}, caller=claims())
    approval = api.post(f"{ACME}/approvals", json_body={"period": "2026-W46"}, caller=BOB).json
    api.post(f"{ACME}/approvals/{approval['id']}/approve", caller=MIA)
    return {"worklog": created["id"], "approval": approval["id"]}


def test_every_committed_change_is_one_event_in_commit_order(api, feed, tmp_path):
    ids = _commits(api)
    events = feed.poll()
    types = [event["type"] for event in events]
    assert [t for t in types if not t.startswith("worklog.")] == [
        "settings.updated",
        "rates.updated",
        "approval.submitted",
        "approval.approved",
    ]
    mine = [(e["type"], e["version"]) for e in events if e["id"] == ids["worklog"]]
    assert mine == [
        ("worklog.created", 1),
        ("worklog.updated", 2),
        ("worklog.split", 3),
        ("worklog.deleted", 4),
        ("worklog.restored", 5),
    ]
    assert types.count("worklog.split") == 2  # both pieces
    deleted = next(e for e in events if e["type"] == "worklog.deleted")
    assert deleted["data"]["deletedAt"] and deleted["actor"]["id"] == "bob" and deleted["workspaceId"] == "acme"
    assert not any(key.startswith("GSI") or key in ("PK", "SK") for key in deleted["data"])
    approved = events[-1]
    assert (approved["id"], approved["version"], approved["actor"]["id"]) == (ids["approval"], 2, "mia")
    assert feed.poll() == []  # nothing twice

    out = tmp_path / "events.jsonl"
    write_events(events, out)
    assert [json.loads(line)["type"] for line in out.read_text().splitlines()] == types


def test_a_stopped_timer_emits_timer_stopped_and_its_worklogs(api, feed, dynamodb):
    from datetime import UTC, datetime, timedelta

    from tests.integration.test_timer import backdate

    assert (
        api.post(f"{ACME}/timer/start", json_body={"ownerType": "Ticket", "ownerId": "T-1"}, caller=BOB).status == 201
    )
    backdate(dynamodb, [(datetime.now(UTC) - timedelta(minutes=30), None)])
    stopped = api.post(f"{ACME}/timer/stop", caller=BOB)
    assert stopped.status == 200, stopped.body
    events = feed.poll()
    assert sorted(e["type"] for e in events) == ["timer.stopped", "worklog.created"]
    receipt = next(e for e in events if e["type"] == "timer.stopped")
    assert receipt["data"]["worklogIds"] == [stopped.json["worklogs"][0]["id"]] and receipt["workspaceId"] == "acme"


def test_the_publisher_puts_them_on_the_bus_in_order(api, dynamodb, monkeypatch):
    from local.events import LambdaContext
    from local.functions import handler
    from worklogs.repository import events as bus

    events_client = boto3.client("events", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    events_client.create_event_bus(Name="worklog-events")
    queue_url = sqs.create_queue(QueueName="worklog-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events_client.put_rule(
        Name="all-worklog-events", EventBusName="worklog-events", EventPattern=json.dumps({"source": ["worklogs"]})
    )
    events_client.put_targets(
        Rule="all-worklog-events", EventBusName="worklog-events", Targets=[{"Id": "queue", "Arn": queue_arn}]
    )
    monkeypatch.setenv("EVENT_BUS_NAME", "worklog-events")
    bus.use_client(events_client)
    streams = EmbeddedStreams()  # moto answers Streams calls in-process (local/change_events.py says why)
    arn = dynamodb.describe_table(TableName="MainTable")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")

    _commits(api)
    records = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"]
    try:
        result = handler("PublishEventsFunction")({"Records": records}, LambdaContext("publish_events"))
    finally:
        bus.use_client(None)

    received = []
    for _ in range(20):
        batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        received += [json.loads(message["Body"]) for message in batch]
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)],
        ) if batch else None
        if len(received) >= result["events"]:
            break
    assert result["events"] == len(received) == 10
    assert {message["source"] for message in received} == {"worklogs"}
    assert {message["detail-type"] for message in received} == {
        "worklog.created",
        "worklog.updated",
        "worklog.split",
        "worklog.deleted",
        "worklog.restored",
        "settings.updated",
        "rates.updated",
        "approval.submitted",
        "approval.approved",
    }
    # A standard queue may reorder deliveries: each event carries its resource's version to order by.
    for message in received:
        assert message["detail"]["type"] == message["detail-type"] and message["detail"]["version"] >= 1


def test_a_refused_write_emits_nothing_and_the_feed_goes_on(api, feed):
    submitted = api.post(f"{ACME}/approvals", json_body={"period": "2026-W46"}, caller=BOB)
    assert submitted.status == 201
    refused = api.post(f"{ACME}/worklogs", json_body=a_worklog(), caller=BOB)  # into the submitted week
    assert refused.status == 409
    later_body = a_worklog(startDate="2026-11-16T09:00:00Z", endDate="2026-11-16T10:00:00Z")
    later = api.post(f"{ACME}/worklogs", json_body=later_body, caller=BOB)
    assert later.status == 201
    assert [(e["type"], e["id"]) for e in feed.poll()] == [
        ("approval.submitted", submitted.json["id"]),
        ("worklog.created", later.json["id"]),
    ]
