"""Inventory → SNMP targets: the monitor's side of the :mod:`netops.snmp.api` seam."""

from __future__ import annotations

from netops.inventory import Device, Inventory
from netops.inventory.models import SnmpSettings
from netops.snmp.api import SnmpError, SnmpTarget


def target_for(inv: Inventory, dev: Device, settings: SnmpSettings | None = None) -> SnmpTarget:
    """Resolve a device's SNMP settings (secrets read now, when the poll starts)."""
    s = settings or inv.snmp_for(dev)
    if s is None:
        raise SnmpError(
            "config",
            f"{dev.name}: no SNMP settings (set 'snmp:' on the device or regency.default_snmp, "
            "or 'monitor: icmp' for a device without an agent)",
        )
    common = {"host": str(dev.mgmt), "port": s.port, "timeout": s.timeout, "retries": s.retries, "name": dev.name}
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
