"""What a simulated device says about itself: serial, OS version, MACs, neighbours.

Everything follows the lab's device spec (built from the inventory): the serial is
the inventory's ``serial`` or one derived from the name, neighbours follow the
inventory's links. Planted faults (:mod:`netops.lab.faults`) change what a device
reports without touching the inventory, so ``netops inventory audit`` has something
to find. The SSH simulator's show/display answers and the RouterOS API endpoint
both read this one view.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from netutils.interface import canonical_interface_name

# OS versions the simulated IOS and VRP devices run (RouterOS's comes from its CLI
# data: the export header and the API must agree).
OS_VERSION = {"cisco_ios": "16.9.4", "huawei_vrp": "V200R010C10SPC700"}
IOS_MODEL = "ISR4431/K9"
VRP_MODEL = "AR2220E"
ROS_BOARD = "RB4011iGS+"


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def default_serial(platform: str, name: str) -> str:
    """A stable serial in the platform's own format (RouterBOARD, Cisco, Huawei ESN)."""
    h = _digest("serial", name).upper()
    if platform == "mikrotik_routeros":
        return "HE" + h[:9]
    if platform == "cisco_ios":
        return "FDO" + h[:8]
    if platform == "huawei_vrp":
        return "2102" + str(int(h[:14], 16))[:16].rjust(16, "0")
    return h[:12]


def mac_of(name: str, iface: str) -> str:
    """Stable MAC per device interface (locally administered)."""
    h = _digest("mac", name, iface)
    return "4e:" + ":".join(h[i:i + 2] for i in range(0, 10, 2))


@dataclass
class SimInterface:
    name: str
    mac: str
    description: str
    enabled: bool
    up: bool
    addresses: list[str] = field(default_factory=list)
    """address/prefix"""


@dataclass
class SimNeighbour:
    local: str
    name: str
    port: str
    platform: str
    mac: str
    address: str
    description: str


@dataclass
class SimIdentity:
    name: str
    platform: str
    hostname: str
    serial: str
    model: str
    os_version: str
    interfaces: list[SimInterface]
    neighbours: list[SimNeighbour]
    uptime_s: int = 3 * 7 * 86400 + 2 * 86400 + 4 * 3600 + 17 * 60 + 9


def _model(spec: dict[str, Any]) -> str:
    if spec["platform"] == "cisco_ios":
        return IOS_MODEL
    if spec["platform"] == "huawei_vrp":
        return VRP_MODEL
    return str(spec.get("model") or ROS_BOARD)


def system_description(platform: str, version: str, model: str) -> str:
    if platform == "mikrotik_routeros":
        return f"MikroTik RouterOS {version} (stable) {model}"
    if platform == "cisco_ios":
        return f"Cisco IOS Software [Fuji], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version {version}"
    if platform == "huawei_vrp":
        return f"Huawei Versatile Routing Platform Software VRP (R) software, Version 5.170 ({model} {version})"
    return f"Linux {platform}"


def identity(spec: dict[str, Any], specs: dict[str, dict[str, Any]], faults: dict[str, Any],
             hostname: str | None = None) -> SimIdentity:
    """The device ``spec["name"]`` as it answers now, planted faults applied.

    ``specs`` are all devices of the simulator (a swapped router answers with its
    peer's identity); ``hostname`` is the simulator's current hostname (a pushed
    config can rename it). Faults: ``swap`` {a: b}, ``serial`` {dev: serial},
    ``version`` {dev: version}, ``cable`` {dev: {from_port: to_port}}.
    """
    name = spec["name"]
    platform = spec["platform"]
    swap: dict[str, str] = faults.get("swap", {})
    there = swap.get(name, name)  # the router physically at this address
    peer = specs.get(there, spec)
    host = hostname if there == name else peer["name"]

    def serial_of(dev: dict[str, Any]) -> str:
        default = dev.get("serial") or default_serial(dev["platform"], dev["name"])
        return str(faults.get("serial", {}).get(dev["name"], default))

    def version_of(dev: dict[str, Any]) -> str:
        return str(faults.get("version", {}).get(dev["name"]) or dev.get("os_version") or "")

    moved: dict[str, str] = faults.get("cable", {}).get(name, {})
    ifaces = []
    for i, item in enumerate(spec.get("interfaces", [])):
        port = item["name"]
        shut = bool(item.get("down"))
        up = not shut
        if port in moved:  # the cable left this port: no carrier
            up = False
        iname = canonical_interface_name(port) if platform == "cisco_ios" else port
        ifaces.append(SimInterface(iname, mac_of(there, port), item.get("comment", ""), enabled=not shut, up=up,
                                   addresses=[f"{spec['address']}/32"] if i == 0 else []))
    neighbours = []
    for item in spec.get("interfaces", []):
        nb = item.get("neighbour")
        if not nb or item.get("down"):
            continue
        local = moved.get(item["name"], item["name"])
        remote_there = swap.get(nb["name"], nb["name"])
        # a device outside the simulator (FRR, its lldpd) announces what the inventory says
        rdev = specs.get(remote_there) or {"name": nb["name"], "platform": nb["platform"], "address": nb["address"]}
        rport = faults.get("cable", {}).get(nb["name"], {}).get(nb["port"], nb["port"])
        neighbours.append(SimNeighbour(
            local=canonical_interface_name(local) if platform == "cisco_ios" else local,
            name=rdev["name"], port=rport, platform=rdev["platform"], mac=mac_of(remote_there, nb["port"]),
            address=nb["address"],
            description=system_description(rdev["platform"], version_of(rdev), _model(rdev))))
    return SimIdentity(name=name, platform=platform, hostname=host or name, serial=serial_of(peer),
                       model=_model(peer), os_version=version_of(peer), interfaces=ifaces, neighbours=neighbours)
