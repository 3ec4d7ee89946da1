"""SNMP data for a simulated device, consistent with the inventory.

One IF-MIB row per interface that carries a link: names from the device, alias
from the link's provider and circuit, speed from its bandwidth, oper status from
the link's status. Counters are snmpsim ``numeric`` variations: their value is
computed from the time since the agent started, so two walks differ by a
realistic rate. Output is the ``.snmprec`` text format (``oid|tag|value``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from netops.inventory.models import Device, Inventory, Link, LinkStatus
from netops.lab.identity import ROS_BOARD, default_serial
from netops.lab.profiles import profile

SYSTEM = "1.3.6.1.2.1.1"
MIKROTIK = "1.3.6.1.4.1.14988.1.1"
IF_NUMBER = "1.3.6.1.2.1.2.1.0"
IF_ENTRY = "1.3.6.1.2.1.2.2.1"
IFX_ENTRY = "1.3.6.1.2.1.31.1.1.1"
C32 = 2**32
C64 = 2**64

# snmprec tags
INT, STR, OID, COUNTER32, GAUGE32, TICKS, COUNTER64 = "2", "4", "6", "65", "66", "67", "70"


@dataclass(frozen=True)
class IfRow:
    index: int
    name: str
    alias: str
    speed_bps: int
    oper_up: bool
    admin_up: bool
    in_bps: float
    out_bps: float


def _clean(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ").replace("\r", " ")


def interface_rows(inv: Inventory, dev: Device) -> list[IfRow]:
    """Rows for the device's interfaces that carry a (non-decommissioned) link."""
    rng = random.Random(dev.name)
    by_iface: dict[str, Link] = {}
    for link in inv.links_by_device.get(dev.name, []):
        if link.status is LinkStatus.decommissioned:
            continue
        for end in (link.a, link.b):
            if end.device == dev.name and end.interface:
                by_iface[end.interface] = link
    names = list(dev.interfaces) + sorted(i for i in by_iface if i not in dev.interfaces)
    rows = []
    for idx, name in enumerate(names, start=1):
        found = by_iface.get(name)
        if found is None:
            continue
        bw = int((found.bandwidth_mbps or 100) * 1_000_000)
        up = found.status is LinkStatus.active
        admin = found.status is not LinkStatus.planned
        alias = _clean(" ".join(x for x in (found.provider, found.circuit_id or found.id) if x))
        util_in, util_out = rng.uniform(0.15, 0.6), rng.uniform(0.05, 0.3)
        rows.append(IfRow(idx, name, alias, bw, up, admin,
                          bw * util_in if up else 0.0, bw * util_out if up else 0.0))
    return rows


def _numeric(tag: str, rate: float, initial: float, wrap: bool = True) -> tuple[str, str]:
    value = f"rate={rate:.4f},initial={int(initial)}"
    if wrap:
        value += f",wrap=1,max={(C64 if tag == COUNTER64 else C32) - 1}"
    return f"{tag}:numeric", value


