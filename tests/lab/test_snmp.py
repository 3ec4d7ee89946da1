"""SNMP agents answer over real UDP with data consistent with the inventory."""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from netops.inventory import load_inventory
from netops.lab import Lab

pytestmark = pytest.mark.slow  # starts a lab

IFX = "1.3.6.1.2.1.31.1.1.1"


def v3(lab: Lab, auth: str | None = None) -> list[str]:
    s = lab.secrets
    return ["-v3", "-l", "authPriv", "-u", "netops", "-a", "SHA", "-A", auth or s["snmp-v3-auth_key"],
            "-x", "AES", "-X", s["snmp-v3-priv_key"], "-On", "-t", "2", "-r", "1"]


def addr(lab: Lab, device: str) -> str:
    return str(load_inventory(lab.inventory_path).devices[device].mgmt)


def walk(lab: Lab, device: str, oid: str, auth: list[str] | None = None) -> dict[str, str]:
    out = subprocess.run(["snmpbulkwalk", *(auth or v3(lab)), addr(lab, device), oid],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    rows = {}
    for line in out.stdout.splitlines():
        m = re.match(r"^\.?([\d.]+) = (?:[\w-]+: )?(.*)$", line)
        if m:
            rows[m.group(1)] = m.group(2).strip('"')
    return rows


def test_system_and_interfaces_match_the_inventory(lab: Lab):
    sysrows = walk(lab, "kec-a-r1", "1.3.6.1.2.1.1")
    assert sysrows["1.3.6.1.2.1.1.5.0"] == "kec-a-r1"
    assert sysrows["1.3.6.1.2.1.1.1.0"].startswith("RouterOS")
    ifx = walk(lab, "kec-a-r1", IFX)
    names = {k.rsplit(".", 1)[1]: v for k, v in ifx.items() if k.startswith(IFX + ".1.")}
    assert sorted(names.values()) == ["sfp1", "vlan101", "vlan102"]
    idx = {v: k for k, v in names.items()}
    assert ifx[f"{IFX}.18.{idx['sfp1']}"] == "Icon Plus TEST-ICON-0002"
    assert ifx[f"{IFX}.15.{idx['sfp1']}"] == "50"
    oper = walk(lab, "kec-a-r1", "1.3.6.1.2.1.2.2.1.8")
    # fo-desa-a2 (vlan102) is marked down in the inventory
    assert oper[f"1.3.6.1.2.1.2.2.1.8.{idx['vlan102']}"].startswith(("down", "2"))
    assert oper[f"1.3.6.1.2.1.2.2.1.8.{idx['vlan101']}"].startswith(("up", "1"))


def test_counters_grow_between_two_walks(lab: Lab):
    first = walk(lab, "core-01", f"{IFX}.6")
    time.sleep(1.5)
    second = walk(lab, "core-01", f"{IFX}.6")
    assert first.keys() == second.keys() and len(first) == 5
    grown = [int(second[k]) - int(first[k]) for k in first]
    assert all(g > 0 for g in grown), grown
    # 100 Mb/s link at 15-60 % load: 1.5 s is roughly 2.8-11 MB
    assert max(grown) < 100_000_000


def test_v2c_device_answers_its_community_only(lab: Lab):
    good = ["-v2c", "-c", lab.secrets["snmp-v2c-community"], "-On", "-t", "1", "-r", "0"]
    assert walk(lab, "desa-b2-r1", "1.3.6.1.2.1.1.5", auth=good)["1.3.6.1.2.1.1.5.0"] == "desa-b2-r1"
    bad = subprocess.run(["snmpget", "-v2c", "-c", "public", "-t", "1", "-r", "0", addr(lab, "desa-b2-r1"),
                          "1.3.6.1.2.1.1.5.0"], capture_output=True, text=True, timeout=30)
    assert "desa-b2-r1" not in bad.stdout


def test_v3_device_does_not_answer_v2c(lab: Lab):
    """snmpsim names data files after transport ids; those names must not work as communities."""
    for community in ("1.3.6.1.6.1.1.0", "public", lab.secrets["snmp-v2c-community"]):
        out = subprocess.run(["snmpget", "-v2c", "-c", community, "-t", "1", "-r", "0", addr(lab, "core-01"),
                              "1.3.6.1.2.1.1.5.0"], capture_output=True, text=True, timeout=30)
        assert "core-01" not in out.stdout, community


def test_v3_with_wrong_key_fails(lab: Lab):
    out = subprocess.run(["snmpget", *v3(lab, auth="not-the-right-key"), addr(lab, "core-01"), "1.3.6.1.2.1.1.5.0"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "Authentication failure" in out.stderr or "Timeout" in out.stderr


def test_snmp_agent_logs_hold_no_secret(lab: Lab):
    text = "".join(p.read_text(errors="replace") for p in lab.workdir.rglob("log"))
    for name, value in lab.secrets.items():
        assert value not in text, name
