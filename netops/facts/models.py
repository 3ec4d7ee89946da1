"""What netops knows about a device from the device itself (not from the inventory)."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from netops.errors import NetopsError


class FactsError(NetopsError):
    """The facts store cannot be read or written, or a fact asked for does not exist."""


class CollectStatus(StrEnum):
    ok = "ok"
    failed = "failed"
    """the device was asked and did not answer (unreachable, refused login, driver error)"""
    no_driver = "no-driver"
    """netops never logs into this platform (VSAT modems): SNMP is all there is"""


class Interface(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mac: str = ""
    speed_mbps: float = -1.0
    enabled: bool = True
    up: bool = False
    description: str = ""
    addresses: list[str] = []
    """address/prefix"""


class Neighbour(BaseModel):
    """A device seen on a port by LLDP, CDP or MikroTik's MNDP."""

    model_config = ConfigDict(extra="forbid")

    interface: str
    name: str
    port: str = ""


class DeviceFacts(BaseModel):
    """One reading of a device: the facts and where they came from."""

    model_config = ConfigDict(extra="forbid")

    vendor: str = ""
    model: str = ""
    serial: str = ""
    os_version: str = ""
    uptime_s: float = -1.0
    hostname: str = ""
    interfaces: dict[str, Interface] = {}
    neighbours: list[Neighbour] = []


FACT_NAMES = tuple(DeviceFacts.model_fields)


def version_key(text: str) -> tuple[int, ...]:
    """Numbers of a version for comparison: 7.11.2 -> (7, 11, 2); V200R010C10SPC700 -> (200, 10, 10, 700)."""
    return tuple(int(n) for n in re.findall(r"\d+", text))


class FactsResult(BaseModel):
    """What one collection did for one device."""

    name: str
    platform: str
    status: CollectStatus
    via: str = ""
    """driver or method: napalm ios / napalm ros / napalm huawei_vrp / vtysh"""
    reason: str = ""
    facts: DeviceFacts | None = None
