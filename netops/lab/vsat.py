"""VSAT conditions in user space: nftables for loss and down, NFQUEUE for delay.

The kernel here has no ``netem`` qdisc, and no native nft ``queue`` expression
either (iptables' NFQUEUE target, through iptables-nft, works). Each lab owns
one nft table (``netops_<lab id>``, loss and down, priority -10) and one
iptables chain (``NETOPS_<lab id>``, jumped to from INPUT, the queueing). Packets to a device's 127.x address pass
that hook, so queueing them by ``daddr`` delays ICMP, UDP and TCP alike; the
delayer (:mod:`netops.lab.delayer`) holds each for the device's whole round-trip
delay (2 x one way) before accepting it. All of it is on the request: a reply's
kernel receive timestamp (which fping uses) is taken before the input hook, so
delaying replies would be invisible to it. Namespace devices are reached
through a veth where only their replies pass the host's input hook: they are
delayed there (fping under-reports those; ping -U, icmplib, SSH and SNMP see it).
Loss drops requests (``numgen random``), ``down`` drops everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from netops.lab.plan import LabError, LabPlan
from netops.lab.procs import LabState, alive, spawn


def table_name(lab_id: str) -> str:
    return f"netops_{lab_id}"


def queue_num(lab_id: str) -> int:
    return 1000 + int(lab_id[2:], 16) % 60000


def remnants(lab_id: str) -> list[str]:
    """This id's nft table and iptables chain, where installed (by a running lab, or left by a killed one)."""
    table, chain = table_name(lab_id), chain_name(lab_id)
    found = []
    if subprocess.run(["nft", "list", "table", "ip", table], capture_output=True).returncode == 0:
        found.append(f"nft table {table}")
    if _iptables(["iptables", "-w", "-S", chain], check=False):
        found.append(f"iptables chain {chain}")
    return found


def remove(lab_id: str) -> None:
    """Remove this id's table and chain, whoever made them."""
    _remove([table_name(lab_id)], [chain_name(lab_id)])


def _nft(script: str) -> None:
    proc = subprocess.run(["nft", "-f", "-"], input=script, text=True, capture_output=True)
    if proc.returncode != 0:
        raise LabError(f"nft rejected the lab's rules: {proc.stderr.strip()}; is nftables installed and are you root?")


def effective(state: LabState) -> dict[str, dict[str, Any]]:
    """Per device: delay_ms, jitter_ms, loss_pct, down, after VSAT defaults and impairments."""
    vs = state.data.get("vsat", {})
    out = {}
    for name, d in state.data.get("devices", {}).items():
        is_vsat = d.get("medium") == "vsat"
        cur = {"delay_ms": vs.get("delay_ms", 300) if is_vsat else 0.0,
               "jitter_ms": vs.get("jitter_ms", 15) if is_vsat else 0.0,
               "loss_pct": vs.get("loss_pct", 1.0) if is_vsat else 0.0,
               "down": False}
        cur.update(state.data.get("impairments", {}).get(name, {}))
        out[name] = cur
    return out


def rules(state: LabState) -> str:
    lab_id = state.data["lab_id"]
    table = table_name(lab_id)
    lines = []
    for name, eff in effective(state).items():
        dev = state.data["devices"][name]
        addr = dev["address"]
        ns = bool(dev.get("netns"))
        match = f"ip saddr {addr}" if ns else f"ip daddr {addr}"
        if eff["down"]:
            lines.append(f"{match} drop")
            if not ns:
                lines.append(f"ip saddr {addr} drop")
            continue
        if eff["loss_pct"] >= 100:
            lines.append(f"{match} drop")
        elif eff["loss_pct"] > 0:
            lines.append(f"{match} numgen random mod 10000 < {int(eff['loss_pct'] * 100)} drop")
    # The table and its hooked chain are made once and only their rules replaced: removing a hook makes
    # the kernel drop every packet held in any NFQUEUE, so a table swapped on each impairment lost the
    # VSAT packets the delayer held at that moment (a probe round of every VSAT link, for one cut fiber).
    return "\n".join([f"table ip {table} {{", "  chain input {",
                      "    type filter hook input priority -10; policy accept;", "  }", "}",
                      f"flush chain ip {table} input", *(f"add rule ip {table} input {line}" for line in lines)]) + "\n"


