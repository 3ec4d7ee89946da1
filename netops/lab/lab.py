"""The lab: start, inspect, impair and stop a simulated network for an inventory.

``Lab.up()`` writes the lab inventory and secrets into the workdir, then starts
detached processes (SNMP agents, the SSH simulator, FRR namespaces, the VSAT
delayer) and records each in ``<workdir>/state.json`` the moment it exists, so
``teardown(workdir)`` can remove everything later, from another process, after a
crash, and as often as it is called.
"""

from __future__ import annotations

import logging
import shutil
import socket
import time
from pathlib import Path
from typing import Any

from netops.inventory.loader import load_inventory
from netops.inventory.models import Inventory
from netops.inventory.query import select
from netops.inventory.topology import behind
from netops.lab import frr, sshsim_ctl, vsat
from netops.lab.plan import (
    LabError,
    LabPlan,
    make_plan,
    make_secrets,
    write_lab_inventory,
    write_secrets,
)
from netops.lab.procs import LabState, alive, start_time, stop
from netops.lab.snmpagent import start_agents

log = logging.getLogger(__name__)


def _port_free(addr: str, port: int, kind: int) -> bool:
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind((addr, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _pick_port(addr: str, preferred: int, kind: int) -> int:
    """The real port if nothing (e.g. a wildcard listener) holds it, else a free high port."""
    if _port_free(addr, preferred, kind):
        return preferred
    s = socket.socket(socket.AF_INET, kind)
    s.bind((addr, 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Lab:
    """A simulated network for (a selection of) an inventory; see docs/lab.md."""

    def __init__(self, inventory_path: str | Path, workdir: str | Path, where: list[str] | None = None,
                 base: str = "127.100.0.0", vsat_delay_ms: float = 300, vsat_loss_pct: float = 1.0,
                 vsat_jitter_ms: float = 15, ssh_port: int | None = None, snmp_port: int | None = None,
                 start_timeout: float = 90.0, frr_daemons: tuple[str, ...] = frr.DAEMONS,
                 syslog: str | None = None, owner_pid: int | None = None):
        self.source = Path(inventory_path)
        self.workdir = Path(workdir).resolve()
        self.where = list(where or [])
        self.base = base
        self.vsat_delay_ms = vsat_delay_ms
        self.vsat_loss_pct = vsat_loss_pct
        self.vsat_jitter_ms = vsat_jitter_ms
        self.ssh_port = ssh_port
        self.snmp_port = snmp_port
        self.start_timeout = start_timeout
        self.frr_daemons = tuple(frr_daemons)
        self.syslog = syslog
        """HOST:PORT the simulated routers send their config-change syslog lines to (None: they send none)"""
        if syslog is not None:
            host, sep, port = syslog.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise LabError(f"--syslog {syslog!r}: write HOST:PORT, e.g. 127.0.0.1:5514")
        self.owner_pid = owner_pid
        """the process this lab lives no longer than (a test run): once it is gone, the next lab on this base
        removes what is left. None (``netops lab up``): the lab runs until 'netops lab down'."""
        self.plan: LabPlan | None = None
        self._inv: Inventory | None = None

    # -- public API --------------------------------------------------------
    @property
    def inventory_path(self) -> Path:
        return self.workdir / "inventory"

    @property
    def secrets_dir(self) -> Path:
        return self.workdir / "secrets"

    @property
    def secrets(self) -> dict[str, str]:
        """The real secret values the lab generated (so tests can check they never leak)."""
        if self.plan is not None:
            return dict(self.plan.secrets)
        return {p.name: p.read_text().strip() for p in sorted(self.secrets_dir.glob("*"))}

    def __enter__(self) -> Lab:
        return self.up()

    def __exit__(self, *exc: Any) -> None:
        self.down()

    def up(self) -> Lab:
        state_file = self.workdir / "state.json"
        if state_file.exists() and any(alive(p["pid"], p["marker"]) for p in LabState(self.workdir).data["procs"]):
            raise LabError(f"a lab is already running in {self.workdir}; run 'netops lab down' first")
        t0 = time.monotonic()
        inv = load_inventory(self.source)
        self._inv = inv
        select(inv, "devices", self.where)  # a bad filter is refused before the workdir is touched
        self.workdir.mkdir(parents=True, exist_ok=True)
        teardown(self.workdir, quiet=True)
        probe = str(__import__("ipaddress").IPv4Address(self.base) + 1)
        ssh_port = self.ssh_port or _pick_port(probe, 22, socket.SOCK_STREAM)
        snmp_port = self.snmp_port or _pick_port(probe, 161, socket.SOCK_DGRAM)
        plan = make_plan(inv, self.base, self.where, ssh_port, snmp_port)
        _claim(plan.lab_id, self.base, self.workdir)
        make_secrets(inv, plan)
        self.plan = plan
        write_secrets(plan, self.secrets_dir)
        write_lab_inventory(inv, plan, self.inventory_path, self.secrets_dir)
        load_inventory(self.inventory_path)  # the lab inventory must itself be valid
        state = LabState(self.workdir)
        state.data.update({"lab_id": plan.lab_id, "base": self.base, "source": str(self.source.resolve()),
                           "where": self.where, "started": time.time(),
                           "owner": None if self.owner_pid is None else
                           {"pid": self.owner_pid, "start": start_time(self.owner_pid)},
                           "vsat": {"delay_ms": self.vsat_delay_ms, "loss_pct": self.vsat_loss_pct,
                                    "jitter_ms": self.vsat_jitter_ms},
                           "devices": {n: d.__dict__ for n, d in plan.devices.items()}})
        state.save()
        try:
            frr.start_all(inv, plan, self.workdir, state, timeout=self.start_timeout, daemons=self.frr_daemons)
            vsat.setup(plan, self.workdir, state, self.vsat_delay_ms, self.vsat_jitter_ms, self.vsat_loss_pct)
            start_agents(inv, plan, self.workdir, state, timeout=self.start_timeout)
            sshsim_ctl.start(inv, plan, self.workdir, state, timeout=self.start_timeout, syslog=self.syslog)
        except BaseException:
            teardown(self.workdir, quiet=True)
            raise
        state.data["ready_seconds"] = round(time.monotonic() - t0, 2)
        state.save()
        return self

    def down(self) -> dict[str, Any]:
        return teardown(self.workdir)

    def status(self) -> dict[str, Any]:
        return status(self.workdir)

    def impair(self, site_or_device: str | list[str], loss_pct: float | None = None, down: bool | None = None,
               delay_ms: float | None = None) -> list[str]:
        return impair(self.workdir, site_or_device, loss_pct=loss_pct, down=down, delay_ms=delay_ms)


def _holder_file(lab_id: str) -> Path:
    return frr.RUN_ROOT / f"{lab_id}.workdir"


def running(workdir: Path) -> bool:
    """Whether the lab in ``workdir`` still runs: a process of it is alive, and so is its owner, if it has one."""
    if not (workdir / "state.json").exists():
        return False
    data = LabState(workdir).data
    owner = data.get("owner")
    if owner and start_time(owner["pid"]) != owner["start"]:  # gone (or its pid reused)
        return False
    return any(alive(p["pid"], p["marker"]) for p in data["procs"])


def _claim(lab_id: str, base: str, workdir: Path) -> None:
    """Take ``base`` for the lab in ``workdir``: refused while another lab runs on it; what a lab that no longer
    runs left there (a killed 'lab up' or test run: its firewall table, chain and namespaces outlive it) is
    removed first, with a warning, so the next start never fails on it."""
    left = vsat.remnants(lab_id) + frr.remnants(lab_id)
    holder_file = _holder_file(lab_id)
    holder = Path(holder_file.read_text().strip()) if holder_file.exists() else None
    if left and holder is not None and holder != workdir:
        if running(holder):
            raise LabError(f"lab base {base} is in use by the lab in {holder}; stop it with "
                           f"'netops lab down --workdir {holder}', or choose another --base")
        teardown(holder, quiet=True)
    if left:
        vsat.remove(lab_id)
        frr.remove(lab_id)
        log.warning("lab base %s: removed what a lab that no longer runs left (%s%s)", base, ", ".join(left),
                    f"; its workdir was {holder}" if holder else "")
    frr.RUN_ROOT.mkdir(mode=0o755, exist_ok=True)
    holder_file.write_text(f"{workdir}\n")


def teardown(workdir: str | Path, quiet: bool = False) -> dict[str, Any]:
    """Remove everything the lab in ``workdir`` created; safe to run twice or after a crash."""
    workdir = Path(workdir).resolve()
    state = LabState(workdir)
    lab_id = state.data.get("lab_id")
    if lab_id and _holder_file(lab_id).exists() and _holder_file(lab_id).read_text().strip() == str(workdir):
        _holder_file(lab_id).unlink(missing_ok=True)
    stopped = stop(state.data["procs"])
    vsat.teardown(state)
    frr.teardown(state)
    removed = {"processes": stopped, "netns": list(state.data["netns"]),
               "nft_tables": list(state.data["nft_tables"]), "users": list(state.data["users"]),
               "iptables_chains": list(state.data["iptables_chains"]), "dirs": list(state.data["dirs"])}
    if (workdir / "state.json").exists():
        # impairments go with the rules that carried them: the next 'lab up' starts unimpaired
        state.data.update({"procs": [], "netns": [], "nft_tables": [], "users": [], "links": [],
                           "iptables_chains": [], "dirs": [], "impairments": {}})
        state.data["stopped"] = time.time()
        state.save()
    for sub in ("snmp", "ssh", "frr"):
        shutil.rmtree(workdir / sub, ignore_errors=True)
    return removed


def status(workdir: str | Path) -> dict[str, Any]:
    workdir = Path(workdir).resolve()
    if not (workdir / "state.json").exists():
        return {"running": False, "workdir": str(workdir), "processes": [], "devices": {}}
    state = LabState(workdir)
    procs = [{"name": p["name"], "pid": p["pid"], "alive": alive(p["pid"], p["marker"]),
              "rss_mb": _rss_mb(p["pid"]) if alive(p["pid"], p["marker"]) else 0.0}
             for p in state.data["procs"]]
    impairments = state.data.get("impairments", {})
    return {
        "running": bool(procs) and all(p["alive"] for p in procs),
        "workdir": str(workdir),
        "lab_id": state.data.get("lab_id"),
        "base": state.data.get("base"),
        "inventory": str(workdir / "inventory"),
        "ready_seconds": state.data.get("ready_seconds"),
        "processes": procs,
        "netns": state.data["netns"],
        "nft_tables": state.data["nft_tables"],
        "rss_mb_total": round(sum(p["rss_mb"] for p in procs), 1),
        "devices": state.data.get("devices", {}),
        "impairments": impairments,
    }


def _rss_mb(pid: int) -> float:
    """RSS of a process and all its descendants, in MB."""
    total = 0
    todo = [pid]
    seen = set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
            todo.extend(int(c) for c in children)
        except OSError:
            continue
    return round(total / 1024, 1)


def _sites_behind_link(workdir: Path, link_id: str) -> set[str] | None:
    """The sites a cut of ``link_id`` takes offline (its far end and everything whose path crosses it)."""
    inv = load_inventory(workdir / "inventory")
    link = inv.links.get(link_id)
    return None if link is None else {s.id for s in behind(inv, link)}


def impair(workdir: str | Path, target: str | list[str], loss_pct: float | None = None, down: bool | None = None,
           delay_ms: float | None = None) -> list[str]:
    """Change loss, delay or reachability live: of a device, of every device at a site, or of every device
    behind a link (a cut fiber takes the sites behind it down with it). Several targets change at once."""
    workdir = Path(workdir).resolve()
    state = LabState(workdir)
    devices: dict[str, dict[str, Any]] = state.data.get("devices", {})
    if not state.data["procs"]:
        raise LabError(f"no lab is running in {workdir}; start one with 'netops lab up'")
    hit: list[str] = []
    for one in [target] if isinstance(target, str) else target:
        these = [n for n, d in devices.items() if n == one or d["site"] == one]
        if not these:
            sites = _sites_behind_link(workdir, one)
            these = [n for n, d in devices.items() if sites and d["site"] in sites]
        if not these:
            raise LabError(f"{one!r} is neither a device nor a site nor a link of the lab in {workdir} (or no lab "
                           "device is behind it); see 'netops lab status'")
        hit += [n for n in these if n not in hit]
    imp = state.data.setdefault("impairments", {})
    for name in hit:
        cur = imp.setdefault(name, {})
        if loss_pct is not None:
            if not 0 <= loss_pct <= 100:
                raise LabError(f"--loss {loss_pct}: give a percentage from 0 to 100")
            cur["loss_pct"] = loss_pct
        if delay_ms is not None:
            if delay_ms < 0:
                raise LabError(f"--delay {delay_ms}: give milliseconds, 0 or more")
            cur["delay_ms"] = delay_ms
        if down is not None:
            cur["down"] = down
    state.save()
    vsat.apply(state, workdir)
    return hit


__all__ = ["Lab", "LabError", "impair", "status", "teardown"]
