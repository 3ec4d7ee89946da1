"""Push safety under faults, on the lab (real FRR and the SSH simulators), over real SSH.

Every test asserts each device's final running config, read afresh. Faults are injected
at known points: the push's own progress events (in-process) or the change journal's
contents (netops in a subprocess). Where a device must stay in flight, the SSH simulator
is frozen with SIGSTOP or a simulated device hangs after a given line (the lab's 'hang'
fault), and a real FRR router holds netops's next login (its sshd's forced command waits on
the router for a file the test creates). No test waits on a timer to
decide an outcome.

Two labs: the small inventory (simulators and one FRR router) on 127.131.0.0, and four
real FRR routers for the faults that need several of them (the small inventory with
three of its RouterOS routers made FRR; namespaces only, base 127.160.0.0).
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from netops.config import jobs
from netops.config.backup import BackupRepo
from netops.config.journal import Journal, JournalStep
from netops.config.mask import clean
from netops.config.render import TemplateSet
from netops.inventory import load_inventory
from netops.lab import faults, sshsim_ctl
from netops.lab.procs import LabState, spawn
from netops.platforms import get_platform
from netops.progress import JobStage, ProgressEvent
from tests.conftest import ROOT, SMALL_INVENTORY
from tests.support.lab import small_lab

BASE = "127.131.0.0"
FRR_BASE = "127.160.0.0"
FRR_FLEET = ["kec-a-r1", "kec-b-r1", "desa-a1-r1", "desa-a2-r1"]
"""the FRR lab's routers, in inventory order (none behind VSAT: netops starts those first)"""
pytestmark = pytest.mark.slow
FAULT_LINES = 5
SIGKILL_LINES = 80


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    yield from small_lab(tmp_path_factory, "faultlab", BASE, vsat_delay_ms=50)


