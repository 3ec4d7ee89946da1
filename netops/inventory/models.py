"""Typed inventory records: what a site, link and device are.

These are the edge of netops: files are parsed into these models once, and every
other package works on valid objects.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, IPvAnyAddress, IPvAnyNetwork, PlainSerializer

from netops.errors import SecretError
from netops.secrets import SecretRef

if TYPE_CHECKING:  # annotations of Inventory only: those modules build on this one
    from netops.inventory.alerting import Alerting, MaintenanceWindow
    from netops.inventory.loader import Location, Problem
    from netops.inventory.services import Service


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
    """Where an office sits in the regency; the order is the tree's order."""

    datacenter = "datacenter"
    opd = "opd"
    kecamatan = "kecamatan"
    kelurahan = "kelurahan"
    """An urban village: an office of the regency government, headed by a civil servant (lurah)."""
    desa = "desa"
    """A village with its own government (kepala desa)."""
    institution = "institution"
    """A related public institution (school, puskesmas, …) wired through the OPD or kecamatan it belongs to."""


VILLAGE_TIERS = frozenset({Tier.desa, Tier.kelurahan})
"""Tiers counted together as "desa/kelurahan" in reports."""
OWNER_TIERS = frozenset({Tier.opd, Tier.kecamatan})
"""What an institution may belong to."""


def village_tier_of_code(code: str | None) -> Tier | None:
    """Which village tier a Kemendagri code names, or None if it names none.

    In the 4-digit last part (61.12.05.2001) a first digit 1 is a kelurahan and 2 a desa
    (Permendagri 58/2021 on region codes).
    """
    if code is None or len(code) != 13:
        return None
    return {"1": Tier.kelurahan, "2": Tier.desa}.get(code[9])


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


class StrictModel(BaseModel):
    """Every inventory model: unknown keys are errors (a typo never passes silently), values frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class PlanCosts(StrictModel):
    """What extending fiber costs, in Rupiah, for the growth plan (`report plan`).

    The defaults are round placeholders; a regency sets its own from its last tenders.
    """

    cable_rp_per_km: Annotated[float, Field(gt=0)] = 100_000_000
    """Cable laid, per km of route (poles or duct, splicing, labour)."""
    route_factor: Annotated[float, Field(ge=1)] = 1.3
    """Route length over great-circle distance: cables follow roads and rivers, not straight lines."""
    site_rp: Annotated[float, Field(ge=0)] = 25_000_000
    """Fixed cost per connected site (termination, ONT/router, installation)."""
    terrain: dict[str, Annotated[float, Field(ge=1)]] = {}
    """Cable cost factor per kecamatan name for river or swamp terrain (missing = 1.0)."""


class Regency(StrictModel):
    """Regency-wide settings: the services every router is configured to use, and planning inputs."""

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
    plan_costs: PlanCosts = PlanCosts()
    boundaries: str | None = None
    """GeoJSON of the regency, kecamatan and desa boundaries for maps; relative to the inventory folder."""


class Credentials(StrictModel):
    username: str
    password: Secret
    enable: Secret | None = None


class SnmpSettings(StrictModel):
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
    max_reply_bytes: Annotated[int | None, Field(ge=484, le=65507)] = None
    """Largest SNMP reply (UDP payload) to ask for; default from the device's uplink medium (docs/monitor.md)."""


class Site(StrictModel):
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
    belongs_to: str | None = None
    """For an institution: the id of the OPD or kecamatan site it belongs to (dinkes for a puskesmas)."""
    category: str | None = None
    """For an institution: what it is, in the regency's words (sekolah, puskesmas, …)."""


class LinkEnd(StrictModel):
    site: str
    device: str | None = None
    interface: str | None = None


class Link(StrictModel):
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


class Device(StrictModel):
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


@dataclass
class Inventory:
    """A validated inventory plus where each record was defined."""

    root: Path
    regency: Regency
    credentials: dict[str, Credentials]
    snmp: dict[str, SnmpSettings]
    sites: dict[str, Site]
    links: dict[str, Link]
    devices: dict[str, Device]
    sources: dict[tuple[str, str], Location] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    alerting: Alerting | None = None
    maintenance: dict[str, MaintenanceWindow] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)

    def known_secrets(self) -> list[str]:
        """Every secret value the inventory's references resolve to, longest first (what
        masking replaces wherever it appears). An unresolvable reference is skipped: a
        value netops cannot read is not one it can leak."""
        refs: list[SecretRef] = []
        for cred in self.credentials.values():
            refs += [r for r in (cred.password, cred.enable) if r is not None]
        for snmp in self.snmp.values():
            refs += [r for r in (snmp.community, snmp.auth_key, snmp.priv_key) if r is not None]
        values = []
        for ref in refs:
            try:
                values.append(ref.resolve())
            except SecretError:
                continue
        return sorted({v for v in values if v}, key=len, reverse=True)

    @property
    def boundaries_file(self) -> Path | None:
        """``regency.boundaries`` (maps' GeoJSON) resolved against the inventory folder; None when unset."""
        if not self.regency.boundaries:
            return None
        path = Path(self.regency.boundaries)
        return path if path.is_absolute() else (self.root if self.root.is_dir() else self.root.parent) / path

    @cached_property
    def links_by_site(self) -> dict[str, list[Link]]:
        out: dict[str, list[Link]] = defaultdict(list)
        for link in self.links.values():
            out[link.a.site].append(link)
            if link.b.site != link.a.site:
                out[link.b.site].append(link)
        return out

    @cached_property
    def links_by_device(self) -> dict[str, list[Link]]:
        out: dict[str, list[Link]] = defaultdict(list)
        for link in self.links.values():
            for end in (link.a, link.b):
                if end.device:
                    out[end.device].append(link)
        return out

    @cached_property
    def devices_by_site(self) -> dict[str, list[Device]]:
        out: dict[str, list[Device]] = defaultdict(list)
        for dev in self.devices.values():
            out[dev.site].append(dev)
        return out

    @cached_property
    def children(self) -> dict[str | None, list[Site]]:
        out: dict[str | None, list[Site]] = defaultdict(list)
        for site in self.sites.values():
            out[site.parent].append(site)
        return out

    def uplinks(self, site_id: str) -> list[Link]:
        """Links whose downstream end is this site, best status first."""
        order = {s: i for i, s in enumerate(LinkStatus)}
        ups = [link for link in self.links_by_site.get(site_id, []) if link.b.site == site_id != link.a.site]
        return sorted(ups, key=lambda link: (order[link.status], link.id))

    def credentials_for(self, device: Device) -> Credentials | None:
        name = device.credentials or self.regency.default_credentials
        return self.credentials.get(name) if name else None

    def snmp_for(self, device: Device) -> SnmpSettings | None:
        if device.monitor != "snmp":
            return None
        name = device.snmp or self.regency.default_snmp
        return self.snmp.get(name) if name else None

    def where(self, kind: str, key: str) -> Location | None:
        return self.sources.get((kind, key))
