"""Re-roll items: the rollup table following a settings change that alters accounting (main table).

One item per workspace (`REROLL` / `WS#<ws>`) holds the local days [`next`, `last`] whose rollup rows are
still computed under earlier settings. It is written in the same transaction as the settings; the rollup
run recomputes a few days of it per run and moves `next` forward, conditioned on the item's `token` (a new
settings change meanwhile replaces the item, and the stale run's advance fails harmlessly).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from worklogs.config import environment as runtime
from worklogs.domain.durations import format_utc
from worklogs.repository import keys
from worklogs.repository.dynamodb import client, deserialize, serialize
from worklogs.repository.errors import VersionConflict

if TYPE_CHECKING:  # the rollup run reads re-roll items without loading the settings model
    from worklogs.domain.settings import WorkspaceSettings

REROLL_PK = "REROLL"
ENTITY = "reroll"


@dataclass(frozen=True)
class Reroll:
    workspace_id: str
    next_day: date
    last_day: date
    token: str
    settings_version: int
    requested_at: datetime


def _key(workspace_id: str) -> dict[str, str]:
    return {"PK": REROLL_PK, "SK": f"WS#{keys.part(workspace_id)}"}


def _from_item(item: dict[str, Any]) -> Reroll:
    plain = deserialize(item)
    return Reroll(
        workspace_id=plain["workspaceId"],
        next_day=date.fromisoformat(plain["next"]),
        last_day=date.fromisoformat(plain["last"]),
        token=plain["token"],
        settings_version=int(plain["settingsVersion"]),
        requested_at=datetime.fromisoformat(plain["requestedAt"].replace("Z", "+00:00")),
    )


def get(workspace_id: str) -> Reroll | None:
    """The workspace's re-roll still to do: one strongly consistent GetItem."""
    response = client().get_item(
        TableName=runtime().worklogs_table, Key=serialize(_key(workspace_id)), ConsistentRead=True
    )
    return _from_item(response["Item"]) if response.get("Item") else None


def all_pending() -> Iterator[Reroll]:
    """Every workspace's re-roll: one strongly consistent Query (paged) on the one partition."""
    request: dict[str, Any] = {
        "TableName": runtime().worklogs_table,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": serialize({":pk": REROLL_PK}),
        "ConsistentRead": True,
    }
    while True:
        response = client().query(**request)
        yield from map(_from_item, response.get("Items", []))
        if not response.get("LastEvaluatedKey"):
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def save_settings_with_reroll(
    new: WorkspaceSettings, expected_version: int, first: date, last: date, now: datetime
) -> None:
    """The settings (conditional on the version read) and the re-roll of [first, last] in one transaction;
    VersionConflict when the settings changed meanwhile."""
    from worklogs.repository import settings as settings_store  # the settings API has it loaded already

    table = runtime().worklogs_table
    settings_item = {**keys.settings_key(new.workspaceId), "entity": "settings", **new.model_dump(mode="json")}
    put_settings: dict[str, Any] = {
        "TableName": table,
        "Item": serialize(settings_item),
        "ConditionExpression": "attribute_not_exists(PK)" if expected_version == 0 else "version = :v",
    }
    if expected_version:
        put_settings["ExpressionAttributeValues"] = serialize({":v": expected_version})
    reroll_item = {
        **_key(new.workspaceId),
        "entity": ENTITY,
        "workspaceId": new.workspaceId,
        "next": first.isoformat(),
        "last": last.isoformat(),
        "token": str(uuid.uuid4()),
        "settingsVersion": new.version,
        "requestedAt": format_utc(now),
    }
    try:
        client().transact_write_items(
            TransactItems=[{"Put": put_settings}, {"Put": {"TableName": table, "Item": serialize(reroll_item)}}],
            ClientRequestToken=str(uuid.uuid4()),
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "TransactionCanceledException":
            settings_store.invalidate(new.workspaceId)
            raise VersionConflict("settings", new.workspaceId) from error
        raise
    settings_store.invalidate(new.workspaceId)


def advance(reroll: Reroll, next_day: date) -> bool:
    """Move the cursor past the days just recomputed (delete the item when none are left); False when the
    item was replaced meanwhile (a newer settings change: its own re-roll covers the days again)."""
    key = serialize(_key(reroll.workspace_id))
    condition: dict[str, Any] = {
        "ConditionExpression": "#token = :token",
        "ExpressionAttributeNames": {"#token": "token"},
    }
    try:
        if next_day > reroll.last_day:
            client().delete_item(
                TableName=runtime().worklogs_table,
                Key=key,
                ExpressionAttributeValues=serialize({":token": reroll.token}),
                **condition,
            )
        else:
            client().update_item(
                TableName=runtime().worklogs_table,
                Key=key,
                UpdateExpression="SET #next = :next",
                ExpressionAttributeNames={**condition["ExpressionAttributeNames"], "#next": "next"},
                ExpressionAttributeValues=serialize({":token": reroll.token, ":next": next_day.isoformat()}),
                ConditionExpression=condition["ConditionExpression"],
            )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def time_extent(workspace_id: str) -> tuple[datetime, datetime] | None:
    """The earliest start and latest end of the workspace's worklogs (incl. midnight continuations), from the
    workspace timeline index: two Queries with Limit 1. The index may lag a just-written worklog; such a
    worklog's dirty-day markers (base table) are added to the range by the caller."""
    found: list[dict[str, Any]] = []
    for forward in (True, False):
        response = client().query(
            TableName=runtime().worklogs_table,
            IndexName="GSI6",
            KeyConditionExpression="GSI6PK = :pk",
            ExpressionAttributeValues=serialize({":pk": keys.workspace_timeline_pk(workspace_id)}),
            ScanIndexForward=forward,
            Limit=1,
        )
        items = response.get("Items", [])
        if not items:
            return None
        found.append(deserialize(items[0]))

    def instant(text: str) -> datetime:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))

    return instant(found[0]["startDate"]), instant(found[1]["endDate"])
