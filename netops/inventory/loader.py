"""Load an inventory directory, validate everything, report every problem at once."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from netops.errors import BadInput
from netops.inventory.alerting import Alerting, MaintenanceWindow
from netops.inventory.models import (
    OWNER_TIERS,
    VILLAGE_TIERS,
    Credentials,
    Device,
    Inventory,
    Link,
    LinkStatus,
    Regency,
    Site,
    SnmpSettings,
    Tier,
    village_tier_of_code,
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
SECRET_MODELS: tuple[type[BaseModel], ...] = (Credentials, SnmpSettings)
REFERENCE_FIELDS = {"credentials", "snmp", "default_credentials", "default_snmp"}
"""Fields that name credentials or SNMP settings: a password typed there by mistake is not echoed."""
NOT_SECRET_FIELDS = {"username", "user", "version", "auth_protocol", "priv_protocol", "port", "timeout", "retries"}
"""Fields of credentials and snmp entries whose values may be shown; every other value may be a secret."""


def _leaves(value: Any) -> set[str]:
    """Scalar values inside ``value`` as text (a bare string, a list, a number, nested maps)."""
    if isinstance(value, dict):
        return {leaf for v in value.values() for leaf in _leaves(v)} | {str(k) for k in value}
    if isinstance(value, (list, tuple, set)):
        return {leaf for v in value for leaf in _leaves(v)}
    if value is None or isinstance(value, bool):
        return set()
    text = str(value).strip()
    return {text} if len(text) >= 3 else set()


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


class InventoryInvalid(BadInput):
    """The inventory has errors; nothing may run on it."""

    def __init__(self, errors: list[Problem], warnings: list[Problem] | None = None):
        self.errors = errors
        self.warnings = warnings or []
        n = len(errors)
        lines = "\n".join(f"  {p}" for p in errors)
        super().__init__(
            f"inventory has {n} error{'s' if n != 1 else ''}; fix them and run "
            f"'netops inventory validate' again:\n{lines}"
        )


YAML_SUFFIXES = (".yaml", ".yml")
READ_ADVICE = ("give the user running netops read access (directories also need x), "
               "e.g. chmod -R o+rX or chgrp the inventory to the service's group")


class InventoryNotFound(BadInput):
    """The --inventory path is missing or is not an inventory at all."""


def inventory_files(root: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Every YAML file under ``root`` and every path that could not be walked, with why.

    Nothing is skipped silently: an unreadable directory, a dangling symlink or a symlink loop
    under the inventory is a problem, because the sites it holds would otherwise vanish.
    """
    if root.is_file():
        return [root], []
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    seen: set[tuple[int, int]] = set()

    def walk(d: Path) -> None:
        try:
            st = d.stat()
        except OSError as exc:
            problems.append((d, f"cannot read directory: {exc.strerror}; {READ_ADVICE}"))
            return
        if (st.st_dev, st.st_ino) in seen:
            problems.append((d, "symlink loop: this directory is already part of the inventory; "
                                "remove the link or point it elsewhere"))
            return
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as exc:
            problems.append((d, f"cannot read directory: {exc.strerror}; {READ_ADVICE}"))
            return
        for e in entries:
            path = Path(e.path)
            try:
                is_dir = e.is_dir()
                is_file = e.is_file()
            except OSError as exc:  # ELOOP: a link that points at itself
                why = "symlink loop" if exc.errno == errno.ELOOP else f"cannot follow: {exc.strerror}"
                problems.append((path, f"{why}; fix or remove the symlink"))
                continue
            if e.is_symlink() and not is_dir and not is_file:
                try:
                    os.stat(path)
                except OSError as exc:
                    if exc.errno == errno.ELOOP:
                        problems.append((path, "symlink loop; fix or remove the symlink"))
                    elif exc.errno in (errno.EACCES, errno.EPERM):
                        problems.append((path, f"symlink target cannot be read: {exc.strerror}; {READ_ADVICE}"))
                    else:
                        problems.append((path, f"dangling symlink to {os.readlink(path)!r} (target missing); "
                                               "restore the target or remove the link"))
                continue
            if is_dir:
                walk(path)
            elif is_file and path.suffix in YAML_SUFFIXES:
                files.append(path)

    walk(root)
    return files, problems


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
        self.secrets: set[str] = set()
        """Values seen where a secret may be; redacted from every message."""
        self.unread: list[str] = []
        """Files that could not be read or parsed: what they define is unknown."""
        self.invalid: dict[str, set[str]] = {s: set() for s in (*MAP_SECTIONS, *LIST_SECTIONS)}
        """Keys of records that exist but failed validation (their errors are already reported)."""

    def missing(self, section: str, key: str) -> str | None:
        """None if ``key`` exists in ``section`` (valid or not); else a hint for the error message."""
        if key in self.records[section] or key in self.invalid[section]:
            return None
        if self.unread:
            return f" (unless it is in {', '.join(self.unread)}, which could not be read)"
        return ""

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent if self.root.is_dir() else path.parent))
        except ValueError:
            return str(path)

    def error(self, where: Location, fieldname: str, message: str) -> None:
        self.errors.append(Problem(where, fieldname, self.redact(message)))

    def warn(self, where: Location, fieldname: str, message: str) -> None:
        self.warnings.append(Problem(where, fieldname, self.redact(message), "warning"))

    def remember_secrets(self, section: str, item: Any) -> None:
        """Note every value in a credentials/snmp entry that may be a secret, whatever its shape."""
        if isinstance(item, dict):
            for key, value in item.items():
                if key not in NOT_SECRET_FIELDS:
                    self.secrets.update(_leaves(value))
        else:
            self.secrets.update(_leaves(item))

    def redact(self, message: str) -> str:
        """Every message passes here: no value that may be a secret is echoed, whatever the error."""
        for secret in self.secrets:
            if secret in message:
                message = message.replace(secret, "<secret>")
        return message

    def at(self, kind: str, key: str, path: tuple[Any, ...] = ()) -> Location:
        base = self.sources[(kind, key)]
        return Location(base.file, line_of(self.raw[(kind, key)], path) or base.line)

    # -- reading -----------------------------------------------------------
    def read_file(self, path: Path) -> None:
        fname = self.rel(path)
        data, problems = load_yaml(path)
        for p in problems:
            self.error(Location(fname, p.line), "", p.message)
        if data is None and problems:
            self.unread.append(fname)
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
            # checked against the poll interval only when the monitoring config is generated
            self.sources[("alerting", "group_wait")] = self.at("alerting", "", ("group_wait",))

    def read_map(self, fname: str, section: str, body: Any, where: Location) -> None:
        if not isinstance(body, LineDict):
            if not isinstance(body, LineList):
                self.remember_secrets(section, body)
            else:
                for entry in body:
                    self.remember_secrets(section, entry)
            self.error(where, section, "must be a mapping of name → settings (name: {username: …, password: "
                                       "env:NAME}); secrets are references, never values")
            return
        for item in body.values():
            self.remember_secrets(section, item)
        for name, item in body.items():
            loc = Location(fname, body.key_lines[name])
            if name in self.records[section]:
                self.error(loc, f"{section}.{name}",
                           f"defined twice (first at {self.sources[(section, name)]}); rename or remove one")
                continue
            self.sources[(section, name)] = loc
            self.raw[(section, name)] = item
            model = self.validate(MAP_SECTIONS[section], item, fname, f"{section}.{name}", loc.line)
            if model is not None:
                self.records[section][name] = model
            else:
                self.invalid[section].add(name)

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
                if isinstance(key, str):
                    self.invalid[section].add(key)
                continue
            key = getattr(model, key_field)
            if key in self.records[section]:
                self.error(loc, f"{label}.{key_field}",
                           f"duplicate {key_field} {key!r} (first at {self.sources[(section, key)]}); each must be unique")
                continue
            self.sources[(section, key)] = loc
            self.raw[(section, key)] = item
            self.records[section][key] = model

    def validate(self, model_cls: type[BaseModel], item: Any, fname: str, label: str,
                 fallback_line: int = 0) -> BaseModel | None:
        try:
            return model_cls.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                line = line_of(item, loc) or getattr(item, "line", 0) or fallback_line
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
    if (loc and loc[-1] in SECRET_FIELDS | REFERENCE_FIELDS) or model_cls in SECRET_MODELS:
        value = None  # never echo what may be a real secret (redact() is the second layer)
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    return f"{msg} (got {value!r})" if value is not None and not isinstance(value, (dict, list)) else msg


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate every YAML file under ``path``; raise :class:`InventoryInvalid` on any error."""
    c = scan_inventory(path)
    _cross_check(c)
    c.warnings.sort(key=lambda p: (p.where.file, p.where.line))
    if c.errors:
        raise InventoryInvalid(c.errors, c.warnings)
    rec = c.records
    return Inventory(
        root=c.root,
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


def scan_inventory(path: str | Path) -> _Collector:
    """Read every file and validate each record alone (no cross-checks): what an import compares with."""
    root = Path(path)
    if not root.exists():
        if root.is_symlink():
            raise InventoryNotFound(f"inventory {root} is a dangling symlink (to {os.readlink(root)!r}); "
                                    "fix the link or pass --inventory PATH")
        raise InventoryNotFound(f"inventory {root} does not exist; pass --inventory PATH or set NETOPS_INVENTORY")
    if root.is_file() and root.suffix not in YAML_SUFFIXES:
        raise InventoryNotFound(f"inventory {root} is not a YAML file (.yaml or .yml); pass the inventory "
                                "directory, or one .yaml file, as --inventory (a spreadsheet goes through "
                                "'netops inventory import')")
    if not root.is_file() and not root.is_dir():
        raise InventoryNotFound(f"inventory {root} is neither a directory nor a file; pass --inventory PATH")
    files, walk_problems = inventory_files(root)
    c = _Collector(root)
    for bad, why in walk_problems:
        c.error(Location(c.rel(bad), 0), "", why)
        c.unread.append(c.rel(bad))
    if not files and not walk_problems:
        raise InventoryNotFound(f"inventory {root} holds no .yaml files; pass the inventory directory as --inventory")
    for f in files:
        c.read_file(f)
    if c.regency is None and not any(p.field.startswith("regency") for p in c.errors):
        where = Location(c.rel(files[0]) if files else str(root), 0)
        if c.unread:
            c.error(where, "regency", "no 'regency:' section in the files that could be read; fix the unreadable "
                                      "ones, or add one with name, code and domain")
        else:
            c.error(where, "regency", "no 'regency:' section in any file; add one with name, code and domain")
    return c


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
    regency = c.regency
    for fieldname, section in (("default_credentials", "credentials"), ("default_snmp", "snmp")):
        ref = getattr(regency, fieldname) if regency is not None else None
        hint = c.missing(section, ref) if ref is not None else None
        if hint is not None:
            # the name is not echoed: a password typed here by mistake must not reach a log
            c.error(c.at("regency", "", (fieldname,)), f"regency.{fieldname}",
                    f"the {section} named here are not defined{hint}; define them or use one of "
                    f"{_names(c.records[section])}")
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

        hint = c.missing("sites", site.parent) if site.parent is not None else None
        if hint is not None:
            report("parent", f"site {site.parent!r} does not exist{hint}; use an existing site id")
        if site.tier is Tier.datacenter:
            if site.parent is not None:
                report("parent", "a datacenter is a root of the tree; remove parent")
        elif site.parent is None:
            report("", f"{site.tier.value} sites sit under a parent site; add parent")
        if site.tier in KECAMATAN_TIERS:
            if not site.kecamatan:
                report("", f"a {site.tier.value} site needs its kecamatan; add it")
            if site.code:
                if site.code in seen_codes:
                    other = seen_codes[site.code]
                    report("code", f"Kemendagri code {site.code} is also used by site {other!r} "
                                   f"({c.at('sites', other, ('code',))}); codes are unique")
                seen_codes.setdefault(site.code, sid)
        if site.tier in VILLAGE_TIERS and site.code:
            by_code = village_tier_of_code(site.code)
            if by_code is not None and by_code is not site.tier:
                report("tier", f"tier is {site.tier.value} but Kemendagri code {site.code} names a "
                               f"{by_code.value} (last part {site.code[9]}xxx: 1 = kelurahan, 2 = desa); "
                               "check which one is right", warn=True)
        if site.tier is Tier.institution:
            owner = sites.get(site.belongs_to) if site.belongs_to else None
            if site.belongs_to is None:
                report("", "an institution needs belongs_to: the id of the OPD or kecamatan it belongs to; add it")
            elif owner is None:
                hint = c.missing("sites", site.belongs_to)
                if hint is not None:
                    report("belongs_to", f"site {site.belongs_to!r} does not exist{hint}; "
                                         "use the id of an OPD or kecamatan")
            elif owner.tier not in OWNER_TIERS:
                report("belongs_to", f"{site.belongs_to!r} is a {owner.tier.value}; an institution belongs to "
                                     "an OPD or a kecamatan")
        elif site.belongs_to is not None or site.category is not None:
            report("belongs_to" if site.belongs_to is not None else "category",
                   "only an institution has belongs_to and category; remove it or set tier: institution")
        if site.lat is None or site.lon is None:
            report("", "no coordinates; the site is left off maps and distance plans", warn=True)
        elif not (INDONESIA_LAT[0] <= site.lat <= INDONESIA_LAT[1] and INDONESIA_LON[0] <= site.lon <= INDONESIA_LON[1]):
            report("lat", f"coordinates {site.lat}, {site.lon} are outside Indonesia; lat and lon swapped?", warn=True)


def _check_devices(c: _Collector) -> None:
    regency = c.regency
    default_creds = regency.default_credentials if regency is not None else None
    default_snmp = regency.default_snmp if regency is not None else None
    creds, snmp = c.records["credentials"], c.records["snmp"]
    addresses: dict[tuple[str, int], str] = {}
    for name, dev in c.records["devices"].items():
        assert isinstance(dev, Device)

        def report(fieldname: str, message: str, _name: str = name) -> None:
            where = c.at("devices", _name, (fieldname,) if fieldname in LOCATED_DEVICE_FIELDS else ())
            c.error(where, f"devices[{_name}].{fieldname}", message)

        hint = c.missing("sites", dev.site)
        if hint is not None:
            report("site", f"site {dev.site!r} does not exist{hint}; use an existing site id")
        platform = PLATFORMS.get(dev.platform)
        if platform is None:
            report("platform", f"unknown platform {dev.platform!r}; use one of {_names(PLATFORMS)}")
        key = (str(dev.mgmt), dev.port)
        if key in addresses:
            report("mgmt", f"management address {dev.mgmt} is also used by device {addresses[key]!r} "
                           f"({c.at('devices', addresses[key], ('mgmt',))}); addresses are unique")
        addresses.setdefault(key, name)
        hint = c.missing("credentials", dev.credentials) if dev.credentials is not None else None
        if hint is not None:
            report("credentials", f"the credentials named here are not defined{hint}; use one of {_names(creds)} "
                                  "(a name, never the password itself)")
        elif regency is not None and platform is not None and platform.managed and \
                (dev.credentials or default_creds) is None:
            report("credentials", "a managed device needs credentials; set credentials or regency.default_credentials")
        hint = c.missing("snmp", dev.snmp) if dev.snmp is not None else None
        if hint is not None:
            report("snmp", f"the SNMP settings named here are not defined{hint}; use one of {_names(snmp)} "
                           "(a name, never the community itself)")
        elif regency is not None and dev.monitor == "snmp" and (dev.snmp or default_snmp) is None:
            report("snmp", "monitor is snmp but no SNMP settings apply; set snmp, regency.default_snmp, or monitor: icmp")
        dup = sorted({i for i in dev.interfaces if dev.interfaces.count(i) > 1})
        if dup:
            report("interfaces", f"listed twice: {', '.join(dup)}")


KECAMATAN_TIERS = frozenset({Tier.kecamatan, *VILLAGE_TIERS})
"""Tiers that lie inside one kecamatan and carry a unique Kemendagri code."""
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

            hint = c.missing("sites", end.site)
            if hint is not None:
                report("site", f"site {end.site!r} does not exist{hint}; use an existing site id")
            if end.device is None:
                if end.interface is not None:
                    report("interface", "an interface needs its device; add device")
                continue
            dev = devices.get(end.device)
            if dev is None:
                hint = c.missing("devices", end.device)
                if hint is not None:
                    report("device", f"device {end.device!r} does not exist{hint}; use an existing device name")
                continue
            assert isinstance(dev, Device)
            if dev.platform not in PLATFORMS:
                report("device", f"device {dev.name!r} has unknown platform {dev.platform!r}; fix the device's platform")
            if dev.site != end.site and dev.site in sites:
                report("device", f"device {dev.name!r} is at site {dev.site!r}, not {end.site!r}; fix site or device")
            if end.interface is None:
                continue
            if dev.interfaces and end.interface not in dev.interfaces:
                report("interface", f"device {dev.name!r} has no interface {end.interface!r}; "
                                    f"it has {', '.join(dev.interfaces)}")
            port = (dev.name, end.interface)
            if link.status is not LinkStatus.decommissioned:
                if port in used_ports:
                    other = used_ports[port]
                    report("interface", f"{dev.name} {end.interface} already carries link {other!r} "
                                        f"({c.at('links', other)}); one link per interface")
                used_ports.setdefault(port, lid)
        if link.circuit_id:
            if link.circuit_id in circuits:
                c.error(c.at("links", lid, ("circuit_id",)), f"links[{lid}].circuit_id",
                        f"circuit {link.circuit_id!r} is also link {circuits[link.circuit_id]!r} "
                        f"({c.at('links', circuits[link.circuit_id], ('circuit_id',))}); circuit ids are unique")
            circuits.setdefault(link.circuit_id, lid)
        if link.status is LinkStatus.active:
            active_sites.add(link.b.site)

    for sid, site in sites.items():
        tier = site.tier  # type: ignore[attr-defined]
        if tier in VILLAGE_TIERS and sid not in active_sites:
            c.warn(c.at("sites", sid), f"sites[{sid}]",
                   f"{tier.value} has no active link: the village office is not connected")


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

