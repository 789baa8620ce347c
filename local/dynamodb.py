"""Embedded DynamoDB for the local runner and tests: moto's server, tables created from template.yaml."""

from __future__ import annotations

from typing import Any

import boto3

from local.template import table_definitions, ttl_attribute


def create_tables(client: Any) -> list[str]:
    """Create every table of the template (idempotent); returns their names."""
    existing = set(client.list_tables().get("TableNames", []))
    names = []
    for name, definition in table_definitions().items():
        names.append(name)
        if name in existing:
            continue
        client.create_table(**definition)
        ttl = ttl_attribute(name)
        if ttl:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})
    return names


def start_embedded_dynamodb() -> tuple[Any, str]:
    """Start moto's DynamoDB on a free loopback port; returns (server, endpoint URL)."""
    import logging

    from moto.server import ThreadedMotoServer

    from local import moto_speedups

    moto_speedups.install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per DynamoDB request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def dynamodb_client(endpoint_url: str | None, region: str = "us-east-1") -> Any:
    return boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)
