"""The change journal on its own: open entries, a torn last line, a damaged file."""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.config.errors import ConfigError
from netops.config.journal import Journal, JournalStep, pending_devices


def test_open_entries_are_changes_without_a_final_step(tmp_path: Path) -> None:
    j = Journal(tmp_path)
    j.step("r1", "a", JournalStep.BEGIN, platform="frr", backup_rev="abc", total=3)
    j.step("r1", "a", JournalStep.SENDING, sent=1, total=3)
    j.step("r1", "b", JournalStep.BEGIN, platform="frr", total=3)
    j.step("r1", "b", JournalStep.APPLIED)
    j.step("r1", "c", JournalStep.BEGIN, platform="frr", total=3)
    j.step("r1", "c", JournalStep.PENDING, note="unreachable")
    j.step("r2", "b", JournalStep.BEGIN, platform="frr", total=2)  # a later change of b, left open
    open_ = j.open_entries()
    assert sorted(open_) == ["a", "b", "c"]
    assert [r.step for r in open_["a"]] == [JournalStep.BEGIN, JournalStep.SENDING] and open_["a"][0].backup_rev == "abc"
    assert [r.run for r in open_["b"]] == ["r2"]
    j.step("r1", "a", JournalStep.ROLLED_BACK, note="recover")
    assert pending_devices(tmp_path) == ["b", "c"]


def test_a_torn_last_line_is_ignored_and_a_damaged_line_is_named(tmp_path: Path) -> None:
    j = Journal(tmp_path)
    j.step("r1", "a", JournalStep.BEGIN, platform="frr", total=3)
    with j.path.open("a") as f:
        f.write('{"run": "r1", "device": "a", "st')  # a crash in the middle of a write
    assert list(j.open_entries()) == ["a"]
    with j.path.open("a") as f:
        f.write('\n{"run": "r1", "device": "a", "step": "applied", "time": 1}\n')
    with pytest.raises(ConfigError, match=r"journal.jsonl:2: not a journal record"):
        j.records()
    assert pending_devices(tmp_path) == []  # the exporter shows nothing rather than failing
