"""FRR devices: real FRRouting (zebra + staticd by default) in a network namespace each, with its own sshd.

Per device: namespace ``<labid>-<n>``, a veth pair (host end ``<labid>h<n>``,
device end named after the device's first interface), the /30 from the plan,
and ``/run/netops-lab/<labid>-<n>/`` for sockets, config and keys (outside the
workdir, which may be private to root: FRR and the login user must reach it).
The daemons and sshd run in their own UTS namespace whose hostname is the
device name, so vtysh's prompt is ``<device>#``. The lab user (named after the
lab id, in groups frr and frrvty) logs in with the lab password and gets
``vtysh`` as a forced command; netmiko's ``cisco_ios`` driver works against it.

``daemons`` names the FRR daemons started after zebra (``DAEMONS`` by default: static
routes, prefix-lists, route-maps); a test that edits BGP or OSPF config asks for
``bgpd``/``ospfd`` too (vtysh rejects a command whose daemon is not running).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

from netops.inventory.models import Inventory
from netops.lab.plan import LabError, LabPlan
from netops.lab.procs import LabState, spawn, wait_listening

RUN_ROOT = Path("/run/netops-lab")
FRR_BIN = Path("/usr/lib/frr")
DAEMONS: tuple[str, ...] = ("staticd",)
"""daemons the lab starts after zebra unless asked for others"""
KNOWN_DAEMONS = ("staticd", "bgpd", "ospfd", "ospf6d", "ripd", "ripngd", "isisd", "bfdd", "pimd", "eigrpd")


def _run(cmd: list[str], stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, input=stdin, text=True, capture_output=True)
    if check and proc.returncode != 0:
        raise LabError(f"{' '.join(cmd[:4])} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc


def _ifname(name: str, fallback: str) -> str:
    return name if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]{0,14}", name) else fallback


def ensure_user(user: str, password: str, state: LabState) -> None:
    if _run(["id", user], check=False).returncode == 0:
        _run(["userdel", user], check=False)
    state.add("users", user)
    _run(["useradd", "-M", "-N", "-g", "frr", "-G", "frrvty", "-s", "/bin/sh", "-d", "/nonexistent", user])
    _run(["chpasswd"], stdin=f"{user}:{password}\n")


def start_all(inv: Inventory, plan: LabPlan, workdir: Path, state: LabState, timeout: float,
              daemons: tuple[str, ...] = DAEMONS) -> None:
    devs = [d for d in plan.devices.values() if d.netns]
    if not devs:
        return
    unknown = [d for d in daemons if d not in KNOWN_DAEMONS]
    if unknown:
        raise LabError(f"unknown FRR daemon(s) {', '.join(unknown)}; use some of {', '.join(KNOWN_DAEMONS)}")
    for tool in ("zebra", *daemons):
        if not (FRR_BIN / tool).exists():
            raise LabError(f"FRR is not installed ({FRR_BIN / tool} missing); install the Debian package frr")
    if not shutil.which("sshd") and not Path("/usr/sbin/sshd").exists():
        raise LabError("OpenSSH server is not installed; install the Debian package openssh-server")
    assert plan.frr_user
    ensure_user(plan.frr_user, plan.secrets["credentials-lab-frr-password"], state)
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    RUN_ROOT.mkdir(mode=0o755, exist_ok=True)
    started = []
    for d in devs:
        assert d.netns and d.host_address
        n = d.netns.rsplit("-", 1)[1]
        rundir = RUN_ROOT / d.netns
        shutil.rmtree(rundir, ignore_errors=True)
        state.add("dirs", str(rundir))
        (rundir / "run").mkdir(parents=True)
        dev = inv.devices[d.name]
        inside = _ifname(dev.interfaces[0] if dev.interfaces else "eth0", "eth0")
        host_if = f"{plan.lab_id}h{n}"
        _run(["ip", "netns", "del", d.netns], check=False)
        state.add("netns", d.netns)
        _run(["ip", "netns", "add", d.netns])
        _run(["ip", "link", "del", host_if], check=False)
        _run(["ip", "link", "add", host_if, "type", "veth", "peer", "name", inside, "netns", d.netns])
        _run(["ip", "addr", "add", f"{d.host_address}/30", "dev", host_if])
        _run(["ip", "link", "set", host_if, "up"])
        _run(["ip", "-n", d.netns, "addr", "add", f"{d.address}/30", "dev", inside])
        _run(["ip", "-n", d.netns, "link", "set", inside, "up"])
        _run(["ip", "-n", d.netns, "link", "set", "lo", "up"])
        _run(["ip", "-n", d.netns, "route", "add", "default", "via", d.host_address])
        (rundir / "vtysh.conf").write_text("service integrated-vtysh-config\n")
        (rundir / "frr.conf").write_text(f"hostname {d.name}\nservice integrated-vtysh-config\n!\n")
        _run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(rundir / "ssh_host_ed25519_key")])
        vtysh = f"vtysh --vty_socket {rundir / 'run'} --config_dir {rundir}"
        (rundir / "sshd_config").write_text("\n".join([
            f"ListenAddress {d.address}:22",
            f"HostKey {rundir / 'ssh_host_ed25519_key'}",
            f"PidFile {rundir / 'sshd.pid'}",
            "PasswordAuthentication yes", "KbdInteractiveAuthentication no", "UsePAM yes",
            f"AllowUsers {plan.frr_user}", f"ForceCommand {vtysh}",
            "PrintMotd no", "PrintLastLog no", "StrictModes no", "X11Forwarding no",
            "AllowTcpForwarding no", "MaxStartups 100:30:200", "LoginGraceTime 60", "",
        ]))
        _run(["chown", "-R", "frr:frr", str(rundir)])
        _run(["chown", "root:root", str(rundir / "ssh_host_ed25519_key")])
        os.chmod(rundir, 0o775)
        os.chmod(rundir / "run", 0o775)
        marker = str(rundir)
        common = ["-u", "frr", "-g", "frr", "-P", "0", "--vty_socket", str(rundir / "run"),
                  "-z", str(rundir / "run" / "zserv.api"), "-f", "/dev/null", "--log", "stdout"]
        zebra = [str(FRR_BIN / "zebra"), *common, "-i", str(rundir / "run" / "zebra.pid")]
        pid = spawn(state, f"zebra-{d.name}", _uts(d.name, zebra), rundir / "zebra.log", marker=marker, netns=d.netns)
        started.append((d, rundir, [pid]))
    # the other daemons only once zebra listens: a client that finds no socket retries only ~10 s later.
    for d, rundir, pids in started:
        _wait_path(rundir / "run" / "zserv.api", timeout, f"zebra of {d.name}")
        common = ["-u", "frr", "-g", "frr", "-P", "0", "--vty_socket", str(rundir / "run"),
                  "-z", str(rundir / "run" / "zserv.api"), "-f", "/dev/null", "--log", "stdout"]
        for daemon in daemons:
            cmd = [str(FRR_BIN / daemon), *common, "-i", str(rundir / "run" / f"{daemon}.pid")]
            pids.append(spawn(state, f"{daemon}-{d.name}", _uts(d.name, cmd), rundir / f"{daemon}.log",
                              marker=str(rundir), netns=d.netns))
        sshd = ["/usr/sbin/sshd", "-D", "-e", "-f", str(rundir / "sshd_config")]
        pids.append(spawn(state, f"sshd-{d.name}", _uts(d.name, sshd), rundir / "sshd.log", marker=str(rundir),
                          netns=d.netns))
    for d, rundir, pids in started:
        try:
            wait_listening([(d.address, 22)], "tcp", [(p, str(rundir)) for p in pids], timeout,
                           f"sshd of {d.name}", pid_ns=pids[-1])
        except LabError as exc:
            logs = " | ".join(f"{f.name}: {f.read_text(errors='replace').strip()[-300:]}" for f in rundir.glob("*.log"))
            raise LabError(f"{exc} [{logs}]") from None
        _wait_vty(d.netns, rundir, ("zebra", *daemons), timeout)
        apply_initial(inv, d.name, d.netns, rundir)


def _uts(hostname: str, cmd: list[str]) -> list[str]:
    """Run cmd in its own UTS namespace named after the device (vtysh's prompt shows it)."""
    return ["unshare", "--uts", "sh", "-c", f"hostname {shlex.quote(hostname)} && exec {shlex.join(cmd)}"]


def _wait_path(path: Path, timeout: float, what: str) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise LabError(f"{what} did not start ({path} missing); see the logs beside it")
        time.sleep(0.05)


def _wait_vty(netns: str | None, rundir: Path, daemons: tuple[str, ...], timeout: float) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not all((rundir / "run" / f"{d}.vty").exists() for d in daemons):
        if time.monotonic() > deadline:
            raise LabError(f"FRR in {netns} did not open its vty sockets; see {rundir}/*.log")
        time.sleep(0.05)


def apply_initial(inv: Inventory, name: str, netns: str | None, rundir: Path) -> None:
    dev = inv.devices[name]
    cmds = ["configure terminal", f"hostname {name}"]
    for link in inv.links_by_device.get(name, []):
        for end in (link.a, link.b):
            if end.device == name and end.interface:
                cmds += [f"interface {end.interface}", f"description {link.provider} {link.circuit_id or link.id}",
                         "exit"]
    del dev
    args = ["ip", "netns", "exec", str(netns), "vtysh", "--vty_socket", str(rundir / "run"),
            "--config_dir", str(rundir)]
    for c in [*cmds, "end", "write memory"]:
        args += ["-c", c]
    _run(args)


def _namespaces(lab_id: str) -> list[str]:
    out = _run(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.split() and line.split()[0].startswith(f"{lab_id}-")]


def remnants(lab_id: str) -> list[str]:
    """This id's network namespaces, where they exist (a running lab's, or a killed one's)."""
    return [f"netns {ns}" for ns in _namespaces(lab_id)]


def remove(lab_id: str) -> None:
    """Remove this id's namespaces (and what still runs in them) and run directories, whoever made them."""
    for ns in _namespaces(lab_id):
        for pid in _run(["ip", "netns", "pids", ns], check=False).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        _run(["ip", "netns", "del", ns], check=False)
    for d in RUN_ROOT.glob(f"{lab_id}-*"):
        shutil.rmtree(d, ignore_errors=True)


def teardown(state: LabState) -> None:
    for ns in state.data.get("netns", []):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    for user in state.data.get("users", []):
        subprocess.run(["userdel", user], capture_output=True)
    for d in state.data.get("dirs", []):
        if d.startswith(str(RUN_ROOT) + "/"):
            shutil.rmtree(d, ignore_errors=True)
