"""Approval items in the main table.

One item per worker and period (`keys.approval_key`); writes are conditional on the version read. Worklog
writes do not read approvals: a submission marks the worker's day-ledger items of the period frozen in the
same transaction (conditioned on the versions its snapshot read), and every worklog write's ledger update
is conditioned on its days carrying no mark. A write into a marked day is checked precisely, one
ConditionCheck per (worker, period) it touches (`freeze_guard`), so a submission and a write into its
period cannot both succeed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from worklogs.approvals.models import Approval
from worklogs.config import environment
from worklogs.repository import keys, ledger
from worklogs.repository.dynamodb import batch_get_items, client, deserialize, get_item, serialize
from worklogs.repository.errors import LedgerMoved, VersionConflict
from worklogs.repository.worklogs import ExtraWrite

if TYPE_CHECKING:
    from worklogs.domain.timer import TimerState

ENTITY = "approval"
_FIELDS = {field.alias or name for name, field in Approval.model_fields.items()}


MARKED_DAYS = "markedDays"  # the UTC days the submission marked (Approval.marked_days), ISO dates


def _from_item(item: dict[str, Any]) -> Approval:
    plain = deserialize(item)
    approval = Approval.model_validate({key: value for key, value in plain.items() if key in _FIELDS})
    marked = plain.get(MARKED_DAYS)
    return approval.with_marked_days(date.fromisoformat(day) for day in marked) if marked is not None else approval


def get(workspace_id: str, approval_id: str) -> Approval | None:
    """One strongly consistent GetItem."""
    item = get_item(keys.approval_key(workspace_id, approval_id))
    return _from_item(item) if item else None


def get_many(workspace_id: str, approval_ids: list[str]) -> list[Approval]:
    """BatchGetItem (strongly consistent), 100 ids per request; absent ids are simply not returned."""
    items = batch_get_items(keys.approval_key(workspace_id, i) for i in sorted(set(approval_ids)))
    return [_from_item(item) for item in items]


def get_many_and_timer(
    workspace_id: str, approval_ids: list[str], user_id: str
) -> tuple[list[Approval], TimerState | None]:
    """`get_many` and the user's live timer (`timers.get`, None when there is none) in the same strongly
    consistent BatchGetItem: the console's one read besides its worklogs."""
    from worklogs.repository import timers

    timer_key = keys.timer_key(workspace_id, user_id)
    wanted = [keys.approval_key(workspace_id, i) for i in sorted(set(approval_ids))]
    approvals: list[Approval] = []
    timer: TimerState | None = None
    for item in batch_get_items([*wanted, timer_key]):
        if item["PK"]["S"] == timer_key["PK"] and item["SK"]["S"] == timer_key["SK"]:
            timer = timers.from_item(item)
        else:
            approvals.append(_from_item(item))
    return approvals, timer


def save(
    approval: Approval,
    expected_version: int | None,
    *,
    days: Mapping[date, int] | None = None,
    freeze: bool = True,
) -> None:
    """Write the approval, conditioned on the version read (None: it must not exist yet). With `days`
    (UTC day → ledger version the snapshot read), the same transaction marks the worker's days frozen
    (`freeze`, each conditioned on its version, the days kept on the item) or removes this approval's marks
    (the item keeps no days). Without `days` the item keeps the approval's `marked_days`. VersionConflict
    when the approval changed meanwhile; LedgerMoved when one of the days did."""
    item = {
        **keys.approval_key(approval.workspaceId, approval.id),
        "entity": ENTITY,
        **approval.model_dump(mode="json", by_alias=True),
    }
    marked = (sorted(days) if freeze else None) if days is not None else approval.marked_days
    if marked is not None:
        item[MARKED_DAYS] = [day.isoformat() for day in marked]
    table = environment().worklogs_table
    request: dict[str, Any] = {"TableName": table, "Item": serialize(item)}
    if expected_version is None:
        request["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        request["ConditionExpression"] = "version = :v"
        request["ExpressionAttributeValues"] = serialize({":v": expected_version})
    changed = VersionConflict(ENTITY, approval.workspaceId)
    if days is None:
        try:
            client().put_item(**request)
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise changed from error
            raise
        return
    marks = ledger.freeze_updates(table, approval.workspaceId, approval.workerId, days, approval.id, freeze=freeze)
    try:
        client().transact_write_items(TransactItems=[{"Put": request}, *marks], ClientRequestToken=str(uuid.uuid4()))
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        codes = [reason.get("Code", "None") for reason in error.response.get("CancellationReasons") or []]
        if codes and codes[0] in ("ConditionalCheckFailed", "TransactionConflict"):
            raise changed from error
        if any(code in ("ConditionalCheckFailed", "TransactionConflict") for code in codes[1:]):
            raise LedgerMoved from error
        raise


def query(
    workspace_id: str,
    *,
    state: str | None,
    worker_id: str | None,
    period: str | None,
    limit: int,
    after: str | None,
) -> tuple[list[Approval], str | None]:
    """One page of the workspace's approvals (one Query per DynamoDB page on its approvals partition, the
    filters applied server-side), in id order; the second value is the last id when more may follow."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {":pk": keys.approvals_pk(workspace_id), ":prefix": keys.APPROVAL_PREFIX}
    filters = []
    for attribute, value in (("state", state), ("workerId", worker_id), ("period", period)):
        if value is not None:
            names[f"#{attribute}"] = attribute
            values[f":{attribute}"] = value
            filters.append(f"#{attribute} = :{attribute}")
    request: dict[str, Any] = {
        "TableName": environment().worklogs_table,
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": serialize(values),
        "ConsistentRead": True,
    }
    if filters:
        request["FilterExpression"] = " AND ".join(filters)
        request["ExpressionAttributeNames"] = names
    if after is not None:
        request["ExclusiveStartKey"] = serialize(keys.approval_key(workspace_id, after))
    found: list[Approval] = []
    while True:
        request["Limit"] = max(limit + 1 - len(found), 10)
        response = client().query(**request)
        found += [_from_item(item) for item in response.get("Items", [])]
        if len(found) > limit:
            return found[:limit], found[limit - 1].id
        if not response.get("LastEvaluatedKey"):
            return found, None
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def freeze_guard(
    workspace_id: str,
    approval_id: str,
    frozen_states: Sequence[str],
    refused: Callable[[str | None], Exception],
) -> ExtraWrite:
    """A ConditionCheck for a worklog write's transaction: the approval is absent or in none of
    `frozen_states`. When it fails, `refused` gets the state found and gives the error to raise."""
    names = {f":frozen{index}": state for index, state in enumerate(frozen_states)}
    request = {
        "ConditionCheck": {
            "TableName": environment().worklogs_table,
            "Key": serialize(keys.approval_key(workspace_id, approval_id)),
            "ConditionExpression": f"attribute_not_exists(PK) OR NOT (#state IN ({', '.join(names)}))",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": serialize(names),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }

    def failed(old: dict[str, Any] | None) -> Exception:
        state = (old or {}).get("state")
        if state is None:  # the condition lost a race (or the item was not returned): look at it now
            current = get(workspace_id, approval_id)
            state = current.state if current is not None else None
        return refused(state)

    return ExtraWrite(request, failed)
