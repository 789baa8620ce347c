"""The DynamoDB client (created lazily, replaceable in tests) and item (de)serialisation."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config

from worklogs.config import settings

MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's item size limit

_lock = threading.Lock()
_client: Any = None
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def client() -> Any:
    """The process-wide low-level client; created on first use so importing costs nothing."""
    global _client
    if _client is None:
        with _lock:
            if _client is None:
                _client = boto3.client(
                    "dynamodb",
                    endpoint_url=settings().dynamodb_endpoint_url,
                    config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5),
                )
    return _client


def use_client(new_client: Any) -> None:
    """Swap the client (tests, the local runner)."""
    global _client
    with _lock:
        _client = new_client


def _to_dynamo_value(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {key: _to_dynamo_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_dynamo_value(item) for item in value]
    return value


def _from_dynamo_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _from_dynamo_value(item) for key, item in value.items()}
    if isinstance(value, list | set):
        return [_from_dynamo_value(item) for item in value]
    return value


def serialize(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(_to_dynamo_value(value)) for key, value in item.items() if value is not None}


def deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _from_dynamo_value(_deserializer.deserialize(value)) for key, value in item.items()}


def _number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").split("e")[0].split("E")[0].strip("0")
    return (len(digits) + 1) // 2 + 1


def _value_size(value: dict[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode("utf-8"))
    if kind == "N":
        return _number_size(content)
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(item.encode("utf-8")) for item in content)
    if kind == "NS":
        return sum(_number_size(item) for item in content)
    if kind == "BS":
        return sum(len(item) for item in content)
    if kind == "L":
        return 3 + sum(1 + _value_size(item) for item in content)
    return 3 + sum(1 + len(name.encode("utf-8")) + _value_size(item) for name, item in content.items())  # M


def item_size(item: dict[str, Any]) -> int:
    """Bytes a serialised item counts for in DynamoDB (names + values, as AWS documents the sizes)."""
    return sum(len(name.encode("utf-8")) + _value_size(value) for name, value in item.items())
