"""Start the SSH simulator for the lab's simulated (non-FRR) devices."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from netops.inventory.models import Inventory, LinkStatus
from netops.lab.identity import OS_VERSION
from netops.lab.plan import LabPlan
from netops.lab.procs import LabState, spawn, wait_listening
from netops.lab.profiles import profile
from netops.platforms import Platform, get_platform


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
        item: dict[str, object] = {
            "name": iface, "comment": f"{carried.provider} {carried.circuit_id or carried.id}" if carried else "",
            "down": bool(carried and carried.status is not LinkStatus.active)}
        if carried:
            other = carried.b if carried.a.device == name and carried.a.interface == iface else carried.a
            if other.device and other.interface and other.device in plan.devices:
                item["neighbour"] = {"name": other.device, "port": other.interface,
                                     "platform": inv.devices[other.device].platform,
                                     "address": plan.devices[other.device].address}
        ifaces.append(item)
    platform = get_platform(dev.platform)
    return {"name": name, "platform": dev.platform, "address": lab_dev.address, "port": lab_dev.ssh_port,
            "username": cred.username if cred else "admin",
            "password": plan.secrets.get(f"credentials-{cred_name}-password", ""),
            "model": dev.model, "location": inv.sites[dev.site].name, "interfaces": ifaces,
            # what the device says about itself (netops.lab.identity): the lab runs what the inventory records
            "serial": dev.serial, "domain": inv.regency.domain,
            "os_version": profile(dev.platform).version or OS_VERSION.get(dev.platform, ""),
            "api_port": platform.api_port}


def start(inv: Inventory, plan: LabPlan, workdir: Path, state: LabState, timeout: float,
          syslog: str | None = None) -> None:
    """``syslog`` (HOST:PORT): where the simulated routers send their config-change log lines."""
    names = [n for n, d in plan.devices.items() if d.ssh_port and not d.netns]
    if not names:
        return
    root = workdir / "ssh"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    spec = root / "devices.json"
    specs = [device_spec(inv, plan, n) | ({"syslog": syslog} if syslog else {}) for n in names]
    spec.write_text(json.dumps({"devices": specs}), encoding="utf-8")
    spec.chmod(0o600)
    pid = spawn(state, "sshsim", [sys.executable, "-m", "netops.lab.sshsim", str(spec)], root / "log",
                marker=str(workdir))
    addrs = [(plan.devices[n].address, plan.devices[n].ssh_port or 22) for n in names]
    for n in names:
        api = get_platform(plan.devices[n].platform).api_port
        if api:
            addrs.append((plan.devices[n].address, api))
    wait_listening(addrs, "tcp", [(pid, str(workdir))], timeout, "SSH simulator")


def sshd_down(workdir: Path, names: list[str]) -> None:
    """Take the SSH daemon of the named simulated devices away (sessions cut, logins refused,
    config kept); every other simulated device gets its daemon back. Returns at once: wait
    for the port to refuse (or accept) connections."""
    state = LabState(workdir)
    pid = next(p["pid"] for p in state.data["procs"] if p["name"] == "sshsim")
    (workdir / "ssh" / "sshd-down").write_text("\n".join(names) + "\n", encoding="utf-8")
    os.kill(pid, signal.SIGUSR1)


SESSIONS = "sessions.jsonl"
"""one JSON line per closed SSH connection of the simulator (``netops.lab.sshsim.server.SessionCount``)"""


def session_log(workdir: Path, since: int = 0) -> tuple[list[dict[str, Any]], int]:
    """(the connections the simulator closed after byte ``since`` of its log, the log's new end).

    A connection is written down when it closes: wait for the count you expect, not for time."""
    path = workdir / "ssh" / SESSIONS
    if not path.exists():
        return [], 0
    data = path.read_bytes()
    end = data.rfind(b"\n") + 1  # a line being written is read next time
    return [json.loads(ln) for ln in data[since:end].splitlines() if ln.strip()], end


PHASES = ("connect", "login", "prompt", "paging", "read", "arm", "push", "save", "verify", "confirm", "other")
"""the phases a config job's round trips are counted in (``round_trips``)"""


def _phase_of(heads: list[str], platform: Platform) -> str:
    """The phase one read of terminal input belongs to, from the heads of its lines."""
    def head(cmd: str) -> str:
        from netops.lab.sshsim.server import line_head
        return line_head(cmd)

    lines = [h for h in heads if h]
    if not lines:
        return "prompt"
    first = lines[0]
    if platform.show_config and head(platform.show_config) in lines:  # paging off rides along
        return "read"
    arm = {head(c) for c in platform.revert_arm}
    confirm = {head(c) for c in platform.revert_confirm + platform.revert_now}
    if first in arm:
        return "arm"
    if first in confirm:
        return "confirm"
    if platform.show_config and first == head(platform.show_config):
        return "read"
    if first.startswith(("terminal ", "screen-length ")):
        return "paging"
    if (platform.save and first == head(platform.save)) or first.lower() in ("y", "yes"):
        return "save"
    return "push"


def round_trips(sessions: list[dict[str, Any]], platform: Platform) -> dict[str, int]:
    """One device's round trips in one job, per phase: TCP turns before authentication
    (``connect``; the TCP handshake itself is one more, unseen by the server), from
    authentication to the channel (``login``), then one per read of terminal input, by what
    it carried (a session's closing ``exit``/``quit`` is not one: nobody waits for its answer).
    A job's second login to a device is its verification: all of it counts as
    ``verify`` (connect, login, prompt, read), except a confirm it sends."""
    out = dict.fromkeys(PHASES, 0)
    for k, s in enumerate(sorted(sessions, key=lambda s: s["started"])):
        at_auth = s["turns_at_auth"] if s["turns_at_auth"] is not None else s["turns"]
        at_channel = s["turns_at_channel"] if s["turns_at_channel"] is not None else s["turns"]
        verify = k > 0
        out["verify" if verify else "connect"] += at_auth
        out["verify" if verify else "login"] += at_channel - at_auth
        for ch in s["channels"]:
            reads = ch["reads"]
            if reads and [h for h in reads[-1] if h] in (["exit"], ["quit"], ["logout"]):
                reads = reads[:-1]  # the goodbye: nobody waits for its answer
            for heads in reads:
                phase = _phase_of(heads, platform)
                out["verify" if verify and phase != "confirm" else phase] += 1
    return {k: v for k, v in out.items() if v}
