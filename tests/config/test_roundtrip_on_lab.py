"""compare(a, b) pushed over SSH onto a lab device holding a yields b; restore brings a back.

The same seam ``netops config push`` uses (Nornir + netmiko, ``netops.config.device``)
against the lab's IOS, VRP and RouterOS simulators and real FRR 8.4 (zebra, staticd,
bgpd, ospfd, ripd (which FRR's key chains need), isisd, ospf6d and bfdd: every daemon the
FRR corpus configs name). One lab (base 127.132.0.0, no
village sites) is shared by the module; each platform's test works on its own device
and runs a handful of realistic edits, each one from ``a`` to ``b`` and back. FRR also
loads each corpus config whole and goes to its later version (or a realistic edit of it) and back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from netops.config import device as dev
from netops.config.diff import plan, restore_plan
from netops.inventory import load_inventory
from netops.platforms import get_platform
from tests.support.lab import small_lab

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "frr" / "corpus"

BASE = "127.132.0.0"
pytestmark = pytest.mark.slow
Edit = Callable[[str], str]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    yield from small_lab(tmp_path_factory, "rtlab", BASE, vsat_delay_ms=0, where=["name!=desa-*"],
                         frr_daemons=("staticd", "bgpd", "ospfd", "ripd", "isisd", "ospf6d", "bfdd"))


class _Device:
    """One lab device reached as push reaches it: a Nornir host and its netmiko session."""

    def __init__(self, lab, name: str) -> None:  # type: ignore[no-untyped-def]
        self.inv = load_inventory(lab.inventory_path)
        self.name = name
        self.platform = get_platform(self.inv.devices[name].platform)
        self.nr = dev.nornir_for(self.inv, [name], workers=1)
        self.host = self.nr.inventory.hosts[name]

    def show(self) -> str:
        conn = dev.reconnect(self.host, self.nr.config)  # a fresh login, as push's verify does
        try:
            return dev.show_config(conn, self.platform)
        finally:
            dev.drop(self.host)

    def send(self, commands: list[str]) -> None:
        conn = dev.reconnect(self.host, self.nr.config)
        try:
            dev.send_config(conn, self.platform, commands)
        finally:
            dev.drop(self.host)


def _round_trips(d: _Device, setup: list[str], edits: dict[str, Edit]) -> None:
    d.send(setup)
    a = d.show()
    for what, edit in edits.items():
        b = edit(a)
        assert b != a, f"{what}: the edit does not apply to the device's config:\n{a}"
        fwd = plan(d.name, d.platform, a, b)
        assert fwd.commands, what
        d.send(fwd.commands)
        now = d.show()
        left = plan(d.name, d.platform, now, b)
        assert left.empty, (what, fwd.commands, left.commands, now)
        back = restore_plan(d.name, d.platform, now, a)
        d.send(back.commands)
        now = d.show()
        assert restore_plan(d.name, d.platform, now, a).empty and plan(d.name, d.platform, now, a).empty, \
            (what, back.commands, now)


def _sub(pattern: str, repl: str) -> Edit:
    return lambda text: re.sub(pattern, repl, text, count=1, flags=re.MULTILINE)


def _after(anchor: str, lines: str) -> Edit:
    """Insert ``lines`` after the first line matching ``anchor``."""
    return lambda text: re.sub(f"^({anchor}.*\n)", lambda m: m.group(1) + lines, text, count=1,
                               flags=re.MULTILINE)


def test_ios_edits_round_trip(lab) -> None:  # type: ignore[no-untyped-def]
    d = _Device(lab, "core-01")
    iface = re.search(r"^interface (\S+)", d.show(), re.MULTILINE)
    assert iface, "core-01 shows no interface"
    setup = [f"interface {iface.group(1)}", "switchport trunk allowed vlan 10,20,99", "exit",
             "vlan 10", "name KANTOR", "exit",
             "ip access-list standard NETOPS-RT", "permit 10.20.0.0 0.0.255.255",
             "permit 10.30.0.0 0.0.255.255", "deny any log", "exit",
             "banner motd ^Akses hanya untuk petugas Diskominfo.^",
             "snmp-server community Rt-Komunitas-1 RO"]
    _round_trips(d, setup, {
        "vlan added": _after("vlan 10", " name KANTOR\n!\nvlan 30\n name CCTV\n"),
        "trunk list changed": _sub(r"allowed vlan 10,20,99$", "allowed vlan 10,30,99,120"),
        "acl entry moved": _sub(r"^ 10 permit 10\.20\.0\.0 0\.0\.255\.255\n 20 permit 10\.30\.0\.0 0\.0\.255\.255$",
                                " 10 permit 10.30.0.0 0.0.255.255\n 20 permit 10.20.0.0 0.0.255.255"),
        "secret rotated": _sub(r"community Rt-Komunitas-1 RO", "community Rt-Komunitas-2 RO"),
        "banner line edited": _sub(r"Akses hanya untuk petugas Diskominfo\.", "Akses dicatat dan diawasi."),
    })


def test_vrp_edits_round_trip(lab) -> None:  # type: ignore[no-untyped-def]
    d = _Device(lab, "bappeda-r1")
    iface = re.search(r"^interface (GigabitEthernet\S+)", d.show(), re.MULTILINE)
    assert iface, "bappeda-r1 shows no GigabitEthernet interface"
    setup = ["vlan batch 10 20 99", f"interface {iface.group(1)}", "port link-type trunk",
             "port trunk allow-pass vlan 10 20", "quit",
             "snmp-agent community read cipher Rt-Komunitas-1"]
    _round_trips(d, setup, {
        "vlan added": _sub(r"^( ?)vlan batch 10 20 99$", r"\1vlan batch 10 20 30 99"),
        "vlan removed from the batch": _sub(r"^( ?)vlan batch 10 20 99$", r"\1vlan batch 10 99"),
        "trunk list changed": _sub(r"allow-pass vlan 10 20$", "allow-pass vlan 10 30 99"),
        # the simulator shows a 'cipher' value encrypted as VRP does (%^%#…%^%#), so a rotation
        # needs the record of what netops pushed: tests/config/test_pushed.py
    })


def test_routeros_edits_round_trip(lab) -> None:  # type: ignore[no-untyped-def]
    d = _Device(lab, "kec-a-r1")
    setup = ["/ip firewall filter add chain=forward action=accept comment=rt-a src-address=10.20.0.0/16",
             "/ip firewall filter add chain=forward action=accept comment=rt-b src-address=10.30.0.0/16",
             "/ip firewall filter add chain=forward action=drop comment=rt-c src-address=10.40.0.0/16",
             "/interface vlan add interface=ether2 name=vlan10 vlan-id=10",
             "/snmp community add name=Rt-Komunitas-1 addresses=10.20.0.0/16"]

    def move_rule(text: str) -> str:
        lines = text.splitlines(keepends=True)
        i = next(k for k, ln in enumerate(lines) if "comment=rt-a" in ln)
        j = next(k for k, ln in enumerate(lines) if "comment=rt-c" in ln)
        lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)

    _round_trips(d, setup, {
        "firewall rule moved": move_rule,
        "vlan added": _after("/interface vlan add .*name=vlan10", "/interface vlan add interface=ether2 "
                                                                     "name=vlan30 vlan-id=30\n"),
        # a v2c community is named by its secret: renamed by the old name, back by the new one
        "community rotated": _sub(r"name=Rt-Komunitas-1\b", "name=Rt-Komunitas-2"),
    })


def test_frr_edits_round_trip(lab) -> None:  # type: ignore[no-untyped-def]
    d = _Device(lab, "kec-b-r1")
    iface = re.search(r"^interface (\S+)", d.show(), re.MULTILINE)
    assert iface, "kec-b-r1 shows no interface"
    setup = ["ip route 10.77.0.0/16 Null0", "ip prefix-list RT-NET seq 5 permit 10.20.0.0/16",
             "ip prefix-list RT-NET seq 10 permit 10.30.0.0/16",
             "access-list RT-MGMT seq 5 permit 10.20.0.0/16", "access-list RT-MGMT seq 10 permit 10.30.0.0/16",
             "route-map RT-OUT permit 10", "match ip address prefix-list RT-NET", "exit",
             f"interface {iface.group(1)}", "ip ospf cost 10", "exit",
             "router ospf", "ospf router-id 10.20.7.1", "network 10.20.9.24/30 area 0", "exit",
             "router bgp 65108", "bgp router-id 10.20.7.1", "neighbor 10.20.9.25 remote-as 65000",
             "neighbor 10.20.9.25 password Rt-Bgp-1", "address-family ipv4 unicast",
             "network 10.31.70.0/24", "exit-address-family", "exit"]

    def swap(first: str, second: str) -> Edit:
        return lambda text: text.replace(first, "\0").replace(second, first).replace("\0", second)

    _round_trips(d, setup, {
        "static route added": _after("ip route 10.77.0.0/16 Null0", "ip route 10.78.0.0/16 Null0\n"),
        "prefix-list entry added": _after("ip prefix-list RT-NET seq 10 ", "ip prefix-list RT-NET seq 15 permit "
                                                                           "10.31.0.0/16\n"),
        "prefix-list seq given another prefix": _sub(r"seq 10 permit 10\.30\.0\.0/16$", "seq 10 permit 10.40.0.0/16"),
        "access-list entries swapped": swap("seq 5 permit 10.20.0.0/16\naccess-list RT-MGMT seq 10 permit 10.30",
                                            "seq 5 permit 10.30.0.0/16\naccess-list RT-MGMT seq 10 permit 10.20"),
        "route-map entry added": _after(" match ip address prefix-list RT-NET",
                                        "exit\n!\nroute-map RT-OUT deny 20\n"),
        "bgp neighbor with password added": _after(" neighbor 10.20.9.25 password ",
                                                   " neighbor 10.20.9.29 remote-as 65001\n"
                                                   " neighbor 10.20.9.29 password Rt-Bgp-Baru\n"),
        "bgp password rotated": _sub(r"password Rt-Bgp-1$", "password Rt-Bgp-2"),
        "bgp network announced": _after("  network 10.31.70.0/24", "  network 10.31.80.0/24\n"),
        "ospf interface cost changed": _sub(r"^ ip ospf cost 10$", " ip ospf cost 25"),
        "ospf network moved to another area": _sub(r"network 10\.20\.9\.24/30 area 0$",
                                                   "network 10.20.9.24/30 area 0.0.0.1"),
    })


_CORPUS_PAIRS: dict[str, tuple[str, Edit]] = {
    "frr8-kec-bgp": ("frr8-kec-bgp", lambda a: (CORPUS / "frr8-kec-bgp-v2.txt").read_text()),
    # FRR 9.1 and 10.1 configs: every line of them loads on FRR 8.4 (isisd, ospf6d, bfdd running)
    "frr9-rip-isis": ("frr9-rip-isis", lambda a: _after(" network 10.31.81.0/24", " network 10.31.82.0/24\n")(
        _sub(r"area-password md5 Frr9IsisArea$", "area-password md5 Frr9IsisArea2")(a))),
    "frr10-dc-evpn": ("frr10-dc-evpn", lambda a: _after("  redistribute connected", "  redistribute static\n")(
        _sub(r"password Frr10PeerGroupPw$", "password Frr10PeerGroupPw2")(a))),
}


def _routing_cleared(running: str) -> list[str]:
    """Remove the routing processes a device holds (VRF instances first).

    Loading another device's config whole needs it: a plan adds before it removes, and FRR
    refuses ``ip ospf area`` while ``router ospf`` holds ``network`` lines, and a second BGP AS.
    """
    routers = re.findall(r"^router (?:bgp|ospf|ospf6|rip|isis)\b.*$", running, re.MULTILINE)
    return ["no " + r for r in sorted(routers, key=lambda r: " vrf " not in r)]


def _named(config: str, running: str) -> str:
    """``config`` with the device's own hostname: the lab's FRR 8.4 shows the namespace's host name."""
    host = re.search(r"^hostname (\S+)$", running, re.MULTILINE)
    return re.sub(r"^hostname \S+$", f"hostname {host.group(1)}", config, flags=re.MULTILINE) if host else config


