"""Running vs intended: what is missing, what replaces what, and the commands to get there.

The comparison itself belongs to the platform's dialect (``netops.config.dialects``);
this module cleans both sides first. Comparison is done on masked text (a secret compares
by its keyed token, so a rotation is a change while neither value shows); the commands
carry the real values.
"""

from __future__ import annotations

from collections.abc import Mapping

from netops.config.dialects import dialect_for
from netops.config.dialects.indented import Node
from netops.config.dialects.routeros import FlatLine, parse_flat_line
from netops.config.mask import clean, clean_pairs, is_volatile, logical_lines, mask_line
from netops.config.model import Change, ChangePlan, Opaque
from netops.platforms import Platform

__all__ = ["Change", "FlatLine", "Node", "ChangePlan", "parse_flat_line", "plan", "restore_plan"]


def plan(device: str, platform: Platform, running: str, intended: str,
         secrets: tuple[str, ...] | list[str] = (), pushed: Mapping[str, Opaque] | None = None) -> ChangePlan:
    """Compare a running config with rendered intended config (both raw text). ``pushed``:
    what netops last pushed for the secrets this device shows encrypted
    (:meth:`netops.config.pushed.PushedSecrets.of`); without it they are not verifiable."""
    pairs = clean_pairs(platform, running, secrets)
    run_clean = "".join(m + "\n" for m, _r in pairs)
    run_raw = "".join(r + "\n" for _m, r in pairs)
    want_raw = [ln for ln in logical_lines(platform, intended) if not is_volatile(platform, ln.rstrip())]
    want_masked = [mask_line(platform, ln, secrets) for ln in want_raw]
    return dialect_for(platform).plan(device, platform, run_clean, run_raw, want_masked, want_raw, pushed)


def restore_plan(device: str, platform: Platform, running: str, backup: str,
                 secrets: tuple[str, ...] | list[str] = ()) -> ChangePlan:
    """Commands that bring ``running`` back to a (masked) backup: add what the backup has,
    remove what it lacks, and no more. Lines holding a masked secret cannot be sent and
    are listed in ``skipped``; the device keeps its current value for them."""
    back_clean = clean(platform, backup, secrets)
    # planned against the raw backup: where it still holds a value (the config read just
    # before a push) a rotated secret is sent back; a masked one is skipped by the dialect
    forward = plan(device, platform, running, backup, secrets)
    return dialect_for(platform).restore(device, platform, forward, back_clean)
