"""`sleep N` for the README's examples: instead of waiting, move every running timer of the runner's store
N seconds into the past (its runs' starts and `startedAt`), which is what waiting does to it.

    python -m tests.e2e.timewarp <seconds> <runner.json>
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import boto3


def _earlier(text: str, seconds: float) -> str:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")) - timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # the stored form


def warp(endpoint: str, seconds: float) -> int:
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    moved = 0
    for page in dynamodb.get_paginator("scan").paginate(TableName="MainTable"):  # test tooling, never the product
        for item in page["Items"]:
            if item.get("entity", {}).get("S") != "timer":
                continue
            starts = [{"S": _earlier(start["S"], seconds)} for start in item["segmentStarts"]["L"]]
            ends = [{"S": _earlier(end["S"], seconds)} for end in item["segmentEnds"]["L"]]
            dynamodb.update_item(
                TableName="MainTable",
                Key={"PK": item["PK"], "SK": item["SK"]},
                UpdateExpression="SET segmentStarts = :starts, segmentEnds = :ends, startedAt = :first",
                ExpressionAttributeValues={
                    ":starts": {"L": starts},
                    ":ends": {"L": ends},
                    ":first": {"S": _earlier(item["startedAt"]["S"], seconds)},
                },
            )
            moved += 1
    return moved


if __name__ == "__main__":
    state = json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    print(f"time-warped {warp(state['dynamodbEndpoint'], float(sys.argv[1]))} timer(s)", file=sys.stderr)
