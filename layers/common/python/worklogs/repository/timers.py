"""The user's timer item and its stop receipts. Every change is one conditional request, so two devices
(or two concurrent requests) can never leave two timers or a half-applied change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from worklogs.config import environment
from worklogs.domain.durations import format_utc
from worklogs.domain.timer import MAX_SEGMENTS, RECEIPT_TTL, StopReceipt, TimerState
from worklogs.repository import keys
from worklogs.repository.dynamodb import batch_get_items, client, deserialize, get_item, serialize
from worklogs.repository.worklogs import ExtraWrite

ENTITY = "timer"
RECEIPT_ENTITY = "timer-stop"
_ITEM_ONLY = ("PK", "SK", "entity", "state", "expiresAt")


class TimerExists(Exception):
    """A start found a timer already there."""

    def __init__(self, current: TimerState):
        super().__init__("timer exists")
        self.current = current


class TimerConditionFailed(Exception):
    """A change found the timer missing or not in the state it needs; `current` is how it was (or None)."""

    def __init__(self, current: TimerState | None):
        super().__init__("timer condition failed")
        self.current = current


class TimerChanged(Exception):
    """The timer changed between the read and the transaction that stops it: read it again."""


def to_item(timer: TimerState) -> dict[str, Any]:
    body = timer.model_dump(mode="json", exclude={"segmentStarts", "segmentEnds", "startedAt", "updatedAt"})
    return {
        **keys.timer_key(timer.workspaceId, timer.userId),
        "entity": ENTITY,
        **body,
        "state": timer.state,
        "segmentStarts": [format_utc(moment) for moment in timer.segmentStarts],
        "segmentEnds": [format_utc(moment) for moment in timer.segmentEnds],
        "startedAt": format_utc(timer.startedAt),
        "updatedAt": format_utc(timer.updatedAt),
    }


def from_item(item: dict[str, Any]) -> TimerState:
    plain = deserialize(item)
    return TimerState.model_validate({key: value for key, value in plain.items() if key not in _ITEM_ONLY})


def _receipt_from_item(item: dict[str, Any]) -> StopReceipt:
    plain = deserialize(item)
    return StopReceipt.model_validate({key: value for key, value in plain.items() if key not in _ITEM_ONLY})


def _old(error: ClientError) -> TimerState | None:
    item = error.response.get("Item")  # ALL_OLD of a failed condition (botocore's error type does not name it)
    return from_item(item) if isinstance(item, dict) and item else None


def _failed_condition(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "ConditionalCheckFailedException"


def get(workspace_id: str, user_id: str) -> TimerState | None:
    """One GetItem, strongly consistent."""
    item = get_item(keys.timer_key(workspace_id, user_id))
    return from_item(item) if item else None


def get_with_receipt(workspace_id: str, user_id: str, timer_id: str) -> tuple[TimerState | None, StopReceipt | None]:
    """The live timer and the stop receipt of `timer_id`, in one strongly consistent BatchGetItem."""
    timer: TimerState | None = None
    receipt: StopReceipt | None = None
    items = batch_get_items(
        [keys.timer_key(workspace_id, user_id), keys.timer_receipt_key(workspace_id, user_id, timer_id)]
    )
    for item in items:
        if item["SK"]["S"] == keys.TIMER_SK:
            timer = from_item(item)
        else:
            receipt = _receipt_from_item(item)
    return timer, receipt


def create(timer: TimerState) -> None:
    """PutItem only if the user has no timer: of two concurrent starts exactly one succeeds."""
    try:
        client().put_item(
            TableName=environment().worklogs_table,
            Item=serialize(to_item(timer)),
            ConditionExpression="attribute_not_exists(PK)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if not _failed_condition(error):
            raise
        current = _old(error)
        if current is None:  # gone again meanwhile; the caller may simply retry
            raise TimerChanged from error
        raise TimerExists(current) from error


def _update(
    workspace_id: str,
    user_id: str,
    *,
    update: str,
    condition: str,
    values: dict[str, Any],
    expected_version: int | None,
) -> TimerState:
    if expected_version is not None:
        condition += " AND version = :expected"
        values = {**values, ":expected": expected_version}
    try:
        response = client().update_item(
            TableName=environment().worklogs_table,
            Key=serialize(keys.timer_key(workspace_id, user_id)),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=serialize(values),
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as error:
        if _failed_condition(error):
            raise TimerConditionFailed(_old(error)) from error
        raise
    return from_item(response["Attributes"])


def pause(workspace_id: str, user_id: str, at: datetime, expected_version: int | None) -> TimerState:
    """One UpdateItem: close the going run at `at`, only while running."""
    return _update(
        workspace_id,
        user_id,
        update="SET segmentEnds = list_append(segmentEnds, :at), #state = :paused, version = version + :one, "
        "updatedAt = :now",
        condition="#state = :running",
        values={
            ":at": [format_utc(at)],
            ":paused": "paused",
            ":running": "running",
            ":one": 1,
            ":now": format_utc(at),
        },
        expected_version=expected_version,
    )


def resume(workspace_id: str, user_id: str, at: datetime, expected_version: int | None) -> TimerState:
    """One UpdateItem: open a new run at `at`, only while paused and below the run limit."""
    return _update(
        workspace_id,
        user_id,
        update="SET segmentStarts = list_append(segmentStarts, :at), #state = :running, version = version + :one, "
        "updatedAt = :now",
        condition="#state = :paused AND size(segmentStarts) < :max",
        values={
            ":at": [format_utc(at)],
            ":paused": "paused",
            ":running": "running",
            ":one": 1,
            ":now": format_utc(at),
            ":max": MAX_SEGMENTS,
        },
        expected_version=expected_version,
    )


def discard(workspace_id: str, user_id: str, expected_version: int | None) -> TimerState:
    """One DeleteItem of an existing timer (of the expected version); returns it as it was."""
    condition = "attribute_exists(PK)"
    request: dict[str, Any] = {}
    if expected_version is not None:
        condition += " AND version = :expected"
        request["ExpressionAttributeValues"] = serialize({":expected": expected_version})
    try:
        response = client().delete_item(
            TableName=environment().worklogs_table,
            Key=serialize(keys.timer_key(workspace_id, user_id)),
            ConditionExpression=condition,
            ReturnValues="ALL_OLD",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
            **request,
        )
    except ClientError as error:
        if _failed_condition(error):
            raise TimerConditionFailed(_old(error)) from error
        raise
    return from_item(response["Attributes"])


def _changed(_: dict[str, Any] | None) -> Exception:
    return TimerChanged()


def stop_writes(timer: TimerState, receipt: StopReceipt, *, replacement: TimerState | None = None) -> list[ExtraWrite]:
    """The timer's part of a stop transaction: delete it (or put its replacement in its place) only if it is
    still the version that was read, and keep the receipt (TTL `expiresAt`, a day) under its id."""
    table = environment().worklogs_table
    unchanged = {
        "ConditionExpression": "id = :id AND version = :version",
        "ExpressionAttributeValues": serialize({":id": timer.id, ":version": timer.version}),
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    key = keys.timer_key(timer.workspaceId, timer.userId)
    if replacement is None:
        timer_write = {"Delete": {"TableName": table, "Key": serialize(key), **unchanged}}
    else:
        timer_write = {"Put": {"TableName": table, "Item": serialize(to_item(replacement)), **unchanged}}
    expires = int((receipt.stoppedAt + RECEIPT_TTL).timestamp())
    receipt_item = {
        **keys.timer_receipt_key(timer.workspaceId, timer.userId, timer.id),
        "entity": RECEIPT_ENTITY,
        **receipt.model_dump(mode="json"),
        "expiresAt": expires,
    }
    receipt_write = {
        "Put": {
            "TableName": table,
            "Item": serialize(receipt_item),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }
    return [ExtraWrite(timer_write, _changed), ExtraWrite(receipt_write, _changed)]
