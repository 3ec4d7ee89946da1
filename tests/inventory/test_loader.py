"""Loading the inventories: the sample, the small fixture, and the facts derived from them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from netops.errors import NetopsError
from netops.inventory import LinkStatus, Medium, Tier, load_inventory


def test_sample_is_the_whole_regency(sample_inventory: Path) -> None:
    inv = load_inventory(sample_inventory)
    tiers = Counter(s.tier for s in inv.sites.values())
    assert tiers[Tier.datacenter] == 1
    assert tiers[Tier.kecamatan] == 9
    assert tiers[Tier.desa] == 123
    assert 25 <= tiers[Tier.opd] <= 35
    # Every site has a router; every active VSAT desa has a modem monitored by ping.
    routers = {d.site for d in inv.devices.values() if d.role.value != "modem"}
    assert set(inv.sites) == routers
    vsat_sites = {lk.b.site for lk in inv.links.values() if lk.medium is Medium.vsat and lk.status is not LinkStatus.planned}
    modems = {d.site for d in inv.devices.values() if d.platform == "vsat_modem"}
    assert vsat_sites == modems
    assert all(d.monitor == "icmp" for d in inv.devices.values() if d.platform == "vsat_modem")
    statuses = Counter(lk.status for lk in inv.links.values())
    assert statuses[LinkStatus.planned] >= 2 and statuses[LinkStatus.down] >= 1
    assert all(lk.circuit_id.startswith("SAMPLE-") for lk in inv.links.values() if lk.circuit_id)
    assert all(str(d.mgmt).startswith("10.112.") for d in inv.devices.values())


def test_sample_uses_real_wilayah_codes(sample_inventory: Path) -> None:
    inv = load_inventory(sample_inventory)
    desa = {s.code: s for s in inv.sites.values() if s.tier is Tier.desa}
    assert desa["61.12.05.2002"].name == "Kantor Desa Batu Ampar"
    assert desa["61.12.05.2002"].kecamatan == "Batu Ampar"
    assert inv.sites["kec-kubu"].code == "61.12.06"


def test_warnings_name_unconnected_desa(small_inventory: Path) -> None:
    inv = load_inventory(small_inventory)
    text = [str(w) for w in inv.warnings]
    assert any("sites[desa-b3]" in t and "no active link" in t for t in text)
    assert any("sites[desa-a2]" in t and "no active link" in t for t in text)  # its only link is down
    assert any("sites[desa-b3]" in t and "no coordinates" in t for t in text)
    assert all(w.severity == "warning" for w in inv.warnings)
    assert not any("desa-a1" in t for t in text)


def test_uplinks_put_active_first(small_inventory: Path) -> None:
    inv = load_inventory(small_inventory)
    assert [lk.id for lk in inv.uplinks("desa-b2")] == ["vsat-desa-b2", "fo-desa-b2"]
    assert inv.uplinks("desa-b3") == []
    assert {lk.id for lk in inv.links_by_device["core-01"]} == {
        "fo-bappeda", "fo-kec-a", "fo-kec-b", "vsat-desa-b1", "vsat-desa-b2"}


def test_credentials_and_snmp_defaults(small_inventory: Path) -> None:
    inv = load_inventory(small_inventory)
    creds = inv.credentials_for(inv.devices["desa-a1-r1"])
    assert creds is not None and creds.username == "netops"
    assert str(creds.password) == "env:TEST_ROUTER_PASSWORD"
    assert inv.snmp_for(inv.devices["desa-b2-r1"]).version == "2c"
    assert inv.snmp_for(inv.devices["desa-a1-r1"]).version == "3"
    assert inv.snmp_for(inv.devices["desa-b1-vsat"]) is None  # ping only


def test_single_file_inventory(tmp_path: Path, small_inventory: Path) -> None:
    one = tmp_path / "one.yaml"
    one.write_text("\n".join(p.read_text() for p in sorted(small_inventory.glob("*.yaml"))))
    inv = load_inventory(one)
    assert len(inv.sites) == 9 and len(inv.links) == 8


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NetopsError, match="does not exist; pass --inventory"):
        load_inventory(tmp_path / "nope")
