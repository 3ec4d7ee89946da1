"""``netops monitor poll`` and ``generate`` as a user runs them (subprocess, real agent)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, need_binary
from tests.monitor.agents import Interface
from tests.monitor.conftest import addr, write_inventory
from tests.monitor.test_poller import LINKS, desa

ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}


def netops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "netops", *args], capture_output=True, text=True, env=ENV,
                          cwd=ROOT, timeout=120)


def test_poll_json_and_table(tmp_path: Path, agent_factory) -> None:
    need_binary("fping")
    agent = agent_factory([addr(21)], [Interface(1, "ether1", in_octets=1000)])
    links = [*LINKS, {"id": "fo-desa-b", "medium": "fiber", "provider": "Icon Plus", "bandwidth_mbps": 20,
                      "a": {"site": "dc"}, "b": {"site": "desa-b", "device": "desa-b-r1", "interface": "ether1"}}]
    inv = write_inventory(tmp_path, agent, [desa("desa-a-r1", "desa-a", 21), desa("desa-b-r1", "desa-b", 22)],
                          links)
    r = netops("-i", str(inv), "--json", "monitor", "poll", "--count", "2")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    rows = {row["link"]: row for row in data["links"]}
    assert rows["fo-desa-a"]["status"] == "up" and rows["fo-desa-a"]["loss_pct"] == 0.0
    assert rows["fo-desa-a"]["rtt_ms"] is not None
    # .22 has no agent: SNMP fails with a clear reason, while ICMP to loopback still answers
    assert data["devices"]["desa-b-r1"] == {"up": True, "snmp": False}
    (err,) = data["errors"]
    assert err["device"] == "desa-b-r1" and err["reason"] == "timeout"
    assert agent.community not in r.stdout + r.stderr
    # the values it read, as the agent holds them
    got = data["values"]["desa-a-r1"]
    assert set(data["values"]) == {"desa-a-r1"}
    assert got["tables"]["ifTable"]["1"]["values"]["ifHCInOctets"] == 1000
    assert got["tables"]["ifTable"]["1"]["labels"]["ifName"] == "ether1"
    assert got["scalars"]["sysUpTime"] > 0 and got["varbinds"] > 10

    r = netops("-i", str(inv), "monitor", "poll", "--count", "2", "--where", "name=desa-a-r1")
    assert r.returncode == 0, r.stderr
    assert "fo-desa-a" in r.stdout and "fo-desa-b" not in r.stdout and "up" in r.stdout



def test_poll_names_the_offline_sites_and_down_shows_only_them(tmp_path: Path, agent_factory, nft) -> None:
    need_binary("fping")
    agent = agent_factory([addr(23), addr(24)], [Interface(1, "ether1")])
    links = [*LINKS, {"id": "vsat-desa-b", "medium": "vsat", "provider": "Telkom Mangoesky", "bandwidth_mbps": 4,
                      "a": {"site": "dc"}, "b": {"site": "desa-b", "device": "desa-b-r1", "interface": "ether1"}}]
    inv = write_inventory(tmp_path, agent, [desa("desa-a-r1", "desa-a", 23), desa("desa-b-r1", "desa-b", 24)],
                          links)
    r = netops("-i", str(inv), "monitor", "poll", "--count", "2")
    assert r.returncode == 0, r.stderr
    assert "all 2 links up" in r.stdout

    nft.drop(addr(24))  # desa B's VSAT goes dark: no SNMP, no ping
    r = netops("-i", str(inv), "monitor", "poll", "--count", "2")
    assert r.returncode == 0, r.stderr
    assert "1 of 2 links not up: vsat-desa-b (desa-b, Kubu: down)" in r.stdout
    r = netops("-i", str(inv), "monitor", "poll", "--count", "2", "--down")
    assert "1 offline links" in r.stdout and "vsat-desa-b" in r.stdout and "fo-desa-a" not in r.stdout
    r = netops("-i", str(inv), "--json", "monitor", "poll", "--count", "2", "--down")
    data = json.loads(r.stdout)
    assert data["offline"] == ["vsat-desa-b"] and [row["link"] for row in data["links"]] == ["vsat-desa-b"]

def test_poll_with_a_bad_filter_or_inventory_fails_clearly(tmp_path: Path) -> None:
    r = netops("-i", str(tmp_path / "nope"), "monitor", "poll")
    assert r.returncode != 0 and "does not exist" in r.stderr and "Traceback" not in r.stderr
    r = netops("-i", str(ROOT / "tests/fixtures/inventory/small"), "monitor", "poll", "--where", "tier")
    assert r.returncode != 0 and "key=value" in r.stderr


def test_generate_writes_the_files(tmp_path: Path) -> None:
    r = netops("-i", str(ROOT / "inventory"), "--json", "monitor", "generate", "--out", str(tmp_path),
               "--shards", "2")
    assert r.returncode == 0, r.stderr
    written = {Path(p).relative_to(tmp_path).as_posix() for p in json.loads(r.stdout)["written"]}
    assert "prometheus/prometheus.yml" in written and "grafana/dashboards/netops-overview.json" in written
    r = netops("-i", str(ROOT / "inventory"), "monitor", "generate", "--out", str(tmp_path), "--shards", "2",
               "--exporter", "a:1")
    assert r.returncode != 0 and "one per shard" in r.stderr
