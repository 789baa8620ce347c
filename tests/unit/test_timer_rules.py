"""What stopping a timer logs, as pure rules: runs, pauses, skew between clocks, caps, `endAt`."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from worklogs.auth import Caller, Role
from worklogs.domain.settings import WorkspaceSettings
from worklogs.domain.timer import TimerState, plan_stop, view
from worklogs.errors import ValidationFailed
from worklogs.timer.models import TimerStop

NOW = datetime(2026, 11, 11, 12, 0, tzinfo=UTC)
BOB = Caller(sub="bob", name="Bob", roles={"acme": Role.MEMBER})


def at(minutes_ago: int) -> datetime:
    return NOW - timedelta(minutes=minutes_ago)


def a_timer(starts: list[int], ends: list[int]) -> TimerState:
    return TimerState(
        id="5e0d9b3a-71c4-4f28-a6e1-9b2c3d4e5f60",
        workspaceId="acme",
        userId="bob",
        ownerType="Ticket",
        ownerId="T-1",
        segmentStarts=[at(m) for m in starts],
        segmentEnds=[at(m) for m in ends],
        version=1,
        startedAt=at(starts[0]),
        updatedAt=at(starts[-1]),
    )


def plan(timer: TimerState, request: TimerStop | None = None, **settings):
    ids = (f"00000000-0000-4000-8000-{n:012d}" for n in itertools.count())
    return plan_stop(
        timer,
        caller=BOB,
        role=Role.MEMBER,
        settings=WorkspaceSettings(workspaceId="acme", **settings),
        request=request or TimerStop(),
        now=NOW,
        new_id=lambda: next(ids),
    )


def windows(stop_plan) -> list[tuple[datetime, datetime]]:
    return [(w.startDate, w.endDate) for w in stop_plan.worklogs]


def test_one_worklog_per_run_and_the_going_run_ends_now():
    result = plan(a_timer([120, 60], [90]))
    assert windows(result) == [(at(120), at(90)), (at(60), NOW)]
    assert [w.loggedBy.id for w in result.worklogs] == ["bob", "bob"] and result.stopped_at == NOW


def test_a_run_stamped_by_a_lagging_clock_never_overlaps_the_previous_one():
    # paused at 60 min ago by one container, resumed "at 61 min ago" by a container whose clock lags
    skewed = a_timer([120, 61], [60])
    assert windows(plan(skewed)) == [(at(120), at(60)), (at(60), NOW)]
    assert view(a_timer([10], [11]), NOW).elapsedSeconds == 0  # a backwards run counts nothing


def test_short_runs_are_skipped_and_long_ones_capped():
    result = plan(a_timer([600, 30], [599]), maxEntryHours=2, minTimerSeconds=90)
    assert windows(result) == [(at(30), NOW)]
    assert [s.seconds for s in result.skipped] == [60]
    capped = plan(a_timer([300], []), maxEntryHours=2)
    assert windows(capped) == [(at(300), at(180))] and capped.warnings[0].code == "TIMER_RUN_CAPPED"


@pytest.mark.parametrize(
    ("starts", "ends", "end_at", "ok"),
    [
        ([60], [], 30, True),
        ([60], [], 60, True),  # the last run becomes empty and is skipped
        ([60], [], -1, False),  # the future
        ([60], [], 61, False),  # before the timer started
        ([120, 60], [90], 100, False),  # inside an earlier run
        ([120, 60], [90, 30], 20, False),  # during the pause after the last run
        ([120, 60], [90, 30], 40, True),
    ],
)
def test_end_at_lies_within_the_last_run(starts, ends, end_at, ok):
    request = TimerStop(endAt=at(end_at))
    if ok:
        result = plan(a_timer(starts, ends), request)
        assert all(end <= at(end_at) for _, end in windows(result))
    else:
        with pytest.raises(ValidationFailed):
            plan(a_timer(starts, ends), request)
