"""Config files on their own, no device: mask one, compare two (``netops config mask`` and
``config compare``), e.g. before sending a config to vendor support or a maintenance window."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from netops.config.dialects import dialect_for
from netops.config.diff import plan, restore_plan
from netops.config.errors import ConfigError
from netops.config.mask import clean, mask, mask_line
from netops.platforms import PLATFORMS, Platform


class ConfigFileError(ConfigError):
    """A config file that cannot be read as the given platform's config."""


def read_config(path: Path, platform: Platform) -> str:
    """The text of a config file, or a clear error naming the file (and line)."""
    if not platform.managed:
        raise ConfigFileError(f"platform {platform.name}: netops does not manage its config; use one of "
                              f"{', '.join(n for n, p in PLATFORMS.items() if p.managed)}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read ({exc.strerror}); check the path") from None
    if not data.strip():
        raise ConfigFileError(f"{path}: the file is empty; give a saved running config "
                              f"('{platform.show_config}' output)")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ConfigFileError(f"{path}: binary data at byte {nul} (a binary backup?); give the text "
                              f"config ('{platform.show_config}' output)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")  # old exports saved on Windows
        except UnicodeDecodeError:
            raise ConfigFileError(f"{path}: not text (byte {exc.start} is not UTF-8); give the text config") from None
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    bad = dialect_for(platform).check(platform, text.splitlines())
    if bad is not None:
        line, why = bad
        raise ConfigFileError(f"{path}:{line}: {why}; this is not a {platform.description} config")
    return text


def mask_file(path: Path, platform: Platform) -> str:
    """The config in ``path`` with every secret masked (logical lines, nothing dropped)."""
    return mask(platform, read_config(path, platform)) + "\n"


@dataclass
class Comparison:
    """``config compare``: what differs, what would be pushed and what would undo it (all masked)."""

    diff: str
    commands: list[str]
    restore: list[str]
    unverifiable: list[str] = field(default_factory=list)
    not_restorable: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.diff and not self.commands

    def as_dict(self) -> dict[str, object]:
        return {"diff": self.diff, "commands": self.commands, "restore": self.restore,
                "unverifiable": self.unverifiable, "not_restorable": self.not_restorable}


def compare_files(running: Path, intended: Path, platform: Platform) -> Comparison:
    """RUNNING → INTENDED: the masked diff, the (masked) commands, and the commands that would
    bring the device back to RUNNING afterwards."""
    run_text, want_text = read_config(running, platform), read_config(intended, platform)
    fwd = plan(running.name, platform, run_text, want_text)
    # a rollback restores from the masked backup, where old secrets are no longer known
    back = restore_plan(running.name, platform, fwd.proposed, clean(platform, run_text))
    return Comparison(diff=fwd.unified(), commands=[mask_line(platform, c) for c in fwd.commands],
                      restore=[mask_line(platform, c) for c in back.commands], unverifiable=fwd.unverifiable,
                      not_restorable=[mask_line(platform, s) for s in back.skipped])
