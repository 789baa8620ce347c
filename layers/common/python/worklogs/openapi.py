"""The API's OpenAPI document (generated from every function by `make openapi`) and its Swagger UI."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

SCHEMA_FILE = Path(__file__).with_name("openapi.json")


@lru_cache(maxsize=1)
def schema_json() -> str:
    return SCHEMA_FILE.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def swagger_html() -> str:
    """Swagger UI with its script and styles inline (no CDN), showing the whole API's schema."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    assets = Path(swagger_ui.__file__).parent
    return generate_swagger_html(
        schema_json(),
        _asset(assets / "swagger-ui-bundle.min.js"),
        _asset(assets / "swagger-ui.min.css"),
        "",
        None,
        persist_authorization=True,
    )


def _asset(path: Path) -> str:
    """A Swagger UI asset; the layer ships them gzipped (layers/common/Makefile), a dev install plain."""
    packed = path.with_name(path.name + ".gz")
    if packed.exists():
        import gzip

        return gzip.decompress(packed.read_bytes()).decode("utf-8")
    return path.read_text(encoding="utf-8")
