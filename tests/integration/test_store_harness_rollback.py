"""The test store rolls a cancelled transaction back completely (tests/moto_store.py backs up only what a
transaction can change): new items gone, updated items as they were, no stream records left."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests import moto_store


def _stream_records() -> int:
    tables = moto_store._tables()
    return sum(len(table.stream_shard.items) for table in tables.values() if table.stream_shard is not None)


def test_a_cancelled_transaction_leaves_every_item_and_the_stream_as_they_were(dynamodb: Any) -> None:
    key = {"PK": {"S": "T#1"}, "SK": {"S": "A"}}
    dynamodb.put_item(TableName="MainTable", Item={**key, "n": {"N": "1"}, "m": {"M": {"x": {"S": "y"}}}})
    before = dynamodb.get_item(TableName="MainTable", Key=key, ConsistentRead=True)["Item"]
    records = _stream_records()
    with pytest.raises(ClientError) as cancelled:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "MainTable", "Item": {"PK": {"S": "T#2"}, "SK": {"S": "B"}}}},
                {
                    "Update": {
                        "TableName": "MainTable",
                        "Key": key,
                        "UpdateExpression": "SET n = :two, m.x = :z REMOVE gone",
                        "ExpressionAttributeValues": {":two": {"N": "2"}, ":z": {"S": "z"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": "MainTable",
                        "Key": {"PK": {"S": "T#3"}, "SK": {"S": "C"}},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert dynamodb.get_item(TableName="MainTable", Key=key, ConsistentRead=True)["Item"] == before
    new_key = {"PK": {"S": "T#2"}, "SK": {"S": "B"}}
    assert "Item" not in dynamodb.get_item(TableName="MainTable", Key=new_key, ConsistentRead=True)
    assert _stream_records() == records
    # and the store still takes writes after the rollback
    dynamodb.put_item(TableName="MainTable", Item=new_key)
    assert "Item" in dynamodb.get_item(TableName="MainTable", Key=new_key, ConsistentRead=True)
