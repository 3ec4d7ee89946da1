"""Masking secrets and dropping volatile lines in device configs.

Two layers, both always applied: every secret value netops knows (resolved from the
inventory's references) is replaced wherever it appears, and each platform's
``secret_patterns`` catch secrets netops never knew (a local user's password, a
community someone typed by hand). Volatile lines (export headers, timestamps) are
dropped so an unchanged device gives an unchanged backup.
"""

from __future__ import annotations

import re
from functools import lru_cache

from netops.errors import SecretError
from netops.inventory.loader import Inventory
from netops.platforms import Platform
from netops.secrets import REDACTED, SecretRef, redact


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


def _mask_group(m: re.Match[str]) -> str:
    whole, start = m.group(0), m.start(0)
    if m.group(1) is None:
        return whole
    return whole[: m.start(1) - start] + REDACTED + whole[m.end(1) - start:]


def mask_line(platform: Platform, line: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    line = redact(line, list(secrets)) if secrets else line
    for rx in _compiled(platform.secret_patterns):
        line = rx.sub(_mask_group, line)
    return line


def mask(platform: Platform, text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """``text`` with every known secret value and every pattern-matched secret masked."""
    return "\n".join(mask_line(platform, line, secrets) for line in text.splitlines())


def is_volatile(platform: Platform, line: str) -> bool:
    return any(rx.search(line) for rx in _compiled(platform.volatile_patterns))


def clean(platform: Platform, text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """A running config as netops stores it: secrets masked, volatile lines gone,
    trailing blanks trimmed, one newline at the end."""
    lines = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").splitlines():
        line = raw.rstrip()
        if is_volatile(platform, line):
            continue
        lines.append(mask_line(platform, line, secrets))
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def known_secrets(inv: Inventory) -> list[str]:
    """Every secret value the inventory's references resolve to (unresolvable ones skipped:
    a value netops cannot read is not one it can leak)."""
    refs: list[SecretRef] = []
    for cred in inv.credentials.values():
        refs += [r for r in (cred.password, cred.enable) if r is not None]
    for snmp in inv.snmp.values():
        refs += [r for r in (snmp.community, snmp.auth_key, snmp.priv_key) if r is not None]
    values = []
    for ref in refs:
        try:
            values.append(ref.resolve())
        except SecretError:
            continue
    return sorted({v for v in values if v}, key=len, reverse=True)
