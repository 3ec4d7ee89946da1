"""A syslog (UDP) listener that notices config changes and asks for a backup of the device.

Routers log a line when their config changes (each platform's ``config_change_log`` in
:mod:`netops.platforms`). The sender is found by the datagram's source address (the
device's ``mgmt``), else by a device name in the line. Lines arrive in bursts (RouterOS logs
every changed item, a paste of twenty lines logs twenty): a device is backed up once it
has been quiet for ``debounce`` seconds, with the user and time of the last line. Backups
run one at a time in one worker thread, never on the listener's thread.

This module parses and debounces; what a backup is comes from the caller (the CLI hands
in ``netops.config.jobs.backup``), so monitoring never changes a device.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from netops.errors import BadInput, NetopsError
from netops.inventory.models import Inventory
from netops.platforms import get_platform

log = logging.getLogger("netops.monitor.syslog")


@dataclass(frozen=True)
class ConfigChangeLog:
    """The last config-change line of a burst from one device."""

    device: str
    user: str
    time: float
    """when the line arrived (Unix time): the change's time, to the network's delay"""
    line: str
    lines: int = 1
    """lines in the burst"""

    @property
    def cause(self) -> str:
        when = dt.datetime.fromtimestamp(self.time, dt.UTC).isoformat(timespec="seconds")
        return f"syslog: config changed by {self.user} at {when}"


_by_address: list[tuple[Inventory, dict[str, list[str]]]] = []
"""the last inventory seen and its devices by management address (a reload brings a new inventory)"""


def match(inv: Inventory, source: str, line: str) -> tuple[str, str] | None:
    """(device, user) when ``line`` from ``source`` is a config-change log line of a known device."""
    cached = _by_address[0] if _by_address else None
    if cached is None or cached[0] is not inv:
        by_address: dict[str, list[str]] = {}
        for d in inv.devices.values():
            by_address.setdefault(str(d.mgmt), []).append(d.name)
        _by_address[:] = [(inv, by_address)]
    names = _by_address[0][1].get(source, [])
    if not names:
        names = [n for n in re.findall(r"[A-Za-z0-9][A-Za-z0-9._-]+", line[:200]) if n in inv.devices][:1]
    for name in names:
        pattern = get_platform(inv.devices[name].platform).config_change_log
        m = re.search(pattern, line) if pattern else None
        if m:
            return name, (m.groupdict().get("user") or "unknown").strip('"')
    return None


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise BadInput(f"--syslog {text!r}: write ADDRESS:PORT, e.g. 127.0.0.1:5514")
    return host.strip("[]") or "127.0.0.1", int(port)


class SyslogListener:
    """Listens on UDP ``listen``; calls ``backup(event)`` for each device after its burst of change lines."""

    def __init__(self, listen: tuple[str, int], inventory: Callable[[], Inventory],
                 backup: Callable[[ConfigChangeLog], None], debounce: float = 5.0):
        self.inventory = inventory
        self.backup = backup
        self.debounce = debounce
        self.sock = socket.socket(socket.AF_INET6 if ":" in listen[0] else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.bind(listen)
        except OSError as exc:
            self.sock.close()
            raise NetopsError(f"cannot listen for syslog on {listen[0]}:{listen[1]}: {exc.strerror}; choose another "
                              "--syslog address or port (ports below 1024 need root)") from None
        self.sock.settimeout(0.2)
        host, port = self.sock.getsockname()[:2]
        self.address: tuple[str, int] = (str(host), int(port))
        self.received = 0
        self._pending: dict[str, tuple[ConfigChangeLog, float]] = {}
        self._stop = threading.Event()
        self._work: queue.Queue[ConfigChangeLog | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._listen, name="netops-syslog", daemon=True),
                         threading.Thread(target=self._worker, name="netops-syslog-backup", daemon=True)]

    def start(self) -> SyslogListener:
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._work.put(None)
        for t in self._threads:
            t.join(timeout=30)
        self.sock.close()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                data, addr = self.sock.recvfrom(8192)
            except TimeoutError:
                data, addr = b"", None
            except OSError:
                return
            now = time.time()
            if addr is not None:
                self.received += 1
                line = data.decode("utf-8", "replace").strip()
                try:
                    hit = match(self.inventory(), str(addr[0]), line)
                except Exception as exc:  # noqa: BLE001 - one bad line never stops the listener
                    log.error("syslog line from %s not read: %s", addr[0], exc)
                    hit = None
                if hit:
                    old = self._pending.get(hit[0])
                    event = ConfigChangeLog(hit[0], hit[1], now, line[:500], (old[0].lines + 1) if old else 1)
                    self._pending[hit[0]] = (event, time.monotonic())
            quiet = time.monotonic() - self.debounce
            for name, (event, seen) in list(self._pending.items()):
                if seen <= quiet:
                    del self._pending[name]
                    self._work.put(event)

    def _worker(self) -> None:
        while True:
            event = self._work.get()
            if event is None:
                return
            try:
                self.backup(event)
            except Exception as exc:  # noqa: BLE001 - one failed backup never stops the listener
                log.error("syslog-triggered backup of %s failed: %s", event.device, exc)
