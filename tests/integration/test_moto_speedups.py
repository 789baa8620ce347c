"""The embedded DynamoDB's direct JSON answers equal moto's own serializer's, answer for answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local import moto_speedups
from tests.helpers import ADMIN, WORKLOGS, a_worklog


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every data-plane answer is written both ways and compared; returns the operations compared."""
    from moto.core.responses import ActionResult

    moto_speedups.install()
    fast = ActionResult.execute_result
    moto_writer = fast.original  # type: ignore[attr-defined]
    seen: list[str] = []

    def both(self: Any, context: Any) -> Any:
        status, headers, body = fast(self, context)
        if moto_speedups.is_data_plane(context) and not isinstance(self.result, Exception):
            expected_status, expected_headers, expected_body = moto_writer(self, context)
            assert (status, json.loads(body)) == (expected_status, json.loads(expected_body))
            assert headers["Content-Type"] == expected_headers["Content-Type"]
            seen.append(context.operation_model.name)
        return status, headers, body

    monkeypatch.setattr(ActionResult, "execute_result", both)
    return seen


def test_a_whole_flow_gets_the_same_answers(api: Any, compared: list[str]) -> None:
    created = api.post(WORKLOGS, json_body=a_worklog(description="<p>x</p>"), caller=ADMIN)
    assert created.status == 201, created.body
    worklog = json.loads(created.body)
    # a worklog across midnight (midnight copy, two ledger days), a link, an edit, searches, a rollup
    api.post(
        WORKLOGS,
        json_body=a_worklog(startDate="2026-11-11T22:00:00Z", endDate="2026-11-12T01:00:00Z"),
        caller=ADMIN,
    )
    linked = api.post(
        f"{WORKLOGS}/{worklog['id']}/links",
        json_body={"refType": "Task", "refId": "T-9", "name": "Task 9"},
        caller=ADMIN,
    )
    assert linked.status == 201, linked.body
    current = api.get(f"{WORKLOGS}/{worklog['id']}", caller=ADMIN)
    patched = api.patch(
        f"{WORKLOGS}/{worklog['id']}",
        json_body={"description": "edited"},
        headers={"If-Match": current.headers["etag"]},
        caller=ADMIN,
    )
    assert patched.status == 200, patched.body
    assert api.get(WORKLOGS, query={"limit": "1"}, caller=ADMIN).status == 200
    assert api.get(f"{WORKLOGS}/{worklog['id']}/history", caller=ADMIN).status == 200
    assert (
        api.get("/v1/workspaces/acme/console", query={"period": "week", "date": "2026-11-11"}, caller=ADMIN).status
        == 200
    )
    totals = api.get(
        "/v1/workspaces/acme/reports/totals",
        query={"from": "2026-11-01", "to": "2026-11-30", "consistency": "strong"},
        caller=ADMIN,
    )
    assert totals.status == 200, totals.body
    assert {"GetItem", "Query", "BatchGetItem", "TransactWriteItems"} <= set(compared)


@pytest.mark.parametrize(
    "operation, result",
    [
        ("GetItem", {"Item": {"PK": {"S": "a"}, "blob": {"B": b"\x00\xff"}, "set": {"BS": [b"x"]}}}),
        ("GetItem", {"ConsumedCapacity": None}),
        ("Query", {"Items": [{"n": {"N": "1.50"}, "m": {"M": {"x": {"NULL": True}}}}], "Count": 1, "ScannedCount": 3}),
        ("TransactWriteItems", {}),
    ],
)
def test_bytes_none_and_nesting_are_written_as_moto_writes_them(operation: str, result: Any) -> None:
    from moto.core.responses import ActionContext, ActionResult
    from moto.core.serialize import get_serializer_class
    from moto.core.utils import get_service_model
    from moto.dynamodb.responses import DynamoHandler

    moto_speedups.install()
    service = get_service_model("dynamodb")
    serializer = get_serializer_class("dynamodb", "json")
    context = ActionContext(service, service.operation_model(operation), serializer, DynamoHandler())
    fast = ActionResult(result).execute_result(context)
    moto_writer = ActionResult.execute_result.original  # type: ignore[attr-defined]
    expected = moto_writer(ActionResult(result), context)
    assert (fast[0], json.loads(fast[2])) == (expected[0], json.loads(expected[2]))


