"""Facts and audit against the lab over real sockets: napalm's ios and huawei_vrp drivers
against the SSH simulator, napalm-ros against the RouterOS API endpoint (librouteros),
FRR's vtysh over OpenSSH. One lab on the small inventory (base 127.145.0.0) for the module;
each test clears the planted faults it used.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from netutils.interface import canonical_interface_name

from netops.facts.audit import FindingKind, audit, write_missing
from netops.facts.collect import collect
from netops.facts.fleet import versions
from netops.facts.models import CollectStatus
from netops.facts.store import FactsRepo
from netops.inventory import load_inventory
from netops.inventory.models import LinkStatus
from netops.lab.faults import Fault, clear, plant
from tests.conftest import ROOT, need_binary
from tests.support.lab import small_lab

BASE = "127.145.0.0"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    yield from small_lab(tmp_path_factory, "factslab", BASE, vsat_delay_ms=300)


@pytest.fixture
def inv_copy(lab, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A private copy of the lab inventory (audit --write edits it)."""
    clear(lab.workdir)
    dest = tmp_path / "inventory"
    shutil.copytree(lab.inventory_path, dest)
    yield dest
    clear(lab.workdir)


def _canon(name: str) -> str:
    return canonical_interface_name(name).lower()


def test_each_driver_returns_facts_consistent_with_the_inventory(inv_copy: Path, tmp_path: Path) -> None:
    inv = load_inventory(inv_copy)
    results = {r.name: r for r in collect(inv, list(inv.devices))}
    assert results["desa-b1-vsat"].status is CollectStatus.no_driver  # reported, not skipped
    via = {"cisco_ios": "napalm ios", "huawei_vrp": "napalm huawei_vrp", "mikrotik_routeros": "napalm ros",
           "frr": "vtysh"}
    for name, dev in inv.devices.items():
        if dev.platform == "vsat_modem":
            continue
        r = results[name]
        assert r.status is CollectStatus.ok, f"{name}: {r.reason}"
        assert r.via == via[dev.platform]
        f = r.facts
        assert f is not None and f.hostname == name
        assert f.os_version and f.model, name
        have = {_canon(i) for i in f.interfaces}
        assert {_canon(i) for i in dev.interfaces} <= have, name
        if dev.platform != "frr":
            assert f.serial, name
    # neighbours follow the links, seen from both ends where the platform reads LLDP/MNDP
    for link in inv.links.values():
        if link.status is not LinkStatus.active or not (link.a.device and link.b.device):
            continue
        for end, other in ((link.a, link.b), (link.b, link.a)):
            f = results[end.device].facts
            if inv.devices[end.device].platform == "frr":
                continue
            assert f is not None
            seen = {(_canon(n.interface), n.name, _canon(n.port)) for n in f.neighbours}
            assert (_canon(end.interface or ""), other.device, _canon(other.interface or "")) in seen, (link.id, seen)
    # the store: one commit, YAML per device, read back the same
    repo = FactsRepo(tmp_path / "facts")
    commit = repo.store(list(results.values()), when="2026-12-01T10:00:00Z")
    assert commit
    back = repo.load("core-01")
    assert back is not None and back.facts == results["core-01"].facts
    assert back.seen["serial"] == back.collected == "2026-12-01T10:00:00Z"
    assert repo.store(list(results.values()), when="2026-12-01T10:00:00Z") is None  # nothing changed: no commit
    assert repo.store(list(results.values()), when="2026-12-01T11:00:00Z") is not None
    again = repo.load("core-01")
    assert again is not None and again.seen["serial"] == "2026-12-01T10:00:00Z"  # first seen with this value


