"""The syslog listener under a flood: how many lines a second it reads, matches and debounces.

Sends LINES RouterOS config-change lines (the chattiest form: one line per changed item) for
every router of the sample inventory (219 devices, found by the name in the line: the sender
is 127.0.0.1, no device's address) in bursts of BATCH, each sent when the listener has read
the last, and waits until it has asked for one backup per device. Backups are only counted
here.

    .venv/bin/python bench/syslog_listener.py
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from netops.inventory import load_inventory  # noqa: E402
from netops.monitor.syslog import ConfigChangeLog, SyslogListener  # noqa: E402

LINES = 20_000
BATCH = 100
"""lines sent before waiting for the listener (a burst well inside the socket's receive buffer)"""


def main() -> None:
    inv = load_inventory(Path(__file__).resolve().parents[1] / "inventory")
    routers = [d.name for d in inv.devices.values() if d.platform == "mikrotik_routeros"]
    asked: set[str] = set()
    lock = threading.Lock()

    def backup(event: ConfigChangeLog) -> None:
        with lock:
            asked.add(event.device)

    listener = SyslogListener(("127.0.0.1", 0), lambda: inv, backup, debounce=0.5).start()
    try:
        t0 = time.perf_counter()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for i in range(LINES):
                name = routers[i % len(routers)]
                s.sendto(f"<134>Dec  1 23:04:11 {name} system,info filter rule added by admin".encode(),
                         listener.address)
                if i % BATCH == BATCH - 1:  # closed loop: the next batch when this one is read
                    deadline = time.monotonic() + 10
                    while listener.received < i + 1 and time.monotonic() < deadline:
                        time.sleep(0.0005)
        read = time.perf_counter() - t0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(asked) < len(routers):
            time.sleep(0.05)
    finally:
        listener.stop()
    print(f"{LINES} lines from {len(routers)} RouterOS routers (sample inventory, {len(inv.devices)} devices), "
          f"{os.cpu_count()} CPUs")
    print(f"read {listener.received} ({LINES - listener.received} lost) in {read:.2f} s: "
          f"{listener.received / read:,.0f} lines/s; backups asked: {len(asked)} of {len(routers)} routers "
          "(one per router)")


if __name__ == "__main__":
    main()
