"""Pure functions of the lab (no root needed): SNMP data, RouterOS parsing, VSAT rules."""

from __future__ import annotations

import sys
import time

import pytest

from netops.inventory import load_inventory
from netops.lab.procs import LabState, alive, spawn, stop
from netops.lab.snmpdata import C32, interface_rows, snmprec
from netops.lab.sshsim import RosError, parse_interval, ros_tokens, split_script
from netops.lab.vsat import delays, queue_rules, rules
from tests.conftest import SMALL_INVENTORY


def test_snmprec_is_sorted_and_consistent_with_the_inventory():
    inv = load_inventory(SMALL_INVENTORY)
    text = snmprec(inv, inv.devices["kec-a-r1"])
    oids = [tuple(int(x) for x in line.split("|")[0].split(".")) for line in text.splitlines()]
    assert oids == sorted(oids)
    rows = {r.name: r for r in interface_rows(inv, inv.devices["kec-a-r1"])}
    assert set(rows) == {"sfp1", "vlan101", "vlan102"}
    assert not rows["vlan102"].oper_up and rows["vlan102"].in_bps == 0  # fo-desa-a2 is down
    assert rows["sfp1"].speed_bps == 50_000_000 and rows["sfp1"].alias == "Icon Plus TEST-ICON-0002"
    # row 1's 32-bit ifInOctets starts ~90 s before wrapping
    line = next(x for x in text.splitlines() if x.startswith("1.3.6.1.2.1.2.2.1.10.1|"))
    initial = int(line.split("initial=")[1].split(",")[0])
    rate = float(line.split("rate=")[1].split(",")[0])
    assert 0 < (C32 - initial) / rate <= 91


def test_routeros_tokens_keep_quotes_and_brackets():
    toks = [t for t, _ in ros_tokens('/ip address remove [find address="10.0.0.1/24"] comment="a b"')]
    assert toks == ["/ip", "address", "remove", '[find address="10.0.0.1/24"]', 'comment="a b"']
    with pytest.raises(RosError, match="syntax error"):
        ros_tokens('/ip address add comment="open')
    assert split_script('/a x="1;2"; /b [find name=x]; /c') == ['/a x="1;2"', "/b [find name=x]", "/c"]
    assert parse_interval("1m30s") == 90 and parse_interval("00:01:00") == 60 and parse_interval("5") == 5


def test_vsat_rules_follow_defaults_and_impairments(tmp_path):
    st = LabState(tmp_path)
    st.data.update({"lab_id": "nl7f00", "vsat": {"delay_ms": 300, "jitter_ms": 10, "loss_pct": 1.0},
                    "devices": {"a": {"address": "127.1.0.2", "medium": "vsat", "site": "s1"},
                                "b": {"address": "127.1.0.3", "medium": "fiber", "site": "s2"},
                                "c": {"address": "198.18.1.2", "medium": "vsat", "site": "s3", "netns": "x"}},
                    "impairments": {"b": {"down": True}}})
    nft = rules(st)
    assert "ip daddr 127.1.0.2 numgen random mod 10000 < 100 drop" in nft
    assert "ip daddr 127.1.0.3 drop" in nft and "ip saddr 127.1.0.3 drop" in nft
    assert "ip saddr 198.18.1.2 numgen random" in nft
    q = queue_rules(st)
    assert "-d 127.1.0.2/32 -j NFQUEUE" in q and "-s 198.18.1.2/32 -j NFQUEUE" in q and "127.1.0.3" not in q
    assert delays(st)["addresses"]["127.1.0.2"] == [0.6, 0.02]


def test_a_process_passing_through_exec_is_never_taken_for_dead(tmp_path):
    """The lab's start chains exec several times (ip netns exec, unshare, sh -c 'exec …');
    each exec shows an empty command line for a moment, which once failed a lab start."""
    st = LabState(tmp_path)
    marker = str(tmp_path)
    starts = 0
    for i in range(20):
        cmd = ["env", "sh", "-c", 'exec "$@"', "sh", sys.executable, "-c", "import time; time.sleep(5)", marker]
        pid = spawn(st, f"chain-{i}", cmd, tmp_path / "chain.log", marker=marker)
        deadline = time.monotonic() + 0.05
        while time.monotonic() < deadline:
            assert alive(pid, marker), f"run {i}: a starting process was reported dead"
            starts += 1
        stop([p for p in st.data["procs"] if p["pid"] == pid])
        assert not alive(pid, marker)
    assert starts > 100  # the checks really ran during the start
