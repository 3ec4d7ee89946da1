"""Load an inventory directory, validate everything, report every problem at once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from netops.errors import NetopsError
from netops.inventory.alerting import Alerting, MaintenanceWindow
from netops.inventory.models import (
    Credentials,
    Device,
    Link,
    LinkStatus,
    Regency,
    Site,
    SnmpSettings,
    Tier,
)
from netops.inventory.services import Service
from netops.inventory.yamlsrc import LineDict, LineList, line_of, load_yaml
from netops.platforms import PLATFORMS

# Bounding box of Indonesia (Sabang to Merauke, Rote to Miangas), with a margin.
INDONESIA_LAT = (-11.5, 6.5)
INDONESIA_LON = (94.5, 141.5)

LIST_SECTIONS: dict[str, tuple[type[BaseModel], str]] = {
    "sites": (Site, "id"),
    "links": (Link, "id"),
    "devices": (Device, "name"),
    "maintenance": (MaintenanceWindow, "id"),
    "services": (Service, "id"),
}
MAP_SECTIONS: dict[str, type[BaseModel]] = {"credentials": Credentials, "snmp": SnmpSettings}
SECTIONS = ("regency", "alerting", *MAP_SECTIONS, *LIST_SECTIONS)
SECRET_FIELDS = {"password", "enable", "community", "auth_key", "priv_key", "bot_token"}


@dataclass(frozen=True)
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    """One finding about the inventory, with the place to fix it."""

    where: Location
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = f"{self.where}: " + (f"{self.field}: " if self.field else "")
        return prefix + self.message


class InventoryInvalid(NetopsError):
    """The inventory has errors; nothing may run on it."""

    exit_code = 2

    def __init__(self, errors: list[Problem], warnings: list[Problem] | None = None):
        self.errors = errors
        self.warnings = warnings or []
        n = len(errors)
        lines = "\n".join(f"  {p}" for p in errors)
        super().__init__(
            f"inventory has {n} error{'s' if n != 1 else ''}; fix them and run "
            f"'netops inventory validate' again:\n{lines}"
        )


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


def inventory_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


class _Collector:
    """Accumulates records and problems while files are read."""

    def __init__(self, root: Path):
        self.root = root
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.regency: Regency | None = None
        self.alerting: Alerting | None = None
        self.records: dict[str, dict[str, BaseModel]] = {s: {} for s in (*MAP_SECTIONS, *LIST_SECTIONS)}
        self.sources: dict[tuple[str, str], Location] = {}
        self.raw: dict[tuple[str, str], Any] = {}

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent if self.root.is_dir() else path.parent))
        except ValueError:
            return str(path)

    def error(self, where: Location, fieldname: str, message: str) -> None:
        self.errors.append(Problem(where, fieldname, message))

    def warn(self, where: Location, fieldname: str, message: str) -> None:
        self.warnings.append(Problem(where, fieldname, message, "warning"))

    def at(self, kind: str, key: str, path: tuple[Any, ...] = ()) -> Location:
        base = self.sources[(kind, key)]
        return Location(base.file, line_of(self.raw[(kind, key)], path) or base.line)

    # -- reading -----------------------------------------------------------
    def read_file(self, path: Path) -> None:
        fname = self.rel(path)
        data, problems = load_yaml(path)
        for p in problems:
            self.error(Location(fname, p.line), "", p.message)
        if data is None:
            if not problems:
                self.warn(Location(fname, 0), "", "file is empty")
            return
        if not isinstance(data, LineDict):
            self.error(Location(fname, getattr(data, "line", 1)), "",
                       f"top level must be a mapping with sections {', '.join(SECTIONS)}")
            return
        for section, body in data.items():
            where = Location(fname, data.key_lines[section])
            if section not in SECTIONS:
                self.error(where, section, f"unknown section; valid sections are {', '.join(SECTIONS)}")
            elif section == "regency":
                self.read_regency(fname, where, body)
            elif section == "alerting":
                self.read_alerting(fname, where, body)
            elif section in MAP_SECTIONS:
                self.read_map(fname, section, body, where)
            else:
                self.read_list(fname, section, body, where)

    def read_regency(self, fname: str, where: Location, body: Any) -> None:
        if self.regency is not None:
            self.error(where, "regency", f"defined twice (first in {self.sources[('regency', '')]}); keep one")
            return
        self.sources[("regency", "")] = where
        self.raw[("regency", "")] = body
        model = self.validate(Regency, body, fname, "regency")
        if model is not None:
            self.regency = model  # type: ignore[assignment]

    def read_alerting(self, fname: str, where: Location, body: Any) -> None:
        if self.alerting is not None or ("alerting", "") in self.sources:
            self.error(where, "alerting", f"defined twice (first in {self.sources[('alerting', '')]}); keep one")
            return
        self.sources[("alerting", "")] = where
        self.raw[("alerting", "")] = body
        model = self.validate(Alerting, body, fname, "alerting")
        if model is not None:
            self.alerting = model  # type: ignore[assignment]

    def read_map(self, fname: str, section: str, body: Any, where: Location) -> None:
        if not isinstance(body, LineDict):
            self.error(where, section, "must be a mapping of name → settings")
            return
        for name, item in body.items():
            loc = Location(fname, body.key_lines[name])
            if name in self.records[section]:
                self.error(loc, f"{section}.{name}",
                           f"defined twice (first at {self.sources[(section, name)]}); rename or remove one")
                continue
            self.sources[(section, name)] = loc
            self.raw[(section, name)] = item
            model = self.validate(MAP_SECTIONS[section], item, fname, f"{section}.{name}")
            if model is not None:
                self.records[section][name] = model

    def read_list(self, fname: str, section: str, body: Any, where: Location) -> None:
        model_cls, key_field = LIST_SECTIONS[section]
        if not isinstance(body, LineList):
            self.error(where, section, f"must be a list of {section} (items start with '- ')")
            return
        for i, item in enumerate(body):
            loc = Location(fname, body.item_lines[i])
            key = item.get(key_field) if isinstance(item, dict) else None
            label = f"{section}[{key}]" if isinstance(key, str) else f"{section}[{i}]"
            model = self.validate(model_cls, item, fname, label)
            if model is None:
                continue
            key = getattr(model, key_field)
            if key in self.records[section]:
                self.error(loc, f"{label}.{key_field}",
                           f"duplicate {key_field} {key!r} (first at {self.sources[(section, key)]}); each must be unique")
                continue
            self.sources[(section, key)] = loc
            self.raw[(section, key)] = item
            self.records[section][key] = model

    def validate(self, model_cls: type[BaseModel], item: Any, fname: str, label: str) -> BaseModel | None:
        try:
            return model_cls.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                line = line_of(item, loc) or getattr(item, "line", 0)
                fieldname = ".".join([label, *map(str, loc)])
                self.error(Location(fname, line), fieldname, _explain(dict(err), model_cls, loc))
            return None


def _explain(err: dict[str, Any], model_cls: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        owner: Any = model_cls
        for part in loc[:-1]:
            ann = owner.model_fields.get(part) if hasattr(owner, "model_fields") else None
            owner = getattr(ann, "annotation", None)
        valid = sorted(owner.model_fields) if hasattr(owner, "model_fields") else []
        return f"unknown key {loc[-1]!r}; valid keys are {', '.join(valid)}"
    if kind == "missing":
        return "required field is missing; add it"
    if kind in ("ip_v4_address", "ip_v6_address", "ip_any_address") or (
        loc and loc[-1] == "mgmt"
    ):
        return f"{value!r} is not an IP address; write one such as 10.112.5.21"
    msg = err["msg"]
    if loc and loc[-1] in SECRET_FIELDS:
        value = None  # never echo what may be a real secret
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return f"{msg} (got {value!r})" if value is not None and not isinstance(value, (dict, list)) else msg


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate every YAML file under ``path``; raise :class:`InventoryInvalid` on any error."""
    root = Path(path)
    if not root.exists():
        raise NetopsError(f"inventory {root} does not exist; pass --inventory PATH or set NETOPS_INVENTORY")
    files = inventory_files(root)
    if not files:
        raise NetopsError(f"inventory {root} holds no .yaml files")
    c = _Collector(root)
    for f in files:
        c.read_file(f)
    if c.regency is None and not any(p.field.startswith("regency") for p in c.errors):
        c.error(Location(c.rel(files[0]), 0), "regency",
                "no 'regency:' section in any file; add one with name, code and domain")
    if not c.errors:
        _cross_check(c)
    c.warnings.sort(key=lambda p: (p.where.file, p.where.line))
    if c.errors:
        raise InventoryInvalid(c.errors, c.warnings)
    rec = c.records
    return Inventory(
        root=root,
        regency=c.regency,  # type: ignore[arg-type]
        credentials=rec["credentials"],  # type: ignore[arg-type]
        snmp=rec["snmp"],  # type: ignore[arg-type]
        sites=rec["sites"],  # type: ignore[arg-type]
        links=rec["links"],  # type: ignore[arg-type]
        devices=rec["devices"],  # type: ignore[arg-type]
        sources=c.sources,
        warnings=c.warnings,
        alerting=c.alerting,
        maintenance=rec["maintenance"],  # type: ignore[arg-type]
        services=rec["services"],  # type: ignore[arg-type]
    )


