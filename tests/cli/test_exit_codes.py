"""Every command holds to one exit-code contract (netops.errors.ExitCode, README "Exit codes").

Only what can be shown without devices runs here: each command refuses bad input with 2 before
touching anything; the other codes are shown on commands that reach them offline (the device
paths' 0/1 are held by tests/config and tests/monitor against the lab).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netops.cli import app
from netops.errors import ExitCode
from tests.conftest import SMALL_INVENTORY

# Every command, with the arguments it needs to get as far as reading the inventory.
COMMANDS = {
    "inventory validate": [], "inventory list": [], "inventory show": ["x"], "inventory tree": [],
    "inventory export": [], "config render": [], "config backup": [], "config diff": [], "config push": [],
    "config rollback": ["x"], "config audit": [], "run": ["show version"], "play": ["x"], "monitor poll": [], "monitor serve": [],
    "monitor generate": [], "report coverage": [], "report uptime": [], "report plan": [], "lab up": [],
}
WHERE = [c for c in COMMANDS if c.split()[0] in ("config", "run", "monitor", "report", "lab")
         or c in ("inventory list", "inventory tree", "inventory export")]
for _no_where in ("config rollback", "monitor generate"):
    WHERE.remove(_no_where)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("broken") / "inventory"
    shutil.copytree(SMALL_INVENTORY, d)
    (d / "sites.yaml").write_text("sites: [\n", encoding="utf-8")
    return d


def _run(tmp_path: Path, inventory: Path, command: str, *args: str) -> tuple[int, str]:
    before = sorted(p.name for p in tmp_path.iterdir())
    r = CliRunner().invoke(app, ["--inventory", str(inventory), *command.split(), *args], catch_exceptions=True)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "a refused command wrote something"
    return r.exit_code, r.output


@pytest.mark.parametrize("command", list(COMMANDS))
def test_invalid_inventory_is_bad_input(command: str, broken: Path, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out = _run(tmp_path, broken, command, *COMMANDS[command])
    assert code == ExitCode.BAD_INPUT and "sites.yaml:2" in out


@pytest.mark.parametrize("command", list(COMMANDS))
def test_missing_inventory_is_bad_input(command: str, tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out = _run(tmp_path, tmp_path / "nowhere", command, *COMMANDS[command])
    assert code == ExitCode.BAD_INPUT and "does not exist" in out


@pytest.mark.parametrize("command", WHERE)
def test_bad_filter_is_bad_input(command: str, tmp_path: Path, monkeypatch, secrets_env):
    monkeypatch.chdir(tmp_path)
    code, out = _run(tmp_path, SMALL_INVENTORY, command, *COMMANDS[command], "--where", "colour=blue")
    assert code == ExitCode.BAD_INPUT and "colour" in out


@pytest.mark.parametrize("command, args, expected", [
    ("inventory validate", [], ExitCode.OK),
    ("inventory show", ["nope"], ExitCode.BAD_INPUT),
    ("run", ["show version", "--where", "platform=vsat_modem"], ExitCode.BAD_INPUT),
    ("monitor poll", ["--shard", "5/2"], ExitCode.BAD_INPUT),
    ("monitor serve", ["--listen", "nowhere"], ExitCode.BAD_INPUT),
    ("report coverage", ["--period", "yesterday"], ExitCode.BAD_INPUT),
    ("config history", ["core-01", "--repo", "no-repo"], ExitCode.BAD_INPUT),
    ("lab status", ["--workdir", "no-lab"], ExitCode.FOUND),
    ("lab impair", ["desa-a1", "--down", "--workdir", "no-lab"], ExitCode.FOUND),
    ("lab down", ["--workdir", "no-lab"], ExitCode.OK),
], ids=lambda v: v if isinstance(v, str) else None)
def test_codes_offline(command: str, args: list[str], expected: int, tmp_path: Path, monkeypatch, secrets_env):
    monkeypatch.chdir(tmp_path)
    code, out = _run(tmp_path, SMALL_INVENTORY, command, *args)
    assert code == expected, out


def test_partial_output_is_3_and_ok_is_0(tmp_path: Path):
    """A report whose Prometheus is unreachable still writes the inventory part: 3; without it: 0."""
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["--inventory", str(SMALL_INVENTORY), "report", "uptime", "--prometheus",
                                 "http://127.0.0.1:9", "--format", "md", "--out", str(out)])
    assert r.exit_code == ExitCode.PARTIAL and (out / "uptime.md").exists()
    r = CliRunner().invoke(app, ["--inventory", str(SMALL_INVENTORY), "report", "coverage", "--format", "md",
                                 "--out", str(out)])
    assert r.exit_code == ExitCode.OK
