"""Saves that lose a race to another container: the repository refuses them with VersionConflict and drops
its cached copy; the API answers 412 VERSION_MISMATCH, and a read then shows the winner's version."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import ADMIN, BOB, MIA, a_worklog

ACME = "/v1/workspaces/acme"


def test_the_store_refuses_a_save_over_a_version_it_did_not_read(dynamodb):
    from worklogs.repository import settings as settings_store
    from worklogs.repository.errors import VersionConflict

    read = settings_store.get("acme")  # defaults, version 0, now cached
    saved = read.model_copy(update={"version": 1, "overlapPolicy": "reject"})
    settings_store.save(saved, 0)
    with pytest.raises(VersionConflict) as refused:
        settings_store.save(read.model_copy(update={"version": 1, "overlapPolicy": "warn"}), 0)
    assert (refused.value.entity, refused.value.workspace_id) == ("settings", "acme")
    current = settings_store.get("acme")
    assert (current.version, current.overlapPolicy) == (1, "reject")


def _another_container_saves_after(monkeypatch, module: Any, name: str, save_over) -> None:
    """Wrap `module.name` (a read): right after it returns, another container saves a new version."""
    original = getattr(module, name)

    def read_then_lose_the_race(*args: Any) -> Any:
        found = original(*args)
        if found is not None:
            save_over(found)
        return found

    monkeypatch.setattr(module, name, read_then_lose_the_race)


def test_settings_saved_meanwhile_answer_412(api, monkeypatch):
    from worklogs.repository import settings as settings_store

    def save_over(found):
        settings_store.save(found.model_copy(update={"version": found.version + 1, "maxEntryHours": 10}), found.version)

    _another_container_saves_after(monkeypatch, settings_store, "load", save_over)
    response = api.put(f"{ACME}/settings", json_body={"overlapPolicy": "reject"}, caller=ADMIN)
    monkeypatch.undo()

    assert response.status == 412 and response.json["error"]["code"] == "VERSION_MISMATCH", response.body
    current = api.get(f"{ACME}/settings", caller=BOB).json
    assert (current["version"], current["maxEntryHours"], current["overlapPolicy"]) == (1, 10, "allow")


def test_rates_saved_meanwhile_answer_412(api, monkeypatch):
    from worklogs.repository import rates as rates_store

    def save_over(found):
        rates_store.save(found.model_copy(update={"version": found.version + 1}), found.version)

    _another_container_saves_after(monkeypatch, rates_store, "load", save_over)
    rules = [{"rate": "80.00", "validFrom": "2026-01-01"}]
    response = api.put(f"{ACME}/rates", json_body={"rules": rules}, caller=ADMIN)
    monkeypatch.undo()

    assert response.status == 412 and response.json["error"]["code"] == "VERSION_MISMATCH", response.body
    current = api.get(f"{ACME}/rates", caller=BOB).json
    assert (current["version"], current["rules"]) == (1, [])


def test_an_approval_decided_meanwhile_answers_412(api, monkeypatch):
    from worklogs.repository import approvals as approval_store

    submitted = api.post(f"{ACME}/approvals", json_body={"period": "2026-W46"}, caller=BOB)
    assert submitted.status == 201, submitted.body

    def save_over(found):
        approval_store.save(found.model_copy(update={"version": found.version + 1, "state": "approved"}), found.version)

    _another_container_saves_after(monkeypatch, approval_store, "get", save_over)
    approval_id = submitted.json["id"]
    response = api.post(f"{ACME}/approvals/{approval_id}/reject", headers={"If-Match": '"1"'}, caller=MIA)
    monkeypatch.undo()

    assert response.status == 412 and response.json["error"]["code"] == "VERSION_MISMATCH", response.body
    current = api.get(f"{ACME}/approvals/{approval_id}", caller=BOB).json
    assert (current["version"], current["state"]) == (2, "approved")


def test_a_worklog_type_replaced_meanwhile_answers_412(api, monkeypatch):
    from worklogs.repository import types as types_store

    code = "Testing"
    before = api.get(f"{ACME}/worklog-types/{code}", caller=BOB).json

    def save_over(found):
        current = found[code]
        types_store.save("acme", current.model_copy(update={"version": current.version + 1}), current.version)

    _another_container_saves_after(monkeypatch, types_store, "load_all", save_over)
    response = api.put(
        f"{ACME}/worklog-types/{code}",
        json_body={"name": "Renamed"},
        headers={"If-Match": f'"{before["version"]}"'},
        caller=ADMIN,
    )
    monkeypatch.undo()

    assert response.status == 412 and response.json["error"]["code"] == "VERSION_MISMATCH", response.body
    current = api.get(f"{ACME}/worklog-types/{code}", caller=BOB).json
    assert (current["version"], current["name"]) == (before["version"] + 1, before["name"])


def test_settings_with_a_re_roll_saved_meanwhile_answer_412(api, monkeypatch):
    from worklogs.repository import reroll as reroll_store
    from worklogs.repository import settings as settings_store

    created = api.post(f"{ACME}/worklogs", json_body=a_worklog(), caller=ADMIN)
    assert created.status == 201, created.body

    def save_over(found):
        settings_store.save(found.model_copy(update={"version": found.version + 1, "maxEntryHours": 10}), found.version)

    _another_container_saves_after(monkeypatch, settings_store, "load", save_over)
    # A new timezone re-rolls the days with worklogs: the settings and the re-roll item go in one transaction.
    response = api.put(f"{ACME}/settings", json_body={"timezone": "Europe/Berlin"}, caller=ADMIN)
    monkeypatch.undo()

    assert response.status == 412, response.body
    assert response.json["error"]["code"] == "VERSION_MISMATCH"
    assert response.json["error"]["message"] == "The settings changed meanwhile; read them again and retry."
    current = api.get(f"{ACME}/settings", caller=BOB).json
    assert (current["version"], current["maxEntryHours"], current["timezone"]) == (1, 10, "UTC")
    assert reroll_store.get("acme") is None
