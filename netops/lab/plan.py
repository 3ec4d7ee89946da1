"""What a lab is made of: one simulated endpoint per device, and the lab inventory.

The plan is pure data computed from the inventory (addresses, ports, which
devices sit behind VSAT, generated credentials); starting processes is
elsewhere. The lab inventory is the source inventory with every device pointed
at its endpoint and every secret replaced by a ``file:`` ref into the workdir.
"""

from __future__ import annotations

import ipaddress
import secrets as pysecrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from netops.errors import NetopsError
from netops.inventory.loader import SECTIONS
from netops.inventory.models import Device, Inventory, LinkStatus, Medium
from netops.inventory.query import select
from netops.lab.profiles import profile
from netops.platforms import get_platform

LAB_NET = ipaddress.IPv4Network("127.0.0.0/8")
NETNS_NET = ipaddress.IPv4Network("198.18.0.0/15")


class LabError(NetopsError):
    """The lab cannot start, stop or change as asked."""


@dataclass(frozen=True)
class LabDevice:
    name: str
    platform: str
    site: str
    address: str
    """Where clients reach the device: a 127.x address, or a lab namespace's address."""
    ssh_port: int | None
    snmp_port: int | None
    medium: str | None
    """Medium of the site's uplink (``vsat`` devices get satellite delay and loss)."""
    netns: str | None = None
    host_address: str | None = None
    """Host end of the namespace's veth pair (namespace devices only)."""

    @property
    def vsat(self) -> bool:
        return self.medium == Medium.vsat.value


@dataclass
class LabPlan:
    lab_id: str
    base: str
    devices: dict[str, LabDevice]
    secrets: dict[str, str] = field(default_factory=dict)
    """secret file name -> value"""
    frr_user: str | None = None


def lab_id_for(base: str) -> str:
    """A short id from the base address, so names of one lab never collide with another's."""
    packed = ipaddress.IPv4Address(base).packed
    return "nl" + packed[1:3].hex()


def device_address(base: str, index: int) -> str:
    addr = ipaddress.IPv4Address(base) + 1 + index
    if addr not in LAB_NET:
        raise LabError(f"lab base {base}: device address {addr} falls outside 127.0.0.0/8; choose a lower base")
    return str(addr)


def netns_addresses(base: str, index: int) -> tuple[str, str]:
    """(host end, namespace end) of the /30 for the ``index``-th namespace device."""
    octet = ipaddress.IPv4Address(base).packed[1]
    block = ipaddress.IPv4Address("198.18.0.0") + octet * 256 + index * 4
    if index >= 64 or block not in NETNS_NET:
        raise LabError("a lab holds at most 64 namespace (FRR) devices; use --where to start fewer")
    return str(block + 1), str(block + 2)


def uplink_medium(inv: Inventory, dev: Device) -> str | None:
    ups = [link for link in inv.uplinks(dev.site) if link.status is not LinkStatus.decommissioned]
    return ups[0].medium.value if ups else None


def make_plan(inv: Inventory, base: str, where: list[str] | None, ssh_port: int, snmp_port: int) -> LabPlan:
    try:
        base_addr = ipaddress.IPv4Address(base)
    except ValueError:
        raise LabError(f"lab base {base!r} is not an IPv4 address; use e.g. 127.100.0.0") from None
    if base_addr not in LAB_NET:
        raise LabError(f"lab base {base} is outside 127.0.0.0/8; the lab only uses loopback addresses")
    lab_id = lab_id_for(base)
    chosen = {d.name for d in select(inv, "devices", where)}
    if not chosen:
        raise LabError(f"--where {' '.join(where or [])} selects no device; nothing to simulate")
    devices: dict[str, LabDevice] = {}
    ns_index = 0
    for index, dev in enumerate(inv.devices.values()):
        if dev.name not in chosen:
            continue
        get_platform(dev.platform)  # an unknown platform stops here, with the valid ones listed
        ssh = ssh_port if profile(dev.platform).kind == "sim" else None
        snmp = snmp_port if dev.monitor == "snmp" else None
        medium = uplink_medium(inv, dev)
        if profile(dev.platform).kind == "frr":
            host, inside = netns_addresses(base, ns_index)
            devices[dev.name] = LabDevice(dev.name, dev.platform, dev.site, inside, 22, snmp, medium,
                                          netns=f"{lab_id}-{ns_index}", host_address=host)
            ns_index += 1
        else:
            devices[dev.name] = LabDevice(dev.name, dev.platform, dev.site, device_address(base, index),
                                          ssh, snmp, medium)
    plan = LabPlan(lab_id=lab_id, base=base, devices=devices)
    if ns_index:
        plan.frr_user = lab_id
    return plan


def _token(n: int = 18) -> str:
    return pysecrets.token_urlsafe(n).replace("-", "x").replace("_", "y")