def _cross_check(c: _Collector) -> None:
    """References, uniqueness and topology: what no single record can check alone."""
    _check_settings(c)
    _check_sites(c)
    _check_cycles(c, c.records["sites"])  # type: ignore[arg-type]
    _check_devices(c)
    _check_links(c)
    _check_alerting(c)


def _names(table: dict[str, Any]) -> str:
    return ", ".join(sorted(table)) or "(none defined)"


def _check_settings(c: _Collector) -> None:
    regency: Regency = c.regency  # type: ignore[assignment]
    for fieldname, section in (("default_credentials", "credentials"), ("default_snmp", "snmp")):
        ref = getattr(regency, fieldname)
        if ref is not None and ref not in c.records[section]:
            c.error(c.at("regency", "", (fieldname,)), f"regency.{fieldname}",
                    f"{ref!r} is not defined; define it or use one of {_names(c.records[section])}")
    for name, settings in c.records["snmp"].items():
        assert isinstance(settings, SnmpSettings)
        needed = ("community",) if settings.version == "2c" else ("user", "auth_key", "priv_key")
        for f in needed:
            if getattr(settings, f) is None:
                c.error(c.at("snmp", name), f"snmp.{name}.{f}", f"SNMPv{settings.version} needs {f}; add it")


def _check_sites(c: _Collector) -> None:
    sites: dict[str, Site] = c.records["sites"]  # type: ignore[assignment]
    seen_codes: dict[str, str] = {}
    for sid, site in sites.items():
        def report(fieldname: str, message: str, *, warn: bool = False, _sid: str = sid) -> None:
            where = c.at("sites", _sid, (fieldname,) if fieldname else ())
            (c.warn if warn else c.error)(where, f"sites[{_sid}]" + (f".{fieldname}" if fieldname else ""), message)

        if site.parent is not None and site.parent not in sites:
            report("parent", f"site {site.parent!r} does not exist; use an existing site id")
        if site.tier is Tier.datacenter:
            if site.parent is not None:
                report("parent", "a datacenter is a root of the tree; remove parent")
        elif site.parent is None:
            report("", f"a {site.tier.value} site needs a parent site; add parent")
        if site.tier in (Tier.desa, Tier.kecamatan):
            if not site.kecamatan:
                report("", f"a {site.tier.value} site needs its kecamatan; add it")
            if site.code:
                if site.code in seen_codes:
                    report("code", f"Kemendagri code {site.code} is also used by site "
                                   f"{seen_codes[site.code]!r}; codes are unique")
                seen_codes.setdefault(site.code, sid)
        if site.lat is None or site.lon is None:
            report("", "no coordinates; the site is left off maps and distance plans", warn=True)
        elif not (INDONESIA_LAT[0] <= site.lat <= INDONESIA_LAT[1] and INDONESIA_LON[0] <= site.lon <= INDONESIA_LON[1]):
            report("lat", f"coordinates {site.lat}, {site.lon} are outside Indonesia; lat and lon swapped?", warn=True)


