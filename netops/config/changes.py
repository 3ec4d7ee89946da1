"""Changes outside netops: what a backup found on a device that netops did not put there.

Every backup compares each device's cleaned (masked) config with its last committed backup.
netops commits every change it makes: a push's after-backup, a rollback's backup, and the
journal's records of a push or recover whose outcome was not committed (a device lost
mid-push). So a device differing from its last backup is a change outside netops unless
the journal holds a record about that device newer than that backup.

Each change outside netops is written to the commit message, appended to a small state
file beside the backups (``changes.jsonl``, read by the exporter for
``netops_config_changes_outside_total``) and sent to the alerting receivers
(:mod:`netops.config.notify`). Everything here is masked text: backups hold no secret.
"""

from __future__ import annotations

import difflib
import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from netops.config.backup import BackupRepo
from netops.config.journal import Journal

FILENAME = "changes.jsonl"
SUMMARY_LINES = 12
"""changed lines quoted per device in a commit message (the whole diff goes to the receivers)"""
_lock = threading.Lock()


@dataclass
class OutsideChange:
    """A device's config changed since its last backup, and netops did not change it."""

    device: str
    platform: str
    time: float
    """when the backup found it (Unix time)"""
    diff: str
    """unified diff of the masked backups, old to new"""
    added: int
    removed: int
    commit: str = ""
    cause: str = ""
    """what started the backup (a syslog line's user and time), if known"""

    @property
    def summary(self) -> str:
        return f"+{self.added} -{self.removed} lines"

    def changed_lines(self, limit: int = SUMMARY_LINES) -> list[str]:
        lines = [ln for ln in self.diff.splitlines()
                 if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
        return lines[:limit] + ([f"… {len(lines) - limit} more"] if len(lines) > limit else [])


def masked_diff(device: str, old: str, new: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        f"a/{device}.cfg", f"b/{device}.cfg", n=1))


def netops_touched(journal: Journal, since: dict[str, float]) -> set[str]:
    """Devices with a journal record newer than their last backup (netops changed them since)."""
    touched = set()
    for rec in journal.records():
        last = since.get(rec.device)
        if last is not None and int(rec.time) > last:
            touched.add(rec.device)
    return touched


def detect(repo: BackupRepo, cleaned: dict[str, str], platforms: dict[str, str],
           cause: str = "") -> tuple[list[OutsideChange], list[str]]:
    """(changes outside netops, devices netops changed itself) among ``cleaned`` vs their last backups."""
    differing: dict[str, tuple[str, float]] = {}
    for name, text in cleaned.items():
        on_disk = repo.path / repo.filename(name)
        try:
            if on_disk.read_text(encoding="utf-8") == text:
                continue  # the working tree holds the last commit: unchanged, no git call needed
        except OSError:
            pass
        last = repo.latest(name)
        if last is not None and last[0] != text:
            differing[name] = last
    if not differing:
        return [], []
    ours = netops_touched(Journal(repo.path), {n: t for n, (_, t) in differing.items()})
    now = time.time()
    out = []
    for name in sorted(set(differing) - ours):
        diff = masked_diff(name, differing[name][0], cleaned[name])
        lines = diff.splitlines()
        out.append(OutsideChange(name, platforms[name], now, diff,
                                 sum(1 for ln in lines if ln.startswith("+") and not ln.startswith("+++")),
                                 sum(1 for ln in lines if ln.startswith("-") and not ln.startswith("---")),
                                 cause=cause))
    return out, sorted(ours)


def commit_body(changes: list[OutsideChange], ours: list[str]) -> str:
    """The commit message's account: each change outside netops with its first changed lines."""
    parts = []
    if changes:
        parts.append(f"changes outside netops ({len(changes)}): " + ", ".join(c.device for c in changes))
        for c in changes:
            parts.append(f"{c.device} ({c.summary}):\n" + "\n".join(f"  {ln}" for ln in c.changed_lines()))
    if ours:
        parts.append("changed by netops since the last backup (journal): " + ", ".join(ours))
    return "\n\n".join(parts)


def record(repo_path: Path, changes: list[OutsideChange]) -> None:
    """Append the changes to ``changes.jsonl`` (one JSON object a line; the exporter counts them)."""
    if not changes:
        return
    lines = "".join(json.dumps({k: v for k, v in asdict(c).items() if k != "diff"}, ensure_ascii=False) + "\n"
                    for c in changes)
    with _lock:
        repo_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(repo_path / FILENAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, lines.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class DeviceTally:
    count: int
    last: float


def tally(repo_path: Path) -> dict[str, DeviceTally]:
    """Per device: how many changes outside netops were recorded and when the last was found."""
    out: dict[str, DeviceTally] = {}
    try:
        text = (Path(repo_path) / FILENAME).read_text(encoding="utf-8")
    except OSError:
        return out
    for line in text.splitlines():
        try:
            raw = json.loads(line)
            device, when = str(raw["device"]), float(raw["time"])
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line (a crash mid-write); netops alone writes this file
        old = out.get(device)
        out[device] = DeviceTally((old.count if old else 0) + 1, max(when, old.last if old else 0.0))
    return out
