"""The DynamoDB client (created lazily, replaceable in tests) and item (de)serialisation."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config

from worklogs.config import settings

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
