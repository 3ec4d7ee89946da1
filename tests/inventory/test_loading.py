"""Loading never loses data silently: every path that cannot be read is an error with what to do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netops.cli import app
from netops.inventory import InventoryInvalid, load_inventory
from netops.inventory.loader import InventoryNotFound
from tests.conftest import SMALL_INVENTORY, need


def _errors(path: Path) -> list[str]:
    with pytest.raises(InventoryInvalid) as exc:
        load_inventory(path)
    return [str(p) for p in exc.value.errors]


@pytest.fixture
def inv_dir(tmp_path: Path) -> Path:
    d = tmp_path / "inventory"
    shutil.copytree(SMALL_INVENTORY, d)
    return d


def test_syntax_error_in_one_file_still_checks_the_others(inv_dir: Path):
    (inv_dir / "devices.yaml").write_text("devices:\n  - name: [unclosed\n", encoding="utf-8")
    links = inv_dir / "links.yaml"
    links.write_text(links.read_text().replace("site: desa-b1", "site: desa-zz", 1), encoding="utf-8")
    errs = _errors(inv_dir)
    assert any(e.startswith("inventory/devices.yaml:3: YAML syntax error") for e in errs)
    # the cross-file error in another file is reported in the same run, with a hint about the broken file
    assert any("links.yaml" in e and "site 'desa-zz' does not exist" in e for e in errs)
    assert any("unless it is in inventory/devices.yaml, which could not be read" in e for e in errs)


def test_a_record_that_fails_validation_is_not_also_reported_missing(inv_dir: Path):
    sites = inv_dir / "sites.yaml"
    sites.write_text(sites.read_text().replace("lat: -0.2500", "lat: -900", 1), encoding="utf-8")
    errs = _errors(inv_dir)
    assert len(errs) == 1 and "sites[desa-a2].lat" in errs[0]


def test_dangling_symlink_and_loop_are_errors(inv_dir: Path):
    (inv_dir / "kecamatan").mkdir()
    (inv_dir / "kecamatan" / "gone.yaml").symlink_to(inv_dir / "nowhere.yaml")
    (inv_dir / "kecamatan" / "again").symlink_to(inv_dir)
    (inv_dir / "self.yaml").symlink_to(inv_dir / "self.yaml")
    errs = _errors(inv_dir)
    assert any("kecamatan/gone.yaml: dangling symlink" in e and "restore the target or remove the link" in e
               for e in errs)
    assert any("kecamatan/again: symlink loop" in e for e in errs)
    assert any("self.yaml: symlink loop" in e for e in errs)


def test_non_utf8_file_names_line_and_column(inv_dir: Path):
    (inv_dir / "extra.yaml").write_bytes("sites:\n  - id: desa-x\n    name: Kantor Desa Sei Ra\xe9\n".encode("latin-1"))
    errs = _errors(inv_dir)
    assert any(e.startswith("inventory/extra.yaml:3: not UTF-8 text: byte 0xe9 at column 29; save the file as UTF-8")
               for e in errs), errs


@pytest.mark.parametrize("case", ["missing", "dangling", "csv", "empty-dir"])
def test_bad_inventory_path_exits_2(tmp_path: Path, case: str):
    if case == "missing":
        path = tmp_path / "nope"
    elif case == "dangling":
        path = tmp_path / "link"
        path.symlink_to(tmp_path / "nope")
    elif case == "csv":
        path = tmp_path / "sites.csv"
        path.write_text("site_id,name,tier\n", encoding="utf-8")
    else:
        path = tmp_path / "empty"
        path.mkdir()
    with pytest.raises(InventoryNotFound):
        load_inventory(path)
    r = CliRunner().invoke(app, ["--inventory", str(path), "inventory", "validate"])
    assert r.exit_code == 2 and str(path) in r.output and "Traceback" not in r.output


def test_unreadable_directory_and_file_are_errors_not_fewer_sites(tmp_path: Path):
    """Root reads everything, so the loader runs as root without the capabilities that bypass file
    permissions (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH), on paths owned by another
    user: what a service user meets when a file is not readable by it."""
    inv = tmp_path / "inventory"
    shutil.copytree(SMALL_INVENTORY, inv)
    locked = inv / "kecamatan"
    locked.mkdir()
    shutil.move(inv / "sites.yaml", locked / "sites.yaml")
    cmd = [sys.executable, "-m", "netops", "--inventory", str(inv), "--json", "inventory", "validate"]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        need(setpriv is not None, "needs setpriv (util-linux) to drop root's permission bypass")
        for p in (locked, inv / "devices.yaml"):
            os.chown(p, 65534, 65534)
        cmd = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *cmd]
    locked.chmod(0o700 if os.geteuid() == 0 else 0o000)
    (inv / "devices.yaml").chmod(0o600 if os.geteuid() == 0 else 0o000)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    finally:
        locked.chmod(0o755)
        (inv / "devices.yaml").chmod(0o644)
    assert r.returncode == 2, r.stdout + r.stderr
    data = json.loads(r.stdout)
    msgs = {e["file"]: e["message"] for e in data["errors"]}
    assert msgs["inventory/kecamatan"].startswith("cannot read directory: Permission denied; give the user")
    assert msgs["inventory/devices.yaml"].startswith("cannot read file: Permission denied; give the user")
    assert "Traceback" not in r.stderr
