"""A client generated with openapi-python-client from the served /v1/openapi.json works end to end:
create, page with the cursor, PATCH with the ETag from the typed response, a 412 read as a typed error,
and the CSV export. The client is generated once per test session."""

from __future__ import annotations

import importlib
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "worklogs_generated_client"


@pytest.fixture(scope="session")
def generated(local_api, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("generated-client")
    document = workdir / "openapi.json"
    document.write_bytes(requests.get(f"{local_api}/v1/openapi.json", timeout=10).content)
    config = workdir / "config.yaml"
    config.write_text(f"post_hooks: []\nproject_name_override: {PACKAGE}\npackage_name_override: {PACKAGE}\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--output-path",
            str(workdir / PACKAGE),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(workdir))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(workdir))


def _module(name: str):
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.mark.slow  # generates a client package
def test_a_generated_client_runs_the_whole_flow(generated, local_api, token):
    client = generated.AuthenticatedClient(base_url=local_api, token=token("gina", "genco:admin"))
    models = _module("models")
    create = _module("api.worklogs.create_worklog")
    search = _module("api.worklogs.search_worklogs")
    edit = _module("api.worklog_lifecycle.edit_worklog")
    export_csv = _module("api.reports.export_worklogs_csv")

    ids = []
    for hour in (9, 11, 13):
        body = models.WorklogCreate(
            owner_type="Ticket",
            owner_id="GEN-1",
            start_date=datetime(2026, 11, 10, hour, tzinfo=UTC),
            duration="PT1H",
            data=models.WorklogCreateData.from_dict({"billable": True}),
        )
        response = create.sync_detailed("genco", client=client, body=body)
        assert response.status_code == 201, response.content
        assert isinstance(response.parsed, models.WorklogResult)
        assert response.headers["ETag"] == '"1"' and response.headers["Location"].endswith(response.parsed.id)
        ids.append(response.parsed.id)

    seen, cursor = [], generated.types.UNSET
    while True:
        page = search.sync_detailed(
            "genco", client=client, owner_type="Ticket", owner_id="GEN-1", limit=2, cursor=cursor
        )
        assert isinstance(page.parsed, models.WorklogPage), page.content
        seen += [item.id for item in page.parsed.items]
        if not page.parsed.next_cursor:
            break
        cursor = page.parsed.next_cursor
    assert sorted(seen) == sorted(ids)

    first = _module("api.worklogs.get_worklog").sync_detailed("genco", ids[0], client=client)
    etag = first.headers["ETag"]
    patched = edit.sync_detailed(
        "genco", ids[0], client=client, body=models.WorklogPatch(description="<p>typed</p>"), if_match=etag
    )
    assert isinstance(patched.parsed, models.WorklogResult), patched.content
    assert patched.parsed.version == 2 and patched.headers["ETag"] == '"2"'

    stale = edit.sync_detailed(
        "genco", ids[0], client=client, body=models.WorklogPatch(description="<p>late</p>"), if_match=etag
    )
    assert stale.status_code == 412
    assert isinstance(stale.parsed, models.VersionMismatchResponse)
    assert stale.parsed.error.code == models.ErrorCode.VERSION_MISMATCH
    assert stale.parsed.error.details[0].current_version == 2

    rows, cursor = [], generated.types.UNSET
    while True:
        exported = export_csv.sync_detailed(
            "genco", client=client, from_=date(2026, 11, 10), to=date(2026, 11, 10), limit=2, cursor=cursor
        )
        assert exported.status_code == 200 and isinstance(exported.parsed, str), exported.content
        rows += exported.parsed.strip().splitlines()[1:]
        if "Next-Cursor" not in exported.headers:
            break
        cursor = exported.headers["Next-Cursor"]
    assert len(rows) == 3 and all(worklog_id in "\n".join(rows) for worklog_id in ids)
