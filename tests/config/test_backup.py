"""The backup git repository: one file per device, one commit per run, history and diffs."""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.config.backup import BackupRepo
from netops.config.errors import BackupError
from tests.conftest import need_binary


def test_commit_per_run_history_and_diff(tmp_path: Path) -> None:
    need_binary("git")
    repo = BackupRepo(tmp_path / "backups")
    c1, changed = repo.store({"r1": "a\nb\n", "r2": "x\n"}, "backup: 2 of 2 devices")
    assert c1 and changed == ["r1", "r2"]
    assert repo.store({"r1": "a\nb\n", "r2": "x\n"}, "again") == (None, [])  # unchanged: no commit
    c3, changed = repo.store({"r1": "a\nc\n", "r2": "x\n"}, "backup: 2 of 2 devices")
    assert changed == ["r1"]
    hist = repo.history("r1")
    assert [h.rev for h in hist] == [c3, c1] and hist[0].message == "backup: 2 of 2 devices"
    assert [h.rev for h in repo.history("r2")] == [c1]
    d = repo.diff("r1")
    assert "-b\n+c\n" in d
    assert repo.show("r1", c1) == "a\nb\n" and repo.show("r1") == "a\nc\n"
    with pytest.raises(BackupError, match="no backup at revision 'deadbeef'"):
        repo.diff("r1", "deadbeef")
    with pytest.raises(BackupError, match="no backup of r9"):
        repo.show("r9")


def test_refuses_a_non_empty_non_git_folder(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(BackupError, match="not a git repository"):
        BackupRepo(tmp_path).store({"r1": "a\n"}, "x")


def _store_many(path: str, worker: int, rounds: int) -> list[str]:
    repo = BackupRepo(path)
    commits = []
    for i in range(rounds):
        commit, changed = repo.store({f"r{worker}": f"worker {worker} round {i}\n"}, f"backup by worker {worker}")
        assert changed == [f"r{worker}"]
        commits.append(commit or "")
    return commits


def test_concurrent_writers_never_meet_the_git_lock(tmp_path: Path) -> None:
    """A syslog-triggered backup and a push's backup can commit at the same moment (two processes):
    both commits land, each with its own files only."""
    need_binary("git")
    from concurrent.futures import ProcessPoolExecutor

    path = str(tmp_path / "backups")
    with ProcessPoolExecutor(4) as pool:
        done = [f.result() for f in [pool.submit(_store_many, path, w, 6) for w in range(4)]]
    repo = BackupRepo(path)
    for w, commits in enumerate(done):
        hist = repo.history(f"r{w}")
        assert [h.rev for h in hist] == commits[::-1]
        assert all(h.message == f"backup by worker {w}" for h in hist)
        assert repo.show(f"r{w}") == f"worker {w} round 5\n"
