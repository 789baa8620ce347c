"""Kimai and Clockify CSV exports read as worklog creates."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from local.import_csv import UnknownFormat, parse

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
BERLIN = ZoneInfo("Europe/Berlin")


def test_a_kimai_export():
    kind, items, problems = parse((SAMPLES / "kimai-export.csv").read_text(), BERLIN)
    assert (kind, len(items), problems) == ("kimai", 3, [])
    first = items[0]
    assert (first["ownerType"], first["ownerId"], first["projectId"]) == ("Project", "Website", "Website")
    assert (first["startDate"], first["endDate"]) == ("2026-11-09T09:00:00+01:00", "2026-11-09T10:30:00+01:00")
    assert first["data"] == {"billable": True, "activity": "Development", "rate": "100.00"}
    assert items[1]["description"] == "<p>Planning, sprint 12</p>" and items[1]["data"]["tags"] == "planning"
    assert "workerId" not in first


def test_a_clockify_export_with_tasks_and_users():
    kind, items, problems = parse((SAMPLES / "clockify-export.csv").read_text(), BERLIN, keep_users=True)
    assert (kind, len(items), problems) == ("clockify", 2, [])
    assert (items[0]["ownerType"], items[0]["ownerId"], items[0]["workerId"]) == ("Task", "LOGIN-12", "bob")
    assert items[0]["data"] == {"billable": True, "rate": "100.00"}
    assert (items[1]["ownerType"], items[1]["data"]["billable"]) == ("Project", False)
    assert items[1]["startDate"] == "2026-11-09T13:00:00+01:00"


def test_unreadable_rows_are_reported_not_guessed():
    text = "Date,From,To,Duration,User,Project,Activity,Description\n2026-11-09,9h,10:00,1,bob,P,A,D\n"
    _kind, items, problems = parse(text, BERLIN)
    assert items == [] and problems == ["line 2: unreadable time '9H'"]


def test_another_format_is_refused():
    with pytest.raises(UnknownFormat):
        parse("a,b\n1,2\n", BERLIN)
