"""The workspace's rates item, read through the per-container cache of `WorkspaceItem` (as the settings).
Writes that resolved a rate from cached rules carry a ConditionCheck on their version (`guard`), so a stale
cache can never snapshot an old rate: the transaction fails, the cache is refreshed, the write reruns."""

from __future__ import annotations

from functools import partial
from typing import Any

from worklogs.rates.models import Rates
from worklogs.repository import keys
from worklogs.repository.errors import SettingsChanged
from worklogs.repository.worklogs import ExtraWrite
from worklogs.repository.workspace_item import WorkspaceItem, known_attributes

_item: WorkspaceItem[Rates] = WorkspaceItem("rates", keys.rates_key)
_STORED = set(Rates.model_fields) - {"currency"}  # the currency is the settings'; it is not stored here


def _build(workspace_id: str, currency: str, plain: dict[str, Any] | None) -> Rates:
    if plain is None:
        return Rates(workspaceId=workspace_id, rules=[], currency=currency, version=0)
    return Rates.model_validate({**known_attributes(plain, _STORED), "currency": currency})


def invalidate(workspace_id: str | None = None) -> None:
    _item.invalidate(workspace_id)


def load(workspace_id: str, currency: str) -> Rates:
    """One strongly consistent GetItem; no rules (version 0) when the workspace never saved rates."""
    return _item.load(workspace_id, partial(_build, workspace_id, currency))


def get(workspace_id: str, currency: str) -> Rates:
    """Cached rates (no request when warm); writes verify the version with `guard`."""
    return _item.get(workspace_id, partial(_build, workspace_id, currency))


def guard(found: Rates) -> ExtraWrite:
    """A ConditionCheck: the rates are still the version the snapshot was resolved from."""

    def changed(_: dict[str, Any] | None) -> Exception:
        invalidate(found.workspaceId)
        return SettingsChanged()  # the write runs again against fresh rates

    return ExtraWrite(_item.condition_check(found.workspaceId, found.version), changed)


def save(new: Rates, expected_version: int) -> None:
    """Conditional PutItem over the version read (0 = never saved); VersionConflict when it changed."""
    _item.save(new.workspaceId, new.model_dump(mode="json", exclude={"currency"}), expected_version)
