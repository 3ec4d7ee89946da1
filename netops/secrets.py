"""Credential references: ``env:NAME`` or ``file:PATH``, never the secret itself.

A :class:`SecretRef` resolves only when asked (when a connection opens) and prints
as its reference, so a secret cannot leak through repr, logs or JSON output.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from netops.errors import SecretError

_REF = re.compile(r"^(env):([A-Za-z_][A-Za-z0-9_]*)$|^(file):(.+)$")
REDACTED = "<secret>"


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
        path = Path(self.target).expanduser()
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretError(
                f"secret {self}: cannot read {path} ({exc.strerror}); "
                "create the file or fix the reference"
            ) from None

    def __str__(self) -> str:
        return f"{self.scheme}:{self.target}"

    def __repr__(self) -> str:
        return f"SecretRef({self})"


def redact(text: str, secrets: list[str]) -> str:
    """Replace every occurrence of each known secret value in ``text``."""
    for value in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    return text
