"""Masking secrets and dropping volatile lines in device configs.

Two layers, both always applied: every secret value netops knows (resolved from the
inventory's references) is replaced wherever it appears, and each platform's
``secret_patterns`` catch secrets netops never knew (a local user's password, a
community someone typed by hand, a key in a script). A masked value reads
``<secret:3f9a1c>``: a keyed hash (:func:`netops.secrets.secret_token`), so a rotated
secret still shows as a change while neither value can be read. Masking works on logical
lines (a RouterOS value wrapped over ``\\`` + newline is one line), is idempotent, and
volatile lines (export headers, timestamps, status comments) are dropped so an unchanged
device gives an unchanged backup.
"""

from __future__ import annotations

import re
from functools import lru_cache

from netops.config.dialects import dialect_for
from netops.platforms import Platform
from netops.secrets import TOKEN, redact_tokens, secret_token


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@lru_cache(maxsize=64)
def _block_only(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """The patterns that match only a line indented inside a block."""
    return tuple(re.compile(p) for p in patterns if p.startswith("^ "))


def _unquote(value: str) -> str:
    if len(value) >= 4 and value.startswith('\\"') and value.endswith('\\"'):
        return value[2:-2]
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _mask_group(m: re.Match[str]) -> str:
    whole, start = m.group(0), m.start(0)
    value = m.group(1)
    if value is None or TOKEN.fullmatch(value):
        return whole
    return whole[: m.start(1) - start] + secret_token(_unquote(value)) + whole[m.end(1) - start:]


def mask_line(platform: Platform, line: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    line = redact_tokens(line, secrets) if secrets else line
    for rx in _compiled(platform.secret_patterns):
        line = rx.sub(_mask_group, line)
    inner = _block_only(platform.secret_patterns)
    if inner and line[:1] not in (" ", "\t"):
        # a command as sent or quoted in an error has lost its indentation: patterns that
        # need the line inside a block (IOS 'radius server' → ' key X') get it back
        indented = " " + line
        for rx in inner:
            indented = rx.sub(_mask_group, indented)
        line = indented[1:]
    return line


def logical_lines(platform: Platform, text: str) -> list[str]:
    """``text`` as the platform's logical lines (line endings of any kind accepted)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return dialect_for(platform).logical(platform, text)


def mask(platform: Platform, text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """``text`` with every known secret value and every pattern-matched secret masked, line
    for line as written (a wrapped RouterOS command joined into one line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for line, context in dialect_for(platform).layout(platform, text):
        if context:  # mask with the menu the line belongs to, show it as written
            out.append(mask_line(platform, f"{context} {line.strip()}", secrets)[len(context) + 1:])
        else:
            out.append(mask_line(platform, line, secrets))
    return "\n".join(out)


def is_volatile(platform: Platform, line: str) -> bool:
    return any(rx.search(line) for rx in _compiled(platform.volatile_patterns))


def clean_pairs(platform: Platform, text: str, secrets: list[str] | tuple[str, ...] = ()
                ) -> list[tuple[str, str]]:
    """(masked, raw) per logical line of a running config, volatile lines left out and
    blank lines trimmed at both ends."""
    pairs = []
    for raw in logical_lines(platform, text):
        line = raw.rstrip()
        if is_volatile(platform, line):
            continue
        pairs.append((mask_line(platform, line, secrets), line))
    while pairs and not pairs[0][0].strip():
        pairs.pop(0)
    while pairs and not pairs[-1][0].strip():
        pairs.pop()
    return pairs


def clean(platform: Platform, text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """A running config as netops stores it: logical lines, secrets masked, volatile lines
    gone, trailing blanks trimmed, one newline at the end."""
    lines = [masked for masked, _raw in clean_pairs(platform, text, secrets)]
    return "\n".join(lines) + "\n" if lines else ""

