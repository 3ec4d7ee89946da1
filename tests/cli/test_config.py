"""The config and play commands up to the point where devices would be contacted.

Device addresses are rewritten to 127.131.0.x on a closed port, so even a bug that
tried to connect would never leave the machine (and would show as a connection error).
"""

from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netops.cli import app
from netops.secrets import TOKEN
from tests.conftest import ROOT

runner = CliRunner()


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def local_inventory(small_inventory: Path) -> Path:
    devices = small_inventory / "devices.yaml"
    port = _closed_port()
    count = iter(range(1, 100))
    text = re.sub(r"mgmt: [0-9.]+", lambda m: f"mgmt: 127.131.0.{next(count)}\n    port: {port}",
                  devices.read_text())
    devices.write_text(text)
    return small_inventory


def test_render_masks_secrets_and_writes_files(local_inventory: Path, tmp_path: Path,
                                               secrets_env: dict[str, str]) -> None:
    out = tmp_path / "out"
    res = runner.invoke(app, ["-i", str(local_inventory), "config", "render", "--out", str(out)])
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in out.iterdir())
    assert "desa-b1-r1.cfg" in files and "desa-b1-vsat.cfg" not in files
    res = runner.invoke(app, ["-i", str(local_inventory), "config", "render", "-w", "platform=cisco_ios"])
    assert "hostname core-01" in res.output and TOKEN.search(res.output)
    for value in secrets_env.values():
        assert value not in res.output
        assert all(value not in p.read_text() for p in out.iterdir())


def test_push_with_a_broken_template_contacts_nothing(local_inventory: Path, tmp_path: Path,
                                                      secrets_env: dict[str, str]) -> None:
    tdir = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", tdir)
    (tdir / "frr" / "baseline.j2").write_text("hostname {{ device.nickname }}\n")
    repo = tmp_path / "backups"
    res = runner.invoke(app, ["-i", str(local_inventory), "config", "push", "--commit", "--templates", str(tdir),
                              "--repo", str(repo)])
    assert res.exit_code == 2
    assert "kec-b-r1" in res.output and "baseline.j2:1" in res.output and "'nickname'" in res.output
    assert not repo.exists()  # not even the backup ran


def test_play_refuses_a_bad_playbook_before_anything_runs(local_inventory: Path, tmp_path: Path,
                                                          secrets_env: dict[str, str]) -> None:
    pb = tmp_path / "pbs"
    pb.mkdir()
    (pb / "bad.yaml").write_text("name: bad\ntargets: [tier=desa]\nsteps:\n  - backup\n  - reboot\n")
    repo = tmp_path / "backups"
    res = runner.invoke(app, ["-i", str(local_inventory), "play", "bad", "--dir", str(pb), "--repo", str(repo)])
    assert res.exit_code == 2
    assert f"{pb / 'bad.yaml'}:5: unknown step 'reboot'" in res.output.replace("\n", "")
    assert not repo.exists()


def test_backup_of_unreachable_devices_fails_per_device(local_inventory: Path, tmp_path: Path,
                                                        secrets_env: dict[str, str]) -> None:
    repo = tmp_path / "backups"
    res = runner.invoke(app, ["-i", str(local_inventory), "--json", "config", "backup", "-w", "name=desa-a1-r1",
                              "--repo", str(repo)])
    assert res.exit_code == 1
    assert '"status": "failed"' in res.output and "desa-a1-r1" in res.output
    for value in secrets_env.values():
        assert value not in res.output


def test_run_refuses_before_contacting_any_device(local_inventory: Path, secrets_env) -> None:
    r = runner.invoke(app, ["-i", str(local_inventory), "run", "reload", "--where", "name=core-01"])
    assert r.exit_code == 2
    assert "not a read-only command: 'reload' on cisco_ios (1 device)" in r.output and "nothing was sent" in r.output
    assert "Connection" not in r.output and "refused" not in r.output  # no device was tried
    r = runner.invoke(app, ["-i", str(local_inventory), "run", "show version", "--where", "platform=vsat_modem"])
    assert r.exit_code == 2 and "no router netops logs into matches the selection" in r.output
    r = runner.invoke(app, ["-i", str(local_inventory), "run", "show version", "--where", "name=core-01"])
    assert r.exit_code == 1 and "core-01" in r.output  # the closed port: failed, reported per device
