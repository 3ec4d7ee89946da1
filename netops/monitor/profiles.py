"""SNMP profiles: which OIDs to poll, read once from ``monitors/profiles/*.yaml``.

A profile is data (scalars and table columns with their metric names), so adding
a vendor MIB is a YAML file, not code. The platform table says which profiles a
platform gets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from netops.errors import NetopsError
from netops.platforms import get_platform

TYPES = ("counter32", "counter64", "gauge", "timeticks")
_OID = re.compile(r"^\d+(\.\d+)+$")
_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


class ProfileError(NetopsError):
    exit_code = 2


@dataclass(frozen=True)
class Metric:
    name: str
    oid: str
    type: str
    help: str = ""
    scale: float = 1.0

    @property
    def counter_bits(self) -> int | None:
        return {"counter32": 32, "counter64": 64}.get(self.type)


@dataclass(frozen=True)
class SnmpTable:
    name: str
    index: str
    metrics: tuple[Metric, ...]
    labels: dict[str, str] = field(default_factory=dict)
    """label name -> column OID whose value becomes a label of every metric."""
    interface: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """roles for traffic maths (in_octets, out_octets, speed_mbps) -> metric names, first present wins."""

    @property
    def columns(self) -> list[str]:
        return [m.oid for m in self.metrics] + list(self.labels.values())


@dataclass(frozen=True)
class InfoLabel:
    oid: str
    regex: str | None = None
    """group 1 of this regex over the value becomes the label (e.g. a version out of sysDescr)."""


@dataclass(frozen=True)
class InfoMetric:
    """A series of value 1 whose labels are text read from scalar OIDs (``netops_device_info``).

    Several profiles may fill labels of the same info metric; a later profile of the
    platform's list overrides an earlier one's label (MIKROTIK-MIB over sysDescr)."""

    name: str
    help: str
    labels: dict[str, InfoLabel]


@dataclass(frozen=True)
class SnmpProfile:
    name: str
    description: str
    scalars: tuple[Metric, ...] = ()
    tables: tuple[SnmpTable, ...] = ()
    source: str = ""
    info: tuple[InfoMetric, ...] = ()

    @property
    def info_oids(self) -> list[str]:
        return [lab.oid for im in self.info for lab in im.labels.values()]


def _metric(raw: Any, where: str) -> Metric:
    if not isinstance(raw, dict):
        raise ProfileError(f"{where}: a metric is a mapping with name, oid and type")
    name, oid, typ = raw.get("name"), str(raw.get("oid", "")).strip("."), raw.get("type", "gauge")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ProfileError(f"{where}: metric name {name!r} is not a valid Prometheus name")
    if not _OID.match(oid):
        raise ProfileError(f"{where}: metric {name}: oid {raw.get('oid')!r} is not a dotted numeric OID")
    if typ not in TYPES:
        raise ProfileError(f"{where}: metric {name}: type {typ!r} is not one of {', '.join(TYPES)}")
    unknown = set(raw) - {"name", "oid", "type", "help", "scale"}
    if unknown:
        raise ProfileError(f"{where}: metric {name}: unknown keys {sorted(unknown)}")
    return Metric(name, oid, typ, str(raw.get("help", name)), float(raw.get("scale", 1.0)))


def load_profile(path: Path) -> SnmpProfile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path}: cannot read SNMP profile ({exc}); fix the YAML") from None
    if not isinstance(raw, dict) or "name" not in raw:
        raise ProfileError(f"{path}: an SNMP profile is a mapping with name, scalars and/or tables")
    if raw["name"] != path.stem:
        raise ProfileError(f"{path}: profile name {raw['name']!r} must match the file name {path.stem!r}")
    scalars = tuple(_metric(m, f"{path}: scalars[{i}]") for i, m in enumerate(raw.get("scalars") or []))
    tables = []
    for i, t in enumerate(raw.get("tables") or []):
        where = f"{path}: tables[{i}]"
        if not isinstance(t, dict) or not t.get("name") or not t.get("index"):
            raise ProfileError(f"{where}: a table needs name, index and metrics")
        labels = {str(k): str(v).strip(".") for k, v in (t.get("labels") or {}).items()}
        for k, v in labels.items():
            if not _NAME.match(k) or not _OID.match(v):
                raise ProfileError(f"{where}: label {k}: {v!r} must map a label name to a column OID")
        metrics = tuple(_metric(m, f"{where}.metrics[{j}]") for j, m in enumerate(t.get("metrics") or []))
        interface = {str(k): tuple(v) if isinstance(v, list) else (str(v),)
                     for k, v in (t.get("interface") or {}).items()}
        known = {m.name for m in metrics}
        for role, names in interface.items():
            if role not in ("in_octets", "out_octets", "speed_mbps") or not set(names) <= known:
                raise ProfileError(f"{where}: interface.{role}: {list(names)} must name metrics of this table "
                                   "(roles: in_octets, out_octets, speed_mbps)")
        tables.append(SnmpTable(str(t["name"]), str(t["index"]), metrics, labels, interface))
    info = tuple(_info(m, f"{path}: info[{i}]") for i, m in enumerate(raw.get("info") or []))
    return SnmpProfile(str(raw["name"]), str(raw.get("description", "")), scalars, tuple(tables), str(path), info)


def _info(raw: Any, where: str) -> InfoMetric:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not _NAME.match(raw["name"]):
        raise ProfileError(f"{where}: an info metric is a mapping with a valid Prometheus name and labels")
    labels = {}
    for label, spec in (raw.get("labels") or {}).items():
        spec = spec if isinstance(spec, dict) else {"oid": spec}
        oid = str(spec.get("oid", "")).strip(".")
        if not _NAME.match(str(label)) or not _OID.match(oid):
            raise ProfileError(f"{where}: label {label}: give a label name and a dotted numeric oid")
        rx = spec.get("regex")
        if rx is not None:
            try:
                if re.compile(str(rx)).groups < 1:
                    raise ProfileError(f"{where}: label {label}: regex {rx!r} needs a group ( ) for the value")
            except re.error as exc:
                raise ProfileError(f"{where}: label {label}: regex {rx!r}: {exc}") from None
        labels[str(label)] = InfoLabel(oid, None if rx is None else str(rx))
    if not labels:
        raise ProfileError(f"{where}: info metric {raw['name']} has no labels")
    return InfoMetric(raw["name"], str(raw.get("help", raw["name"])), labels)


def load_profiles(directory: Path) -> dict[str, SnmpProfile]:
    if not directory.is_dir():
        raise ProfileError(f"{directory}: SNMP profile directory not found; pass --profiles or create it")
    profiles = {p.stem: load_profile(p) for p in sorted(directory.glob("*.yaml"))}
    names: dict[str, str] = {}
    for prof in profiles.values():
        for m in [*prof.scalars, *(m for t in prof.tables for m in t.metrics)]:
            if m.name in names and names[m.name] != prof.name:
                raise ProfileError(f"{prof.source}: metric {m.name} is also defined by profile {names[m.name]}")
            names[m.name] = prof.name
    return profiles


def profiles_for(platform: str, profiles: dict[str, SnmpProfile]) -> list[SnmpProfile]:
    """The profiles a platform is polled with, per the platform table."""
    out = []
    for name in get_platform(platform).snmp_profiles:
        if name not in profiles:
            raise ProfileError(
                f"platform {platform} wants SNMP profile {name!r}, but monitors/profiles/{name}.yaml "
                f"does not exist (have: {', '.join(sorted(profiles)) or 'none'})"
            )
        out.append(profiles[name])
    return out


def default_profiles_dir() -> Path:
    """monitors/profiles next to the inventory's repository, or in the working directory."""
    here = Path.cwd() / "monitors" / "profiles"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "monitors" / "profiles"
