"""Start the SSH simulator for the lab's simulated (non-FRR) devices."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from netops.inventory.loader import Inventory
from netops.inventory.models import LinkStatus
from netops.lab.plan import LabPlan
from netops.lab.procs import LabState, spawn, wait_listening


def device_spec(inv: Inventory, plan: LabPlan, name: str) -> dict[str, object]:
    dev = inv.devices[name]
    lab_dev = plan.devices[name]
    cred_name = dev.credentials or inv.regency.default_credentials or ""
    cred = inv.credentials.get(cred_name)
    links = {}
    for link in inv.links_by_device.get(name, []):
        for end in (link.a, link.b):
            if end.device == name and end.interface:
                links[end.interface] = link
    ifaces = []
    for iface in dev.interfaces:
        carried = links.get(iface)
        ifaces.append({"name": iface,
                       "comment": f"{carried.provider} {carried.circuit_id or carried.id}" if carried else "",
                       "down": bool(carried and carried.status is not LinkStatus.active)})
    return {"name": name, "platform": dev.platform, "address": lab_dev.address, "port": lab_dev.ssh_port,
            "username": cred.username if cred else "admin",
            "password": plan.secrets.get(f"credentials-{cred_name}-password", ""),
            "model": dev.model, "location": inv.sites[dev.site].name, "interfaces": ifaces}


def start(inv: Inventory, plan: LabPlan, workdir: Path, state: LabState, timeout: float) -> None:
    names = [n for n, d in plan.devices.items() if d.ssh_port and not d.netns]
    if not names:
        return
    root = workdir / "ssh"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    spec = root / "devices.json"
    spec.write_text(json.dumps({"devices": [device_spec(inv, plan, n) for n in names]}), encoding="utf-8")
    spec.chmod(0o600)
    pid = spawn(state, "sshsim", [sys.executable, "-m", "netops.lab.sshsim", str(spec)], root / "log",
                marker=str(workdir))
    addrs = [(plan.devices[n].address, plan.devices[n].ssh_port or 22) for n in names]
    wait_listening(addrs, "tcp", [(pid, str(workdir))], timeout, "SSH simulator")


def sshd_down(workdir: Path, names: list[str]) -> None:
    """Take the SSH daemon of the named simulated devices away (sessions cut, logins refused,
    config kept); every other simulated device gets its daemon back. Returns at once: wait
    for the port to refuse (or accept) connections."""
    state = LabState(workdir)
    pid = next(p["pid"] for p in state.data["procs"] if p["name"] == "sshsim")
    (workdir / "ssh" / "sshd-down").write_text("\n".join(names) + "\n", encoding="utf-8")
    os.kill(pid, signal.SIGUSR1)
