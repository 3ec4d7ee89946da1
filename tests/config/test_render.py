"""Rendering: every platform's templates from inventory data, strict about missing data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from netops.config.errors import TemplateProblem
from netops.config.render import TemplateSet, render_all, render_device
from netops.errors import SecretError
from netops.inventory import load_inventory
from netops.secrets import TOKEN
from tests.conftest import ROOT, SMALL_INVENTORY


def test_every_platform_renders_baseline_and_uplink(secrets_env: dict[str, str]) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    out = render_all(inv, list(inv.devices))
    assert set(out) == {"core-01", "bappeda-r1", "kec-a-r1", "kec-b-r1", "desa-a1-r1", "desa-a2-r1",
                        "desa-b1-r1", "desa-b2-r1"}  # the VSAT modem is not managed
    assert {r.platform.name for r in out.values()} == {"cisco_ios", "huawei_vrp", "mikrotik_routeros", "frr"}
    ros = out["desa-b1-r1"].text
    assert "/system identity set name=desa-b1-r1" in ros
    assert "/system ntp client set enabled=yes servers=10.20.0.10" in ros
    assert "remote=10.20.0.12" in ros
    assert "/ip dns set servers=10.20.0.53" in ros
    assert "/ip service set ssh address=10.20.0.0/16" in ros
    assert 'comment="Telkom Mangoesky TEST-MGSKY-0001 (vsat-desa-b1)"' in ros
    assert "max-limit=4000k/4000k" in ros  # the VSAT committed rate
    assert "queue" not in out["desa-a1-r1"].text  # fiber: no shaper
    ios = out["core-01"].text
    assert "hostname core-01" in ios and "permit 10.20.0.0 0.0.255.255" in ios
    assert "ntp server 10.20.0.10" in ios and "logging host 10.20.0.12" in ios
    vrp = out["bappeda-r1"].text
    assert "sysname bappeda-r1" in vrp and " description Icon Plus TEST-ICON-0001 (fo-bappeda)" in vrp
    frr = out["kec-b-r1"].text
    assert "access-list NETOPS-MGMT seq 10 permit 10.20.0.0/16" in frr
    assert "interface eth0\n description Icon Plus TEST-ICON-0003 (fo-kec-b)" in frr


def test_snmp_keys_rendered_from_refs_but_masked_in_output(secrets_env: dict[str, str]) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    for name in ("core-01", "bappeda-r1", "kec-a-r1"):
        r = render_device(inv, name)
        assert secrets_env["TEST_SNMP_AUTH"] in r.text and secrets_env["TEST_SNMP_PRIV"] in r.text
        assert secrets_env["TEST_SNMP_AUTH"] not in r.masked and secrets_env["TEST_SNMP_PRIV"] not in r.masked
        assert TOKEN.search(r.masked)
    v2c = render_device(inv, "desa-b2-r1")
    assert secrets_env["TEST_SNMP_COMMUNITY"] in v2c.text and secrets_env["TEST_SNMP_COMMUNITY"] not in v2c.masked


def test_unresolvable_secret_names_host_before_any_device(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_SNMP_AUTH", raising=False)
    inv = load_inventory(SMALL_INVENTORY)
    with pytest.raises(SecretError, match=r"core-01: SNMP auth_key: .*TEST_SNMP_AUTH"):
        render_all(inv, ["core-01"])


def _templates_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", dest)
    return dest


def test_missing_variable_names_host_template_line_and_variable(secrets_env: dict[str, str], tmp_path: Path) -> None:
    tdir = _templates_copy(tmp_path)
    path = tdir / "frr" / "baseline.j2"
    path.write_text(path.read_text() + "ip router-id {{ site.router_id }}\n")
    inv = load_inventory(SMALL_INVENTORY)
    with pytest.raises(TemplateProblem) as exc:
        render_all(inv, list(inv.devices), templates=TemplateSet(tdir))
    msg = str(exc.value)
    lines = path.read_text().splitlines()
    assert "kec-b-r1" in msg and f"{path}:{len(lines)}" in msg and "'router_id'" in msg


def test_empty_value_is_refused_with_expression(secrets_env: dict[str, str], small_inventory: Path) -> None:
    links = small_inventory / "links.yaml"
    links.write_text(links.read_text().replace("    circuit_id: TEST-ICON-0003\n", ""))
    inv = load_inventory(small_inventory)
    with pytest.raises(TemplateProblem, match=r"kec-b-r1: .*frr/uplink.j2:4: variable 'link.provider', "
                                              r"'link.circuit_id', 'link.id' is empty"):
        render_all(inv, list(inv.devices))


def test_missing_template_is_named(secrets_env: dict[str, str], tmp_path: Path) -> None:
    tdir = _templates_copy(tmp_path)
    (tdir / "huawei_vrp" / "uplink.j2").unlink()
    inv = load_inventory(SMALL_INVENTORY)
    with pytest.raises(TemplateProblem, match=r"bappeda-r1: no template .*huawei_vrp/uplink.j2"):
        render_all(inv, list(inv.devices), templates=TemplateSet(tdir))


def test_sample_inventory_renders_every_router(monkeypatch: pytest.MonkeyPatch, sample_inventory: Path) -> None:
    for var in ("NETOPS_SNMP_AUTH_KEY", "NETOPS_SNMP_PRIV_KEY", "NETOPS_SNMP_COMMUNITY"):
        monkeypatch.setenv(var, f"value-of-{var}")
    inv = load_inventory(sample_inventory)
    out = render_all(inv, list(inv.devices))
    assert len(out) == sum(1 for d in inv.devices.values() if d.platform != "vsat_modem")
    vsat = [n for n, r in out.items() if "queue simple add" in r.text]
    assert vsat and all(n.startswith("desa-") for n in vsat)
