"""What a comparison produces: the changes and the commands that make them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from netops.platforms import Platform


@dataclass
class Change:
    """One difference: ``old`` (masked running line or None) becomes ``new`` (masked).
    A moved line has the same ``old`` and ``new`` and ``moved`` set."""

    context: tuple[str, ...]
    old: str | None
    new: str | None
    moved: bool = False


@dataclass(frozen=True)
class Opaque:
    """An intended line holding a secret that the device shows encrypted or hashed (IOS
    type 5/7/8/9, VRP ``cipher``), matched to the device's line by its shape. Both lines are
    masked: only keyed tokens (``<secret:3f9a1c>``), never a value."""

    key: str
    """where the line is: its parents and its shape (``local-user admin password cipher <secret>``)"""
    intended: str
    """the intended line, masked"""
    shown: str
    """the line as the device shows it, masked"""


@dataclass
class ChangePlan:
    """What it takes to bring ``running`` to the intended state of one device."""

    device: str
    platform: Platform
    running: str
    """masked, cleaned running config"""
    proposed: str
    """masked running config with the changes applied"""
    changes: list[Change]
    commands: list[str] = field(repr=False)
    """unmasked commands to send, in order (with parent lines for blocks)"""
    skipped: list[str] = field(default_factory=list)
    """lines that cannot be sent (masked secrets in a backup being restored)"""
    target: str = "intended"
    """what ``proposed`` is, for the diff header (intended, or a backup)"""
    unverifiable: list[str] = field(default_factory=list)
    """intended lines the device never shows (masked): sent with every push that has
    changes, never compared"""
    rebuilt: set[str] = field(default_factory=set, repr=False)
    """ordered blocks (ACLs) this plan removes and sends whole"""
    opaque: list[Opaque] = field(default_factory=list, repr=False)
    """intended lines the device shows encrypted (what a verified push records, see
    :mod:`netops.config.pushed`)"""
    running_raw: str = field(default="", repr=False)
    """``running`` with its real values (the same lines): a restore removes a line that
    holds a secret by its value, which only the device's own config gives"""

    @property
    def empty(self) -> bool:
        return not self.changes

    def unified(self, context: int = 3) -> str:
        """A unified diff, running → intended, secrets masked."""
        return "".join(
            difflib.unified_diff(
                self.running.splitlines(keepends=True),
                self.proposed.splitlines(keepends=True),
                fromfile=f"{self.device} running",
                tofile=f"{self.device} {self.target}",
                n=context,
            )
        )


def text_of(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""