@pytest.mark.parametrize("name", list(_CORPUS_PAIRS))
def test_frr_corpus_versions_round_trip(lab, name: str) -> None:  # type: ignore[no-untyped-def]
    """A whole corpus config loaded onto real FRR, then its later version (or an edit) and back."""
    d = _Device(lab, "kec-b-r1")
    running = d.show()
    d.send(_routing_cleared(running))
    corpus, edit = _CORPUS_PAIRS[name]
    a_text = _named((CORPUS / f"{corpus}.txt").read_text(), running)
    b_text = _named(edit(a_text), running)
    assert b_text != a_text, name
    load = plan(d.name, d.platform, d.show(), a_text)
    d.send(load.commands)
    a = d.show()
    assert plan(d.name, d.platform, a, a_text).empty, plan(d.name, d.platform, a, a_text).commands
    fwd = plan(d.name, d.platform, a, b_text)
    assert fwd.commands
    d.send(fwd.commands)
    now = d.show()
    assert plan(d.name, d.platform, now, b_text).empty, (fwd.commands, now)
    back = restore_plan(d.name, d.platform, now, a)
    d.send(back.commands)
    now = d.show()
    assert plan(d.name, d.platform, now, a).empty and restore_plan(d.name, d.platform, now, a).empty, \
        (back.commands, now)


