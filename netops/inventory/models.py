"""Typed inventory records: what a site, link and device are.

These are the edge of netops: files are parsed into these models once, and every
other package works on valid objects.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, IPvAnyAddress, IPvAnyNetwork, PlainSerializer

from netops.secrets import SecretRef


def _to_secret(value: object) -> SecretRef:
    if isinstance(value, SecretRef):
        return value
    if not isinstance(value, str):
        raise ValueError("a secret reference is a string: env:VARIABLE_NAME or file:/path")
    return SecretRef.parse(value)


Secret = Annotated[SecretRef, BeforeValidator(_to_secret), PlainSerializer(str, return_type=str)]
IPAddress = IPvAnyAddress
IPNetwork = IPvAnyNetwork
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=63)]
Hostname = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=63)]


class Tier(StrEnum):
    datacenter = "datacenter"
    opd = "opd"
    kecamatan = "kecamatan"
    desa = "desa"


class Medium(StrEnum):
    fiber = "fiber"
    vsat = "vsat"
    radio = "radio"
    lte = "lte"


class LinkStatus(StrEnum):
    active = "active"
    planned = "planned"
    down = "down"
    decommissioned = "decommissioned"


class Role(StrEnum):
    core = "core"
    distribution = "distribution"
    access = "access"
    modem = "modem"
    server = "server"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Regency(_Model):
    """Regency-wide settings: the services every router is configured to use."""

    name: str
    code: Annotated[str, Field(pattern=r"^\d{2}\.\d{2}$")]
    domain: str
    ntp_servers: list[IPAddress] = []
    syslog_servers: list[IPAddress] = []
    dns_servers: list[IPAddress] = []
    management_networks: list[IPNetwork] = []
    banner: str = "Authorised access only."
    default_credentials: str | None = None
    default_snmp: str | None = None


class Credentials(_Model):
    username: str
    password: Secret
    enable: Secret | None = None


class SnmpSettings(_Model):
    version: Literal["2c", "3"]
    community: Secret | None = None
    user: str | None = None
    auth_protocol: Literal["sha", "sha256", "sha512", "md5"] = "sha"
    auth_key: Secret | None = None
    priv_protocol: Literal["aes", "aes256", "des"] = "aes"
    priv_key: Secret | None = None
    port: Annotated[int, Field(ge=1, le=65535)] = 161
    timeout: Annotated[float, Field(gt=0)] = 2.0
    retries: Annotated[int, Field(ge=0, le=10)] = 1


class Site(_Model):
    id: Slug
    name: str
    tier: Tier
    code: Annotated[str | None, Field(pattern=r"^\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?$")] = None
    """Kemendagri region code (61.12.05.2001 for a desa)."""
    kecamatan: str | None = None
    lat: Annotated[float | None, Field(ge=-90, le=90)] = None
    lon: Annotated[float | None, Field(ge=-180, le=180)] = None
    parent: str | None = None
    address: str | None = None


class LinkEnd(_Model):
    site: str
    device: str | None = None
    interface: str | None = None


class Link(_Model):
    id: Slug
    medium: Medium
    provider: str
    circuit_id: str | None = None
    bandwidth_mbps: Annotated[float | None, Field(gt=0)] = None
    sla: Annotated[float | None, Field(gt=0, le=100)] = None
    """SLA target, percent availability per month."""
    status: LinkStatus = LinkStatus.active
    since: dt.date | None = None
    a: LinkEnd
    """Upstream end (towards the data center)."""
    b: LinkEnd
    """Downstream end (the site this link connects)."""


class Device(_Model):
    name: Hostname
    site: str
    platform: str
    role: Role
    mgmt: IPAddress
    port: Annotated[int, Field(ge=1, le=65535)] = 22
    model: str | None = None
    serial: str | None = None
    """serial number (RouterBOARD serial, Cisco board ID, Huawei ESN); ``inventory audit --write`` records it"""
    interfaces: list[str] = []
    credentials: str | None = None
    snmp: str | None = None
    monitor: Literal["snmp", "icmp", "off"] = "snmp"
    """snmp: SNMP and ping; icmp: ping only (modems without an agent); off: not polled."""
