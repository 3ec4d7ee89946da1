"""Config jobs against the lab over real SSH: the RouterOS simulator and real FRR.

One lab on the small inventory (base 127.130.0.0) is shared by this module; each
test works on its own devices so the order of tests does not matter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netops.config import jobs
from netops.config.backup import BackupRepo
from netops.config.mask import clean
from netops.config.render import TemplateSet
from netops.inventory import load_inventory
from netops.platforms import get_platform
from netops.progress import ProgressEvent
from netops.secrets import TOKEN
from tests.conftest import ROOT
from tests.support.lab import small_lab

BASE = "127.130.0.0"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    yield from small_lab(tmp_path_factory, "cfglab", BASE, vsat_delay_ms=300)


@pytest.fixture
def inv(lab):  # type: ignore[no-untyped-def]
    return load_inventory(lab.inventory_path)


def _probe_templates(tmp_path: Path) -> TemplateSet:
    """The shipped templates plus a 'probe' feature: one harmless line per platform."""
    import shutil
    dest = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", dest)
    (dest / "mikrotik_routeros" / "probe.j2").write_text(
        "/ip firewall address-list add list=netops-probe address=10.99.0.0/16\n")
    (dest / "frr" / "probe.j2").write_text("ip prefix-list NETOPS-PROBE seq 5 permit 10.99.0.0/16\n")
    (dest / "cisco_ios" / "probe.j2").write_text("ip name-server 10.99.0.53\n")
    (dest / "huawei_vrp" / "probe.j2").write_text("dns server 10.99.0.53\n")
    return TemplateSet(dest)


def _running_clean(inv, name: str) -> str:  # type: ignore[no-untyped-def]
    raw, errors = jobs.fetch_running(inv, [name])
    assert not errors, errors
    return clean(get_platform(inv.devices[name].platform), raw[name], inv.known_secrets())


@pytest.mark.parametrize("device", ["desa-a1-r1", "kec-b-r1", "core-01", "bappeda-r1"])
def test_render_diff_push_diff_empty_backup_has_it(lab, inv, tmp_path: Path, device: str) -> None:  # type: ignore[no-untyped-def]
    repo = BackupRepo(tmp_path / "backups")
    names = [d for d in inv.devices if d == device]
    report, plans = jobs.diff(inv, names)
    assert report.results[0].status == "would-change", report.results[0].message
    assert "+" in plans[device].unified()
    pushed = jobs.push(inv, names, repo, jobs.PushOptions(commit=True, canary=1))
    assert pushed.ok, [(r.device, r.status, r.message, r.rollback) for r in pushed.results]
    assert pushed.results[0].status == "applied"
    again, _ = jobs.diff(inv, names)
    assert again.results[0].status == "unchanged", again.results[0].diff
    # the after-push backup commit holds the change
    assert pushed.after_commit is not None
    text = repo.show(device, pushed.after_commit)
    assert "NETOPS-MGMT" in text or "netops-mgmt" in text  # management access from the baseline
    assert "TEST-ICON" in text  # uplink description with the circuit id


def test_failed_verification_rolls_back_to_the_backup(lab, inv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tset = _probe_templates(tmp_path)
    repo = BackupRepo(tmp_path / "backups")
    names = ["desa-a2-r1", "kec-b-r1"]
    before = {n: _running_clean(inv, n) for n in names}
    checks = {n: (jobs.Check("show version" if n == "kec-b-r1" else "/system resource print",
                             "THIS-NEVER-MATCHES"),) for n in names}
    opts = jobs.PushOptions(commit=True, canary=0, batch=5, max_fail_pct=100, checks=checks, revert_after=60)
    report = jobs.push(inv, names, repo, opts, features=("probe",), templates=tset)
    by = {r.device: r for r in report.results}
    for n in names:
        assert by[n].status == "rolled-back", (by[n].message, by[n].rollback)
        assert "THIS-NEVER-MATCHES" in by[n].message
        after = _running_clean(inv, n)
        assert after == before[n]
        assert repo.show(n) == before[n]  # the latest backup equals the device again
    assert not report.ok


def test_canary_failure_stops_the_run(lab, inv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tset = _probe_templates(tmp_path)
    repo = BackupRepo(tmp_path / "backups")
    names = ["kec-a-r1", "desa-a2-r1", "desa-a1-r1"]  # fiber: a quick canary
    before = {n: _running_clean(inv, n) for n in names}
    order = names  # canaries are the first targets, in the order given
    canary = order[0]
    checks = {canary: (jobs.Check("/system resource print", "THIS-NEVER-MATCHES"),)}
    report = jobs.push(inv, names, repo, jobs.PushOptions(commit=True, canary=1, batch=5, checks=checks),
                       features=("probe",), templates=tset)
    by = {r.device: r for r in report.results}
    assert report.stopped == f"canary {canary} failed"
    assert by[canary].status == "rolled-back"
    for n in order[1:]:
        assert by[n].status == "skipped"
        assert _running_clean(inv, n) == before[n]  # never touched
    assert _running_clean(inv, canary) == before[canary]


def test_device_dropping_mid_push_is_failed_and_reverts_itself(lab, inv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tset = _probe_templates(tmp_path)
    repo = BackupRepo(tmp_path / "backups")
    name = "desa-b1-r1"  # behind VSAT
    before = _running_clean(inv, name)
    revert_after = 20

    def progress(event: ProgressEvent) -> None:
        device, stage = event.device, str(event)
        if device == name and stage == "pushing":
            lab.impair(name, down=True)

    try:
        report = jobs.push(inv, [name], repo,
                           jobs.PushOptions(commit=True, canary=1, revert_after=revert_after, read_timeout=10,
                                            connect_timeout=8),
                           features=("probe",), templates=tset, progress=progress)
        res = report.results[0]
        assert res.status == "failed" and not report.ok
        assert "restores its pre-change config by itself" in res.rollback or res.rollback.startswith("rolled back")
    finally:
        lab.impair(name, down=False)
    deadline = time.monotonic() + revert_after + 120  # generous: other test runs may load the machine
    now = None
    errors: dict[str, str] = {}
    while time.monotonic() < deadline:
        raw, errors = jobs.fetch_running(inv, [name])
        if not errors:
            now = clean(get_platform("mikrotik_routeros"), raw[name], inv.known_secrets())
            if now == before:
                break
        time.sleep(2)
    assert now == before, (errors, res.rollback)  # left as it was (reverted by itself), never half-configured
    assert "netops-probe" not in (now or "")


def test_secrets_never_in_backups_logs_or_output(lab, inv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo_dir = tmp_path / "backups"
    env = dict(os.environ, NETOPS_INVENTORY=str(lab.inventory_path), COLUMNS="200")
    outputs = []
    a = ["--where", "kecamatan=A"]
    for args in (["config", "render"], ["config", "backup", *a, "--repo", str(repo_dir)],
                 ["config", "diff", *a, "--repo", str(repo_dir)], ["--json", "config", "diff", *a],
                 ["config", "push", "--where", "name=kec-a-r1", "--commit", "--repo", str(repo_dir)],
                 ["config", "history", "kec-a-r1", "--repo", str(repo_dir)],
                 ["config", "diff", "kec-a-r1", "--repo", str(repo_dir)]):
        proc = subprocess.run([sys.executable, "-m", "netops", *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=600)
        outputs.append(proc.stdout + proc.stderr)
        assert "Traceback" not in proc.stderr, proc.stderr
    everything = "\n".join(outputs)
    git_all = subprocess.run(["git", "-C", str(repo_dir), "log", "-p", "--all"], capture_output=True,
                             text=True).stdout
    files = "\n".join(p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()
                      and ".git" not in p.parts)
    assert "kec-a-r1" in git_all and TOKEN.search(git_all)  # the backup holds masked SNMP keys
    values = [v for v in lab.secrets.values() if v and len(v) >= 4]
    assert values
    for v in values:
        assert v not in everything, "a secret reached the CLI output"
        assert v not in git_all, "a secret reached the backup history"
        assert v not in files, "a secret reached a file netops wrote"
    assert not (tmp_path / "nornir.log").exists()
    json.dumps(values)  # values are plain strings


def test_rejected_command_stops_the_push_and_rolls_back(lab, inv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tset = _probe_templates(tmp_path)
    (tset.root / "mikrotik_routeros" / "bad.j2").write_text(
        "/ip firewall address-list add list=netops-bad address=10.98.0.0/16\n/ip frobnicate set x=1\n")
    (tset.root / "frr" / "bad.j2").write_text(
        "ip prefix-list NETOPS-BAD seq 5 permit 10.98.0.0/16\nfrobnicate the router\n")
    repo = BackupRepo(tmp_path / "backups")
    names = ["desa-a2-r1", "kec-b-r1"]
    before = {n: _running_clean(inv, n) for n in names}
    report = jobs.push(inv, names, repo, jobs.PushOptions(commit=True, canary=0, max_fail_pct=100),
                       features=("bad",), templates=tset)
    by = {r.device: r for r in report.results}
    for n in names:
        assert by[n].status == "rolled-back", (by[n].message, by[n].rollback)
        assert "rejected" in by[n].message and "frobnicate" in by[n].message
        assert _running_clean(inv, n) == before[n]


def test_playbook_runs_its_steps_in_order(lab, inv, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from netops.playbook import load_playbook, run_playbook
    pb_file = tmp_path / "kec-a.yaml"
    pb_file.write_text(
        "name: kec-a\ntargets: [name=kec-a-r1]\nsteps:\n  - backup\n  - diff\n  - push: {canary: 1}\n"
        "  - verify:\n      - {command: \"/system identity print\", expect: \"name: {{ hostname }}\"}\n"
        "  - rollback_on_failure: true\n")
    tset = TemplateSet(ROOT / "templates")
    pb = load_playbook(pb_file, inv, tset)
    repo = BackupRepo(tmp_path / "backups")
    dry = run_playbook(pb, inv, repo, commit=False, templates=tset)
    assert [s.kind for s in dry.steps] == ["backup", "diff", "push", "verify", "rollback_on_failure"]
    assert dry.ok and "dry run" in dry.steps[3].note
    done = run_playbook(pb, inv, repo, commit=True, templates=tset)
    assert done.ok, [(s.kind, s.report and [(r.status, r.message) for r in s.report.results]) for s in done.steps]
    assert done.steps[3].report is not None and done.steps[3].report.results[0].status == "ok"
    again, _ = jobs.diff(inv, ["kec-a-r1"])
    assert again.results[0].status == "unchanged", again.results[0].diff


def _netops(lab, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = dict(os.environ, NETOPS_INVENTORY=str(lab.inventory_path), COLUMNS="200", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "netops", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)


def test_run_shows_each_devices_output_and_names_a_rejected_command(lab) -> None:  # type: ignore[no-untyped-def]
    r = _netops(lab, "--json", "run", "show version", "--where", "name=kec-b-r1")
    assert r.returncode == 0, r.stdout + r.stderr
    (res,) = json.loads(r.stdout)["results"]
    assert res["status"] == "ok" and "FRRouting" in res["output"]  # real vtysh

    r = _netops(lab, "run", "/export show-sensitive", "/system identity print", "--where", "name=desa-a*")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "desa-a1-r1 (mikrotik_routeros)" in r.stdout and "desa-a2-r1 (mikrotik_routeros)" in r.stdout
    assert "# /system identity print" in r.stdout and "name: desa-a2-r1" in r.stdout
    for v in (v for v in lab.secrets.values() if v and len(v) >= 4):
        assert v not in r.stdout + r.stderr

    r = _netops(lab, "--json", "run", "show ip bgp neighbours detail", "--where", "name=core-01")
    assert r.returncode == 1
    (res,) = json.loads(r.stdout)["results"]
    assert res["status"] == "failed" and "Invalid input" in res["message"], res


def test_run_refuses_a_command_that_is_not_read_only_before_contacting_anyone(lab, inv) -> None:  # type: ignore[no-untyped-def]
    before = _running_clean(inv, "desa-b2-r1")
    add = "/ip firewall address-list add list=netops-run address=10.98.0.0/16"
    # 'show version' reads on FRR but is no RouterOS command; the write needs --commit
    for cmd in ("show version", add):
        r = _netops(lab, "run", cmd, "--where", "kecamatan=B")
        assert r.returncode == 2 and f"not a read-only command: '{cmd}' on " in r.stderr, r.stderr
        assert f"'{cmd}' on mikrotik_routeros (2 devices)" in r.stderr and "nothing was sent" in r.stderr
    assert _running_clean(inv, "desa-b2-r1") == before

    r = _netops(lab, "run", add, "--where", "name=desa-b2-r1", "--commit")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "netops-run" in _running_clean(inv, "desa-b2-r1")
    r = _netops(lab, "run", "/ip firewall address-list remove [find list=netops-run]", "--where", "name=desa-b2-r1",
                "--commit")
    assert r.returncode == 0, r.stdout + r.stderr
    assert _running_clean(inv, "desa-b2-r1") == before
