"""The embedded DynamoDB's transactions (local/moto_speedups.py, local/atomic.py), as DynamoDB runs them:
a cancelled transaction is rolled back completely (new items gone, updated items as they were, no stream
records left) while a transaction backs up only the items it names, and a transaction repeated with its
ClientRequestToken succeeds without writing again."""

from __future__ import annotations

import json
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


def test_a_transaction_copies_only_the_items_it_names(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto alone deep-copies every table a transaction names, once per item: a transaction's cost grew with
    the whole store. The backup copies the items the transaction names, whatever the store holds."""
    import copy

    for number in range(300):
        dynamodb.put_item(TableName="MainTable", Item={"PK": {"S": "FILL"}, "SK": {"S": f"{number:04d}"}})
    copies = 0
    deepcopy = copy.deepcopy

    def counted(value: Any, memo: Any = None) -> Any:
        nonlocal copies
        copies += 1
        return deepcopy(value, memo)

    monkeypatch.setattr(copy, "deepcopy", counted)
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "MainTable", "Item": {"PK": {"S": "FILL"}, "SK": {"S": "0001"}, "n": {"N": "1"}}}},
            {"Put": {"TableName": "MainTable", "Item": {"PK": {"S": "NEW"}, "SK": {"S": "A"}}}},
        ]
    )
    monkeypatch.undo()
    assert 0 < copies < 50, copies  # the whole table: thousands (every attribute of the 300 items)
    item = dynamodb.get_item(TableName="MainTable", Key={"PK": {"S": "FILL"}, "SK": {"S": "0001"}})["Item"]
    assert item["n"] == {"N": "1"}


# --- ClientRequestToken: a retried transaction is answered as the first one was, as in DynamoDB -------------

COUNTER = {"PK": {"S": "T#counter"}, "SK": {"S": "C"}}


def _increment(amount: str = "1") -> dict[str, Any]:
    """A transaction item that adds `amount` to the counter."""
    return {
        "Update": {
            "TableName": "MainTable",
            "Key": COUNTER,
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": amount}},
        }
    }


def _add_one(dynamodb: Any, *, token: str | None, amount: str = "1") -> None:
    request: dict[str, Any] = {"TransactItems": [_increment(amount)]}
    if token:
        request["ClientRequestToken"] = token
    dynamodb.transact_write_items(**request)


def _count(dynamodb: Any) -> int:
    return int(dynamodb.get_item(TableName="MainTable", Key=COUNTER, ConsistentRead=True)["Item"]["n"]["N"])


def test_a_transaction_repeated_with_its_token_succeeds_without_writing_again(
    dynamodb: Any, atomic_writes: None
) -> None:
    _add_one(dynamodb, token="token-1")
    _add_one(dynamodb, token="token-1")
    assert _count(dynamodb) == 1
    _add_one(dynamodb, token="token-2")
    _add_one(dynamodb, token=None)
    _add_one(dynamodb, token=None)
    assert _count(dynamodb) == 4


def test_a_token_reused_for_other_items_is_refused(dynamodb: Any, atomic_writes: None) -> None:
    _add_one(dynamodb, token="token-1")
    with pytest.raises(ClientError) as refused:
        _add_one(dynamodb, token="token-1", amount="5")
    assert refused.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert _count(dynamodb) == 1


def test_a_token_is_kept_ten_minutes(dynamodb: Any, atomic_writes: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from local import atomic

    assert atomic.TOKEN_SECONDS == 600
    clock = [1000.0]
    monkeypatch.setattr(atomic.time, "monotonic", lambda: clock[0])
    _add_one(dynamodb, token="token-1")
    clock[0] += 599
    _add_one(dynamodb, token="token-1")
    assert _count(dynamodb) == 1
    clock[0] += 1
    _add_one(dynamodb, token="token-1")
    assert _count(dynamodb) == 2


def test_a_cancelled_transaction_does_not_keep_its_token(dynamodb: Any, atomic_writes: None) -> None:
    guarded = {
        "ConditionCheck": {
            "TableName": "MainTable",
            "Key": {"PK": {"S": "T#gate"}, "SK": {"S": "G"}},
            "ConditionExpression": "attribute_exists(PK)",
        }
    }
    add = _increment()
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[guarded, add], ClientRequestToken="token-1")
    dynamodb.put_item(TableName="MainTable", Item={"PK": {"S": "T#gate"}, "SK": {"S": "G"}})
    dynamodb.transact_write_items(TransactItems=[guarded, add], ClientRequestToken="token-1")
    assert _count(dynamodb) == 1


def test_a_create_whose_answer_was_lost_is_retried_to_one_worklog(dynamodb: Any, api: Any, atomic_writes: None) -> None:
    """The store applies a create's transaction but the answer never arrives (the client's read timeout):
    botocore sends it again with the same token, and the create answers 201 with one worklog, counted once."""
    from botocore.exceptions import ReadTimeoutError
    from moto.core.models import botocore_stubber

    from tests.helpers import ADMIN, WORKLOGS, a_worklog
    from worklogs.repository.dynamodb import client

    lost: list[str] = []

    def apply_then_lose(request: Any, event_name: str, **_: Any) -> Any:
        if lost:
            return None  # the retry reaches the store as usual
        botocore_stubber(event_name, request)  # applied...
        lost.append(event_name)
        raise ReadTimeoutError(endpoint_url=request.url)  # ...but the answer is lost

    events = client().meta.events
    events.register_first("before-send.dynamodb.TransactWriteItems", apply_then_lose)
    try:
        created = api.post(WORKLOGS, json_body=a_worklog(endDate="2026-11-11T09:45:00Z"), caller=ADMIN)
    finally:
        events.unregister("before-send.dynamodb.TransactWriteItems", apply_then_lose)
    assert lost, "the create did not write in a transaction"
    assert created.status == 201, created.body
    stored = [item for item in dynamodb.scan(TableName="MainTable")["Items"] if item.get("entity") == {"S": "worklog"}]
    assert [item["id"]["S"] for item in stored] == [json.loads(created.body)["id"]]
    report = api.get(
        WORKLOGS.replace("/worklogs", "/reports/totals"),
        query={"granularity": "day", "from": "2026-11-11", "to": "2026-11-11", "consistency": "strong"},
        caller=ADMIN,
    )
    assert report.status == 200, report.body
    assert sum(row["minutes"] for row in report.json["rows"]) == 45
