"""The shipped systemd units (deploy/systemd): systemd accepts them, and every netops command
they run parses with today's CLI (a renamed option would otherwise surface at 01:30 on a
production server)."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netops.cli import app
from tests.conftest import ROOT, need_binary

UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/opt/netops"


def _netops_script() -> str:
    here = Path(sys.executable).parent / "netops"
    return str(here) if here.exists() else str(shutil.which("netops"))


def _unit_values(text: str, key: str) -> list[str]:
    return [ln.split("=", 1)[1] for ln in text.splitlines() if ln.startswith(f"{key}=")]


def _environment(text: str) -> dict[str, str]:
    env = {}
    for value in _unit_values(text, "Environment"):
        for item in shlex.split(value):
            k, v = item.split("=", 1)
            env[k] = v
    for line in (ROOT / "deploy" / "netops.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k] = v
    return env


def _example_alternatives() -> list[str]:
    """The commented-out settings the example file offers, as they would be uncommented."""
    return [ln[1:] for ln in (ROOT / "deploy" / "netops.env.example").read_text().splitlines()
            if ln.startswith("#NETOPS_")]


def _expand(command: str, env: dict[str, str]) -> list[str]:
    """systemd's rule for ExecStart: an unbraced $VAR splits into words."""
    out: list[str] = []
    for word in shlex.split(command):
        out += env[word[1:]].split() if word.startswith("$") else [word]
    return out


def test_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    tool = need_binary("systemd-analyze")
    units = sorted(UNITS.iterdir())
    assert {u.name for u in units} == {"netops-exporter.service", "netops-backup.service", "netops-backup.timer"}
    for u in units:
        text = u.read_text().replace(f"{INSTALLED}/.venv/bin/netops", _netops_script()).replace(INSTALLED, str(ROOT))
        (tmp_path / u.name).write_text(text)
    r = subprocess.run([tool, "verify", "--man=no", *(str(tmp_path / u.name) for u in units)],
                       capture_output=True, text=True)
    assert r.returncode == 0 and not (r.stdout + r.stderr).strip(), r.stdout + r.stderr


def test_verify_would_catch_a_broken_unit(tmp_path: Path) -> None:
    tool = need_binary("systemd-analyze")
    unit = tmp_path / "netops-exporter.service"
    unit.write_text((UNITS / unit.name).read_text().replace("Type=exec", "Type=sometimes"))
    r = subprocess.run([tool, "verify", "--man=no", str(unit)], capture_output=True, text=True)
    assert "Failed to parse service type" in r.stdout + r.stderr


@pytest.mark.parametrize("unit,command,alternative", [
    ("netops-exporter.service", "monitor serve", None),
    *(("netops-exporter.service", "monitor serve", alt) for alt in _example_alternatives()),
    ("netops-backup.service", "play", None),
])
def test_exec_start_parses_with_the_cli(unit: str, command: str, alternative: str | None) -> None:
    text = (UNITS / unit).read_text()
    (exec_start,) = _unit_values(text, "ExecStart")
    env = _environment(text)
    if alternative:
        k, v = alternative.split("=", 1)
        env[k] = v
    argv = _expand(exec_start, env)
    if command == "monitor serve" and not alternative:  # out of the box, the exporter stays local
        assert "--listen 127.0.0.1:" in " ".join(argv)
    assert argv[0] == f"{INSTALLED}/.venv/bin/netops"
    args = argv[1:]
    for path in (a for a in args if a.startswith(INSTALLED + "/")):
        assert (ROOT / path.removeprefix(INSTALLED + "/")).exists(), f"{unit}: {path} is not in the project"
    # --help is eager: the parser has taken (or refused) every option and command before it
    # prints; an unknown option or command fails here without running anything
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, f"{unit}: {shlex.join(args)}: {result.output}"
    assert f"Usage: netops {command} [OPTIONS]" in " ".join(result.output.split())
