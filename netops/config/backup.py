"""Backups: each device's cleaned running config in a git repository.

One file per device (``<name>.cfg``), one commit per run whose message summarises
the run. Configs arrive masked and without volatile lines (:func:`mask.clean`), so
an unchanged device leaves its file untouched and ``git log`` shows real changes only.
"""

from __future__ import annotations

import getpass
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from netops.config.errors import BackupError
from netops.gitrepo import GitRepo

DEFAULT_REPO = Path("backups")


@dataclass(frozen=True)
class Operator:
    """Who made a change through netops and why: the author and trailers of the commits it makes."""

    name: str
    reason: str = ""

    @classmethod
    def current(cls, author: str | None = None, reason: str | None = None) -> Operator:
        """``author`` if given, else the user who ran sudo (``SUDO_USER``), else the invoking user."""
        name = (author or os.environ.get("SUDO_USER") or _login()).strip()
        name = re.sub(r"[<>\n]", "", name)  # a git identity cannot hold these
        return cls(name or "unknown", " ".join((reason or "").split()))

    def trailers(self) -> str:
        return f"Operator: {self.name}" + (f"\nReason: {self.reason}" if self.reason else "")


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class Revision:
    rev: str
    date: str
    message: str
    author: str = ""
    """the operator netops committed for (``--author``)"""


class BackupRepo(GitRepo):
    kind = "backup repository"
    error = BackupError

    def __init__(self, path: Path | str = DEFAULT_REPO):
        super().__init__(path)

    @staticmethod
    def filename(device: str) -> str:
        return f"{device}.cfg"

    # -- writing ---------------------------------------------------------------
    def store(self, configs: dict[str, str], summary: str, operator: Operator | None = None,
              body: str = "") -> tuple[str | None, list[str]]:
        """Write the configs and commit them with ``summary`` (and ``body``, masked text only);
        returns (commit, changed devices). The operator is the commit's author and a trailer.

        No commit is made when nothing changed.
        """
        with self.writing():
            self.ensure()
            for device, text in configs.items():
                (self.path / self.filename(device)).write_text(text, encoding="utf-8")
            files = [self.filename(d) for d in configs]
            if files:
                self._git("add", "--", *files)
            status = self._git("status", "--porcelain", "--", *files) if files else ""
            changed = sorted(line[3:].removesuffix(".cfg") for line in status.splitlines() if line.strip())
            if not changed:
                return None, []
            detail = "\n".join(f"- {d}" for d in changed)
            extra = f"{body.rstrip()}\n\n" if body.strip() else ""
            message = f"{summary}\n\n{extra}changed:\n{detail}\n"
            if operator is not None:
                message += f"\n{operator.trailers()}\n"
            self._git("commit", "-q", "-m", message, "--", *files, author=operator.name if operator else None)
            return self._git("rev-parse", "--short", "HEAD").strip(), changed

    def head(self) -> str:
        """The latest revision ("" before the first commit): its tree holds every device's backup."""
        return self._git("rev-parse", "--short", "--verify", "-q", "HEAD", check=False).strip()

    # -- reading ---------------------------------------------------------------
    def latest(self, device: str) -> tuple[str, float] | None:
        """(the committed backup, its commit time as a Unix time) of a device, or None before its first backup."""
        if not (self.path / ".git").is_dir():
            return None
        when = self._git("log", "-1", "--format=%ct", "--", self.filename(device), check=False).strip()
        if not when:
            return None
        return self._git("show", f"HEAD:{self.filename(device)}", check=False), float(when)

    def _require(self, device: str) -> None:
        if not (self.path / ".git").is_dir():
            raise BackupError(f"no backup repository at {self.path}; run 'netops config backup' first")
        if not self.history(device, _checked=True):
            raise BackupError(f"no backup of {device} in {self.path}; run 'netops config backup --where name={device}'")

    def history(self, device: str, _checked: bool = False) -> list[Revision]:
        if not _checked and not (self.path / ".git").is_dir():
            raise BackupError(f"no backup repository at {self.path}; run 'netops config backup' first")
        out = self._git("log", "--format=%h%x09%ad%x09%an%x09%s", "--date=iso-strict", "--", self.filename(device),
                        check=False)
        revs = []
        for line in out.splitlines():
            rev, date, author, msg = (line.split("\t", 3) + ["", "", ""])[:4]
            revs.append(Revision(rev, date, msg, author))
        return revs

    def show(self, device: str, rev: str | None = None) -> str:
        self._require(device)
        rev = rev or self.history(device)[0].rev
        proc = self._git("show", f"{rev}:{self.filename(device)}", check=False)
        if not proc and rev not in {r.rev for r in self.history(device)}:
            self._check_rev(device, rev)
        return proc

    def _check_rev(self, device: str, rev: str) -> None:
        ok = subprocess.run(["git", "-C", str(self.path), "cat-file", "-e", f"{rev}:{self.filename(device)}"],
                            capture_output=True).returncode == 0
        if not ok:
            known = ", ".join(r.rev for r in self.history(device)[:5])
            raise BackupError(f"{device}: no backup at revision {rev!r}; known revisions: {known} "
                              f"(see 'netops config history {device}')")

    def diff(self, device: str, rev: str | None = None) -> str:
        """Changes of a device's backup from ``rev`` (default: the one before the latest) to the latest."""
        self._require(device)
        revs = self.history(device)
        if rev is None:
            if len(revs) < 2:
                return ""
            rev = revs[1].rev
        self._check_rev(device, rev)
        return self._git("diff", rev, revs[0].rev, "--", self.filename(device))
