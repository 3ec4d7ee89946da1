"""Audit, versions and --write on recorded facts (no devices): the logic behind the lab tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.facts.audit import FindingKind, audit, write_missing
from netops.facts.collect import fill_from_parsed, from_napalm, from_vtysh
from netops.facts.fleet import versions
from netops.facts.models import CollectStatus, DeviceFacts, FactsError, FactsResult, Interface, Neighbour
from netops.facts.store import FactsRepo
from netops.inventory import load_inventory
from tests.conftest import need_binary


def _facts(name: str, ifaces: list[str], neighbours: list[tuple[str, str, str]] = (), **kw: str) -> DeviceFacts:
    return DeviceFacts(hostname=kw.get("hostname", name), serial=kw.get("serial", f"SN-{name}"), model="M",
                       os_version=kw.get("os_version", "7.11.2"),
                       interfaces={i: Interface(up=True) for i in ifaces},
                       neighbours=[Neighbour(interface=a, name=b, port=c) for a, b, c in neighbours])


@pytest.fixture
def stored(small_inventory: Path, secrets_env: dict[str, str], tmp_path: Path):  # type: ignore[no-untyped-def]
    need_binary("git")
    inv = load_inventory(small_inventory)
    facts = {
        "core-01": _facts("core-01", ["GigabitEthernet0/1", "GigabitEthernet0/2", "GigabitEthernet0/3",
                                      "GigabitEthernet0/4"],  # Gi0/5 missing
                          [("GigabitEthernet0/1", "bappeda-r1", "GigabitEthernet0/0/1"),
                           ("GigabitEthernet0/2", "kec-a-r1", "sfp1"), ("GigabitEthernet0/4", "desa-b1-r1", "ether1"),
                           ("GigabitEthernet0/3", "rogue-ap", "eth0")], os_version="16.9.4"),
        "kec-a-r1": _facts("kec-a-r1", ["sfp1", "vlan101", "vlan102"], [("sfp1", "core-01", "Gi0/2")],
                           os_version="6.49.10"),
        "desa-a1-r1": _facts("desa-b1-r1", ["ether1", "ether2"]),  # someone else at this address
    }
    repo = FactsRepo(tmp_path / "facts")
    results = [FactsResult(name=n, platform=inv.devices[n].platform, status=CollectStatus.ok, via="napalm x", facts=f)
               for n, f in facts.items()]
    assert repo.store(results, when="2026-12-01T00:00:00Z")
    return inv, repo


def test_findings_name_the_record(stored) -> None:  # type: ignore[no-untyped-def]
    inv, repo = stored
    got = {(f.kind, f.device, f.where) for f in audit(inv, repo.load_all())}
    dev = lambda n: str(inv.where("devices", n))  # noqa: E731
    link = lambda n: str(inv.where("links", n))  # noqa: E731
    assert (FindingKind.identity, "desa-a1-r1", dev("desa-a1-r1")) in got
    assert (FindingKind.interface_missing, "core-01", dev("core-01")) in got
    assert (FindingKind.unknown_neighbour, "core-01", dev("core-01")) in got
    assert (FindingKind.wrong_neighbour, "kec-a-r1", link("fo-desa-a1")) in got  # nothing seen on vlan101
    assert (FindingKind.wrong_neighbour, "core-01", link("fo-kec-b")) in got  # rogue-ap instead of kec-b-r1
    assert (FindingKind.serial_missing, "kec-a-r1", dev("kec-a-r1")) in got
    assert not any(d == "desa-a1-r1" and k is FindingKind.serial_missing for k, d, _ in got)  # not its serial
    assert dev("core-01") == "inventory/devices.yaml:2"


def test_write_keeps_comments_and_the_audit_settles(stored, small_inventory: Path) -> None:  # type: ignore[no-untyped-def]
    inv, repo = stored
    path = small_inventory / "devices.yaml"
    path.write_text("# hand-written header\n" + path.read_text().replace("    role: core\n", "    role: core  # keep\n"))
    inv = load_inventory(small_inventory)
    written = write_missing(inv, audit(inv, repo.load_all()))
    assert sorted(written) == ["core-01.model", "core-01.serial", "kec-a-r1.model", "kec-a-r1.serial"]
    text = path.read_text()
    assert text.startswith("# hand-written header\n") and "role: core  # keep\n" in text
    assert "    interfaces: [Gi0/1, Gi0/2, Gi0/3, Gi0/4, Gi0/5]\n" in text  # flow list and indentation kept
    again = load_inventory(small_inventory)
    assert again.devices["kec-a-r1"].serial == "SN-kec-a-r1"
    assert not [f for f in audit(again, repo.load_all()) if f.kind is FindingKind.serial_missing]


def test_versions_below(stored) -> None:  # type: ignore[no-untyped-def]
    inv, repo = stored
    ros = [n for n, d in inv.devices.items() if d.platform == "mikrotik_routeros"]
    rows = versions(repo.load_all(), ros, "7.15")
    assert [(r.os_version, r.devices) for r in rows] == [("6.49.10", ["kec-a-r1"]), ("7.11.2", ["desa-a1-r1"])]
    assert versions(repo.load_all(), ros, "6.0") == []
    with pytest.raises(FactsError):
        versions(repo.load_all(), ros, "latest")


def test_driver_payloads_become_one_shape() -> None:
    f = from_napalm({"get_facts": {"vendor": "Cisco", "model": "ISR4431/K9", "serial_number": ["X1"], "uptime": 60.0,
                                   "os_version": "ISR Software (X86_64), Version 16.9.4, RELEASE SOFTWARE (fc2)",
                                   "hostname": "core-01"},
                     "get_interfaces": {"Gi0/1": {"is_up": False, "is_enabled": True, "mac_address": "AA:BB:CC:00:11:22",
                                                  "speed": 1000.0, "description": "x"}},
                     "get_interfaces_ip": {"Gi0/1": {"ipv4": {"10.0.0.1": {"prefix_length": 30}}}},
                     "get_lldp_neighbors": {"Gi0/1": [{"hostname": "r2", "port": "ether1"}]}})
    assert (f.os_version, f.serial, f.interfaces["Gi0/1"].addresses, f.neighbours[0].name) == (
        "16.9.4", "X1", ["10.0.0.1/30"], "r2")
    vrp = fill_from_parsed(DeviceFacts(), [{"model": "AR2220E", "product_version": "AR2200 V200R010C10SPC700",
                                            "uptime": "3 weeks, 2 days, 4 hours, 17 minutes"}])
    assert (vrp.model, vrp.os_version, vrp.uptime_s) == ("AR2220E", "V200R010C10SPC700", 2002620.0)
    frr = from_vtysh("FRRouting 8.4.4 (core-02) on Linux(6.1.0-lab).\n",
                     "Interface eth0 is up, line protocol is up\n  Description: Diskominfo\n  HWaddr: 02:aa:bb:cc:dd:ee\n"
                     "  inet 198.18.0.2/30\nInterface eth1 is down\n")
    assert (frr.hostname, frr.os_version, frr.interfaces["eth0"].addresses, frr.interfaces["eth1"].up) == (
        "core-02", "8.4.4", ["198.18.0.2/30"], False)
