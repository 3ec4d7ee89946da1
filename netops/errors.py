"""The one exception hierarchy of netops.

Every error a user can cause derives from :class:`NetopsError`; the CLI prints
``what failed: why, and what to do`` and exits with :attr:`NetopsError.exit_code`,
never a traceback.
"""

from __future__ import annotations


class NetopsError(Exception):
    """Base class: a problem the user can fix."""

    exit_code = 1


class UnknownPlatform(NetopsError):
    exit_code = 2


class SecretError(NetopsError):
    """A credential reference that cannot be resolved (unset variable, unreadable file)."""


class FilterError(NetopsError):
    exit_code = 2