def _check_devices(c: _Collector) -> None:
    regency: Regency = c.regency  # type: ignore[assignment]
    creds, snmp = c.records["credentials"], c.records["snmp"]
    addresses: dict[tuple[str, int], str] = {}
    for name, dev in c.records["devices"].items():
        assert isinstance(dev, Device)

        def report(fieldname: str, message: str, _name: str = name) -> None:
            where = c.at("devices", _name, (fieldname,) if fieldname in LOCATED_DEVICE_FIELDS else ())
            c.error(where, f"devices[{_name}].{fieldname}", message)

        if dev.site not in c.records["sites"]:
            report("site", f"site {dev.site!r} does not exist; use an existing site id")
        platform = PLATFORMS.get(dev.platform)
        if platform is None:
            report("platform", f"unknown platform {dev.platform!r}; use one of {_names(PLATFORMS)}")
        key = (str(dev.mgmt), dev.port)
        if key in addresses:
            report("mgmt", f"management address {dev.mgmt} is also used by device {addresses[key]!r}; "
                           "addresses are unique")
        addresses.setdefault(key, name)
        if dev.credentials is not None and dev.credentials not in creds:
            report("credentials", f"credentials {dev.credentials!r} are not defined; use one of {_names(creds)}")
        elif platform is not None and platform.managed and (dev.credentials or regency.default_credentials) is None:
            report("credentials", "a managed device needs credentials; set credentials or regency.default_credentials")
        if dev.snmp is not None and dev.snmp not in snmp:
            report("snmp", f"SNMP settings {dev.snmp!r} are not defined; use one of {_names(snmp)}")
        elif dev.monitor == "snmp" and (dev.snmp or regency.default_snmp) is None:
            report("snmp", "monitor is snmp but no SNMP settings apply; set snmp, regency.default_snmp, or monitor: icmp")
        dup = sorted({i for i in dev.interfaces if dev.interfaces.count(i) > 1})
        if dup:
            report("interfaces", f"listed twice: {', '.join(dup)}")


