"""The syslog listener: config-change lines of each platform, bursts debounced into one backup."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netops.cli import app
from netops.errors import ExitCode
from netops.inventory import load_inventory
from netops.monitor.syslog import ConfigChangeLog, SyslogListener, match
from tests.conftest import SMALL_INVENTORY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# each fixture's lines, in order: the user netops must read, or None for a line that is no config change
EXPECTED = {
    "cisco_ios": ("core-01", ["budi", "netops", "console", None]),
    "huawei_vrp": ("bappeda-r1", ["sari", "admin", "unknown", None]),
    "mikrotik_routeros": ("desa-a1-r1", ["admin", "budi", None]),
}


@pytest.mark.parametrize("platform", list(EXPECTED))
def test_config_change_lines_of_each_platform(platform: str) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    device, users = EXPECTED[platform]
    lines = [ln for ln in (FIXTURES / platform / "syslog-config-change.log").read_text().splitlines()
             if ln and not ln.startswith("#")]
    assert len(lines) == len(users)
    source = str(inv.devices[device].mgmt)  # found by the sender's address
    for line, user in zip(lines, users, strict=True):
        assert match(inv, source, line) == ((device, user) if user else None), line
    # from an address no device has: found by the host name in the line, else not at all
    stranger = "192.0.2.99"
    assert match(inv, stranger, lines[0]) == ((device, users[0]) if device in lines[0] else None)
    assert match(inv, stranger, lines[1]) == (device, users[1])


def test_a_burst_gives_one_backup_with_the_last_user() -> None:
    inv = load_inventory(SMALL_INVENTORY)
    got: list[ConfigChangeLog] = []
    done = threading.Event()

    def backup(event: ConfigChangeLog) -> None:
        got.append(event)
        done.set()

    listener = SyslogListener(("127.0.0.1", 0), lambda: inv, backup, debounce=0.5).start()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i in range(5):  # found by the name in the line: the sender is not a device's address
                s.sendto(f"<134>Dec  1 23:04:1{i} desa-a1-r1 system,info rule {i} added by admin".encode(),
                         listener.address)
            s.sendto(b"<134>Dec  1 23:04:15 desa-a1-r1 system,info address changed by budi", listener.address)
            s.sendto(b"<134>Dec  1 23:04:15 desa-a1-r1 system,info,account user budi logged out", listener.address)
            s.sendto(b"<134>Dec  1 23:04:15 nowhere-r9 system,info address changed by budi", listener.address)
        assert done.wait(30), "no backup asked for"
    finally:
        listener.stop()
    assert len(got) == 1
    assert (got[0].device, got[0].user, got[0].lines) == ("desa-a1-r1", "budi", 6)
    assert got[0].cause.startswith("syslog: config changed by budi at ")


@pytest.mark.parametrize("bad", ["514", "127.0.0.1:x", "127.0.0.1:70000"])
def test_bad_syslog_address_is_refused_before_anything_starts(bad: str) -> None:
    r = CliRunner().invoke(app, ["--inventory", str(SMALL_INVENTORY), "monitor", "serve", "--syslog", bad])
    assert r.exit_code == ExitCode.BAD_INPUT, r.output
    assert "--syslog" in r.output and "Traceback" not in r.output
