"""The hook every worklog write calls: the rate each written worklog carries from now on (its snapshot),
resolved from the workspace's effective-dated rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from worklogs.domain.settings import WorkspaceSettings
from worklogs.models import Worklog
from worklogs.rates import rules
from worklogs.rates.models import Rates
from worklogs.repository import rates as rates_store
from worklogs.repository.worklogs import ExtraWrite, WorklogChange


def _inputs(worklog: Worklog, tz: ZoneInfo) -> tuple[Any, ...]:
    """What the resolved rate depends on."""
    return (
        worklog.workerId,
        worklog.projectId,
        worklog.worklogTypeCode,
        worklog.startDate.astimezone(tz).date(),
        "rate" in worklog.data,
        worklog.data.get("rate"),
    )


def resolve(worklog: Worklog, found: Rates, tz: ZoneInfo) -> rules.Resolved:
    return rules.resolve(
        found.rules,
        worker_id=worklog.workerId,
        project_id=worklog.projectId,
        type_code=worklog.worklogTypeCode,
        day=worklog.startDate.astimezone(tz).date(),
    )


def snapshot(changes: Iterable[WorklogChange], settings: WorkspaceSettings) -> list[ExtraWrite]:
    """Store the resolved `rate` and `rateSource` on each written worklog that is new (and has none yet, as
    the second part of a split has) or whose rate inputs changed; an explicit data.rate wins. Returns the
    ConditionCheck on the rates version when cached rules were consulted (no extra request when warm)."""
    consulted: Rates | None = None
    for change in changes:
        worklog = change.worklog
        if change.previous is None:
            if worklog.rateSource is not None:
                continue
        elif _inputs(worklog, settings.tz) == _inputs(change.previous, settings.tz):
            continue
        resolved = rules.explicit(worklog.data)
        if resolved is None:
            consulted = consulted or rates_store.get(settings.workspaceId, settings.currency)
            resolved = resolve(worklog, consulted, settings.tz)
        worklog.rate, worklog.rateSource = resolved.rate, resolved.source
    return [rates_store.guard(consulted)] if consulted is not None else []