LOCATED_DEVICE_FIELDS = {"site", "platform", "mgmt", "credentials", "snmp", "interfaces"}


def _check_links(c: _Collector) -> None:
    sites, devices = c.records["sites"], c.records["devices"]
    circuits: dict[str, str] = {}
    used_ports: dict[tuple[str, str], str] = {}
    active_sites: set[str] = set()
    for lid, link in c.records["links"].items():
        assert isinstance(link, Link)
        for end_name in ("a", "b"):
            end = getattr(link, end_name)

            def report(fieldname: str, message: str, _lid: str = lid, _end: str = end_name) -> None:
                c.error(c.at("links", _lid, (_end, fieldname)), f"links[{_lid}].{_end}.{fieldname}", message)

            if end.site not in sites:
                report("site", f"site {end.site!r} does not exist; use an existing site id")
            if end.device is None:
                if end.interface is not None:
                    report("interface", "an interface needs its device; add device")
                continue
            dev = devices.get(end.device)
            if dev is None:
                report("device", f"device {end.device!r} does not exist; use an existing device name")
                continue
            assert isinstance(dev, Device)
            if dev.platform not in PLATFORMS:
                report("device", f"device {dev.name!r} has unknown platform {dev.platform!r}; fix the device's platform")
            if dev.site != end.site:
                report("device", f"device {dev.name!r} is at site {dev.site!r}, not {end.site!r}; fix site or device")
            if end.interface is None:
                continue
            if dev.interfaces and end.interface not in dev.interfaces:
                report("interface", f"device {dev.name!r} has no interface {end.interface!r}; "
                                    f"it has {', '.join(dev.interfaces)}")
            port = (dev.name, end.interface)
            if link.status is not LinkStatus.decommissioned:
                if port in used_ports:
                    report("interface", f"{dev.name} {end.interface} already carries link {used_ports[port]!r}; "
                                        "one link per interface")
                used_ports.setdefault(port, lid)
        if link.circuit_id:
            if link.circuit_id in circuits:
                c.error(c.at("links", lid, ("circuit_id",)), f"links[{lid}].circuit_id",
                        f"circuit {link.circuit_id!r} is also link {circuits[link.circuit_id]!r}; circuit ids are unique")
            circuits.setdefault(link.circuit_id, lid)
        if link.status is LinkStatus.active:
            active_sites.add(link.b.site)

    for sid, site in sites.items():
        if site.tier is Tier.desa and sid not in active_sites:  # type: ignore[attr-defined]
            c.warn(c.at("sites", sid), f"sites[{sid}]", "desa has no active link: the village office is not connected")


