"""``netops config audit`` on the lab: planted drift and a security hole are found exactly, per
kecamatan; ``push --commit`` puts the templates back and the next audit is clean.

One lab on the small inventory (base 127.150.0.0) for the module. The steps build on each other
(baseline, plant, audit, push, audit), so they are one test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netops.cli.monitor import config_state_families
from netops.config import device as dev
from netops.config import jobs
from netops.config.audit import FILENAME, backup_times
from netops.config.backup import BackupRepo
from netops.inventory import load_inventory
from netops.platforms import get_platform
from tests.conftest import ROOT, SMALL_INVENTORY, SMALL_INVENTORY_SECRETS, need, need_binary, need_root_netns

BASE = "127.150.0.0"
pytestmark = pytest.mark.slow
NETOPS = [sys.executable, "-m", "netops"]

# what is planted by hand, per device: the commands, and the findings (rule ids) the audit must report
PLANTED = {
    "kec-a-r1": (["/ip dns set servers=10.20.9.9"], {"template"}),  # a hand change
    "bappeda-r1": (["undo dns server 10.20.0.53"], {"template"}),  # a hand change
    "desa-a2-r1": (['/system note set note="diperbaiki teknisi"'], {"template"}),  # a hand change
    "desa-a1-r1": (["/ip service set telnet disabled=no"], {"template", "ros-telnet-disabled"}),  # telnet on
    "core-01": (["no ntp server 10.20.0.10"], {"template", "ios-ntp"}),  # an NTP line removed
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    need(os.geteuid() == 0, "the lab needs root")
    need_root_netns()
    need_binary("git")
    from netops.lab import Lab

    lab = Lab(SMALL_INVENTORY, tmp_path_factory.mktemp("auditlab"), base=BASE, vsat_delay_ms=300,
              vsat_loss_pct=0.0, owner_pid=os.getpid())
    try:
        lab.up()
        yield lab
    finally:
        lab.down()


def _send(inv, name: str, commands: list[str]) -> None:  # type: ignore[no-untyped-def]
    nr = dev.nornir_for(inv, [name], workers=1)
    host = nr.inventory.hosts[name]
    conn = dev.reconnect(host, nr.config)
    try:
        dev.send_config(conn, get_platform(inv.devices[name].platform), commands)
    finally:
        dev.drop(host)


def _audit(lab, repo: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, **SMALL_INVENTORY_SECRETS}
    return subprocess.run([*NETOPS, "-i", str(lab.inventory_path), "config", "audit", "--repo", str(repo),
                           "--out", str(out), *extra], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)


def test_planted_drift_is_found_exactly_and_a_push_makes_the_audit_clean(lab, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                         secrets_env: dict[str, str]) -> None:
    inv = load_inventory(lab.inventory_path)
    repo = tmp_path / "backups"
    routers = jobs.targets(inv, inv.devices)
    first = jobs.push(inv, routers, BackupRepo(repo), jobs.PushOptions(commit=True, canary=1, batch=10))
    assert first.ok, [(r.device, r.status, r.message) for r in first.results]

    done = _audit(lab, repo, tmp_path / "r0", "--format", "json")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    clean = json.loads(done.stdout)
    assert clean["clean"] and clean["summary"]["total"]["pct_compliant"] == 100.0, \
        [(d["device"], d["findings"]) for d in clean["devices"] if d["findings"]]

    for name, (commands, _) in PLANTED.items():
        _send(inv, name, commands)
    done = _audit(lab, repo, tmp_path / "r1", "--format", "json")
    assert done.returncode == 1, done.stderr[-2000:]
    result = json.loads(done.stdout)
    found = {d["device"]: {f["rule"] for f in d["findings"]} for d in result["devices"] if d["findings"]}
    assert found == {n: rules for n, (_, rules) in PLANTED.items()}, found
    states = {d["device"]: d["state"] for d in result["devices"]}
    assert states["kec-b-r1"] == "compliant" and states["desa-a1-r1"] == "drifted"
    by_kec = {g["name"]: (g["devices"], g["compliant"], g["pct_compliant"]) for g in result["summary"]["kecamatan"]}
    # A: kec-a-r1, desa-a1-r1, desa-a2-r1 all planted; B: kec-b-r1, desa-b1-r1, desa-b2-r1 untouched;
    # Sungai Raya (data center, OPD): core-01, bappeda-r1 planted
    assert by_kec == {"A": (3, 0, 0.0), "B": (3, 3, 100.0), "Sungai Raya": (2, 0, 0.0)}, by_kec
    telnet = next(f for d in result["devices"] if d["device"] == "desa-a1-r1" for f in d["findings"]
                  if f["rule"] == "ros-telnet-disabled")
    assert telnet["severity"] == "critical" and telnet["why"]
    drift = next(f for d in result["devices"] if d["device"] == "core-01" for f in d["findings"]
                 if f["rule"] == "template")
    assert drift["lines"] == ["+ ntp server 10.20.0.10"], drift
    text = done.stdout + (repo / FILENAME).read_text()
    for secret in SMALL_INVENTORY_SECRETS.values():
        assert secret not in text

    # the exporter's series from that audit file
    body = b"".join(f.exposition() for f in config_state_families(repo)).decode()
    assert 'netops_config_compliant{device="kec-b-r1",kecamatan="B",platform="frr"} 1.0' in body
    assert 'netops_config_compliant{device="core-01",kecamatan="Sungai Raya",platform="cisco_ios"} 0.0' in body
    assert 'netops_config_rule_violations{device="desa-a1-r1",kecamatan="A",rule="ros-telnet-disabled",severity="critical"} 1.0' \
        in body
    assert 'netops_config_drift_lines{device="core-01",kecamatan="Sungai Raya",platform="cisco_ios"} 1.0' in body
    assert set(backup_times(repo)) == set(routers)

    fixed = jobs.push(inv, list(PLANTED), BackupRepo(repo), jobs.PushOptions(commit=True, canary=1, batch=10))
    assert fixed.ok, [(r.device, r.status, r.message) for r in fixed.results]
    done = _audit(lab, repo, tmp_path / "r2", "--format", "html")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert json.loads((repo / FILENAME).read_text())["clean"]
    html = (tmp_path / "r2" / "compliance.html").read_text()  # the report of a clean fleet, in Bahasa Indonesia
    assert "Kepatuhan per kecamatan" in html and "Tidak ada temuan" in html
