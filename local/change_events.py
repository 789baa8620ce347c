"""The local runner's change-event feed: reads the embedded main table's stream, as the deployed publisher's
event source does, and appends each change event as one JSON line to .local/events.jsonl in commit order.

    tail -f .local/events.jsonl
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import boto3

from worklogs.events.service import events_of

ROOT = Path(__file__).resolve().parent.parent


def events_file() -> Path:
    return Path(os.environ.get("WORKLOGS_LOCAL_EVENTS_FILE", ROOT / ".local" / "events.jsonl"))


class EmbeddedStreams:
    """The DynamoDB Streams calls the feed makes, answered by the embedded moto store in this process (moto
    routes Streams requests, which are signed as `dynamodb`, to its DynamoDB handler)."""

    def _backend(self, arn: str) -> Any:
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        _, _, _, region, account, _ = arn.split(":", 5)
        return dynamodbstreams_backends[account][region]

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:  # boto3's parameter names
        return {"StreamDescription": self._backend(StreamArn).describe_stream(StreamArn)}

    def get_shard_iterator(
        self, StreamArn: str, ShardId: str, ShardIteratorType: str, SequenceNumber: str | None = None
    ) -> dict[str, Any]:
        number = int(SequenceNumber) if SequenceNumber is not None else None
        iterator = self._backend(StreamArn).get_shard_iterator(StreamArn, ShardId, ShardIteratorType, number)
        return {"ShardIterator": iterator.arn}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        return self._backend(ShardIterator.split("|", 1)[0]).get_records(ShardIterator, Limit)


class StreamFeed:
    """Follows the table's stream from now on and turns its records into events. Each poll asks for a fresh
    iterator at the next sequence number (the embedded store swaps its shard object when it rolls back a
    cancelled transaction, so an old iterator would go stale; the records of a cancelled transaction, which
    DynamoDB never streams, disappear with the rollback)."""

    def __init__(self, endpoint_url: str | None, table: str = "MainTable", *, embedded: bool = True) -> None:
        self.dynamodb = boto3.client("dynamodb", endpoint_url=endpoint_url)
        self.streams = EmbeddedStreams() if embedded else boto3.client("dynamodbstreams", endpoint_url=endpoint_url)
        self.arn = self.dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        shard = self._shard()
        self.shard_id = shard["ShardId"]
        self.next_number = int(shard["SequenceNumberRange"]["StartingSequenceNumber"])
        self._read()  # skip what was written before the feed started

    def _shard(self) -> dict[str, Any]:
        return self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][-1]

    def _read(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        while True:
            iterator = self.streams.get_shard_iterator(
                StreamArn=self.arn,
                ShardId=self.shard_id,
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=str(self.next_number),
            )["ShardIterator"]
            batch = self.streams.get_records(ShardIterator=iterator, Limit=1000).get("Records", [])
            if not batch:
                return records
            records += batch
            self.next_number = int(batch[-1]["dynamodb"]["SequenceNumber"]) + 1

    def poll(self) -> list[dict[str, Any]]:
        """The change events committed since the last poll, in stream order."""
        return events_of(self._read())


def write_events(events: list[dict[str, Any]], path: Path | None = None) -> None:
    target = path or events_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("a", encoding="utf-8") as out:
        for event in events:
            out.write(json.dumps(event, separators=(",", ":"), default=str) + "\n")


def start_feed(endpoint_url: str | None, *, embedded: bool, every_seconds: float = 0.2) -> threading.Event:
    """Poll in a daemon thread until the returned event is set."""
    stop = threading.Event()
    feed = StreamFeed(endpoint_url, embedded=embedded)

    def run() -> None:
        while not stop.wait(every_seconds):
            try:
                write_events(feed.poll())
            except Exception as error:  # the feed must outlive a failed poll: say why and go on
                print(json.dumps({"message": "change-event feed poll failed", "error": str(error)}), flush=True)

    threading.Thread(target=run, name="change-events", daemon=True).start()
    return stop