def chain_name(lab_id: str) -> str:
    return f"NETOPS_{lab_id}"


def queue_rules(state: LabState) -> str:
    """iptables-restore input that (re)fills the lab's queueing chain."""
    chain = chain_name(state.data["lab_id"])
    q = queue_num(state.data["lab_id"])
    lines = ["*filter", f":{chain} - [0:0]"]
    for name, eff in effective(state).items():
        dev = state.data["devices"][name]
        if eff["delay_ms"] <= 0 or eff["down"]:
            continue
        addr = dev["address"]
        target = f"-j NFQUEUE --queue-num {q} --queue-bypass"
        lines.append(f"-A {chain} {'-s' if dev.get('netns') else '-d'} {addr}/32 {target}")
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def _iptables(args: list[str], stdin: str | None = None, check: bool = True) -> bool:
    exe = args[0]
    proc = subprocess.run(args, input=stdin, text=True, capture_output=True)
    if proc.returncode != 0 and check:
        raise LabError(f"{exe} failed: {proc.stderr.strip()}; is iptables installed and are you root?")
    return proc.returncode == 0


def delays(state: LabState) -> dict[str, Any]:
    out = {}
    for name, eff in effective(state).items():
        dev = state.data["devices"][name]
        if eff["delay_ms"] > 0 and not eff["down"]:
            out[dev["address"]] = [2 * eff["delay_ms"] / 1000, 2 * eff["jitter_ms"] / 1000]
    return {"queue": queue_num(state.data["lab_id"]), "addresses": out}


def apply(state: LabState, workdir: Path) -> None:
    """Write the delayer's table first, then swap the nft table in one transaction."""
    cfg = workdir / "vsat.json"
    tmp = cfg.with_suffix(".tmp")
    tmp.write_text(json.dumps(delays(state)))
    tmp.replace(cfg)
    _nft(rules(state))
    chain = chain_name(state.data["lab_id"])
    _iptables(["iptables-restore", "--noflush", "-w"], stdin=queue_rules(state))
    if not _iptables(["iptables", "-w", "-C", "INPUT", "-j", chain], check=False):
        _iptables(["iptables", "-w", "-I", "INPUT", "1", "-j", chain])


def setup(plan: LabPlan, workdir: Path, state: LabState, delay_ms: float, jitter_ms: float, loss_pct: float) -> None:
    state.add("nft_tables", table_name(plan.lab_id))
    state.add("iptables_chains", chain_name(plan.lab_id))
    cfg = workdir / "vsat.json"
    cfg.write_text(json.dumps(delays(state)))
    log = workdir / "delayer.log"
    pid = spawn(state, "delayer", [sys.executable, "-m", "netops.lab.delayer", str(cfg)], log, marker=str(workdir))
    # The delayer must hold the queue before packets are sent to it.
    import time

    deadline = time.monotonic() + 10
    while "bound" not in log.read_text(errors="replace"):
        if not alive(pid, str(workdir)) or time.monotonic() > deadline:
            raise LabError(f"the VSAT delayer did not start; see {log}")
        time.sleep(0.05)
    apply(state, workdir)


def teardown(state: LabState) -> None:
    _remove(state.data.get("nft_tables", []), state.data.get("iptables_chains", []))


def _remove(tables: list[str], chains: list[str]) -> None:
    for table in tables:
        subprocess.run(["nft", "delete", "table", "ip", table], capture_output=True)
    for chain in chains:
        while _iptables(["iptables", "-w", "-D", "INPUT", "-j", chain], check=False):
            pass
        _iptables(["iptables", "-w", "-F", chain], check=False)
        _iptables(["iptables", "-w", "-X", chain], check=False)
