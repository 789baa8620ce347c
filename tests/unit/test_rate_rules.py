"""Rate resolution: specificity first, then the latest validFrom on or before the entry's start day."""

from __future__ import annotations

from datetime import date

import pytest

from worklogs.errors import ValidationFailed
from worklogs.rates import rules
from worklogs.rates.models import RateRule


def rule(rate: str, since: str = "2026-01-01", **keys: str) -> RateRule:
    return RateRule(rate=rate, validFrom=date.fromisoformat(since), **keys)


RULES = [
    rule("80"),
    rule("85", "2026-07-01"),
    rule("90", worklogTypeCode="Testing"),
    rule("100", workerId="bob"),
    rule("110", projectId="P-1"),
    rule("120", "2026-03-01", projectId="P-1", workerId="bob"),
]


def resolve(worker="carol", project=None, type_code=None, day="2026-05-01"):
    return rules.resolve(RULES, worker_id=worker, project_id=project, type_code=type_code, day=date.fromisoformat(day))


def test_most_specific_wins():
    assert resolve().rate == "80"
    assert resolve(type_code="Testing").rate == "90"
    assert resolve(worker="bob", type_code="Testing").rate == "100"
    assert resolve(worker="bob", project="P-1", type_code="Testing").source == "rule:worker+project:2026-03-01"
    assert resolve(project="P-1").rate == "110"


def test_latest_valid_from_on_or_before_the_day_among_equals():
    assert resolve(day="2026-06-30").rate == "80"
    assert resolve(day="2026-07-01").source == "rule:workspace:2026-07-01"


def test_a_specific_rule_not_yet_valid_falls_back():
    assert resolve(worker="bob", project="P-1", day="2026-02-28").source == "rule:project:2026-01-01"


def test_no_rule_before_the_first():
    assert resolve(day="2025-12-31") == rules.Resolved(None, None)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, None),
        ({"rate": "150"}, rules.Resolved("150", "data")),
        ({"rate": 99.5}, rules.Resolved("99.5", "data")),
        ({"rate": "lots"}, rules.Resolved(None, "data")),
        ({"rate": True}, rules.Resolved(None, "data")),
        ({"rate": -3}, rules.Resolved(None, "data")),
    ],
)
def test_an_explicit_data_rate_wins(data, expected):
    assert rules.explicit(data) == expected


def test_rule_shapes_are_checked():
    rules.check_rules(RULES)
    with pytest.raises(ValidationFailed):
        rules.check_rules([rule("1", projectId="P-1", worklogTypeCode="Testing")])
    with pytest.raises(ValidationFailed):
        rules.check_rules([rule("1"), rule("2")])
