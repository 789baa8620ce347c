"""The local runner's journal: appends are durable lines; a torn last line (a kill mid-append) is ignored."""

from __future__ import annotations

import pytest

from local.persistence import DataDirBusy, Journal


def test_entries_read_back_in_order_and_a_torn_tail_is_dropped(tmp_path):
    journal = Journal(tmp_path)
    journal.lock()
    journal.open()
    journal.append("PutItem", b'{"TableName":"MainTable","Item":{"PK":{"S":"a"}}}')
    journal.append("DeleteItem", b'{"TableName":"MainTable","Key":{"PK":{"S":"a"}}}')
    journal.close()
    with (tmp_path / "journal.jsonl").open("ab") as handle:
        handle.write(b'{"target":"PutItem","body":"{\\"Tab')  # never answered: the process died here
    entries = list(Journal(tmp_path).read())
    assert [entry["target"] for entry in entries] == ["PutItem", "DeleteItem"]


def test_a_second_runner_cannot_take_the_data_directory(tmp_path):
    first = Journal(tmp_path)
    first.lock()
    try:
        with pytest.raises(DataDirBusy):
            Journal(tmp_path).lock()
    finally:
        first.close()
    again = Journal(tmp_path)
    again.lock()
    again.close()


def test_rewrite_replaces_the_journal_atomically(tmp_path):
    journal = Journal(tmp_path)
    journal.lock()
    journal.open()
    for n in range(5):
        journal.append("PutItem", b"{}")
    assert journal.rewrite([("PutItem", {"TableName": "MainTable", "Item": {"PK": {"S": "x"}}})]) == 1
    journal.append("PutItem", b"{}")
    journal.close()
    assert len(list(Journal(tmp_path).read())) == 2
    assert not (tmp_path / "journal.compacting").exists()
