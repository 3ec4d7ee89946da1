"""Inventory → SNMP targets: the monitor's side of the :mod:`netops.snmp.api` seam."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from netops.inventory import Device, Inventory
from netops.inventory.models import Medium, SnmpSettings
from netops.snmp.api import SnmpError, SnmpTarget

N = TypeVar("N", int, float)

REPLY_BYTES: dict[Medium, int | None] = {
    Medium.fiber: None,
    Medium.radio: None,
    Medium.lte: 1400,
    Medium.vsat: 1350,
}
"""Largest SNMP reply per uplink medium, so a reply travels as one packet where packets get lost.

VSAT terminals and the tunnels over them commonly carry 1400-1500-byte IP packets; 1350
bytes of SNMP leaves room for IP/UDP headers and a tunnel. LTE paths lose fewer packets
but often run a reduced MTU. Fiber and radio links take the engine's usual 250-varbind
replies. ``max_reply_bytes`` in an inventory ``snmp:`` entry overrides this per device."""


RTT_PRIOR: dict[Medium, float | None] = {
    Medium.fiber: None,
    Medium.radio: None,
    Medium.lte: None,
    Medium.vsat: 0.65,
}
"""Round trip (s) to expect per uplink medium before one is measured (the engine's ``rtt_prior``).

A geostationary hop is ~0.5 s of propagation alone (4 x 36,000 km at light speed), ~0.6 s with the
modem and hub: behind it a request lost before any reply came would wait the whole timeout, and the
first cycle after a start paid that (bench/RESULTS.md). Other media answer well within a quarter of
the timeout, the engine's floor, so they need no prior."""


def _by_uplink(inv: Inventory, table: Mapping[Medium, N | None], pick: Callable[[N, N], N]) -> dict[str, N]:
    """Site -> the table's value for its uplink's medium (a link whose b end is the site); ``pick`` chooses when a
    site has several uplinks."""
    out: dict[str, N] = {}
    for link in inv.links.values():
        value = table.get(link.medium)
        if value is not None:
            site = link.b.site
            out[site] = pick(value, out[site]) if site in out else value
    return out


def rtt_prior_by_site(inv: Inventory) -> dict[str, float]:
    """Site -> expected round trip for sites with an uplink that calls for one (the slowest wins)."""
    return _by_uplink(inv, RTT_PRIOR, max)


def reply_bytes_by_site(inv: Inventory) -> dict[str, int]:
    """Site -> reply size for sites whose uplink calls for one; the smallest wins when a site has several
    uplinks (a VSAT backup of a fiber link may carry the traffic)."""
    return _by_uplink(inv, REPLY_BYTES, min)


def target_for(inv: Inventory, dev: Device, settings: SnmpSettings | None = None,
               reply_bytes: dict[str, int] | None = None, rtt_prior: dict[str, float] | None = None) -> SnmpTarget:
    """Resolve a device's SNMP settings (secrets read now, when the poll starts); reply size and expected round
    trip from the site's uplink medium (:func:`reply_bytes_by_site`, :func:`rtt_prior_by_site`)."""
    s = settings or inv.snmp_for(dev)
    if s is None:
        raise SnmpError(
            "config",
            f"{dev.name}: no SNMP settings (set 'snmp:' on the device or regency.default_snmp, "
            "or 'monitor: icmp' for a device without an agent)",
        )
    size = s.max_reply_bytes or (reply_bytes or {}).get(dev.site)
    common = {"host": str(dev.mgmt), "port": s.port, "timeout": s.timeout, "retries": s.retries, "name": dev.name,
              "max_reply_bytes": size, "rtt_prior": (rtt_prior or {}).get(dev.site)}
    if s.version == "2c":
        if s.community is None:
            raise SnmpError("config", f"{dev.name}: SNMP v2c settings need a community reference")
        return SnmpTarget(version="2c", community=s.community.resolve(), **common)  # type: ignore[arg-type]
    if not s.user or s.auth_key is None or s.priv_key is None:
        raise SnmpError("config", f"{dev.name}: SNMPv3 settings need user, auth_key and priv_key (authPriv)")
    return SnmpTarget(
        version="3", user=s.user, auth_protocol=s.auth_protocol, auth_key=s.auth_key.resolve(),
        priv_protocol=s.priv_protocol, priv_key=s.priv_key.resolve(), **common,  # type: ignore[arg-type]
    )
