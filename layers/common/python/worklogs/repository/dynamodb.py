"""The DynamoDB client (created lazily, replaceable in tests) and item (de)serialisation.

Cold-start rules: AWS clients (this one, and the event bus's in repository/events.py) are `AwsClient`s:
created on first use with botocore alone (boto3 adds its resource layer and s3transfer, which nothing here
uses). X-Ray's botocore patch is applied at that moment too (the functions' Tracer does not patch at
import), so every AWS call still gets its subsegment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

from worklogs.config import environment

MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's item size limit

# DynamoDB's number limits, as boto3 applies them: 38 significant digits, no silent rounding.
_NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def trace_aws_calls() -> None:
    """X-Ray subsegments for AWS calls; a no-op when tracing is off (tests, local runner)."""
    from aws_lambda_powertools import Tracer

    Tracer().patch(["botocore"])


class AwsClient:
    """A process-wide low-level client of one AWS service, created on first use so importing costs nothing;
    `use` swaps it (tests, the local runner)."""

    def __init__(self, service: str, options: Callable[[], dict[str, Any]] = dict):
        self._service = service
        self._options = options
        self._client: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import botocore.session

                    trace_aws_calls()
                    self._client = botocore.session.get_session().create_client(self._service, **self._options())
        return self._client

    def use(self, new_client: Any) -> None:
        with self._lock:
            self._client = new_client


def _dynamodb_options() -> dict[str, Any]:
    from botocore.config import Config

    return {
        "endpoint_url": environment().dynamodb_endpoint_url,
        # The repository builds every request from checked values and DynamoDB validates each one again:
        # botocore's own walk over the parameters (milliseconds for a 100-item transaction) is skipped.
        "config": Config(
            retries={"mode": "standard", "max_attempts": 4},
            connect_timeout=2,
            read_timeout=5,
            parameter_validation=False,
        ),
    }


_dynamodb = AwsClient("dynamodb", _dynamodb_options)


def client() -> Any:
    """The process-wide DynamoDB client."""
    return _dynamodb.get()


def use_client(new_client: Any) -> None:
    """Swap the DynamoDB client (tests, the local runner)."""
    _dynamodb.use(new_client)


def get_item(key: dict[str, Any]) -> dict[str, Any] | None:
    """One strongly consistent GetItem on the main table (a read after a write sees it): the raw item."""
    response = client().get_item(TableName=environment().worklogs_table, Key=serialize(key), ConsistentRead=True)
    return response.get("Item") or None


def batch_get_items(keys: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Strongly consistent BatchGetItem on the main table: 100 keys per request, unprocessed keys retried with
    backoff; the raw items found (absent keys are not returned). Throttling that persists is raised."""
    table = environment().worklogs_table
    wanted = [serialize(key) for key in keys]
    found: list[dict[str, Any]] = []
    for first in range(0, len(wanted), 100):
        pending: dict[str, Any] = {table: {"Keys": wanted[first : first + 100], "ConsistentRead": True}}
        for attempt in range(10):
            response = client().batch_get_item(RequestItems=pending)
            found += response.get("Responses", {}).get(table, [])
            pending = response.get("UnprocessedKeys") or {}
            if not pending:
                break
            time.sleep(0.05 * 2**attempt)
        else:
            from botocore.exceptions import ClientError

            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "unprocessed keys"}},
                "BatchGetItem",
            )
    return found


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


def _number(value: Any) -> str:
    number = str(_NUMBERS.create_decimal(value))
    if number in ("Infinity", "NaN", "-Infinity", "sNaN"):
        raise TypeError("Infinity and NaN are not supported")
    return number


def _attribute(value: Any) -> dict[str, Any]:
    """One value in DynamoDB's JSON form (the rules of boto3's TypeSerializer)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int | Decimal):
        return {"N": _number(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, Set):
        if all(isinstance(item, str) for item in value):
            return {"SS": list(value)}
        if all(isinstance(item, int | Decimal) and not isinstance(item, bool) for item in value):
            return {"NS": [_number(item) for item in value]}
        if all(isinstance(item, bytes | bytearray) for item in value):
            return {"BS": [bytes(item) for item in value]}
    if isinstance(value, Mapping):
        return {"M": {str(key): _attribute(item) for key, item in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [_attribute(item) for item in value]}
    raise TypeError(f"Unsupported type {type(value)} for value {value!r}")


def _python(value: dict[str, Any]) -> Any:
    ((kind, content),) = value.items()
    if kind == "S":
        return content
    if kind == "N":
        return _NUMBERS.create_decimal(content)
    if kind == "M":
        return {key: _python(item) for key, item in content.items()}
    if kind == "L":
        return [_python(item) for item in content]
    if kind == "BOOL":
        return content
    if kind == "NULL":
        return None
    if kind == "B":
        return content
    if kind == "SS":
        return set(content)
    if kind == "NS":
        return {_NUMBERS.create_decimal(item) for item in content}
    if kind == "BS":
        return set(content)
    raise TypeError(f"Unknown DynamoDB type {kind}")


def serialize(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _attribute(_to_dynamo_value(value)) for key, value in item.items() if value is not None}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _from_dynamo_value(_python(value)) for key, value in item.items()}


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
