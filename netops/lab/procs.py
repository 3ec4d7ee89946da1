"""Lab processes and the state file that lets ``down`` clean up even after a crash.

Every process the lab starts runs in its own session (it outlives the CLI that
started it) and is recorded in ``<workdir>/state.json`` before anything else
happens, together with a marker (the workdir path) that must appear in its
command line: ``down`` never kills a recycled pid that belongs to someone else.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

STATE = "state.json"


class LabState:
    """The lab's record of what it created: pids, namespaces, nft tables, users."""

    def __init__(self, workdir: Path):
        self.path = workdir / STATE
        self.data: dict[str, Any] = {"procs": [], "netns": [], "nft_tables": [], "users": [], "links": [],
                                 "iptables_chains": [], "dirs": []}
        if self.path.exists():
            try:
                self.data.update(json.loads(self.path.read_text(encoding="utf-8")))
            except (OSError, json.JSONDecodeError):
                pass

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, default=str), encoding="utf-8")
        tmp.replace(self.path)

    def add(self, kind: str, item: Any) -> None:
        if item not in self.data[kind]:
            self.data[kind].append(item)
        self.save()


def spawn(state: LabState, name: str, cmd: list[str], log: Path, marker: str,
          env: dict[str, str] | None = None, netns: str | None = None) -> int:
    """Start a detached process (optionally inside a namespace) and record it at once."""
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    full_env = dict(os.environ)
    full_env.update(env or {})
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env=full_env, start_new_session=True, close_fds=True)
    state.add("procs", {"name": name, "pid": proc.pid, "marker": marker})
    return proc.pid


def cmdline(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None


def _proc_state(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def start_time(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot): with the pid, names one process even after pid reuse."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def alive(pid: int, marker: str) -> bool:
    """Is ``pid`` still the running process the lab started (``marker`` in its command line)?

    A process in the middle of ``execve`` shows an empty command line for a moment
    (the kernel has switched to the new program but not yet set its arguments); a
    chain like ``ip netns exec … unshare … sh -c 'exec sshd'`` passes through that
    several times while it starts. Reading it then must not call the process dead,
    so an empty line from a live process is read again.
    """
    for _ in range(250):
        line = cmdline(pid)
        if line is None:
            return False
        if line:
            return marker in line and _proc_state(pid) not in (None, "Z")
        if _proc_state(pid) in (None, "Z"):
            return False
        time.sleep(0.002)
    return False


def stop(procs: list[dict[str, Any]], timeout: float = 5.0) -> list[str]:
    """SIGTERM each recorded process group that is still ours, then SIGKILL what remains."""
    ours = [p for p in procs if alive(p["pid"], p["marker"])]
    for p in ours:
        _signal(p["pid"], signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p["pid"], p["marker"]) for p in ours):
        time.sleep(0.05)
        _reap(ours)
    left = [p for p in ours if alive(p["pid"], p["marker"])]
    for p in left:
        _signal(p["pid"], signal.SIGKILL)
    time.sleep(0.05)
    _reap(ours)
    return [p["name"] for p in ours]


def _signal(pid: int, sig: int) -> None:
    """Signal the process group the lab created (its children too), else the process."""
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _reap(procs: list[dict[str, Any]]) -> None:
    for p in procs:
        try:
            os.waitpid(p["pid"], os.WNOHANG)
        except ChildProcessError:
            pass


def _hex_addr(addr: str, port: int) -> str:
    return f"{socket.inet_aton(addr)[::-1].hex().upper()}:{port:04X}"


def listening(addrs: list[tuple[str, int]], proto: str, pid: int | None = None) -> set[tuple[str, int]]:
    """Which of ``addrs`` have a bound socket (read from /proc, in ``pid``'s namespace if given)."""
    table = Path(f"/proc/{pid}/net/{proto}" if pid else f"/proc/net/{proto}")
    try:
        lines = table.read_text().splitlines()[1:]
    except OSError:
        return set()
    bound = set()
    for line in lines:
        cols = line.split()
        if proto == "tcp" and cols[3] != "0A":  # LISTEN
            continue
        bound.add(cols[1])
    return {a for a in addrs if _hex_addr(*a) in bound}


def wait_listening(addrs: list[tuple[str, int]], proto: str, pids: list[tuple[int, str]],
                   timeout: float, what: str, pid_ns: int | None = None) -> None:
    from netops.lab.plan import LabError

    deadline = time.monotonic() + timeout
    want = set(addrs)
    while True:
        missing = want - listening(list(want), proto, pid_ns)
        if not missing:
            return
        dead = [pid for pid, marker in pids if not alive(pid, marker)]
        if dead or time.monotonic() > deadline:
            sample = ", ".join(f"{a}:{p}" for a, p in sorted(missing)[:3])
            why = "exited" if dead else f"did not listen within {timeout:.0f} s"
            raise LabError(f"{what} {why} ({len(missing)} endpoints missing, e.g. {sample}); "
                           "see the log in the lab workdir, then run 'netops lab down'")
        time.sleep(0.1)