def test_audit_finds_each_planted_fault_at_its_record(lab, inv_copy: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = FactsRepo(tmp_path / "facts")
    inv = load_inventory(inv_copy)
    repo.store(collect(inv, list(inv.devices)))
    first = audit(inv, repo.load_all())
    assert first and {f.kind for f in first} == {FindingKind.serial_missing, FindingKind.model_missing} - (
        set() if any(not d.model for d in inv.devices.values()) else {FindingKind.model_missing})
    written = write_missing(inv, first)
    assert "core-01.serial" in written
    text = (inv_copy / "devices.yaml").read_text()
    assert text.startswith("# GENERATED")  # the header comment is kept
    inv = load_inventory(inv_copy)
    assert inv.devices["core-01"].serial and audit(inv, repo.load_all()) == []  # clean once recorded

    plant(lab.workdir, Fault.swap, ["desa-a2-r1", "desa-b2-r1"])
    plant(lab.workdir, Fault.cable, ["desa-a1-r1", "ether1", "ether2"])
    plant(lab.workdir, Fault.serial, ["core-01", "FDO0000WRONG"])
    plant(lab.workdir, Fault.version, ["kec-a-r1", "6.49.10"])
    plant(lab.workdir, Fault.version, ["desa-b1-r1", "7.1.5"])
    repo.store(collect(inv, list(inv.devices)))
    got = {(f.kind, f.device, f.where) for f in audit(inv, repo.load_all())}

    def dev(name: str) -> str:
        return str(inv.where("devices", name))

    def link(lid: str) -> str:
        return str(inv.where("links", lid))

    assert got == {
        (FindingKind.identity, "desa-a2-r1", dev("desa-a2-r1")),
        (FindingKind.identity, "desa-b2-r1", dev("desa-b2-r1")),
        (FindingKind.wrong_neighbour, "core-01", link("vsat-desa-b2")),  # core-01 Gi0/5 now sees desa-a2-r1
        (FindingKind.link_down, "desa-a1-r1", link("fo-desa-a1")),
        (FindingKind.wrong_neighbour, "desa-a1-r1", link("fo-desa-a1")),
        (FindingKind.serial, "core-01", dev("core-01")),
    }
    assert dev("core-01").startswith("inventory/devices.yaml:") and link("fo-desa-a1").startswith("inventory/links.yaml:")
    old = versions(repo.load_all(), [n for n, d in inv.devices.items() if d.platform == "mikrotik_routeros"], "7.11")
    assert sorted(n for r in old for n in r.devices) == ["desa-b1-r1", "kec-a-r1"]


def _netops(inventory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NETOPS_INVENTORY=str(inventory))
    return subprocess.run([sys.executable, "-m", "netops", *args], capture_output=True, text=True, env=env,
                          timeout=600, cwd=ROOT)


def test_bad_devices_are_reported_and_the_others_complete(lab, inv_copy: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password\n")
    text = (inv_copy / "devices.yaml").read_text()
    # desa-b1-r1 logs in with a wrong password; desa-b2-r1 points at an address nothing listens on
    text = text.replace("- name: desa-b1-r1\n", "- name: desa-b1-r1\n  credentials: wrong\n", 1)
    (inv_copy / "devices.yaml").write_text(text)
    regency = inv_copy / "regency.yaml"
    regency.write_text(regency.read_text().replace("credentials:\n", f"credentials:\n  wrong:\n    username: netops\n"
                                                   f"    password: file:{wrong}\n", 1))
    inv = load_inventory(inv_copy)
    dead = str(inv.devices["desa-b2-r1"].mgmt)
    (inv_copy / "devices.yaml").write_text(text.replace(f"mgmt: {dead}\n", "mgmt: 127.145.0.250\n", 1))
    plant(lab.workdir, Fault.api_closed, ["kec-a-r1"])  # SSH answers, the API does not
    plant(lab.workdir, Fault.api_broken, ["desa-a1-r1"])  # the driver raises mid-getter
    out = _netops(inv_copy, "--json", "facts", "collect", "--repo", str(tmp_path / "facts"))
    assert out.returncode == 3, out.stderr
    rows = {d["name"]: d for d in json.loads(out.stdout)["devices"]}
    reasons = {n: d["reason"] for n, d in rows.items() if d["status"] == "failed"}
    assert set(reasons) == {"desa-b1-r1", "desa-b2-r1", "kec-a-r1", "desa-a1-r1"}, reasons
    assert "invalid user name or password" in reasons["desa-b1-r1"]
    assert "Connection refused" in reasons["desa-b2-r1"] or "connect" in reasons["desa-b2-r1"].lower()
    assert "KeyError" in reasons["desa-a1-r1"] and "name" in reasons["desa-a1-r1"]
    assert "kec-a-r1" in reasons and reasons["kec-a-r1"]
    for name in ("core-01", "bappeda-r1", "kec-b-r1"):
        assert rows[name]["status"] == "ok", rows[name]
    for secret in lab.secrets.values():
        assert secret not in out.stdout + out.stderr
    assert "not-the-password" not in out.stdout + out.stderr
    shown = _netops(inv_copy, "facts", "show", "core-01", "--repo", str(tmp_path / "facts"))
    assert shown.returncode == 0 and "ISR4431/K9" in shown.stdout


def test_device_info_from_snmp_is_scraped_by_real_prometheus(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    need_binary("prometheus")
    from tests.monitor.promserver import free_tcp_port, prometheus
    from tests.support.exporter import start_serve, wait_metrics

    inv = load_inventory(lab.inventory_path)
    port = free_tcp_port()
    proc = start_serve(lab.inventory_path, port, "2", "1")
    try:
        wait_metrics(f"http://127.0.0.1:{port}/metrics", 'netops_device_info{', proc, timeout=60)
        scrape = [{"job_name": "netops", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}]
        with prometheus(tmp_path / "prom", scrape) as prom:
            ros = prom.wait_for('netops_device_info{device="kec-a-r1"}')[0]["metric"]
            ios = prom.wait_for('netops_device_info{device="core-01"}')[0]["metric"]
            vrp = prom.wait_for('netops_device_info{device="bappeda-r1"}')[0]["metric"]
    finally:
        proc.terminate()
        proc.wait(15)
    # the same identity napalm reads over the API / CLI
    facts = {r.name: r.facts for r in collect(inv, ["kec-a-r1", "core-01", "bappeda-r1"])}
    assert facts["kec-a-r1"] is not None and facts["core-01"] is not None and facts["bappeda-r1"] is not None
    assert (ros["serial"], ros["os_version"], ros["model"]) == (
        facts["kec-a-r1"].serial, facts["kec-a-r1"].os_version, facts["kec-a-r1"].model)
    assert ros["firmware"]
    assert ios["os_version"] == facts["core-01"].os_version and ios["sys_object_id"].startswith("1.3.6.1.4.1.9.")
    assert vrp["os_version"] == facts["bappeda-r1"].os_version
    assert "serial" not in ios  # exported as serial="" (no MIKROTIK-MIB on IOS): Prometheus drops empty labels
