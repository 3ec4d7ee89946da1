"""Faults planted in a running lab, so the inventory audit and the facts collector have
something real to find: a swapped router, a moved cable, a wrong serial, an old OS, a
RouterOS API that does not answer or answers garbage.

Faults live in ``<workdir>/ssh/faults.json``; the simulator rereads the file when it
changes, so a fault takes effect at once, without restarting the lab.
"""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import Any

from netops.lab.plan import LabError
from netops.lab.procs import LabState


class Fault(StrEnum):
    swap = "swap"
    """two routers change places: each answers at the other's address"""
    cable = "cable"
    """a cable moves from one port of a device to another"""
    serial = "serial"
    """a device reports another serial number than the inventory records"""
    version = "version"
    """a device runs another (older) OS version"""
    api_closed = "api-closed"
    """RouterOS: SSH answers, the API port accepts and drops every connection"""
    api_broken = "api-broken"
    """RouterOS: the API answers /interface/print with rows missing their name"""
    hang = "hang"
    """a device stops answering in the middle of a session, right after it took a line containing TEXT, until
    the fault is cleared: a router frozen mid-change (a test can kill netops exactly there)"""
    fast_clock = "fast-clock"
    """a device's on-device timers count a minute as SECONDS (IOS revert timer: a test need not
    wait whole minutes for the device to restore itself)"""


FILE = "faults.json"
USAGE = {
    Fault.swap: "swap DEVICE_A DEVICE_B",
    Fault.cable: "cable DEVICE FROM_PORT TO_PORT",
    Fault.serial: "serial DEVICE SERIAL",
    Fault.version: "version DEVICE VERSION",
    Fault.api_closed: "api-closed DEVICE",
    Fault.api_broken: "api-broken DEVICE",
    Fault.fast_clock: "fast-clock DEVICE SECONDS",
    Fault.hang: "hang DEVICE TEXT",
}


def path_of(workdir: Path) -> Path:
    return Path(workdir) / "ssh" / FILE


def read(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except (OSError, json.JSONDecodeError):
        return {}


def plant(workdir: str | Path, kind: Fault, args: list[str]) -> dict[str, Any]:
    """Add one fault to the running lab in ``workdir``; returns all planted faults."""
    workdir = Path(workdir).resolve()
    state = LabState(workdir)
    devices: dict[str, dict[str, Any]] = state.data.get("devices", {})
    if not state.data["procs"]:
        raise LabError(f"no lab is running in {workdir}; start one with 'netops lab up'")
    want = {Fault.swap: 2, Fault.cable: 3, Fault.serial: 2, Fault.version: 2,
            Fault.api_closed: 1, Fault.api_broken: 1, Fault.fast_clock: 2, Fault.hang: 2}[kind]
    if len(args) != want:
        raise LabError(f"lab fault {kind.value}: give {USAGE[kind]}")
    dev = args[0]
    names = [dev, args[1]] if kind is Fault.swap else [dev]
    for name in names:
        d = devices.get(name)
        if d is None:
            raise LabError(f"lab fault {kind.value}: {name!r} is not a device of the lab in {workdir}; "
                           "see 'netops lab status'")
        if d.get("ssh_port") is None or d.get("netns"):
            raise LabError(f"lab fault {kind.value}: {name} is not simulated by the SSH simulator "
                           f"(platform {d['platform']}); plant faults on RouterOS, IOS or VRP devices")
        if kind in (Fault.api_closed, Fault.api_broken) and d["platform"] != "mikrotik_routeros":
            raise LabError(f"lab fault {kind.value}: {name} is {d['platform']}; only RouterOS has the API")
    path = path_of(workdir)
    data = read(path)
    if kind is Fault.swap:
        data.setdefault("swap", {}).update({args[0]: args[1], args[1]: args[0]})
    elif kind is Fault.cable:
        data.setdefault("cable", {}).setdefault(dev, {})[args[1]] = args[2]
    elif kind in (Fault.serial, Fault.version, Fault.hang):
        data.setdefault(kind.value, {})[dev] = args[1]
    elif kind is Fault.fast_clock:
        try:
            data.setdefault(kind.value, {})[dev] = float(args[1])
        except ValueError:
            raise LabError(f"lab fault {kind.value}: SECONDS must be a number, not {args[1]!r}") from None
    else:
        data.setdefault("api", {})[dev] = kind.value
    _write(path, data)
    return data


def hung_marker(ssh_dir: Path, device: str) -> Path:
    """Present while ``device`` hangs on its planted 'hang' fault (the simulator writes it)."""
    return ssh_dir / f"hung-{device}"


def hung(workdir: str | Path, device: str) -> bool:
    return hung_marker(path_of(Path(workdir).resolve()).parent, device).exists()


def clear(workdir: str | Path) -> None:
    path = path_of(Path(workdir).resolve())
    if path.parent.is_dir():
        _write(path, {})


def _write(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


class FaultFile:
    """The simulator's view: rereads the file when its mtime changes."""

    def __init__(self, path: Path):
        self.path = path
        self.mtime: tuple[int, int] | None = None
        self.data: dict[str, Any] = {}

    def current(self) -> dict[str, Any]:
        try:
            st = self.path.stat()
            mtime = (st.st_mtime_ns, st.st_ino)  # a replaced file is a new inode
        except OSError:
            self.data, self.mtime = {}, None
            return self.data
        if mtime != self.mtime:
            self.data, self.mtime = read(self.path), mtime
        return self.data
