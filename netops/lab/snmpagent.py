"""SNMP agents for the lab: snmpsim, one process serving many device endpoints.

snmpsim picks the data file for a request from the community (v2c) or context
and the *transport id* of the endpoint the request arrived on (endpoints are
numbered ``1.3.6.1.6.1.1.<n>`` in the order they are given). So each device's
data is stored as ``<n>.snmprec``:

* SNMPv3 devices: one ``--v3-only`` process per group of devices that share a
  v3 profile; data at ``<datadir>/1.3.6.1.6.1.1.<n>.snmprec``.
* SNMPv2c devices: one process per community, data at
  ``<datadir>/<md5(community)>/1.3.6.1.6.1.1.<n>.snmprec`` plus an empty
  ``<community>.snmprec`` that makes the community known to snmpsim. Its v3
  user gets random keys nobody knows (snmpsim otherwise adds a default user).

Secrets go to snmpsim through ``--args-from-file`` (mode 600), never argv.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netops.inventory.models import Inventory
from netops.lab.plan import LabDevice, LabPlan, _token
from netops.lab.procs import LabState, spawn, wait_listening
from netops.lab.snmpdata import snmprec

TRANSPORT = "1.3.6.1.6.1.1"
PER_PROCESS = 56
"""Devices per snmpsim process: one process queues requests and stalls past a few dozen in
flight, so a big lab spreads its agents over a few processes (~65 MB each)."""
AUTH = {"sha": "SHA", "sha256": "SHA256", "sha512": "SHA512", "md5": "MD5"}
PRIV = {"aes": "AES", "aes256": "AES256", "des": "DES"}


@dataclass
class AgentGroup:
    key: str
    netns: str | None
    profile: str
    devices: list[LabDevice]


def groups(inv: Inventory, plan: LabPlan) -> list[AgentGroup]:
    """snmpsim processes: per SNMP profile, at most PER_PROCESS devices each."""
    out: dict[tuple[str | None, str], list[LabDevice]] = defaultdict(list)
    for d in plan.devices.values():
        if d.snmp_port is None or d.netns:
            continue
        prof = inv.snmp_for(inv.devices[d.name])
        if prof is None:
            continue
        name = inv.devices[d.name].snmp or inv.regency.default_snmp or ""
        out[(d.netns, name)].append(d)
    result = []
    for (ns, n), devs in out.items():
        chunks = [devs[i:i + PER_PROCESS] for i in range(0, len(devs), PER_PROCESS)]
        for k, chunk in enumerate(chunks):
            suffix = f"-{k}" if len(chunks) > 1 else ""
            result.append(AgentGroup(f"snmp-{n}{suffix}" + (f"-{ns}" if ns else ""), ns, n, chunk))
    return result


def start_agents(inv: Inventory, plan: LabPlan, workdir: Path, state: LabState, timeout: float = 60.0) -> None:
    root = workdir / "snmp"
    shutil.rmtree(root, ignore_errors=True)
    started = []
    started_ns_list: list[tuple[Any, int]] = []
    for g in groups(inv, plan):
        settings = inv.snmp[g.profile]
        gdir = root / g.key
        data = gdir / "data"
        data.mkdir(parents=True)
        # Global options must be on argv (snmpsim reads only per-engine options from the file).
        argv = [f"--cache-dir={gdir / 'cache'}", f"--variation-modules-dir={_variation_dir()}",
                "--logging-method=stderr"]
        args = [f"--data-dir={data}"]
        if settings.version == "2c":
            community = plan.secrets[f"snmp-{g.profile}-community"]
            sub = data / hashlib.md5(community.encode()).hexdigest()
            sub.mkdir()
            (data / f"{community}.snmprec").write_text("")
            target = sub
            args += [f"--v3-user={_token(8)}", f"--v3-auth-key={_token()}", "--v3-auth-proto=SHA",
                     f"--v3-priv-key={_token()}", "--v3-priv-proto=AES"]
        else:
            target = data
            argv.append("--v3-only")
            args += [f"--v3-user={settings.user}",
                     f"--v3-auth-key={plan.secrets[f'snmp-{g.profile}-auth_key']}",
                     f"--v3-auth-proto={AUTH[settings.auth_protocol]}",
                     f"--v3-priv-key={plan.secrets[f'snmp-{g.profile}-priv_key']}",
                     f"--v3-priv-proto={PRIV[settings.priv_protocol]}"]
        for n, d in enumerate(g.devices):
            (target / f"{TRANSPORT}.{n}.snmprec").write_text(snmprec(inv, inv.devices[d.name]), encoding="utf-8")
            args.append(f"--agent-udpv4-endpoint={d.address}:{d.snmp_port}")
        argfile = gdir / "args"
        argfile.write_text("\n".join(args) + "\n", encoding="utf-8")
        argfile.chmod(0o600)
        cmd = [sys.executable, "-m", "netops.lab.snmpsim_run", *argv, f"--args-from-file={argfile}"]
        pid = spawn(state, g.key, cmd, gdir / "log",
                    marker=str(workdir), env={"SNMPSIM_ALLOW_ROOT": "true"}, netns=g.netns)
        started.append((g, pid))
    for d in plan.devices.values():
        if d.netns and d.snmp_port:
            started_ns = start_snmpd(inv, plan, d, state)
            if started_ns:
                started_ns_list.append(started_ns)
    for g, pid in started:
        addrs = [(d.address, d.snmp_port or 161) for d in g.devices]
        wait_listening(addrs, "udp", [(pid, str(workdir))], timeout, f"SNMP agent {g.key}",
                       pid_ns=pid if g.netns else None)


    for d, pid in started_ns_list:
        wait_listening([(d.address, d.snmp_port or 161)], "udp", [(pid, d.netns)], timeout,
                       f"snmpd of {d.name}", pid_ns=pid)


def start_snmpd(inv: Inventory, plan: LabPlan, d: LabDevice, state: LabState) -> tuple[LabDevice, int] | None:
    """A namespace device is a real Linux box: it gets net-snmp's snmpd (its real IF-MIB), ~6 MB."""
    from netops.lab.frr import RUN_ROOT
    from netops.lab.profiles import profile

    dev = inv.devices[d.name]
    settings = inv.snmp_for(dev)
    if settings is None or not d.netns:
        return None
    name = dev.snmp or inv.regency.default_snmp or ""
    rundir = RUN_ROOT / d.netns / "snmp"
    rundir.mkdir(parents=True, exist_ok=True, mode=0o700)
    descr = profile(dev.platform).sys_descr.format(name=dev.name, model=dev.model or "", platform=dev.platform)
    lines = [f"agentAddress udp:{d.address}:{d.snmp_port}", f"sysName {dev.name}", f"sysDescr {descr}",
             f"sysLocation {inv.sites[dev.site].name}", f"sysContact noc@{inv.regency.domain}",
             "dontLogTCPWrappersConnects yes"]
    if settings.version == "2c":
        lines.append(f"rocommunity {plan.secrets[f'snmp-{name}-community']} default")
    else:
        lines.append(f"createUser {settings.user} {AUTH[settings.auth_protocol]} "
                     f"\"{plan.secrets[f'snmp-{name}-auth_key']}\" {PRIV[settings.priv_protocol]} "
                     f"\"{plan.secrets[f'snmp-{name}-priv_key']}\"")
        lines.append(f"rouser {settings.user} priv")
    conf = rundir / "snmpd.conf"
    conf.write_text("\n".join(lines) + "\n", encoding="utf-8")
    conf.chmod(0o600)
    cmd = ["/usr/sbin/snmpd", "-f", "-Lo", "-C", "-c", str(conf), "-p", str(rundir / "snmpd.pid"),
           "-I", "-ipCidrRouteTable,inetCidrRouteTable"]
    pid = spawn(state, f"snmpd-{d.name}", cmd, rundir / "log", marker=d.netns, netns=d.netns,
                env={"SNMP_PERSISTENT_DIR": str(rundir), "MIBS": ""})
    return d, pid


def _variation_dir() -> str:
    import snmpsim

    return os.path.join(os.path.dirname(snmpsim.__file__), "variation")
