"""The one exception hierarchy of netops, and the one exit-code contract of every command.

Every error a user can cause derives from :class:`NetopsError`; the CLI prints
``what failed: why, and what to do`` and exits with :attr:`NetopsError.exit_code`,
never a traceback. Commands that run to the end exit with :class:`ExitCode` too.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a script can rely on, for every command (README, "Exit codes")."""

    OK = 0
    """Done; nothing to report (no differences, every device and step succeeded)."""
    FOUND = 1
    """Ran, but not clean: differences found (diff, verify), devices or steps failed (push, backup,
    run, play, rollback), links down (poll), no lab running (lab status), or a runtime failure."""
    BAD_INPUT = 2
    """Refused before doing anything: inventory, arguments, filters, spreadsheets, templates, paths."""
    PARTIAL = 3
    """Output written but incomplete: a source was unreachable (a report without Prometheus);
    what was written is right and says what is missing."""


class NetopsError(Exception):
    """Base class: a problem the user can fix."""

    exit_code: int = ExitCode.FOUND


class BadInput(NetopsError):
    """Input that cannot be used: nothing was done."""

    exit_code = ExitCode.BAD_INPUT


class UnknownPlatform(BadInput):
    pass


class SecretError(NetopsError):
    """A credential reference that cannot be resolved (unset variable, unreadable file)."""


class FilterError(BadInput):
    pass
