"""Pure rate resolution: the most specific rule wins (worker+project > project > worker > type > workspace),
and among equals the latest `validFrom` on or before the entry's start day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from worklogs.errors import ValidationFailed
from worklogs.rates.models import RateRule

LEVELS = {  # which keys a rule sets -> (level name, specificity)
    frozenset({"workerId", "projectId"}): ("worker+project", 4),
    frozenset({"projectId"}): ("project", 3),
    frozenset({"workerId"}): ("worker", 2),
    frozenset({"worklogTypeCode"}): ("type", 1),
    frozenset(): ("workspace", 0),
}


@dataclass(frozen=True)
class Resolved:
    rate: str | None
    source: str | None


def _keys(rule: RateRule) -> frozenset[str]:
    return frozenset(name for name in ("workerId", "projectId", "worklogTypeCode") if getattr(rule, name))


def check_rules(rules: list[RateRule]) -> None:
    """Each rule is one of the five levels, and no two rules share level, keys and validFrom."""
    seen = set()
    for index, rule in enumerate(rules):
        keys = _keys(rule)
        where = {"loc": ["body", "rules", index], "type": "rate_rule"}
        if keys not in LEVELS:
            raise ValidationFailed(
                "A rate rule names a worker and a project, a project, a worker, a worklog type, or nothing "
                "(the workspace default).",
                details=[{**where, "msg": "Unsupported combination of keys."}],
            )
        identity = (rule.workerId, rule.projectId, rule.worklogTypeCode, rule.validFrom)
        if identity in seen:
            raise ValidationFailed(
                "Two rules have the same keys and validFrom.", details=[{**where, "msg": "Duplicate rule."}]
            )
        seen.add(identity)


def _matches(rule: RateRule, worker_id: str, project_id: str | None, type_code: str | None) -> bool:
    return (
        (rule.workerId is None or rule.workerId == worker_id)
        and (rule.projectId is None or rule.projectId == project_id)
        and (rule.worklogTypeCode is None or rule.worklogTypeCode == type_code)
    )


def resolve(
    rules: list[RateRule], *, worker_id: str, project_id: str | None, type_code: str | None, day: date
) -> Resolved:
    candidates = [r for r in rules if r.validFrom <= day and _matches(r, worker_id, project_id, type_code)]
    if not candidates:
        return Resolved(None, None)
    best = max(candidates, key=lambda r: (LEVELS[_keys(r)][1], r.validFrom))
    return Resolved(best.rate, f"rule:{LEVELS[_keys(best)][0]}:{best.validFrom.isoformat()}")


def explicit(data: dict[str, Any]) -> Resolved | None:
    """An explicit `data.rate` wins: its decimal text when it is a positive finite number."""
    if "rate" not in data:
        return None
    value = data["rate"]
    try:
        found = Decimal(str(value)) if not isinstance(value, bool) else None
    except (InvalidOperation, ValueError):
        found = None
    if found is None or not found.is_finite() or found <= 0:
        return Resolved(None, "data")
    return Resolved(str(found), "data")
