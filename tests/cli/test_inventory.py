"""The inventory commands through typer's runner, as a user types them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from netops.cli import app

runner = CliRunner()


def run(*args: str, inventory: Path):
    return runner.invoke(app, ["--inventory", str(inventory), *args])


def test_validate_ok_prints_counts_and_warnings(small_inventory: Path) -> None:
    r = run("inventory", "validate", inventory=small_inventory)
    assert r.exit_code == 0, r.output
    assert ("valid: Kabupaten Contoh: 9 sites (1 datacenter, 1 opd, 2 kecamatan, 5 desa), 9 devices, 8 links, "
            "3 warnings") in r.stdout
    assert "sites[desa-b3]: desa has no active link" in r.stderr


def test_validate_invalid_exits_2_with_every_error(small_inventory: Path) -> None:
    f = small_inventory / "devices.yaml"
    f.write_text(f.read_text().replace("platform: frr", "platform: ciscoo").replace("10.20.11.12", "10.20.11.11"))
    r = run("inventory", "validate", inventory=small_inventory)
    assert r.exit_code == 2
    assert "inventory/devices.yaml:" in r.stderr
    assert "unknown platform 'ciscoo'" in r.stderr
    assert "management address 10.20.11.11 is also used by device 'desa-a1-r1'" in r.stderr
    assert "Traceback" not in r.output


def test_validate_json(small_inventory: Path) -> None:
    (small_inventory / "devices.yaml").write_text("devices:\n  - name: x\n")
    r = run("--json", "inventory", "validate", inventory=small_inventory)
    assert r.exit_code == 2
    data = json.loads(r.stdout)
    assert data["valid"] is False
    assert {e["field"] for e in data["errors"]} >= {"devices[x].site", "devices[x].platform", "devices[x].mgmt"}
    assert all(e["file"] == "inventory/devices.yaml" and e["line"] == 2
               for e in data["errors"] if e["field"].startswith("devices[x]"))
    # cross-file checks still run: the links name routers that are gone with the old devices.yaml
    assert any(e["file"] == "inventory/links.yaml" and "does not exist" in e["message"] for e in data["errors"])


def test_other_commands_refuse_an_invalid_inventory(small_inventory: Path) -> None:
    (small_inventory / "sites.yaml").write_text("sites: [\n")
    r = run("inventory", "list", inventory=small_inventory)
    assert r.exit_code == 2
    assert "nothing was run" in r.stderr


def test_list_with_filters_json(small_inventory: Path) -> None:
    r = run("--json", "inventory", "list", "devices", "--where", "tier=desa", "--where", "medium=vsat",
            inventory=small_inventory)
    assert r.exit_code == 0, r.output
    assert {d["name"] for d in json.loads(r.stdout)} == {"desa-b1-r1", "desa-b1-vsat", "desa-b2-r1"}
    r = run("inventory", "list", "links", "--where", 'provider=Icon Plus', "--where", "status=down",
            inventory=small_inventory)
    assert "fo-desa-a2" in r.stdout and "1 links" in r.stdout


def test_bad_filter_is_exit_2(small_inventory: Path) -> None:
    r = run("inventory", "list", "--where", "colour=red", inventory=small_inventory)
    assert r.exit_code == 2
    assert "devices have no 'colour'" in r.stderr


def test_show_device_never_prints_the_secret(small_inventory: Path, monkeypatch) -> None:
    monkeypatch.setenv("TEST_ROUTER_PASSWORD", "very-secret-value")
    r = run("--json", "inventory", "show", "desa-b1-r1", inventory=small_inventory)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["kind"] == "device" and data["credentials"] == "routers" and data["username"] == "netops"
    assert data["links"][0]["id"] == "vsat-desa-b1"
    assert data["defined_at"].startswith("inventory/devices.yaml:")
    assert "very-secret-value" not in r.output
    r = run("inventory", "show", "nope", inventory=small_inventory)
    assert r.exit_code == 2 and "no device, site or link named 'nope'" in r.stderr


def test_tree_shows_hierarchy_and_uplinks(small_inventory: Path) -> None:
    r = run("--json", "inventory", "tree", inventory=small_inventory)
    tree = json.loads(r.stdout)
    assert [t["id"] for t in tree] == ["dc"]
    kec_b = next(c for c in tree[0]["children"] if c["id"] == "kec-b")
    assert [c["id"] for c in kec_b["children"]] == ["desa-b1", "desa-b2", "desa-b3"]
    assert kec_b["children"][1]["uplink"][0] == {"link": "vsat-desa-b2", "medium": "vsat", "status": "active"}
    r = run("inventory", "tree", "--where", "medium=vsat", inventory=small_inventory)
    assert "Kantor Desa B1" in r.stdout and "vsat active" in r.stdout
    assert "Kantor Desa A1" not in r.stdout  # filtered out, but its ancestors stay
    assert "Kantor Camat B" in r.stdout and "Pusat Data" in r.stdout


def test_export_and_import_commands(small_inventory: Path, tmp_path: Path) -> None:
    out_csv = tmp_path / "x.csv"
    r = run("inventory", "export", "--format", "csv", "--out", str(out_csv), inventory=small_inventory)
    assert r.exit_code == 0 and out_csv.read_text(encoding="utf-8-sig").startswith("site_id,name,tier")
    r = run("inventory", "export", "--format", "geojson", "--where", "kecamatan=A", inventory=small_inventory)
    gj = json.loads(r.stdout)
    assert {f["properties"]["id"] for f in gj["features"] if f["properties"]["kind"] == "site"} == {
        "kec-a", "desa-a1", "desa-a2"}
    # Every row is already in the inventory, unchanged: nothing new, nothing written.
    r = run("inventory", "import", str(out_csv), inventory=small_inventory)
    assert r.exit_code == 0 and "nothing new: 9 sites and 8 links" in r.stdout
    assert not (small_inventory / "imported.yaml").exists()
    r = run("inventory", "import", str(out_csv), "--out", str(small_inventory / "sites.yaml"), inventory=small_inventory)
    assert r.exit_code == 2 and "pass --force" in r.stderr