def test_frr_isis_passwords_go_with_a_restore_and_come_back(lab) -> None:  # type: ignore[no-untyped-def]
    """A forward plan only adds; a restore to a config without IS-IS passwords removes them. FRR 8.4 knows only
    the bare 'no area-password' / 'no domain-password' (it refuses them with the old value), then a restore
    to the config that had them puts them back."""
    d = _Device(lab, "kec-b-r1")
    running = d.show()
    d.send(_routing_cleared(running))
    d.send(plan(d.name, d.platform, d.show(), _named((CORPUS / "frr9-rip-isis.txt").read_text(), running)).commands)
    with_passwords = d.show()
    without = re.sub(r"^ (?:area|domain)-password .*\n", "", with_passwords, flags=re.MULTILINE)
    assert without != with_passwords
    gone = restore_plan(d.name, d.platform, with_passwords, without)
    assert {"no area-password", "no domain-password"} <= {c.strip() for c in gone.commands}, gone.commands
    d.send(gone.commands)
    now = d.show()
    assert "area-password" not in now and "domain-password" not in now, now
    assert restore_plan(d.name, d.platform, now, without).empty
    back = restore_plan(d.name, d.platform, now, with_passwords)
    d.send(back.commands)
    assert restore_plan(d.name, d.platform, d.show(), with_passwords).empty, back.commands
