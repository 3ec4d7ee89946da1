"""The inventory against what the devices say: each finding names the inventory record (file:line).

Reads only the facts store (``netops facts collect`` fills it), so an audit is quick,
repeatable and works on facts collected elsewhere. Interface names are compared in
canonical form (``Gi0/1`` = ``GigabitEthernet0/1``, netutils).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from netutils.interface import canonical_interface_name

from netops.facts.models import FactsError
from netops.facts.store import StoredFacts
from netops.inventory.models import Inventory, LinkStatus


class FindingKind(StrEnum):
    identity = "identity"
    """another device answers at the management address (hostname differs)"""
    serial = "serial"
    """the serial number differs from the inventory's"""
    interface_missing = "interface-missing"
    link_down = "link-down"
    """an active link's end whose interface is down"""
    wrong_neighbour = "wrong-neighbour"
    """the neighbour seen on a link's interface is not the device the link names"""
    unknown_neighbour = "unknown-neighbour"
    """a neighbour the inventory does not know"""
    model_missing = "model-missing"
    serial_missing = "serial-missing"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    device: str
    where: str
    """file:line of the inventory record to look at"""
    message: str
    value: str = ""
    """for *-missing: what the device reports (``--write`` records it)"""

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind.value, "device": self.device, "where": self.where, "message": self.message,
                "value": self.value}


def _canon(name: str) -> str:
    return canonical_interface_name(name).lower()


def audit(inv: Inventory, facts: dict[str, StoredFacts], names: list[str] | None = None) -> list[Finding]:
    """Every difference between the inventory and the stored facts of the named devices."""
    chosen = [n for n in (names if names is not None else list(inv.devices)) if n in facts]
    out: list[Finding] = []
    for name in chosen:
        dev = inv.devices[name]
        f = facts[name].facts
        where = str(inv.where("devices", name) or "")
        if f.hostname and f.hostname.lower() != name.lower():
            out.append(Finding(FindingKind.identity, name, where,
                               f"at {dev.mgmt} answers {f.hostname!r} (serial {f.serial or '?'}), not {name}"))
            continue  # another router: its serial, model and ports say nothing about this record
        if dev.serial and f.serial and dev.serial != f.serial:
            out.append(Finding(FindingKind.serial, name, where,
                               f"serial {f.serial} on the device, {dev.serial} in the inventory", f.serial))
        if not dev.model and f.model:
            out.append(Finding(FindingKind.model_missing, name, where, f"model not recorded; the device says {f.model}",
                               f.model))
        if not dev.serial and f.serial:
            out.append(Finding(FindingKind.serial_missing, name, where,
                               f"serial not recorded; the device says {f.serial}", f.serial))
        have = {_canon(i): i for i in f.interfaces}
        if f.interfaces:
            for iface in dev.interfaces:
                if _canon(iface) not in have:
                    out.append(Finding(FindingKind.interface_missing, name, where,
                                       f"interface {iface} is not on the device"))
        for nb in f.neighbours:
            if nb.name and nb.name not in inv.devices:
                out.append(Finding(FindingKind.unknown_neighbour, name, where,
                                   f"{nb.name} seen on {nb.interface} (port {nb.port or '?'}) is not in the inventory"))
    # link ends
    for link in inv.links.values():
        if link.status is not LinkStatus.active:
            continue
        lwhere = str(inv.where("links", link.id) or "")
        for end, other in ((link.a, link.b), (link.b, link.a)):
            if not end.device or not end.interface or end.device not in chosen:
                continue
            f = facts[end.device].facts
            if not f.interfaces:
                continue
            port = next((v for k, v in f.interfaces.items() if _canon(k) == _canon(end.interface)), None)
            if port is None:
                continue  # reported as interface-missing on the device
            if not port.up:
                out.append(Finding(FindingKind.link_down, end.device, lwhere,
                                   f"link {link.id}: {end.device} {end.interface} is down"))
            if not other.device or not facts[end.device].via.startswith("napalm"):
                continue  # no neighbour protocol read on this platform (FRR)
            here = [n for n in f.neighbours if _canon(n.interface) == _canon(end.interface)]
            if any(n.name == other.device for n in here):
                continue
            seen = ", ".join(f"{n.name} ({n.port})" for n in here) or "no neighbour"
            elsewhere = [n.interface for n in f.neighbours if n.name == other.device]
            hint = f"; {other.device} is seen on {', '.join(elsewhere)}" if elsewhere else ""
            out.append(Finding(FindingKind.wrong_neighbour, end.device, lwhere,
                               f"link {link.id}: on {end.interface} {seen}, expected {other.device} "
                               f"{other.interface or ''}".rstrip() + hint))
    return out


def write_missing(inv: Inventory, findings: list[Finding]) -> list[str]:
    """Record missing model/serial in the inventory YAML (comments, order and layout kept)."""
    from ruamel.yaml import YAML

    todo: dict[Path, dict[str, dict[str, str]]] = {}
    for fd in findings:
        if fd.kind not in (FindingKind.model_missing, FindingKind.serial_missing):
            continue
        loc = inv.where("devices", fd.device)
        if loc is None:
            continue
        path = (inv.root.parent / loc.file) if inv.root.is_dir() else inv.root
        key = "model" if fd.kind is FindingKind.model_missing else "serial"
        todo.setdefault(path, {}).setdefault(fd.device, {})[key] = fd.value
    written = []
    for path, devices in todo.items():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise FactsError(f"{path}: cannot read ({exc.strerror}); check the inventory path") from None
        # keep the file's own list indentation ("devices:\n  - name" or "devices:\n- name")
        m = re.search(r"^devices:\s*\n(?:\s*#.*\n)*( *)- ", text, re.MULTILINE)
        offset = len(m.group(1)) if m else 2
        yaml = YAML()
        yaml.preserve_quotes = True
        yaml.width = 4096
        yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
        doc = yaml.load(text)
        for item in doc.get("devices") or []:
            values = devices.get(item.get("name"))
            if not values:
                continue
            for key, value in sorted(values.items()):  # model before serial
                keys = list(item.keys())
                anchor = next((k for k in ("model", "port", "mgmt") if k in keys and (k != "model" or key == "serial")),
                              keys[-1])
                item.insert(keys.index(anchor) + 1, key, value)
                written.append(f"{item['name']}.{key}")
        with path.open("w", encoding="utf-8") as fh:
            yaml.dump(doc, fh)
    return written
