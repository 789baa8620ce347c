"""Items are (de)serialised without boto3 exactly as boto3's TypeSerializer/TypeDeserializer do."""

from decimal import Decimal

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from worklogs.repository.dynamodb import deserialize, serialize

ITEM = {
    "PK": "WS#acme#WL#1",
    "count": 3,
    "negative": -17,
    "big": 12345678901234567890123456789012345678,
    "rate": 95.5,
    "tiny": Decimal("0.000001"),
    "flag": True,
    "off": False,
    "nothing": None,
    "data": {"billable": True, "rate": 12.25, "tags": ["a", "b"], "nested": {"x": [1, 2.5, {"y": None}]}},
    "list": [1, "two", 3.0, False],
    "names": {"ann", "bob"},
    "numbers": {1, 2, 3},
    "blob": b"\x00\x01",
    "empty": "",
    "emptyList": [],
    "emptyMap": {},
}


def _boto3_serialize(item):
    from worklogs.repository.dynamodb import _to_dynamo_value

    serializer = TypeSerializer()
    return {key: serializer.serialize(_to_dynamo_value(value)) for key, value in item.items() if value is not None}


def _normalise(value):
    """Sets serialise in no fixed order: compare their members sorted."""
    if isinstance(value, dict):
        return {key: sorted(item) if key in ("SS", "NS", "BS") else _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    return value


def test_serialize_matches_boto3():
    assert _normalise(serialize(ITEM)) == _normalise(_boto3_serialize(ITEM))


def test_deserialize_matches_boto3():
    from worklogs.repository.dynamodb import _from_dynamo_value

    wire = _boto3_serialize(ITEM)
    deserializer = TypeDeserializer()
    expected = {key: _from_dynamo_value(deserializer.deserialize(value)) for key, value in wire.items()}
    expected["blob"] = bytes(deserializer.deserialize(wire["blob"]))  # boto3 wraps bytes in Binary
    assert deserialize(wire) == expected


@pytest.mark.parametrize("value", [float("inf"), float("nan"), Decimal("1.23456789012345678901234567890123456789")])
def test_numbers_dynamodb_cannot_store_are_refused(value):
    with pytest.raises(Exception):  # boto3 raises TypeError or decimal.Inexact alike
        serialize({"n": value})
    with pytest.raises(Exception):
        _boto3_serialize({"n": value})
