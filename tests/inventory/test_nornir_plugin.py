"""The plugin through a real InitNornir, as users' own scripts use it."""

from __future__ import annotations

from pathlib import Path

import pytest
from nornir import InitNornir
from nornir.core.filter import F

from netops.errors import SecretError


def nornir_for(path: Path, where: list[str] | None = None):
    return InitNornir(
        runner={"plugin": "serial"},
        inventory={"plugin": "NetopsInventory", "options": {"path": str(path), "where": where or []}},
        logging={"enabled": False},
    )


def test_hosts_are_devices_with_site_and_link_data(small_inventory: Path) -> None:
    nr = nornir_for(small_inventory)
    assert set(nr.inventory.hosts) == {
        "core-01", "bappeda-r1", "kec-a-r1", "kec-b-r1", "desa-a1-r1", "desa-a2-r1",
        "desa-b1-r1", "desa-b1-vsat", "desa-b2-r1"}
    host = nr.inventory.hosts["desa-b1-r1"]
    assert host.hostname == "10.20.15.11"
    assert host.platform == "mikrotik_routeros"
    assert host["site"]["kecamatan"] == "B"
    assert [lk["id"] for lk in host["links"]] == ["vsat-desa-b1"]
    assert host["links"][0]["medium"] == "vsat"
    assert host["regency"]["ntp_servers"] == ["10.20.0.10"]


def test_groups_by_tier_kecamatan_medium_provider_platform_role(small_inventory: Path) -> None:
    nr = nornir_for(small_inventory)
    groups = set(nr.inventory.groups)
    for g in ("tier:desa", "kecamatan:B", "medium:vsat", "provider:Telkom Mangoesky",
              "platform:huawei_vrp", "role:modem"):
        assert g in groups
    vsat = nr.filter(F(groups__contains="medium:vsat"))
    # The modem carries no link itself; it belongs to its site's VSAT uplink.
    assert set(vsat.inventory.hosts) == {"core-01", "desa-b1-r1", "desa-b1-vsat", "desa-b2-r1"}
    desa_b = nr.filter(F(groups__contains="kecamatan:B") & F(groups__contains="tier:desa"))
    assert set(desa_b.inventory.hosts) == {"desa-b1-r1", "desa-b1-vsat", "desa-b2-r1"}


def test_plugin_applies_where_filters(small_inventory: Path) -> None:
    nr = nornir_for(small_inventory, ["tier=desa", "medium=vsat", "role!=modem"])
    assert set(nr.inventory.hosts) == {"desa-b1-r1", "desa-b2-r1"}


def test_platform_names_map_through_the_table(small_inventory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_ROUTER_PASSWORD", "x")  # connection parameters include the password
    nr = nornir_for(small_inventory)
    frr = nr.inventory.hosts["kec-b-r1"]
    assert frr.get_connection_parameters("netmiko").platform == "cisco_ios"
    assert frr.get_connection_parameters("napalm").platform == "frr"  # no napalm driver: no override
    ios = nr.inventory.hosts["core-01"]
    assert ios.get_connection_parameters("napalm").platform == "ios"
    huawei = nr.inventory.hosts["bappeda-r1"]
    assert huawei.get_connection_parameters("netmiko").platform == "huawei"


def test_password_resolves_only_when_a_connection_opens(
        small_inventory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_ROUTER_PASSWORD", raising=False)
    nr = nornir_for(small_inventory)  # loading never needs the secret
    host = nr.inventory.hosts["desa-a1-r1"]
    assert host.username == "netops"
    assert "TEST_ROUTER_PASSWORD" not in repr(host.dict())
    with pytest.raises(SecretError, match="TEST_ROUTER_PASSWORD is not set"):
        host.get_connection_parameters("netmiko")
    monkeypatch.setenv("TEST_ROUTER_PASSWORD", "s3cret-value")
    assert host.get_connection_parameters("netmiko").password == "s3cret-value"
    assert host.dict()["password"] is None  # serialising a host never reveals it
