"""lab up / status / down through the CLI: processes outlive the CLI, down removes everything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from netops.lab import Lab, LabError
from netops.lab.procs import alive
from tests.conftest import SMALL_INVENTORY
from tests.lab.conftest import need_lab_tools

pytestmark = pytest.mark.slow  # starts a lab

BASE = "127.101.0.0"  # not the shared fixture's range: this test runs its own lab


def netops(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "netops", "--json", "--inventory", str(SMALL_INVENTORY), "lab", *args],
                          capture_output=True, text=True, timeout=180)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def leftovers(state: dict, lab_id: str, base: str = BASE) -> list[str]:
    found = [f"pid {p['pid']}" for p in state["processes"] if alive(p["pid"], p.get("marker", state["workdir"]))]
    ruleset = subprocess.run(["nft", "list", "ruleset"], capture_output=True, text=True).stdout
    if lab_id in ruleset:
        found.append("nft/iptables rules")
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    if lab_id in netns:
        found.append("netns")
    listening = subprocess.run(["ss", "-Hlntu"], capture_output=True, text=True).stdout
    if base.rsplit(".", 2)[0] + "." in listening:
        found.append("listening sockets")
    if subprocess.run(["id", lab_id], capture_output=True).returncode == 0:
        found.append(f"user {lab_id}")
    if Path(f"/run/netops-lab/{lab_id}-0").exists():
        found.append("FRR run directory")
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    if f"{lab_id}h" in links:
        found.append("veth")
    return found


def test_up_survives_the_cli_and_down_leaves_nothing_even_after_a_crash(tmp_path: Path):
    need_lab_tools()
    workdir = tmp_path / "lab"
    try:
        up = json.loads(netops("up", "--workdir", str(workdir), "--base", BASE, "--where", "kecamatan=B").stdout)
        assert up["running"] and set(up["devices"]) == {"kec-b-r1", "desa-b1-r1", "desa-b1-vsat", "desa-b2-r1"}
        # the CLI has exited; its lab has not
        status = json.loads(netops("status", "--workdir", str(workdir)).stdout)
        assert status["running"] and all(p["alive"] for p in status["processes"])
        procs = [dict(p, marker=str(workdir.resolve())) for p in status["processes"]]
        # a crash: one process dies hard; down must still clean up the rest
        os.kill(procs[0]["pid"], signal.SIGKILL)
        inv_check = subprocess.run([sys.executable, "-m", "netops", "--inventory", str(workdir / "inventory"),
                                    "inventory", "validate"], capture_output=True, text=True, timeout=60)
        assert inv_check.returncode == 0, inv_check.stderr
    finally:
        netops("down", "--workdir", str(workdir))
    again = netops("down", "--workdir", str(workdir))  # safe twice
    assert json.loads(again.stdout)["processes"] == []
    assert leftovers({"processes": procs, "workdir": str(workdir.resolve())}, up["lab_id"]) == []
    assert not (workdir / "snmp").exists()


KILLED_BASE = "127.104.0.0"


def test_a_lab_whose_owner_was_killed_is_cleared_by_the_next_lab_on_its_base(tmp_path: Path, caplog):
    """A test run killed mid-lab leaves the lab's processes, firewall table, chain and namespaces behind.
    While their owner lives the base is refused, naming the lab's workdir; once it is gone, the next lab on
    the base removes them, says so, and starts."""
    need_lab_tools()
    owner = subprocess.Popen(["sleep", "600"])
    first = Lab(SMALL_INVENTORY, tmp_path / "first", base=KILLED_BASE, where=["kecamatan=B"], owner_pid=owner.pid)
    second = Lab(SMALL_INVENTORY, tmp_path / "second", base=KILLED_BASE, where=["kecamatan=B"])
    try:
        first.up()
        old = [dict(p, marker=str(first.workdir)) for p in first.status()["processes"]]
        with pytest.raises(LabError, match=f"in use by the lab in {first.workdir}"):
            second.up()
        assert first.status()["running"]
        owner.kill()
        owner.wait()
        with caplog.at_level("WARNING", logger="netops.lab.lab"):
            second.up()
        assert "removed what a lab that no longer runs left" in caplog.text and "netns nl6800-0" in caplog.text
        assert second.status()["running"]
        assert not any(alive(p["pid"], p["marker"]) for p in old)
    finally:
        owner.kill()
        second.down()
        first.down()
    assert leftovers({"processes": [], "workdir": ""}, "nl6800", KILLED_BASE) == []


def test_remnants_with_no_record_of_their_lab_are_cleared(tmp_path: Path):
    """A 'lab up' killed before it recorded anything: its namespace and table alone are in the way."""
    need_lab_tools()
    subprocess.run(["ip", "netns", "add", "nl6800-0"], capture_output=True)  # (may be left from a failed run)
    subprocess.run(["nft", "add", "table", "ip", "netops_nl6800"], check=True)
    assert "nl6800-0" in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    lab = Lab(SMALL_INVENTORY, tmp_path / "lab", base=KILLED_BASE, where=["kecamatan=B"])
    try:
        assert lab.up().status()["running"]
    finally:
        lab.down()
    assert leftovers({"processes": [], "workdir": ""}, "nl6800", KILLED_BASE) == []
