"""Approval rules: periods by week start, the periods of a day, deterministic ids, who may do which transition."""

from __future__ import annotations

from datetime import date

import pytest

from worklogs.approvals import rules
from worklogs.auth import Caller, Role
from worklogs.errors import Conflict, Forbidden, ValidationFailed

BOB = Caller(sub="bob")
MIA = Caller(sub="mia")


@pytest.mark.parametrize(
    ("text", "week_start", "first", "last"),
    [
        ("2026-W47", "monday", date(2026, 11, 16), date(2026, 11, 22)),
        ("2026-W47", "sunday", date(2026, 11, 15), date(2026, 11, 21)),
        ("2026-W01", "monday", date(2025, 12, 29), date(2026, 1, 4)),
        ("2026-W53", "monday", date(2026, 12, 28), date(2027, 1, 3)),
        ("2026-11", "monday", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-12", "sunday", date(2026, 12, 1), date(2026, 12, 31)),
        ("2028-02", "monday", date(2028, 2, 1), date(2028, 2, 29)),
    ],
)
def test_periods_are_weeks_by_week_start_or_months(text, week_start, first, last):
    assert rules.parse_period(text, week_start) == rules.PeriodSpan(text, first, last)


def test_a_week_that_year_does_not_have_is_422():
    with pytest.raises(ValidationFailed):
        rules.parse_period("2025-W53", "monday")


@pytest.mark.parametrize("week_start", ["monday", "sunday"])
def test_every_day_of_a_week_maps_back_to_it(week_start):
    for label in ("2026-W01", "2026-W47", "2026-W53", "2027-W01"):
        span = rules.parse_period(label, week_start)
        day = span.first
        while day <= span.last:
            assert rules.periods_of_day(day, week_start) == (label, day.strftime("%Y-%m"))
            day = date.fromordinal(day.toordinal() + 1)


def test_approval_ids_are_one_per_workspace_worker_and_period():
    one = rules.approval_id("acme", "bob", "2026-W47")
    assert one == rules.approval_id("acme", "bob", "2026-W47")
    others = {
        rules.approval_id("beta", "bob", "2026-W47"),
        rules.approval_id("acme", "carol", "2026-W47"),
        rules.approval_id("acme", "bob", "2026-11"),
    }
    assert one not in others and len(others) == 3


def test_submission_rules():
    rules.require_can_submit(BOB, Role.MEMBER, "bob")
    rules.require_can_submit(MIA, Role.MANAGER, "bob")
    with pytest.raises(Forbidden):
        rules.require_can_submit(BOB, Role.MEMBER, "carol")
    with pytest.raises(Forbidden):
        rules.require_can_submit(BOB, Role.VIEWER, "bob")
    for state in (None, "rejected", "reopened"):
        rules.require_resubmittable(state)
    for state in ("submitted", "approved"):
        with pytest.raises(Conflict) as raised:
            rules.require_resubmittable(state)
        assert raised.value.code == f"PERIOD_{state.upper()}"


@pytest.mark.parametrize(
    ("action", "state", "caller", "role", "outcome"),
    [
        ("approve", "submitted", MIA, Role.MANAGER, "approved"),
        ("reject", "submitted", MIA, Role.ADMIN, "rejected"),
        ("approve", "submitted", BOB, Role.MEMBER, Forbidden),
        ("approve", "approved", MIA, Role.MANAGER, Conflict),
        ("reject", "reopened", MIA, Role.MANAGER, Conflict),
        ("reopen", "approved", MIA, Role.MANAGER, "reopened"),
        ("reopen", "submitted", BOB, Role.MEMBER, "reopened"),
        ("reopen", "approved", BOB, Role.MEMBER, Forbidden),
        ("reopen", "submitted", Caller(sub="carol"), Role.MEMBER, Forbidden),
        ("reopen", "rejected", MIA, Role.MANAGER, Conflict),
    ],
)
def test_transitions(action, state, caller, role, outcome):
    if isinstance(outcome, str):
        assert rules.next_state(action, state, caller, role, "bob") == outcome
    else:
        with pytest.raises(outcome):
            rules.next_state(action, state, caller, role, "bob")
