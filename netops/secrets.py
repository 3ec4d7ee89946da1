"""Credential references: ``env:NAME`` or ``file:PATH``, never the secret itself.

A :class:`SecretRef` resolves only when asked (when a connection opens) and prints
as its reference, so a secret cannot leak through repr, logs or JSON output.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets as _random
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from netops.errors import SecretError

_REF = re.compile(r"^(env):([A-Za-z_][A-Za-z0-9_]*)$|^(file):(.+)$")
REDACTED = "<secret>"
TOKEN = re.compile(r"<secret(?::[0-9a-f]{6})?>")
"""a masked value: ``<secret>`` (logs, errors) or ``<secret:3f9a1c>`` (configs)"""
MASK_KEY_ENV = "NETOPS_MASK_KEY_FILE"


_FILE_VALUES: dict[str, tuple[tuple[int, int, int, int], str]] = {}
"""file path -> (its inode, size, mtime and ctime when read, value): the poller resolves every device's SNMP
secrets each cycle (a changed file takes effect in the next one), and a stat is ~10x cheaper than a read."""


@dataclass(frozen=True)
class SecretRef:
    scheme: str
    target: str

    @classmethod
    def parse(cls, text: str) -> SecretRef:
        m = _REF.match(text.strip())
        if not m:
            raise ValueError(
                "secrets are written as references, not values: "
                "use env:VARIABLE_NAME or file:/path/to/secret"
            )
        if m.group(1):
            return cls("env", m.group(2))
        return cls("file", m.group(4))

    def resolve(self) -> str:
        if self.scheme == "env":
            value = os.environ.get(self.target)
            if value is None:
                raise SecretError(
                    f"secret {self}: environment variable {self.target} is not set; "
                    f"export it before running netops"
                )
            return value
        path = os.path.expanduser(self.target)
        try:
            st = os.stat(path)
            stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            known = _FILE_VALUES.get(path)
            if known is not None and known[0] == stamp:
                return known[1]
            with open(path, encoding="utf-8") as fh:
                value = fh.read().strip()
        except OSError as exc:
            raise SecretError(
                f"secret {self}: cannot read {path} ({exc.strerror}); "
                "create the file or fix the reference"
            ) from None
        if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > 2_000_000_000:
            # kept only once the file is 2 s old: a rewrite within the clock tick of the last one keeps
            # mtime and ctime, so a file that has just changed is read again each time
            _FILE_VALUES[path] = (stamp, value)
        return value

    def __str__(self) -> str:
        return f"{self.scheme}:{self.target}"

    def __repr__(self) -> str:
        return f"SecretRef({self})"


def redact(text: str, secrets: list[str]) -> str:
    """Replace every occurrence of each known secret value in ``text``."""
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text


# -- keyed tokens for configs ------------------------------------------------------------
# A config masks each secret as <secret:xxxxxx>, six hex digits of an HMAC-SHA256 of the
# value under a per-installation key: a rotated community shows as a change in diffs and
# backup history, while neither value can be recovered or guessed from the token without
# the key, which lives outside the backup repository.


def mask_key_path() -> Path:
    """``$NETOPS_MASK_KEY_FILE``, else ``$XDG_DATA_HOME/netops/mask.key`` (~/.local/share)."""
    env = os.environ.get(MASK_KEY_ENV)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "netops" / "mask.key"


@lru_cache(maxsize=8)
def _key(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    except OSError:
        return _random.token_bytes(32)
    try:  # first use: 32 random bytes, readable by the owner only
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(_random.token_hex(32) + "\n")
        return path.read_bytes().strip()
    except FileExistsError:  # another process created it first
        return path.read_bytes().strip()
    except OSError:
        # a read-only system: tokens still hide every value; only comparisons across
        # processes lose the rotation signal
        return _random.token_bytes(32)


def secret_token(value: str) -> str:
    """``<secret:xxxxxx>`` for ``value`` (the same value always gives the same token)."""
    if TOKEN.fullmatch(value):
        return value
    digest = hmac.new(_key(mask_key_path()), value.encode("utf-8", "surrogateescape"), hashlib.sha256)
    return f"<secret:{digest.hexdigest()[:6]}>"


def redact_tokens(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    """Like :func:`redact`, with a keyed token per value (configs, diffs, backups)."""
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        if value in text:
            text = text.replace(value, secret_token(value))
    return text
