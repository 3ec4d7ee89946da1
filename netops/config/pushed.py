"""Which value netops last pushed for each secret the device shows encrypted.

IOS (``secret 9 $9$…``, type 5/7/8) and VRP (``cipher %^%#…%^%#``) never show such a value,
so a running config cannot say whether it holds the intended one, and a rotation would
never be pushed. After a verified push netops records, per device and per such line, the
masked intended line (its ``<secret:3f9a1c>`` keyed token, never the value) and the masked
line the device then shows. On the next comparison, while the device still shows that same
line, the record says which value it holds: a different intended token is a rotation,
planned and pushed; the same token is in sync. With no record, or when the device shows
another ciphertext (changed outside netops), the line stays "not verifiable".

One JSON file beside the backups (``<repo>/secret-tokens.json``), outside git: tokens only,
written once at the end of a push, whole (temporary file, fsync, rename), so a crash leaves
the old or the new record; a lost record only makes such lines "not verifiable" again.
Writers take turns (the backup repository's write lock, :meth:`netops.gitrepo.GitRepo.writing`)
and merge into the file as they find it, so pushes ending together keep each other's records.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict
from pathlib import Path

from netops.config.errors import ConfigError
from netops.config.model import ChangePlan, Opaque
from netops.gitrepo import GitRepo

FILENAME = "secret-tokens.json"


class PushedSecrets:
    """The record of one backup repository (thread-safe within a process). Read once and
    kept: a job over 1,000 devices parses the file once, not once per device."""

    def __init__(self, repo_path: Path | str):
        self.path = Path(repo_path) / FILENAME
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, dict[str, str]]] | None = None
        self._updates: dict[str, dict[str, dict[str, str]]] = {}

    def _read(self) -> dict[str, dict[str, dict[str, str]]]:
        if self._data is None:
            self._data = self._load()
        return self._data

    def _load(self) -> dict[str, dict[str, dict[str, str]]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{self.path}: cannot read the record of pushed secrets ({exc}); remove the "
                              "file (encrypted secrets then show as 'not verifiable' until the next push)") from None
        return data if isinstance(data, dict) else {}

    def of(self, device: str) -> dict[str, Opaque]:
        """The device's recorded lines by key (empty when nothing was recorded)."""
        with self._lock:
            entries = self._read().get(device, {})
        return {k: Opaque(k, v.get("intended", ""), v.get("shown", "")) for k, v in entries.items()
                if isinstance(v, dict)}

    def record(self, device: str, verified: ChangePlan) -> None:
        """After a verified push: the device's lines as the verifying comparison matched them
        (lines no longer intended are forgotten). Kept in memory until :meth:`save`."""
        entries = {o.key: {k: v for k, v in asdict(o).items() if k != "key"} for o in verified.opaque}
        with self._lock:
            self._read()[device] = entries
            self._updates[device] = entries

    def save(self) -> None:
        """Write this job's records (once per job: one fsync, not one per device), merged
        into the file as it is now (another job may have written other devices since)."""
        with self._lock:
            if not self._updates:
                return
            # one writer at a time across processes (the repository's own write lock): two pushes ending
            # together each merge into what the other wrote, instead of the later one's rename dropping the
            # earlier one's records
            with GitRepo(self.path.parent).writing():
                self._merge_and_write()

    def _merge_and_write(self) -> None:
        """Under the lock: the file as it is now, with this job's records, written whole."""
        data = self._load()
        for device, entries in self._updates.items():
            if entries:
                data[device] = entries
            else:
                data.pop(device, None)
        self._updates.clear()
        if not data and not self.path.exists():
            return
        tmp = self.path.with_name(f".{FILENAME}.{os.getpid()}.{threading.get_ident()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
        self._data = data
