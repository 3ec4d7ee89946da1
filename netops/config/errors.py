"""Errors of the config package: each names the host, file or line to fix."""

from __future__ import annotations

from netops.errors import NetopsError


class ConfigError(NetopsError):
    """A configuration job cannot start (bad template, missing data, bad backup repo)."""

    exit_code = 2


class TemplateProblem(ConfigError):
    """A template cannot be rendered for a host: names host, template, line and variable."""


class BackupError(ConfigError):
    """The backup repository cannot be read or written."""
