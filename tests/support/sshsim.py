"""Start only the lab's SSH simulator (IOS, VRP, RouterOS) for an inventory: no namespaces,
no FRR, no VSAT delay, no SNMP agents, so no root. For tests that need simulated routers and
nothing else; :func:`stop` ends only the process it started."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from netops.inventory import load_inventory
from netops.lab import sshsim_ctl
from netops.lab.plan import make_plan, make_secrets, write_lab_inventory, write_secrets
from netops.lab.procs import LabState
from netops.lab.procs import stop as stop_procs


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def start(source: Path, workdir: Path, base: str, where: list[str] | None = None) -> Path:
    """Serve the simulated devices of ``source`` on ``base``; returns the lab inventory's path
    (secrets as ``file:`` references under ``workdir``)."""
    inv = load_inventory(source)
    port = _free_port(str(ipaddress.IPv4Address(base) + 1))
    plan = make_plan(inv, base, where, port, port)
    make_secrets(inv, plan)
    write_secrets(plan, workdir / "secrets")
    write_lab_inventory(inv, plan, workdir / "inventory", workdir / "secrets")
    state = LabState(workdir)
    state.save()
    try:
        sshsim_ctl.start(inv, plan, workdir, state, timeout=60)
    except BaseException:
        stop(workdir)
        raise
    return workdir / "inventory"


def stop(workdir: Path) -> None:
    stop_procs(LabState(workdir).data.get("procs", []))


@contextmanager
def running(source: Path, workdir: Path, base: str, where: list[str] | None = None) -> Iterator[Path]:
    """:func:`start` for a ``with`` block (a module fixture's body): the lab inventory's path,
    the simulator stopped on the way out."""
    path = start(source, workdir, base, where)
    try:
        yield path
    finally:
        stop(workdir)
