"""The change journal: what netops is doing to each device, written before it does it.

One append-only JSON-lines file beside the backups (``<repo>/journal.jsonl``). Before
its first write to a device, a push records the device, the backup revision it would
restore and the revert job it arms; then each step as it happens. A device whose last
record is not a final step was left by a crash, ``kill -9``, a second Ctrl-C, power
loss or a device that stopped answering: ``netops config recover`` (and the next push
to that device, before anything else) finishes it. Each record is one ``write`` of
one line, flushed and fsynced: a crash loses at most the record being written, never
an earlier one.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path

from netops.config.errors import ConfigError

FILENAME = "journal.jsonl"


class JournalStep(StrEnum):
    BEGIN = "begin"
    """about to write; the record holds what is needed to undo the change"""
    ARMED = "armed"
    """the on-device revert is armed (the device restores itself unless confirmed)"""
    SENDING = "sending"
    """config lines going out: ``sent`` of ``total`` acknowledged by the device"""
    SENT = "sent"
    VERIFIED = "verified"
    """every intended line is on the device and the checks matched (not yet confirmed)"""
    APPLIED = "applied"
    ROLLED_BACK = "rolled-back"
    UNTOUCHED = "untouched"
    """nothing was written after all"""
    PENDING = "pending"
    """netops gave up waiting for the device: outcome unknown, recover later"""

    @property
    def final(self) -> bool:
        return self in (JournalStep.APPLIED, JournalStep.ROLLED_BACK, JournalStep.UNTOUCHED)


@dataclass(frozen=True)
class Record:
    run: str
    device: str
    step: JournalStep
    time: float
    platform: str = ""
    backup_rev: str = ""
    """backup revision holding the config before the change (the restore target)"""
    job: str = ""
    """name of the on-device revert job, where one is armed"""
    sent: int = 0
    total: int = 0
    note: str = ""
    """masked reason or what recovery did"""


class Journal:
    """Append-only change journal of one backup repository; safe across threads."""

    def __init__(self, repo_path: Path | str):
        self.path = Path(repo_path) / FILENAME
        self._lock = threading.Lock()

    def write(self, rec: Record) -> None:
        line = json.dumps({k: v for k, v in asdict(rec).items() if v not in ("", 0)}, ensure_ascii=False) + "\n"
        with self._lock:  # one line per write; O_APPEND keeps lines whole
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            except BaseException:
                os.close(fd)
                raise
        try:  # outside the lock: devices' fsyncs overlap (the file system commits them together)
            os.fsync(fd)  # the caller goes on only once its own record is on disk
        finally:
            os.close(fd)

    def step(self, run: str, device: str, step: JournalStep, **fields: object) -> Record:
        rec = Record(run=run, device=device, step=step, time=time.time(), **fields)  # type: ignore[arg-type]
        self.write(rec)
        return rec

    def records(self) -> list[Record]:
        """Every record; a torn last line (a crash mid-write) is ignored, any other bad line names its line."""
        if not self.path.exists():
            return []
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read the change journal ({exc.strerror})") from None
        out = []
        for no, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                raw["step"] = JournalStep(raw["step"])
                out.append(Record(**raw))
            except (ValueError, KeyError, TypeError):
                if no == len(lines):
                    continue
                raise ConfigError(f"{self.path}:{no}: not a journal record; the file is written only by netops "
                                  "(restore it from a copy, or move it away to start a new journal)") from None
        return out

    def open_entries(self) -> dict[str, list[Record]]:
        """Per device with an unfinished change: the records of that change, oldest first.

        A device's change is finished when the last record about it is a final step."""
        by: dict[str, list[Record]] = {}
        for rec in self.records():
            cur = by.get(rec.device)
            if rec.step is JournalStep.BEGIN or cur is None:
                by[rec.device] = [rec]
            else:
                cur.append(rec)
        return {d: recs for d, recs in by.items() if not recs[-1].step.final}


def pending_devices(repo_path: Path | str) -> list[str]:
    """Devices with an open journal entry (for the exporter); [] when there is no journal."""
    try:
        return sorted(Journal(repo_path).open_entries())
    except ConfigError:
        return []