def test_items_over_the_size_limit_are_still_refused(dynamodb: Any) -> None:
    """The running size total leaves DynamoDB's 400 KB limit to moto's exact check."""
    from botocore.exceptions import ClientError

    key = {"PK": {"S": "S#1"}, "SK": {"S": "A"}}
    chunk = "x" * 99_000
    fits = {**key, **{f"a{n}": {"S": chunk} for n in range(4)}}  # ~396 KB
    dynamodb.put_item(TableName="MainTable", Item=fits)
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName="MainTable", Item={**fits, "a4": {"S": "y" * 12_000}})
    assert "Item size has exceeded the maximum allowed size" in str(refused.value)
    with pytest.raises(ClientError):  # grown through an update, attribute by attribute
        dynamodb.update_item(
            TableName="MainTable",
            Key=key,
            UpdateExpression="SET b1 = :v, b2 = :v",
            ExpressionAttributeValues={":v": {"S": "z" * 6_000}},
        )
    small = {"PK": {"S": "S#2"}, "SK": {"S": "B"}, "n": {"L": [{"S": "l" * 100} for _ in range(50)]}}
    dynamodb.put_item(TableName="MainTable", Item=small)
    assert dynamodb.get_item(TableName="MainTable", Key={"PK": small["PK"], "SK": small["SK"]})["Item"] == small


def test_the_running_total_matches_a_full_measure(dynamodb: Any) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    moto_speedups.install()
    attributes = LimitedSizeDict({"PK": DynamoType({"S": "p"})})
    for n in range(30):
        attributes[f"a{n % 7}"] = DynamoType({"L": [{"S": "v" * n}] * n})
    del attributes["a1"]
    attributes["a2"] = DynamoType({"S": "short"})
    full = sum(bytesize(name) + value.size() for name, value in dict.items(attributes))
    attributes["last"] = DynamoType({"S": "x"})
    assert attributes.__dict__["_size"] == full + bytesize("last") + DynamoType({"S": "x"}).size()


def _queries() -> list[dict[str, Any]]:
    def on(pk: str, condition: str = "", **values: str) -> dict[str, Any]:
        return {
            "TableName": "MainTable",
            "KeyConditionExpression": "PK = :pk" + (f" AND {condition}" if condition else ""),
            "ExpressionAttributeValues": {":pk": {"S": pk}, **{f":{k}": {"S": v} for k, v in values.items()}},
        }

    return [
        on("P#1"),
        on("P#2", "SK > :a", a="S#05"),
        on("P#2", "begins_with(SK, :a)", a="S#1"),
        on("P#3", "SK BETWEEN :a AND :b", a="S#02", b="S#07"),
        {**on("P#2"), "ScanIndexForward": False},
        {**on("P#1"), "Limit": 3},
        {
            **on("P#3"),
            "FilterExpression": "n > :n",
            "ExpressionAttributeValues": {":pk": {"S": "P#3"}, ":n": {"N": "4"}},
        },
        on("P#none"),
        {
            "TableName": "MainTable",
            "IndexName": "GSI1",
            "KeyConditionExpression": "GSI1PK = :g",
            "ExpressionAttributeValues": {":g": {"S": "G#same"}},
        },
    ]


def _all_pages(dynamodb: Any, request: dict[str, Any]) -> list[list[dict[str, Any]]]:
    pages, start = [], None
    while True:
        answer = dynamodb.query(**request, **({"ExclusiveStartKey": start} if start else {}))
        pages.append(answer["Items"])
        start = answer.get("LastEvaluatedKey")
        if not start:
            return pages


def test_a_query_on_the_table_key_answers_as_moto_does(dynamodb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading the partition (and sorting the table by cached key values) changes no answer or page."""
    from moto.dynamodb.models.table import Table

    moto_speedups.install()
    for pk in ("P#1", "P#2", "P#3", "Q#0"):
        for number in (9, 3, 12, 0, 5, 7, 1, 10, 2):
            item = {"PK": {"S": pk}, "SK": {"S": f"S#{number:02d}"}, "n": {"N": str(number)}}
            if number % 3 == 0:  # index entries with equal index keys: ordered by the table's keys
                item |= {"GSI1PK": {"S": "G#same"}, "GSI1SK": {"S": "same"}}
            dynamodb.put_item(TableName="MainTable", Item=item)
    fast = [_all_pages(dynamodb, request) for request in _queries()]
    scanned = dynamodb.scan(TableName="MainTable")["Items"]
    monkeypatch.setattr(Table, "query", Table.query.original)  # type: ignore[attr-defined]
    monkeypatch.setattr(Table, "all_items", Table.all_items.original)  # type: ignore[attr-defined]
    assert fast == [_all_pages(dynamodb, request) for request in _queries()]
    assert scanned == dynamodb.scan(TableName="MainTable")["Items"]
    assert [len(pages) for pages in fast] == [1, 1, 1, 1, 1, 3, 1, 1, 1]
    assert [item["SK"]["S"] for item in fast[4][0]][:2] == ["S#12", "S#10"]
