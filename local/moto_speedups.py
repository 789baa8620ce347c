"""Make the embedded (moto) DynamoDB cheaper per request without changing what it answers.

1. Data-plane answers are written as JSON directly. moto builds every response by walking botocore's
   output shape member by member (`moto.core.serialize`); for the item-bearing operations that walk costs
   milliseconds per response, most of a local request's time. Their results are already in DynamoDB's
   wire format (attribute values as `{"S": ...}`), so they are written with `json.dumps`: `None` members
   dropped and bytes base64-encoded, as the shape walk does. Control-plane operations and errors keep
   moto's path. `tests/integration/test_moto_speedups.py` runs a whole flow with both writers and
   compares every answer.
2. A response class's method names are listed once, not on every request.
3. An item's attributes keep a running total of their size. moto checks DynamoDB's 400 KB item limit on
   every attribute it sets by re-measuring every attribute already there (deeply: a worklog's 50 links),
   which makes building an item quadratic. The running total decides only while it is far below the limit
   (100 KB); nearer, or when the attributes changed behind its back, moto's own exact check runs.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

DATA_PLANE = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
_MARK = "__worklogs_fast__"


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(member) for key, member in value.items() if member is not None}
    if isinstance(value, list):
        return [_plain(member) for member in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime):
        return value.timestamp()
    return value


def answer(result: Any) -> str:
    """A data-plane result as the JSON body DynamoDB sends."""
    return json.dumps(_plain(result))


def is_data_plane(context: Any) -> bool:
    return context.service_model.service_name == "dynamodb" and context.operation_model.name in DATA_PLANE


def install() -> None:
    """All three speed-ups (idempotent, process-wide)."""
    _write_answers_directly()
    _list_methods_once()
    _track_item_sizes()


def _write_answers_directly() -> None:
    from moto.core.responses import ActionResult

    original = ActionResult.execute_result
    if getattr(original, _MARK, False):
        return

    def execute_result(self: Any, context: Any) -> Any:
        if isinstance(self.result, Exception) or not is_data_plane(context):
            return original(self, context)
        content_type = f"application/x-amz-json-{context.service_model.metadata.get('jsonVersion', '1.0')}"
        return 200, {"Content-Type": content_type}, answer(self.result)

    setattr(execute_result, _MARK, True)
    execute_result.original = original  # type: ignore[attr-defined]
    ActionResult.execute_result = execute_result  # type: ignore[method-assign]


def _list_methods_once() -> None:
    import moto.core.responses as responses_module

    listed = responses_module.method_names_from_class
    if getattr(listed, _MARK, False):
        return
    names: dict[object, list[str]] = {}

    def method_names_from_class(clazz: object) -> list[str]:
        if clazz not in names:
            names[clazz] = listed(clazz)
        return list(names[clazz])

    setattr(method_names_from_class, _MARK, True)
    responses_module.method_names_from_class = method_names_from_class


EXACT_SIZE_CHECK_FROM = 100_000  # bytes; DynamoDB's (and moto's) limit is about 400 KB


def _track_item_sizes() -> None:
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    attributes: Any = dynamo_type.LimitedSizeDict
    exact = attributes.__setitem__
    if getattr(exact, _MARK, False):
        return
    DynamoType = dynamo_type.DynamoType

    def size_of(value: Any) -> int:
        return int(value.size()) if type(value) is DynamoType else int(bytesize(str(value)))

    def __setitem__(self: Any, key: str, value: Any) -> None:
        state = self.__dict__
        total = state.get("_size")
        if total is None or state.get("_length") != len(self):  # new, or changed without __setitem__
            total = sum(int(bytesize(name)) + size_of(member) for name, member in dict.items(self))
        added = int(bytesize(key)) + size_of(value)
        if total + added > EXACT_SIZE_CHECK_FROM:
            state.pop("_size", None)
            exact(self, key, value)
            return
        if dict.__contains__(self, key):
            total -= int(bytesize(key)) + size_of(dict.__getitem__(self, key))
        dict.__setitem__(self, key, value)
        state["_size"], state["_length"] = total + added, len(self)

    setattr(__setitem__, _MARK, True)
    attributes.__setitem__ = __setitem__
