"""Idempotency records for retried creates: Powertools Idempotency, stored in the main table.

Records live under a per-workspace partition (`WS#<ws>#IDEMPOTENCY`, the key hash as SK) and expire via
the table's TTL attribute, so one tenant's Idempotency-Key can never answer another tenant's request.
"""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from worklogs.config import environment
from worklogs.repository import keys
from worklogs.repository.dynamodb import client


def persistence_for(workspace_id: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=environment().worklogs_table,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=keys.idempotency_pk(workspace_id),
        expiry_attr="expiresAt",
        data_attr="response",
        boto3_client=client(),
    )
