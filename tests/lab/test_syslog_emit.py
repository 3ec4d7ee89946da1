"""The simulated routers' config-change syslog lines, in process (no lab): one per change on
RouterOS, one per config session that changed something on IOS and VRP, none for a session
that only looked, and each one a line netops's listener reads as a change by the right user."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest

from netops.lab.sshsim import SimDevice
from netops.platforms import get_platform

CASES = {
    # platform: (config session, lines that change nothing)
    "mikrotik_routeros": (["/ip dns set servers=10.99.0.53", "/ip firewall address-list add list=x address=10.9.0.0/16"],
                          ["/ip dns print", "/export terse"]),
    "cisco_ios": (["configure terminal", "ntp server 10.99.0.53", "interface Gi0/9", "description lab", "end"],
                  ["configure terminal", "end", "show running-config"]),
    "huawei_vrp": (["system-view", "ntp-service unicast-server 10.99.0.53", "return"],
                   ["system-view", "return", "display current-configuration"]),
}


def _lines(sock: socket.socket) -> list[str]:
    """What the device sent so far: its sendto calls returned before ours, so a marker we send
    now arrives after every one of its datagrams on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
        tx.sendto(b"--marker--", sock.getsockname())
    sock.settimeout(30)
    out = []
    while (data := sock.recv(4096).decode()) != "--marker--":
        out.append(data)
    return out


@pytest.mark.parametrize("platform", list(CASES))
def test_a_change_is_logged_and_a_look_is_not(platform: str, tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as rx:
        rx.bind(("127.0.0.1", 0))
        dev = SimDevice({"name": "sim-r1", "platform": platform, "username": "budi", "password": "pw",
                         "interfaces": [], "address": "127.0.0.1", "syslog": f"127.0.0.1:{rx.getsockname()[1]}"},
                        tmp_path)
        change, look = CASES[platform]
        sess = dev.session("budi")
        for cmd in look:
            sess.handle(cmd)
        assert _lines(rx) == []
        for cmd in change:
            sess.handle(cmd)
        lines = _lines(rx)
    assert len(lines) == (len(change) if platform == "mikrotik_routeros" else 1), lines
    pattern = get_platform(platform).config_change_log
    assert pattern
    for line in lines:
        m = re.search(pattern, line)
        assert m and m.group("user") == "budi", line
