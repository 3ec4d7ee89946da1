"""How many times a push waits for a device, per platform and phase, counted by the SSH
simulator (each connection's TCP turns and terminal reads, netops.lab.sshsim.server): a
change that adds a round trip fails here, without timing anything. Behind VSAT each one
costs ~0.6 s.

Only the SSH simulator runs (base 127.154.0.0, loopback, no root): IOS (core-01), VRP
(bappeda-r1) and RouterOS (desa-a1-r1) of the small inventory.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from netops.config import jobs
from netops.config.backup import BackupRepo
from netops.inventory import load_inventory
from netops.lab.sshsim_ctl import round_trips, session_log
from netops.platforms import get_platform
from tests.conftest import SMALL_INVENTORY
from tests.support import sshsim

BASE = "127.154.0.0"
DEVICES = ("core-01", "bappeda-r1", "desa-a1-r1")

# The most round trips each phase may take (docs/config.md, "Round trips"). connect: TCP and
# SSH key exchange; login: authentication, then the channel with its pty and shell requests in
# one flight; read: the running config with paging off in the same write; verify: a new login
# and its read; IOS and VRP still send their config lines one per round trip.
MOST = {
    "mikrotik_routeros": {"connect": 4, "login": 2, "read": 1, "arm": 1, "push": 1, "verify": 7, "confirm": 1},
    # config mode, each line, leaving config mode (so a template line more is one more here);
    # VRP's save asks a question
    # IOS arms its own revert timer ('configure terminal revert timer N', 'end') and confirms it
    "cisco_ios": {"connect": 4, "login": 2, "read": 1, "arm": 3, "push": 17, "save": 1, "verify": 7, "confirm": 1},
    "huawei_vrp": {"connect": 4, "login": 2, "read": 1, "push": 24, "save": 2, "verify": 7},
}


@pytest.fixture(scope="module")
def inv_path(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    workdir = tmp_path_factory.mktemp("rtlab")
    with sshsim.running(SMALL_INVENTORY, workdir, BASE, where=["platform!=frr"]) as path:
        yield workdir, path


def _sessions(workdir: Path, since: int, logins: int) -> list[dict]:  # type: ignore[type-arg]
    """The connections closed since ``since``, once every device has ``logins`` of them (the
    simulator writes a connection down when it sees it close)."""
    deadline = time.monotonic() + 60
    while True:
        got, _ = session_log(workdir, since)
        if all(sum(s["device"] == d for s in got) >= logins for d in DEVICES) or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def test_push_round_trips_per_platform_and_phase(inv_path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    workdir, path = inv_path
    inv = load_inventory(path)
    _, since = session_log(workdir)
    report = jobs.push(inv, list(DEVICES), BackupRepo(tmp_path / "backups"), jobs.PushOptions(commit=True, canary=0))
    assert [r.status for r in report.results] == ["applied"] * 3, [(r.device, r.message) for r in report.results]
    sessions = _sessions(workdir, since, 2)
    for name in DEVICES:
        platform = get_platform(inv.devices[name].platform)
        mine = [s for s in sessions if s["device"] == name]
        assert len(mine) == 2, f"{name}: one login to read and push, one to verify; got {len(mine)}"
        got = round_trips(mine, platform)
        most = MOST[platform.name]
        over = {ph: (n, most.get(ph, 0)) for ph, n in got.items() if n > most.get(ph, 0)}
        assert not over, f"{name} ({platform.name}): more round trips than allowed (got, most): {over}; all: {got}"
        assert got.get("read") == 1 and got.get("verify", 0) >= 5, got  # the counter sees the reads and the logins


def test_diff_reads_each_device_in_one_login_and_one_round_trip(inv_path) -> None:  # type: ignore[no-untyped-def]
    workdir, path = inv_path
    inv = load_inventory(path)
    _, since = session_log(workdir)
    report, _ = jobs.diff(inv, list(DEVICES))
    assert all(r.ok for r in report.results), [(r.device, r.message) for r in report.results]
    sessions = _sessions(workdir, since, 1)
    for name in DEVICES:
        got = round_trips([s for s in sessions if s["device"] == name], get_platform(inv.devices[name].platform))
        assert got.get("read") == 1 and set(got) <= {"connect", "login", "read"}, (name, got)
        assert got["connect"] + got["login"] <= 6, (name, got)
