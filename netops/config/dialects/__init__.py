"""One module per config syntax, behind one small protocol, chosen by the platform table.

A new platform is a row in :mod:`netops.platforms` plus, only if its syntax is new, one
module here: ``routeros`` (flat ``/export`` lines), ``indented`` (IOS, IOS-XE, FRR) and
``vrp`` (indented, with ``undo`` and VRP's member ranges).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from netops.config.model import ChangePlan, Opaque
from netops.platforms import Platform


class Dialect(Protocol):
    def check(self, platform: Platform, lines: list[str]) -> tuple[int, str] | None:
        """(line number, why) of the first line in another syntax, or None."""
        ...

    def logical(self, platform: Platform, text: str) -> list[str]:
        """The config as logical lines, one command each (continuations joined)."""
        ...

    def layout(self, platform: Platform, text: str) -> list[tuple[str, str]]:
        """Every line as written (continuations joined), with the context a line's secret
        patterns need (a RouterOS menu over its items), for masking text in place."""
        ...

    def plan(self, device: str, platform: Platform, running: str, running_raw: str, want_masked: list[str],
             want_raw: list[str], pushed: Mapping[str, Opaque] | None = None) -> ChangePlan:
        """Commands from a cleaned running config (masked, and the same lines unmasked) to
        the intended lines (masked and raw); ``pushed``: what netops last pushed for the
        device's encrypted secrets (:mod:`netops.config.pushed`)."""
        ...

    def restore(self, device: str, platform: Platform, forward: ChangePlan, backup: str) -> ChangePlan:
        """``forward`` (running → backup) plus removal of what the backup lacks."""
        ...


def dialect_for(platform: Platform) -> Dialect:
    from netops.config.dialects import indented, routeros, vrp

    table: dict[str, Dialect] = {"routeros": routeros.DIALECT, "indented": indented.DIALECT,
                                 "vrp": vrp.DIALECT}
    try:
        return table[platform.dialect]
    except KeyError:
        raise ValueError(f"platform {platform.name}: no config dialect {platform.dialect!r}") from None
