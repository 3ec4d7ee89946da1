"""Real net-snmp ``snmpd`` agents for the monitor tests, with counters the test controls.

Each agent is a real snmpd on its own 127.120.x.y address(es) and a free UDP
port: SNMPv2c community plus an SNMPv3 authPriv (SHA/AES) user. IF-MIB's
ifTable/ifXTable are served by a ``pass_persist`` handler from a JSON file the
test rewrites, so a test can move counters on, wrap a Counter32 or restart the
agent (sysUpTime really goes back) while everything travels over real sockets.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PASS_PERSIST = Path(__file__).resolve().parent / "passpersist.py"
IF_TABLE = "1.3.6.1.2.1.2.2.1"
IF_X = "1.3.6.1.2.1.31.1.1.1"


@dataclass
class Interface:
    index: int
    name: str
    alias: str = ""
    in_octets: int = 0
    out_octets: int = 0
    in_errors: int = 0
    out_errors: int = 0
    in_discards: int = 0
    out_discards: int = 0
    oper: int = 1
    admin: int = 1
    speed_mbps: int = 1000
    hc: bool = True
    """False: no 64-bit counters (ifXTable octets), as on old agents and some modems."""


def if_oids(rows: list[Interface]) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for r in rows:
        i = r.index
        out[f"{IF_TABLE}.1.{i}"] = ["integer", i]
        out[f"{IF_TABLE}.2.{i}"] = ["string", r.name]
        out[f"{IF_TABLE}.7.{i}"] = ["integer", r.admin]
        out[f"{IF_TABLE}.8.{i}"] = ["integer", r.oper]
        out[f"{IF_TABLE}.10.{i}"] = ["counter", r.in_octets % 2**32]
        out[f"{IF_TABLE}.16.{i}"] = ["counter", r.out_octets % 2**32]
        out[f"{IF_TABLE}.13.{i}"] = ["counter", r.in_discards % 2**32]
        out[f"{IF_TABLE}.14.{i}"] = ["counter", r.in_errors % 2**32]
        out[f"{IF_TABLE}.19.{i}"] = ["counter", r.out_discards % 2**32]
        out[f"{IF_TABLE}.20.{i}"] = ["counter", r.out_errors % 2**32]
        out[f"{IF_X}.1.{i}"] = ["string", r.name]
        if r.hc:
            out[f"{IF_X}.6.{i}"] = ["counter64", r.in_octets % 2**64]
            out[f"{IF_X}.10.{i}"] = ["counter64", r.out_octets % 2**64]
        out[f"{IF_X}.15.{i}"] = ["gauge", r.speed_mbps]
        out[f"{IF_X}.18.{i}"] = ["string", r.alias or f"link {r.name}"]
    return out


def free_udp_port(addresses: list[str]) -> int:
    for _ in range(200):
        port = random.randint(20000, 60000)
        ok = True
        for a in addresses:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                s.bind((a, port))
            except OSError:
                ok = False
            finally:
                s.close()
        if ok:
            return port
    raise RuntimeError("no free UDP port")


@dataclass
class SnmpdAgent:
    workdir: Path
    addresses: list[str]
    port: int
    community: str = "mon-community-7f3a"
    user: str = "netops"
    auth_key: str = "mon-auth-key-91c2"
    priv_key: str = "mon-priv-key-5d8e"
    interfaces: list[Interface] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def if_file(self) -> Path:
        return self.workdir / "if.json"

    def write_interfaces(self) -> None:
        tmp = self.if_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(if_oids(self.interfaces)))
        os.replace(tmp, self.if_file)

    def config(self) -> str:
        listen = ",".join(f"udp:{a}:{self.port}" for a in self.addresses)
        pp = f"{shutil.which('python3') or '/usr/bin/python3'} {PASS_PERSIST} {self.if_file}"
        return "\n".join([
            f"agentAddress {listen}",
            f"rocommunity {self.community} 127.0.0.0/8",
            f"createUser {self.user} SHA \"{self.auth_key}\" AES \"{self.priv_key}\"",
            f"rouser {self.user} priv",
            "sysName netops-test-agent",
            "dontLogTCPWrappersConnects yes",
            f"pass_persist .1.3.6.1.2.1.2.2 {pp}",
            f"pass_persist .1.3.6.1.2.1.31.1.1 {pp}",
            "",
        ])

    def start(self) -> SnmpdAgent:
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "persist").mkdir(exist_ok=True)
        self.write_interfaces()
        conf = self.workdir / "snmpd.conf"
        conf.write_text(self.config())
        env = {**os.environ, "MIBS": "", "SNMP_PERSISTENT_DIR": str(self.workdir / "persist")}
        snmpd = shutil.which("snmpd") or "/usr/sbin/snmpd"
        self.proc = subprocess.Popen(
            [snmpd, "-f", "-C", "-c", str(conf), "-Lf", str(self.workdir / "snmpd.log"),
             "-I", "-ifTable,-ifXTable,-interfaces"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 10.0) -> None:
        snmpget = shutil.which("snmpget") or "/usr/bin/snmpget"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"snmpd exited: {(self.workdir / 'snmpd.log').read_text(errors='replace')[-500:]}")
            # ifDescr.1 also starts the pass_persist helper, so the first poll does not pay for it
            r = subprocess.run([snmpget, "-v2c", "-c", self.community, "-t", "1", "-r", "0",
                                f"{self.addresses[0]}:{self.port}", "1.3.6.1.2.1.1.3.0", f"{IF_TABLE}.2.1"],
                               capture_output=True, env={**os.environ, "MIBS": ""})
            if r.returncode == 0 and b"No Such" not in r.stdout:
                return
            time.sleep(0.1)
        raise RuntimeError("snmpd did not answer within 10 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None

    def restart(self) -> None:
        """A real agent restart: sysUpTime starts again from zero."""
        self.stop()
        self.start()


def nft_available() -> bool:
    return os.geteuid() == 0 and shutil.which("nft") is not None


class NftImpair:
    """Drop (all or a share of) packets to some loopback addresses, in a table of our own."""

    def __init__(self) -> None:
        self.table = f"netops_montest_{os.getpid()}_{random.randint(0, 99999)}"
        subprocess.run(["nft", "add", "table", "inet", self.table], check=True)
        subprocess.run(["nft", "add", "chain", "inet", self.table, "in",
                        "{ type filter hook input priority -10 ; policy accept ; }"], check=True)

    def drop(self, address: str, loss_pct: int = 100) -> None:
        rule = f"ip daddr {address}" + (f" numgen random mod 100 < {loss_pct}" if loss_pct < 100 else "") + " drop"
        subprocess.run(["nft", "add", "rule", "inet", self.table, "in", *rule.split()], check=True)

    def clear(self) -> None:
        subprocess.run(["nft", "flush", "chain", "inet", self.table, "in"], check=True)

    def close(self) -> None:
        subprocess.run(["nft", "delete", "table", "inet", self.table], check=False)
