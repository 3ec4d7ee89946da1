"""A local git repository that netops writes (config backups, device facts).

Commits are netops's own: the author is fixed and no user or system git config leaks in, so the
same run gives the same history on every machine.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from netops.errors import NetopsError

GIT_ENV = {
    "GIT_AUTHOR_NAME": "netops", "GIT_AUTHOR_EMAIL": "netops@localhost",
    "GIT_COMMITTER_NAME": "netops", "GIT_COMMITTER_EMAIL": "netops@localhost",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
}


class GitRepo:
    """``kind`` names the repository in messages; ``error`` is the exception its failures raise."""

    kind = "repository"
    error: type[NetopsError] = NetopsError

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def _git(self, *args: str, check: bool = True, author: str | None = None) -> str:
        """Run git in the repository; ``author`` (an operator's name) becomes the commit's author,
        the committer stays netops."""
        env = dict(os.environ)
        env.update(GIT_ENV)
        if author:
            env["GIT_AUTHOR_NAME"] = author
            env["GIT_AUTHOR_EMAIL"] = f"{author}@netops"
        env["HOME"] = str(self.path)  # no user config leaks into the repo's behaviour
        try:
            proc = subprocess.run(["git", "-C", str(self.path), *args], capture_output=True, text=True, env=env)
        except FileNotFoundError:
            raise self.error("git is not installed; install it (scripts/bootstrap does)") from None
        if check and proc.returncode != 0:
            raise self.error(f"{self.kind} {self.path}: git {' '.join(args[:2])} failed: "
                             f"{proc.stderr.strip() or proc.stdout.strip()}")
        return proc.stdout

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the repository for one write (files, add, commit): another netops process (a
        syslog-triggered backup beside a push) waits instead of meeting git's index lock or
        committing this one's files."""
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def ensure(self) -> None:
        """Create the repository if missing; refuse a non-empty folder that is not one."""
        if (self.path / ".git").is_dir():
            return
        if self.path.exists() and any(self.path.iterdir()):
            raise self.error(f"{self.path} exists, is not empty and is not a git repository; choose another --repo")
        self.path.mkdir(parents=True, exist_ok=True)
        self._git("init", "-q", "-b", "main")