@pytest.fixture(scope="module")
def frr_lab(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Four real FRR routers, each in its own namespace behind OpenSSH."""
    source = tmp_path_factory.mktemp("frr-inventory") / "inventory"
    shutil.copytree(SMALL_INVENTORY, source)
    devices = source / "devices.yaml"
    doc = yaml.safe_load(devices.read_text())
    for d in doc["devices"]:
        if d["name"] in FRR_FLEET:
            d["platform"] = "frr"
    devices.write_text(yaml.safe_dump(doc, sort_keys=False))
    yield from small_lab(tmp_path_factory, "faultlab-frr", FRR_BASE, vsat_delay_ms=0, where=["platform=frr"],
                         source=source)


@pytest.fixture
def inv(lab):  # type: ignore[no-untyped-def]
    return load_inventory(lab.inventory_path)


def _fault_templates(dest: Path, count: int) -> TemplateSet:
    """The shipped templates plus 'fault': ``count`` harmless lines per platform."""
    shutil.copytree(ROOT / "templates", dest)
    lines = {
        "mikrotik_routeros": [f"/ip firewall address-list add list=netops-fault address=10.97.{i}.0/24"
                              for i in range(count)],
        "frr": [f"ip prefix-list NETOPS-FAULT seq {5 * (i + 1)} permit 10.97.{i}.0/24" for i in range(count)],
        "cisco_ios": [f"ip host netops-fault-{i} 10.97.{i}.1" for i in range(count)],
        "huawei_vrp": [f"ip host netops-fault-{i} 10.97.{i}.1" for i in range(count)],
    }
    for platform, body in lines.items():
        (dest / platform / "fault.j2").write_text("\n".join(body) + "\n")
        (dest / platform / "noop.j2").write_text("")  # a push that changes nothing
    return TemplateSet(dest)


@pytest.fixture
def tset(tmp_path: Path) -> TemplateSet:
    """The shipped templates plus 'fault': five harmless lines per platform."""
    return _fault_templates(tmp_path / "templates", FAULT_LINES)


def running(inv, name: str) -> str:  # type: ignore[no-untyped-def]
    raw, errors = jobs.fetch_running(inv, [name])
    assert not errors, errors
    return clean(get_platform(inv.devices[name].platform), raw[name], inv.known_secrets())


def with_bad_login(lab, tmp_path: Path, bad: set[str]) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the lab inventory whose ``bad`` devices log in with a wrong user and password."""
    dest = tmp_path / "inventory-bad"
    shutil.copytree(lab.inventory_path, dest)
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password\n")
    for f in dest.rglob("*.yaml"):
        doc = yaml.safe_load(f.read_text())
        if "credentials" in doc:
            doc["credentials"]["wrong"] = {"username": "netops-wrong", "password": f"file:{wrong}"}
        for d in doc.get("devices", []):
            if d["name"] in bad:
                d["credentials"] = "wrong"
        f.write_text(yaml.safe_dump(doc, sort_keys=False))
    return dest


def journal_of(repo: Path) -> list[Any]:
    return Journal(repo).records()


@pytest.mark.parametrize("canary", ["kec-b-r1", "core-01", "bappeda-r1", "desa-a1-r1"])
def test_canary_login_failure_stops_before_anything_is_written(lab, inv, tset, tmp_path: Path, canary: str) -> None:  # type: ignore[no-untyped-def]
    """The canary (real FRR, or the IOS, VRP or RouterOS simulator) refuses netops's login."""
    names = [canary, *[n for n in ("kec-b-r1", "desa-a1-r1", "core-01", "bappeda-r1") if n != canary]]
    before = {n: running(inv, n) for n in names}
    bad_inv = load_inventory(with_bad_login(lab, tmp_path, {canary}))
    repo = tmp_path / "backups"
    report = jobs.push(bad_inv, names, BackupRepo(repo), jobs.PushOptions(commit=True, canary=1, max_fail_pct=100),
                       features=("fault",), templates=tset)
    by = {r.device: r for r in report.results}
    assert report.stopped == f"canary {canary} failed" and not report.ok
    assert by[canary].status is jobs.Status.FAILED and by[canary].state is jobs.EndState.UNTOUCHED
    assert "read/backup failed" in by[canary].message
    for n in names[1:]:
        assert by[n].status is jobs.Status.SKIPPED and by[n].state is jobs.EndState.UNTOUCHED, by[n]
    assert report.by_state() == {jobs.EndState.UNTOUCHED: names}
    assert not any(r.step is JournalStep.BEGIN for r in journal_of(repo))  # no write was even begun
    for n in names:
        assert running(inv, n) == before[n]


@pytest.mark.parametrize(("fleet", "bad", "names"), [
    ("lab", {"core-01", "bappeda-r1", "desa-a2-r1"},  # IOS, VRP and RouterOS simulators
     ["kec-a-r1", "core-01", "desa-b2-r1", "bappeda-r1", "desa-a2-r1"]),
    ("frr_lab", {"kec-b-r1", "desa-a1-r1", "desa-a2-r1"}, FRR_FLEET),  # three real FRR routers
], ids=["simulators", "frr"])
def test_three_login_failures_with_max_fail_0_stop_the_run(request: pytest.FixtureRequest, tset, tmp_path: Path,
                                                           fleet: str, bad: set[str], names: list[str]) -> None:  # type: ignore[no-untyped-def]
    lab = request.getfixturevalue(fleet)
    inv = load_inventory(lab.inventory_path)
    before = {n: running(inv, n) for n in names}
    bad_inv = load_inventory(with_bad_login(lab, tmp_path, bad))
    repo = tmp_path / "backups"
    report = jobs.push(bad_inv, names, BackupRepo(repo), jobs.PushOptions(commit=True, canary=0, max_fail_pct=0),
                       features=("fault",), templates=tset)
    by = {r.device: r for r in report.results}
    assert "devices failed" in report.stopped and "--max-fail 0%" in report.stopped, report.stopped
    for n in names:
        assert by[n].state is jobs.EndState.UNTOUCHED, by[n]
        assert by[n].status is (jobs.Status.FAILED if n in bad else jobs.Status.SKIPPED), by[n]
        assert running(inv, n) == before[n]
    assert report.by_state() == {jobs.EndState.UNTOUCHED: names}
    assert not journal_of(repo)  # no write was even begun


@pytest.mark.parametrize(("batch", "workers", "in_flight"), [(10, 1, 1), (1, 0, 1), (0, 0, 3)],
                         ids=["one-worker", "batch-1", "batch-0"])
def test_max_fail_stops_every_device_not_yet_in_flight(lab, inv, tset, tmp_path: Path, batch: int, workers: int,
                                                       in_flight: int) -> None:  # type: ignore[no-untyped-def]
    """Every device's change is rejected (its first line), --max-fail 0. One device in flight
    at a time (one worker, or waves of one): the first failure stops the run, the others are
    never started. --batch 0 with every worker: the three are in flight together (each waits
    at 'pushing' until all three are past their start), so the failure stops none of them:
    all three roll back, and the run is still reported stopped."""
    for platform in ("cisco_ios", "huawei_vrp", "frr"):
        (Path(tset.root) / platform / "bad.j2").write_text("frobnicate the-router\n")
    names = ["core-01", "bappeda-r1", "kec-b-r1"]
    before = {n: running(inv, n) for n in names}
    started: set[str] = set()
    all_started = threading.Event()

    def together(event: ProgressEvent) -> None:
        if event.stage is JobStage.CONNECTING:
            started.add(event.device)
            if len(started) == in_flight:
                all_started.set()
        if event.stage is JobStage.PUSHING and in_flight > 1:
            assert all_started.wait(120), started

    repo = tmp_path / "backups"
    report = jobs.push(inv, names, BackupRepo(repo),
                       jobs.PushOptions(commit=True, canary=0, batch=batch, workers=workers, max_fail_pct=0,
                                        revert_after=300),
                       features=("bad",), templates=tset, progress=together)
    states = report.by_state()
    assert len(states[jobs.EndState.ROLLED_BACK]) == in_flight, report.results
    assert sorted(states.get(jobs.EndState.UNTOUCHED, [])) == sorted(set(names) - set(states[jobs.EndState.ROLLED_BACK]))
    assert all(r.status is jobs.Status.SKIPPED for r in report.results if r.state is jobs.EndState.UNTOUCHED)
    assert report.stopped == "1 of 3 devices failed (33% > --max-fail 0%)"
    for n in names:
        assert running(inv, n) == before[n]


REJECTED_THIRD = {
    "cisco_ios": ["ip host netops-fault-0 10.97.0.1", "ip host netops-fault-1 10.97.1.1", "frobnicate the-router"],
    "huawei_vrp": ["ip host netops-fault-0 10.97.0.1", "ip host netops-fault-1 10.97.1.1", "frobnicate the-router"],
    "frr": ["ip prefix-list NETOPS-FAULT seq 5 permit 10.97.0.0/24", "ip prefix-list NETOPS-FAULT seq 10 permit "
            "10.97.1.0/24", "frobnicate the-router"],
    "mikrotik_routeros": ["/ip firewall address-list add list=netops-fault address=10.97.0.0/24",
                          "/ip firewall address-list add list=netops-fault address=10.97.1.0/24", "/ip frobnicate set x=1"],
}
"""per platform: two lines the device takes, then one it rejects"""


@pytest.mark.parametrize("device", ["kec-b-r1", "core-01", "bappeda-r1", "desa-a1-r1"])
def test_a_rejected_line_rolls_the_device_back(lab, inv, tset, tmp_path: Path, device: str) -> None:  # type: ignore[no-untyped-def]
    """Two lines taken, the third refused: IOS fires its armed revert ('configure revert now'),
    RouterOS its armed revert (the three lines went in one write), VRP and FRR are restored
    from the backup; the next device is not started (--max-fail 0, one worker)."""
    platform = inv.devices[device].platform
    # the next device (later in netops's order) gets a good change, and is never started
    after = "desa-a1-r1" if device != "desa-a1-r1" else "desa-a2-r1"
    rejected = "\n".join(REJECTED_THIRD[platform]) + "\n"
    nxt = Path(tset.root) / inv.devices[after].platform
    good = (nxt / "fault.j2").read_text()
    (nxt / "bad.j2").write_text(good)
    (Path(tset.root) / platform / "bad.j2").write_text(
        rejected if inv.devices[after].platform != platform else
        f'{{% if hostname == "{device}" %}}\n{rejected}{{% else %}}\n{good}{{% endif %}}\n')
    names = [device, after]
    before = {n: running(inv, n) for n in names}
    repo = tmp_path / "backups"
    report = jobs.push(inv, names, BackupRepo(repo),
                       jobs.PushOptions(commit=True, canary=0, workers=1, max_fail_pct=0, revert_after=600),
                       features=("bad",), templates=tset)
    by = {r.device: r for r in report.results}
    assert by[device].status is jobs.Status.ROLLED_BACK and "frobnicate" in by[device].message, by[device]
    how = "on-device revert" if get_platform(platform).rollback == "scheduled-revert" else "restored from the backup"
    assert how in by[device].rollback, by[device].rollback
    assert by[after].status is jobs.Status.SKIPPED and by[after].state is jobs.EndState.UNTOUCHED
    steps = [r for r in journal_of(repo) if r.device == device]
    if get_platform(platform).pipeline:  # one write for the three lines: the device answered them at once
        assert JournalStep.ARMED in [r.step for r in steps] and JournalStep.SENDING not in [r.step for r in steps]
    else:
        assert max(r.sent for r in steps if r.step is JournalStep.SENDING) == 2  # two lines taken
    assert [r.device for r in journal_of(repo) if r.step is JournalStep.BEGIN] == [device]
    for n in names:
        assert running(inv, n) == before[n]
    assert not Journal(repo).open_entries()


def test_ios_restores_itself_when_netops_is_gone(lab, inv, tset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The link to the IOS router goes down after 2 of 5 lines and stays down past
    --reconnect-wait: netops gives up; the router's own revert timer (a lab minute of 10 s)
    replaces its config with the archived one while netops cannot reach it."""
    device = "core-01"
    before = running(inv, device)
    repo = tmp_path / "backups"

    def progress_gone(event: ProgressEvent) -> None:
        if event.device == device and str(event) == f"sent 2/{FAULT_LINES}":
            lab.impair(device, down=True)

    faults.plant(lab.workdir, faults.Fault.fast_clock, [device, "10"])
    try:
        opts = jobs.PushOptions(commit=True, read_timeout=5, connect_timeout=2, reconnect_wait=1, revert_after=60)
        report = jobs.push(inv, [device], BackupRepo(repo), opts, features=("fault",), templates=tset,
                           progress=progress_gone)
        (res,) = report.results
        assert res.state is jobs.EndState.ATTENTION and "by itself" in res.rollback, res
    finally:
        lab.impair(device, down=False)
    try:
        deadline = time.monotonic() + 120
        while running(inv, device) != before:  # the timer fires on the router, netops does nothing
            assert time.monotonic() < deadline, "the router never restored its archived config"
            time.sleep(0.5)
    finally:
        faults.clear(lab.workdir)
    rec = jobs.recover(inv, [device], BackupRepo(repo), commit=True, opts=jobs.PushOptions(reconnect_wait=60))
    assert [(r.device, r.state) for r in rec.results] == [(device, jobs.EndState.ROLLED_BACK)], rec.results
    assert "pre-change config" in rec.results[0].rollback
    assert running(inv, device) == before
    assert not Journal(repo).open_entries()


@pytest.mark.parametrize("device", ["kec-b-r1", "core-01", "bappeda-r1", "desa-a1-r1"])
def test_link_cut_after_2_of_5_lines(lab, inv, tset, tmp_path: Path, device: str) -> None:  # type: ignore[no-untyped-def]
    """The link goes down after the device took 2 of 5 lines (RouterOS: after the pipelined
    set, its revert armed). First run: it comes back while netops waits, and netops restores
    it. Second run: it stays down past --reconnect-wait; the device is left 'needs attention'
    in the journal; 'recover' while it is down keeps the entry open; once it is back, the
    next push restores it before anything else."""
    before = running(inv, device)
    repo = tmp_path / "backups"
    events: list[str] = []
    k = FAULT_LINES if get_platform(inv.devices[device].platform).pipeline else 2

    def progress_back_soon(event: ProgressEvent) -> None:
        name, stage = event.device, str(event)
        events.append(stage)
        if name == device and stage == f"sent {k}/{FAULT_LINES}":
            lab.impair(device, down=True)
        if name == device and stage == "waiting for the device":
            lab.impair(device, down=False)

    opts = jobs.PushOptions(commit=True, canary=1, read_timeout=10, connect_timeout=5, reconnect_wait=120)
    try:
        report = jobs.push(inv, [device], BackupRepo(repo), opts, features=("fault",), templates=tset,
                           progress=progress_back_soon)
    finally:
        lab.impair(device, down=False)
    (res,) = report.results
    assert res.status is jobs.Status.ROLLED_BACK and res.state is jobs.EndState.ROLLED_BACK, res
    assert "waiting for the device" in events
    assert running(inv, device) == before
    assert not Journal(repo).open_entries()

    def progress_gone(event: ProgressEvent) -> None:
        name, stage = event.device, str(event)
        if name == device and stage == f"sent {k}/{FAULT_LINES}":
            lab.impair(device, down=True)

    try:
        opts = jobs.PushOptions(commit=True, canary=1, read_timeout=10, connect_timeout=3, reconnect_wait=2)
        report = jobs.push(inv, [device], BackupRepo(repo), opts, features=("fault",), templates=tset,
                           progress=progress_gone)
        (res,) = report.results
        assert res.state is jobs.EndState.ATTENTION and "recover" in res.rollback, res
        (last,) = [recs[-1] for recs in Journal(repo).open_entries().values()]
        assert last.device == device and last.step is JournalStep.PENDING
        # still down: recover keeps the entry open
        still = jobs.recover(inv, None, BackupRepo(repo), commit=True,
                             opts=jobs.PushOptions(connect_timeout=3, reconnect_wait=1))
        assert still.results[0].state is jobs.EndState.ATTENTION
    finally:
        lab.impair(device, down=False)
    # the next push to the device finishes the open change first
    again = jobs.push(inv, [device], BackupRepo(repo), jobs.PushOptions(commit=True), features=("noop",),
                      templates=tset)
    assert [(r.device, r.state) for r in again.recovered] == [(device, jobs.EndState.ROLLED_BACK)], again.recovered
    assert [(r.device, r.status) for r in again.results] == [(device, jobs.Status.UNCHANGED)]
    assert running(inv, device) == before
    assert not Journal(repo).open_entries()


@pytest.mark.parametrize("device", ["kec-b-r1", "core-01", "bappeda-r1", "desa-a1-r1"])
def test_sshd_killed_mid_send_then_recover(lab, inv, tset, tmp_path: Path, device: str) -> None:  # type: ignore[no-untyped-def]
    """The router's SSH daemon dies with its sessions after 2 of 5 lines (RouterOS: after the
    pipelined set, its revert armed). netops cannot log in again: the device is left in the
    journal; once sshd is back, 'recover' restores it. FRR: every sshd of the namespace is
    killed (vtysh dies with the session; FRR keeps the 2 lines); simulators: the device's
    daemon is taken away (sshsim_ctl.sshd_down), its config kept."""
    before = running(inv, device)
    info = LabState(Path(lab.workdir)).data["devices"][device]
    k = FAULT_LINES if get_platform(inv.devices[device].platform).pipeline else 2
    netns = info.get("netns")
    rundir = Path("/run/netops-lab") / str(netns)
    repo = tmp_path / "backups"

    def kill_sshd(event: ProgressEvent) -> None:
        name, stage = event.device, str(event)
        if name != device or stage != f"sent {k}/{FAULT_LINES}":
            return
        if netns:
            pids = subprocess.run(["ip", "netns", "pids", netns], capture_output=True, text=True).stdout.split()
            for pid in pids:
                try:
                    if Path(f"/proc/{pid}/comm").read_text().strip() == "sshd":
                        os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
        else:
            sshsim_ctl.sshd_down(lab.workdir, [device])
        _wait_port(info["address"], info["ssh_port"] or 22, open_=False)

    try:
        opts = jobs.PushOptions(commit=True, canary=1, read_timeout=10, connect_timeout=3, reconnect_wait=2,
                                revert_after=600)
        report = jobs.push(inv, [device], BackupRepo(repo), opts, features=("fault",), templates=tset,
                           progress=kill_sshd)
        (res,) = report.results
        assert res.state is jobs.EndState.ATTENTION, res
        recs = Journal(repo).open_entries()[device]
        assert max(r.sent for r in recs) == k
        if netns:
            half = running_via_vtysh(netns, rundir)
            assert "NETOPS-FAULT seq 5 " in half and "NETOPS-FAULT seq 10 " in half  # 2 lines stayed
    finally:  # sshd back (FRR: recorded in the lab's state so that 'lab down' stops it)
        if netns:
            spawn(LabState(lab.workdir), f"sshd-{device}", ["unshare", "--uts", "sh", "-c", f"hostname {device} && "
                                                         f"exec /usr/sbin/sshd -D -e -f {rundir / 'sshd_config'}"],
                  rundir / "sshd.log", marker=str(rundir), netns=netns)
        else:
            sshsim_ctl.sshd_down(lab.workdir, [])
    rec = jobs.recover(inv, [device], BackupRepo(repo), commit=True, opts=jobs.PushOptions(reconnect_wait=120))
    assert [(r.device, r.state) for r in rec.results] == [(device, jobs.EndState.ROLLED_BACK)], rec.results
    assert running(inv, device) == before
    assert not Journal(repo).open_entries()


def _wait_port(address: str, port: int, open_: bool, timeout: float = 60) -> None:
    """Until a TCP connect to address:port succeeds (``open_``) or is refused."""
    import socket
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((address, port), timeout=5).close()
            is_open = True
        except OSError:
            is_open = False
        if is_open == open_:
            return
        assert time.monotonic() < deadline, f"{address}:{port} never {'opened' if open_ else 'closed'}"
        time.sleep(0.05)


def running_via_vtysh(netns: str, rundir: Path) -> str:
    """The FRR router's running config read inside its namespace (sshd is down)."""
    return subprocess.run(["ip", "netns", "exec", netns, "vtysh", "--vty_socket", str(rundir / "run"),
                           "--config_dir", str(rundir), "-c", "show running-config"],
                          capture_output=True, text=True, check=True).stdout


# -- netops in a subprocess: SIGKILL and SIGINT ------------------------------------------

def _netops_cmd(lab, tset: TemplateSet, repo: Path, *args: str) -> tuple[list[str], dict[str, str]]:  # type: ignore[no-untyped-def]
    env = dict(os.environ, NETOPS_INVENTORY=str(lab.inventory_path), COLUMNS="250", NO_COLOR="1")
    return ([sys.executable, "-m", "netops", "config", "push", "--commit", "--feature", "fault", "--templates",
             str(tset.root), "--repo", str(repo), *args], env)


def _wait_until(cond: Callable[[], bool], proc: subprocess.Popen[str], what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert proc.poll() is None, f"netops ended early ({proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.02)


def _wait_journal(repo: Path, cond: Callable[[list[Any]], bool], proc: subprocess.Popen[str]) -> None:
    _wait_until(lambda: cond(journal_of(repo)), proc, "the journal reached the point")


def _sshsim_pid(lab) -> int:  # type: ignore[no-untyped-def]
    return next(p["pid"] for p in LabState(Path(lab.workdir)).data["procs"] if p["name"] == "sshsim")


@pytest.mark.parametrize("device", ["core-01", "bappeda-r1", "kec-b-r1", "desa-a1-r1"])
def test_sigkill_mid_push_then_recover(lab, inv, tmp_path: Path, device: str) -> None:  # type: ignore[no-untyped-def]
    """netops is killed while the device is half-way through the change. A simulated device hangs right after
    it took the fourth line (the lab's 'hang' fault) and is released after the kill; the real FRR router takes
    one line per round trip, so 80 lines keep it in flight long after the journal shows them being sent."""
    tset = _fault_templates(tmp_path / "templates", SIGKILL_LINES)
    before = running(inv, device)
    repo = tmp_path / "backups"
    simulated = inv.devices[device].platform != "frr"
    if simulated:
        faults.plant(lab.workdir, faults.Fault.hang, [device, "10.97.3."])
    cmd, env = _netops_cmd(lab, tset, repo, "--where", f"name={device}", "--revert-after", "600")
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if simulated:
            _wait_until(lambda: faults.hung(lab.workdir, device), proc, f"{device} hung mid-change")
        else:
            _wait_journal(repo, lambda recs: any(r.step is JournalStep.SENDING for r in recs), proc)
        proc.kill()
    finally:
        proc.kill()
        proc.communicate(timeout=60)
        faults.clear(lab.workdir)
    assert proc.returncode == -signal.SIGKILL
    assert running(inv, device) != before  # the device took at least one line: half-configured
    assert list(Journal(repo).open_entries()) == [device]
    env2 = dict(env)
    listing = subprocess.run([sys.executable, "-m", "netops", "config", "recover", "--repo", str(repo)],
                             env=env2, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert listing.returncode == 1 and device in listing.stdout and "would" in listing.stdout, listing.stdout
    done = subprocess.run([sys.executable, "-m", "netops", "config", "recover", "--commit", "--repo", str(repo)],
                          env=env2, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rolled back (1): " + device in done.stdout
    assert running(inv, device) == before
    assert not Journal(repo).open_entries()


class LoginGate:
    """Holds logins to a real FRR router: its sshd's forced command becomes a script that,
    after ``passes`` logins went through, waits on the router for a file before it starts
    vtysh. The held session is authenticated and open, so netops waits for the prompt as it
    would for a slow router. Armed and disarmed by rewriting ``ForceCommand`` and SIGHUP (sshd
    re-executes itself with the new config; its log says when it listens again)."""

    def __init__(self, lab, device: str):  # type: ignore[no-untyped-def]
        netns = LabState(Path(lab.workdir)).data["devices"][device]["netns"]
        self.rundir = Path("/run/netops-lab") / netns
        self.gate = self.rundir / "login-gate"
        self.conf = self.rundir / "sshd_config"
        self.original = ""

    def arm(self, passes: int) -> None:
        self.original = self.conf.read_text()
        found = re.search(r"^ForceCommand (.+)$", self.original, re.MULTILINE)
        assert found, self.original
        vtysh = found.group(1)
        shutil.rmtree(self.gate, ignore_errors=True)
        self.gate.mkdir()
        os.chmod(self.gate, 0o777)  # the lab's login user counts its logins here
        script = self.rundir / "login-gate.sh"
        script.write_text(
            f'g={self.gate}\n'
            f'n=0; while ! mkdir "$g/login-$n" 2>/dev/null; do n=$((n + 1)); done\n'
            f'if [ "$n" -ge {passes} ]; then\n'
            f'  : > "$g/held"\n'
            f'  while [ ! -e "$g/released" ]; do sleep 0.05; done\n'
            f'fi\n'
            f'exec {vtysh}\n')
        os.chmod(script, 0o755)
        self._reload(self.original.replace(f"ForceCommand {vtysh}", f"ForceCommand /bin/sh {script}"))

    def held(self) -> bool:
        return (self.gate / "held").exists()

    def release(self) -> None:
        if self.gate.exists():
            (self.gate / "released").touch()

    def disarm(self) -> None:
        self.release()
        if self.original:
            self._reload(self.original)
            self.original = ""

    def _reload(self, config: str) -> None:
        log = self.rundir / "sshd.log"
        started = log.read_text(errors="replace").count("Server listening")
        self.conf.write_text(config)
        os.kill(int((self.rundir / "sshd.pid").read_text()), signal.SIGHUP)
        deadline = time.monotonic() + 60
        while log.read_text(errors="replace").count("Server listening") <= started:
            assert time.monotonic() < deadline, f"sshd did not restart: {log.read_text()[-500:]}"
            time.sleep(0.02)


def _interrupt(lab, tset: TemplateSet, cwd: Path, repo: Path, args: list[str], hold: Callable[[subprocess.Popen[str]], None],
               release: Callable[[], None]) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    """Run 'config push --commit' in a subprocess; once ``hold`` returns (a device is held in
    flight), SIGINT; once netops says it was interrupted, ``release``. (exit code, stdout, stderr)"""
    cmd, env = _netops_cmd(lab, tset, repo, *args, "--canary", "0", "--workers", "1", "--revert-after", "600")
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    err: list[str] = []

    def read_err() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err.append(line)
            lines.put(line)

    reader = threading.Thread(target=read_err, daemon=True)
    reader.start()
    interrupted = False
    try:
        hold(proc)
        proc.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 60
        while not interrupted:
            interrupted = lines.get(timeout=max(deadline - time.monotonic(), 0.1)).startswith("interrupted:")
    finally:
        release()
        if not interrupted:
            proc.kill()  # the test failed before netops was interrupted: leave nothing running
    out, _ = proc.communicate(timeout=300)
    reader.join(timeout=30)
    return proc.returncode, out, "".join(err)


def _check_interrupted(code: int, out: str, err: str, repo: Path, names: list[str], flown: str) -> None:
    """Exit 130, no traceback; exactly ``flown`` was begun; the table, every device's end
    state and the after-push backup commit are there; nothing left open."""
    assert code == 130, out + err
    assert "Traceback" not in err
    begun = [r.device for r in journal_of(repo) if r.step is JournalStep.BEGIN]
    assert begun == [flown], begun
    assert "interrupted: no device was started after the interrupt" in out
    assert "│ " + flown in out  # the result table
    untouched = [n for n in names if n != flown]
    assert f"untouched ({len(untouched)}): {', '.join(untouched)}" in out, out
    assert "after: " in out and "after: -" not in out  # the after-push backup was committed
    assert not Journal(repo).open_entries()
    git_log = subprocess.run(["git", "-C", str(repo), "log", "--format=%s"], capture_output=True, text=True).stdout
    assert "after push" in git_log


@pytest.mark.parametrize(("names", "where"), [
    (["kec-a-r1", "kec-b-r1"], ["name=kec-*"]),
    (["core-01", "kec-a-r1", "kec-b-r1"], ["role!=access", "platform!=vsat_modem"]),
    (["bappeda-r1", "kec-a-r1", "kec-b-r1"], ["platform!=cisco_ios", "platform!=vsat_modem", "name!=desa-*"]),
], ids=["routeros", "ios", "vrp"])
def test_sigint_lets_a_simulated_device_in_flight_finish(lab, inv, tset, tmp_path: Path, names: list[str],
                                                         where: list[str]) -> None:  # type: ignore[no-untyped-def]
    """One worker; the first device (a simulator) is held in flight: the FRR router kec-b-r1,
    read last, holds netops's login while the simulator is frozen (SIGSTOP), so netops reaches
    the first device's write only once it is frozen; SIGINT once the journal shows that write
    begun, then the simulator goes on (SIGCONT)."""
    flown = names[0]
    before = {n: running(inv, n) for n in names}
    repo = tmp_path / "backups"
    gate = LoginGate(lab, "kec-b-r1")
    sim = _sshsim_pid(lab)
    frozen = False

    def hold(proc: subprocess.Popen[str]) -> None:
        nonlocal frozen
        _wait_until(gate.held, proc, "netops logs in to kec-b-r1 (every simulator read)")
        os.kill(sim, signal.SIGSTOP)
        frozen = True
        gate.release()
        _wait_journal(repo, lambda recs: any(r.step is JournalStep.BEGIN for r in recs), proc)

    def release() -> None:
        if frozen:
            os.kill(sim, signal.SIGCONT)

    gate.arm(passes=0)
    try:
        code, out, err = _interrupt(lab, tset, tmp_path, repo, [a for w in where for a in ("--where", w)], hold,
                                    release)
    finally:
        release()
        gate.disarm()
    _check_interrupted(code, out, err, repo, names, flown)
    assert f"applied (1): {flown}" in out, out
    for n in names[1:]:
        assert running(inv, n) == before[n]
    assert "netops-fault" in running(inv, flown)  # the device in flight finished: applied


def test_sigint_lets_an_frr_router_in_flight_finish(frr_lab, tset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """One worker; the first FRR router takes its lines on the session that read it, and
    netops's next login to it (the verify) is held by the router: it is in flight while
    netops is interrupted; released, it finishes (verified: applied) and no other router
    is started."""
    inv = load_inventory(frr_lab.inventory_path)
    names = FRR_FLEET
    flown = names[0]
    before = {n: running(inv, n) for n in names}
    repo = tmp_path / "backups"
    gate = LoginGate(frr_lab, flown)

    def hold(proc: subprocess.Popen[str]) -> None:
        _wait_until(gate.held, proc, f"netops's second login to {flown} (its verify)")
        assert [r.step for r in journal_of(repo) if r.device == flown][-1] is JournalStep.SENT

    gate.arm(passes=1)
    try:
        code, out, err = _interrupt(frr_lab, tset, tmp_path, repo, ["--where", "platform=frr"], hold, gate.release)
    finally:
        gate.disarm()
    _check_interrupted(code, out, err, repo, names, flown)
    for n in names[1:]:
        assert running(inv, n) == before[n]
    assert f"applied (1): {flown}" in out, out  # netops waits up to 60 s for a login's prompt
    now = running(inv, flown)
    assert all(f"NETOPS-FAULT seq {5 * (i + 1)} " in now for i in range(FAULT_LINES)), now