def snmprec(inv: Inventory, dev: Device) -> str:
    """The device's agent data as snmprec text, sorted by OID."""
    prof = profile(dev.platform)
    site = inv.sites[dev.site]
    rng = random.Random("uptime:" + dev.name)
    fmt = {"name": dev.name, "model": dev.model or "", "platform": dev.platform}
    recs: list[tuple[str, str, str]] = [
        (f"{SYSTEM}.1.0", STR, _clean(prof.sys_descr.format(**fmt)).strip()),
        (f"{SYSTEM}.2.0", OID, prof.sys_object_id),
        (f"{SYSTEM}.3.0", *_numeric(TICKS, 100, rng.randint(86_400, 90 * 86_400) * 100, wrap=False)),
        (f"{SYSTEM}.4.0", STR, "noc@" + inv.regency.domain),
        (f"{SYSTEM}.5.0", STR, dev.name),
        (f"{SYSTEM}.6.0", STR, _clean(site.name)),
        (f"{SYSTEM}.7.0", INT, "78"),
    ]
    rows = interface_rows(inv, dev)
    recs.append((IF_NUMBER, INT, str(len(rows))))
    for n, r in enumerate(rows):
        i = r.index
        rr = random.Random(f"{dev.name}:{r.name}")
        oper = "1" if r.oper_up else "2"
        in_oct, out_oct = r.in_bps / 8, r.out_bps / 8
        in_pkt, out_pkt = in_oct / 700, out_oct / 500
        hc_in0, hc_out0 = rr.randint(10**9, 10**13), rr.randint(10**9, 10**12)
        # The first row of each device wraps its 32-bit octet counters about 90 s after the start.
        c32_in0 = C32 - in_oct * 90 if n == 0 and in_oct else hc_in0 % C32
        c32_out0 = C32 - out_oct * 150 if n == 0 and out_oct else hc_out0 % C32
        err_rate = 0.02 if r.oper_up else 0.0
        recs += [
            (f"{IF_ENTRY}.1.{i}", INT, str(i)),
            (f"{IF_ENTRY}.2.{i}", STR, r.name),
            (f"{IF_ENTRY}.3.{i}", INT, "6"),
            (f"{IF_ENTRY}.4.{i}", INT, "1500"),
            (f"{IF_ENTRY}.5.{i}", GAUGE32, str(min(r.speed_bps, C32 - 1))),
            (f"{IF_ENTRY}.6.{i}", "4x", f"4c5e0c{rr.randrange(2**24):06x}"),
            (f"{IF_ENTRY}.7.{i}", INT, "1" if r.admin_up else "2"),
            (f"{IF_ENTRY}.8.{i}", INT, oper),
            (f"{IF_ENTRY}.9.{i}", TICKS, str(rr.randint(0, 86_400 * 100))),
            (f"{IF_ENTRY}.10.{i}", *_numeric(COUNTER32, in_oct, c32_in0)),
            (f"{IF_ENTRY}.11.{i}", *_numeric(COUNTER32, in_pkt, rr.randrange(C32))),
            (f"{IF_ENTRY}.13.{i}", *_numeric(COUNTER32, err_rate, rr.randrange(1000))),
            (f"{IF_ENTRY}.14.{i}", *_numeric(COUNTER32, err_rate / 2, rr.randrange(500))),
            (f"{IF_ENTRY}.16.{i}", *_numeric(COUNTER32, out_oct, c32_out0)),
            (f"{IF_ENTRY}.17.{i}", *_numeric(COUNTER32, out_pkt, rr.randrange(C32))),
            (f"{IF_ENTRY}.19.{i}", *_numeric(COUNTER32, err_rate / 4, rr.randrange(200))),
            (f"{IF_ENTRY}.20.{i}", *_numeric(COUNTER32, err_rate / 8, rr.randrange(100))),
            (f"{IFX_ENTRY}.1.{i}", STR, r.name),
            (f"{IFX_ENTRY}.6.{i}", *_numeric(COUNTER64, in_oct, hc_in0)),
            (f"{IFX_ENTRY}.7.{i}", *_numeric(COUNTER64, in_pkt, hc_in0 // 700)),
            (f"{IFX_ENTRY}.10.{i}", *_numeric(COUNTER64, out_oct, hc_out0)),
            (f"{IFX_ENTRY}.11.{i}", *_numeric(COUNTER64, out_pkt, hc_out0 // 500)),
            (f"{IFX_ENTRY}.15.{i}", GAUGE32, str(max(1, r.speed_bps // 1_000_000))),
            (f"{IFX_ENTRY}.18.{i}", STR, r.alias),
        ]
    if dev.platform == "mikrotik_routeros":
        # MIKROTIK-MIB identity: software version, serial, RouterBOOT firmware, board (as the API says)
        version = prof.version
        recs += [
            (f"{MIKROTIK}.4.4.0", STR, version),
            (f"{MIKROTIK}.7.3.0", STR, dev.serial or default_serial(dev.platform, dev.name)),
            (f"{MIKROTIK}.7.4.0", STR, version),
            (f"{MIKROTIK}.7.8.0", STR, _clean(dev.model or ROS_BOARD)),
        ]
    # snmpEngineBoots: a row past IF-MIB, so a walk of mib-2 ends on a foreign OID, not endOfMibView.
    recs.append(("1.3.6.1.6.3.10.2.1.2.0", INT, "1"))
    recs.sort(key=lambda rec: tuple(int(x) for x in rec[0].split(".")))
    return "".join(f"{oid}|{tag}|{value}\n" for oid, tag, value in recs)