def make_secrets(inv: Inventory, plan: LabPlan) -> None:
    """Fresh credentials for every profile of the inventory (the real ones are never used)."""
    for name, cred in inv.credentials.items():
        plan.secrets[f"credentials-{name}-password"] = _token()
        if cred.enable is not None:
            plan.secrets[f"credentials-{name}-enable"] = _token()
    for name, snmp in inv.snmp.items():
        if snmp.version == "2c":
            plan.secrets[f"snmp-{name}-community"] = _token(12)
        else:
            plan.secrets[f"snmp-{name}-auth_key"] = _token()
            plan.secrets[f"snmp-{name}-priv_key"] = _token()
    if plan.frr_user:
        plan.secrets["credentials-lab-frr-password"] = _token()


def write_secrets(plan: LabPlan, secrets_dir: Path) -> None:
    secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    secrets_dir.chmod(0o700)
    for fname, value in plan.secrets.items():
        path = secrets_dir / fname
        path.write_text(value + "\n", encoding="utf-8")
        path.chmod(0o600)


def _dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude_none=True, exclude_defaults=False)


def lab_inventory_files(inv: Inventory, plan: LabPlan, secrets_dir: Path) -> dict[str, dict[str, Any]]:
    """The lab inventory as {relative file name: YAML document}, mirroring the source's files."""
    ref = lambda fname: f"file:{(secrets_dir / fname).resolve()}"  # noqa: E731
    files: dict[str, dict[str, Any]] = {}

    def place(kind: str, key: str) -> dict[str, Any]:
        loc = inv.where(kind, key)
        rel = Path(loc.file) if loc else Path("lab.yaml")
        if inv.root.is_dir() and len(rel.parts) > 1:
            rel = Path(*rel.parts[1:])
        return files.setdefault(str(rel), {})

    regency = _dump(inv.regency)
    if inv.boundaries_file is not None:  # a file beside the source inventory: the lab copy points at it
        regency["boundaries"] = str(inv.boundaries_file.resolve())
    place("regency", "")["regency"] = regency
    for name, cred in inv.credentials.items():
        body = _dump(cred)
        body["password"] = ref(f"credentials-{name}-password")
        if cred.enable is not None:
            body["enable"] = ref(f"credentials-{name}-enable")
        place("credentials", name).setdefault("credentials", {})[name] = body
    if plan.frr_user:
        creds = place("regency", "").setdefault("credentials", {})
        creds["lab-frr"] = {"username": plan.frr_user, "password": ref("credentials-lab-frr-password")}
    for name, snmp in inv.snmp.items():
        body = _dump(snmp)
        for fld in ("community", "auth_key", "priv_key"):
            if fld in body:
                body[fld] = ref(f"snmp-{name}-{fld}")
        body["port"] = next((d.snmp_port for d in plan.devices.values() if d.snmp_port), snmp.port)
        place("snmp", name).setdefault("snmp", {})[name] = body
    for sid, site in inv.sites.items():
        place("sites", sid).setdefault("sites", []).append(_dump(site))
    for lid, link in inv.links.items():
        body = _dump(link)
        for end in ("a", "b"):
            if body[end].get("device") and body[end]["device"] not in plan.devices:
                body[end].pop("device", None)
                body[end].pop("interface", None)
        place("links", lid).setdefault("links", []).append(body)
    for name, dev in inv.devices.items():
        lab_dev = plan.devices.get(name)
        if lab_dev is None:
            continue
        body = _dump(dev)
        body["mgmt"] = lab_dev.address
        body["port"] = lab_dev.ssh_port or 22
        if lab_dev.netns:
            body["credentials"] = "lab-frr"
        place("devices", name).setdefault("devices", []).append(body)
    # the command center's sections as they are: receivers and services are outside the lab, and their
    # secrets are references the lab does not replace
    if inv.alerting is not None:
        place("alerting", "")["alerting"] = _dump(inv.alerting)
    for wid, window in inv.maintenance.items():
        place("maintenance", wid).setdefault("maintenance", []).append(_dump(window))
    for sid, service in inv.services.items():
        place("services", sid).setdefault("services", []).append(_dump(service))
    return files


HEADER = ("# GENERATED by 'netops lab up' from {src}: a lab copy whose devices point at\n"
          "# simulated endpoints. Edit the source inventory, not this file.\n")


def write_lab_inventory(inv: Inventory, plan: LabPlan, out_dir: Path, secrets_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.rglob("*.yaml"):
        old.unlink()
    for rel, doc in lab_inventory_files(inv, plan, secrets_dir).items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        unknown = set(doc) - set(SECTIONS)
        if unknown:  # a section the loader would refuse: a bug here, not in the user's inventory
            raise LabError(f"lab inventory {rel}: unknown sections {sorted(unknown)}")
        ordered = {k: doc[k] for k in SECTIONS if k in doc}
        text = HEADER.format(src=inv.root.resolve()) + yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