def _check_cycles(c: _Collector, sites: dict[str, Site]) -> None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sites:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in sites and state.get(node) != 2:
            if state.get(node) == 1:
                cycle = path[path.index(node):] + [node]
                c.error(c.at("sites", node, ("parent",)), f"sites[{node}].parent",
                        f"parents form a cycle: {' → '.join(cycle)}; one of them must point elsewhere")
                break
            state[node] = 1
            path.append(node)
            node = sites[node].parent
        for n in path:
            state[n] = 2


def _check_alerting(c: _Collector) -> None:
    """Routes name defined receivers; maintenance windows name existing sites, links, kecamatan, providers."""
    al = c.alerting
    if al is not None:
        names = [r.name for r in al.receivers]
        for i, r in enumerate(al.receivers):
            if r.name in names[:i]:
                c.error(c.at("alerting", "", ("receivers", i, "name")), f"alerting.receivers[{i}].name",
                        f"receiver {r.name!r} is defined twice; names are unique")
        known = ", ".join(names) or "(none defined)"
        if al.default_receiver not in names:
            c.error(c.at("alerting", "", ("default_receiver",)), "alerting.default_receiver",
                    f"receiver {al.default_receiver!r} is not defined; use one of {known}")
        for i, route in enumerate(al.routes):
            if route.receiver not in names:
                c.error(c.at("alerting", "", ("routes", i, "receiver")), f"alerting.routes[{i}].receiver",
                        f"receiver {route.receiver!r} is not defined; use one of {known}")
        if any(r.email for r in al.receivers) and al.smtp is None:
            c.error(c.at("alerting", ""), "alerting.smtp", "an email receiver needs smtp: (smarthost, sender)")
    sites: dict[str, Site] = c.records["sites"]  # type: ignore[assignment]
    links: dict[str, Link] = c.records["links"]  # type: ignore[assignment]
    kecamatan = {s.kecamatan for s in sites.values() if s.kecamatan}
    providers = {lk.provider for lk in links.values()}
    for sid, svc in c.records["services"].items():
        assert isinstance(svc, Service)
        if svc.site not in sites:
            c.error(c.at("services", sid, ("site",)), f"services[{sid}].site",
                    f"site {svc.site!r} does not exist; use the id of the site that hosts it")
    for wid, w in c.records["maintenance"].items():
        assert isinstance(w, MaintenanceWindow)
        for fieldname, values, valid in (("site", w.site, set(sites)), ("link", w.link, set(links)),
                                         ("kecamatan", w.kecamatan, kecamatan), ("provider", w.provider, providers)):
            for v in values:
                if v not in valid:
                    c.error(c.at("maintenance", wid, (fieldname,)), f"maintenance[{wid}].{fieldname}",
                            f"{v!r} is not a {fieldname} of the inventory; check the spelling")


def iter_problems(inv_or_exc: Inventory | InventoryInvalid) -> Iterable[Problem]:
    if isinstance(inv_or_exc, InventoryInvalid):
        yield from inv_or_exc.errors
    yield from inv_or_exc.warnings
