"""The environment every benchmark runs the functions in: the template's variables, moto credentials,
quiet Powertools, and the layer and repository root on the path."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare() -> None:
    for path in (str(ROOT / "layers" / "common" / "python"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    from local.template import local_environment

    os.environ.update(local_environment())
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "CURSOR_SIGNING_KEY": "bench-cursor-key",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
        }
    )
    for name in ("CURSOR_SECRET_ARN", "DYNAMODB_ENDPOINT_URL"):
        os.environ.pop(name, None)
    warnings.filterwarnings("ignore", message="No application metrics to publish")
