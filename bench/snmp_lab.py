"""Load agents for the SNMP benches: snmpd processes in a private network namespace.

The namespace gets 24 veth pairs (48 interfaces + lo = 49 IF-MIB rows per
device). Inside it every 127.x address is local, so ``agents`` snmpd processes
listening on ``udp:PORT`` (one port each) serve any number of device
addresses: device i is 127.150+i//62500 . (i//250)%250 . i%250+1, port
base + i % agents. Pollers and snmp_exporter run inside the namespace too, so
no packet leaves it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.snmpd import Snmpd, create_netns, delete_netns  # noqa: E402

COMMUNITY = "bench-community"
V3 = ("netops-bench", "SHA", "bench-auth-key-1", "AES", "bench-priv-key-1")
SYSUPTIME = "1.3.6.1.2.1.1.3.0"
IF_BASICS = {
    "ifHCInOctets": "1.3.6.1.2.1.31.1.1.1.6", "ifHCOutOctets": "1.3.6.1.2.1.31.1.1.1.10",
    "ifInErrors": "1.3.6.1.2.1.2.2.1.14", "ifOutErrors": "1.3.6.1.2.1.2.2.1.20",
    "ifInDiscards": "1.3.6.1.2.1.2.2.1.13", "ifOutDiscards": "1.3.6.1.2.1.2.2.1.19",
    "ifOperStatus": "1.3.6.1.2.1.2.2.1.8", "ifHighSpeed": "1.3.6.1.2.1.31.1.1.1.15",
}


def address(i: int) -> str:
    return f"127.{150 + i // 62500}.{(i // 250) % 250}.{i % 250 + 1}"


def device(i: int, port_base: int, agents: int) -> tuple[str, str, int]:
    return (f"dev{i:05d}", address(i), port_base + i % agents)


def shard_of(name: str, shards: int) -> int:
    """The monitor's shard function (netops.monitor.snapshot.shard_of) when present, else the same sha1 rule."""
    try:
        from netops.monitor.snapshot import shard_of as theirs
    except ImportError:
        return int(hashlib.sha1(name.encode()).hexdigest(), 16) % shards
    return theirs(name, shards)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its reaped children), from /proc."""
    with open(f"/proc/{pid}/stat") as fh:
        parts = fh.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return sum(int(x) for x in parts[11:15]) / tick


def loadavg() -> str:
    return open("/proc/loadavg").read().split(" ", 3)[:3].__str__()


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    return f"{os.cpu_count()} cores ({cpu}), Python {sys.version.split()[0]}"


@dataclass
class AgentLab:
    agents: int = 2
    port_base: int = 16100
    veth_pairs: int = 24
    ns: str = field(default_factory=lambda: f"netops-snmpbench-{os.getpid()}")
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="netops-snmpbench-")))
    procs: list[Snmpd] = field(default_factory=list)

    def __enter__(self) -> AgentLab:
        create_netns(self.ns, self.veth_pairs)
        try:
            for k in range(self.agents):
                port = self.port_base + k
                a = Snmpd(self.work / f"agent{k}", [(address(k), port)], community=COMMUNITY, netns=self.ns,
                          wildcard_port=port, v3_users=[V3])
                a.start(timeout=20)
                self.procs.append(a)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for a in self.procs:
            a.stop()
        self.procs.clear()
        delete_netns(self.ns)
        shutil.rmtree(self.work, ignore_errors=True)

    def agent_pids(self) -> list[int]:
        """snmpd's own pids (the Popen is 'ip netns exec', which execs snmpd: same pid)."""
        return [a.proc.pid for a in self.procs if a.proc is not None]

    def agent_cpu(self) -> float:
        return sum(cpu_seconds(p) for p in self.agent_pids())

    def run(self, cmd: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["ip", "netns", "exec", self.ns, *cmd], text=True, capture_output=True, **kw)  # type: ignore[call-overload]

    def popen(self, cmd: list[str], **kw: object) -> subprocess.Popen[str]:
        return subprocess.Popen(["ip", "netns", "exec", self.ns, *cmd], text=True, **kw)  # type: ignore[call-overload]


def exporter_config(path: Path, version: str = "2c", max_repetitions: int = 25, timeout: str = "10s",
                    retries: int = 3) -> None:
    """A minimal if_mib module for snmp_exporter 0.21 (auth inside the module, as that version wants)."""
    metrics = [{"name": "sysUpTime", "oid": "1.3.6.1.2.1.1.3", "type": "gauge"}]
    for name, oid in IF_BASICS.items():
        typ = "counter" if "Octets" in name or "Errors" in name or "Discards" in name else "gauge"
        metrics.append({"name": name, "oid": oid, "type": typ, "indexes": [{"labelname": "ifIndex", "type": "gauge"}]})
    if version == "2c":
        auth = {"community": COMMUNITY}
        ver = 2
    else:
        user, _, akey, _, pkey = V3
        auth = {"username": user, "security_level": "authPriv", "password": akey, "auth_protocol": "SHA",
                "priv_protocol": "AES", "priv_password": pkey}
        ver = 3
    module = {"version": ver, "auth": auth, "max_repetitions": max_repetitions, "timeout": timeout, "retries": retries,
              "get": [SYSUPTIME], "walk": list(IF_BASICS.values()), "metrics": metrics}
    # JSON is YAML; no PyYAML needed inside the namespace
    path.write_text(json.dumps({"if_mib_bench": module}, indent=1), encoding="utf-8")


def wait_http(lab: AgentLab, url: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.run(["curl", "-sf", "-o", "/dev/null", url]).returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")
