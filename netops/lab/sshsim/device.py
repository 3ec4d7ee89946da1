"""One simulated device: its config engine (chosen from ``ENGINES`` by the platform's lab profile),
identity, scheduler and reboot."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netops.lab import identity, showcmd
from netops.lab.faults import FILE as FAULTS_FILE
from netops.lab.faults import FaultFile
from netops.lab.profiles import profile
from netops.lab.sshsim import indented, routeros
from netops.lab.sshsim.indented import IndentedSession
from netops.lab.sshsim.routeros import RosError, RosSession, parse_interval, split_script


class SimDevice:
    def __init__(self, spec: dict[str, Any], state_dir: Path):
        self.spec = spec
        self.name = spec["name"]
        self.platform = spec["platform"]
        self.prof = profile(self.platform)
        if self.prof.cli is None:
            raise ValueError(f"{self.platform}: the lab profile has no simulated CLI")
        self.cli = self.prof.cli
        self.user, self.password = spec["username"], spec["password"]
        self.state_dir = state_dir
        self.saved: str | None = None
        self.files: dict[str, str] = {}
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.backups: dict[str, Any] = {}
        """RouterOS binary backups (/system backup save), by file name"""
        self.processes: set[Any] = set()
        """open SSH sessions: a reboot (backup load) ends them all"""
        self.peers: dict[str, dict[str, Any]] = {spec["name"]: spec}
        self.faults = FaultFile(state_dir / FAULTS_FILE)
        self.engine = ENGINES[self.cli.engine]
        self.config: Any = self.engine.factory_config(self.cli, spec, self.files)
        self.syslog: tuple[str, int] | None = None
        """where the device sends its syslog (the lab's ``syslog`` option), as a router's logging host"""
        if spec.get("syslog"):
            host, _, port = str(spec["syslog"]).rpartition(":")
            self.syslog = (host, int(port))
        self._log_seq = itertools.count(1)
        self._log_sock: socket.socket | None = None

    def log_config_change(self, user: str, peer: str, what: str = "config changed") -> None:
        """Send the platform's config-change syslog line (``cli.config_log``) over UDP from the
        device's own address, as the router does after a change in config mode."""
        form = self.cli.config_log
        if self.syslog is None or not form:
            return
        now = dt.datetime.now(dt.UTC)
        line = form.format(seq=next(self._log_seq), ios_time=now.strftime("%b %d %H:%M:%S.%f")[:-3] + " UTC",
                           bsd_time=f"{now:%b} {now.day:2d} {now:%H:%M:%S}", hostname=self.config.hostname,
                           user=user, peer=peer, what=what)
        try:
            if self._log_sock is None:
                self._log_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self._log_sock.bind((self.spec["address"], 0))
            self._log_sock.sendto(line.encode("utf-8"), self.syslog)
        except OSError:
            pass  # syslog is fire-and-forget on a router too

    def save(self, text: str) -> None:
        self.saved = text
        (self.state_dir / f"{self.name}.saved").write_text(text, encoding="utf-8")

    def version_text(self) -> str:
        descr = self.prof.sys_descr.format(name=self.name, model=self.spec.get("model") or "", platform=self.platform)
        return descr.replace("\\r\\n", "\n").replace("\r\n", "\n") + f"\n{self.config.hostname} uptime is 5 weeks, 2 days\n"

    # -- what the device says about itself (facts): netops.lab.identity, showcmd, rosapi
    def identity(self) -> identity.SimIdentity:
        return identity.identity(self.spec, self.peers, self.faults.current(), self.config.hostname)

    def show(self, command: str) -> str | None:
        return showcmd.answer(self.identity(), command, self.spec.get("domain", ""), self.config.render)

    def api_fault(self) -> str | None:
        fault: str | None = self.faults.current().get("api", {}).get(self.name)
        return fault

    def session(self, user: str) -> Any:
        return self.engine.session(self, user)

    # RouterOS scheduler: each entry runs its on-event every interval until removed.
    def arm(self, item: dict[str, str]) -> None:
        interval = parse_interval(item.get("interval", "0s"))
        if interval <= 0:
            return
        self.tasks[id(item)] = asyncio.get_running_loop().create_task(self._schedule(item, interval))

    async def _schedule(self, item: dict[str, str], interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            items = self.config.lists.get("/system scheduler", [])
            if not any(x is item for x in items):
                return
            if item.get("disabled") == "yes":
                continue
            sess = RosSession(self, "scheduler")
            event = item.get("on-event", "")
            scripts = {s.get("name"): s.get("source", "") for s in self.config.lists.get("/system script", [])}
            for cmd in split_script(scripts.get(event, event)):
                try:
                    sess.run(cmd)
                except RosError:
                    break

    def reboot(self) -> None:
        """What a RouterOS reboot ends: every SSH session (input still in flight never
        arrives) and every scheduler task; the scheduler entries of the config run anew."""
        for process in list(self.processes):
            try:
                process.close()
            except Exception:  # noqa: BLE001 - a session already gone
                pass
        self.processes.clear()
        self.cancel_schedules()
        for item in self.config.lists.get("/system scheduler", []):
            self.arm(item)

    def cancel_schedules(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()


@dataclass(frozen=True)
class CliEngine:
    """A CLI dialect of the simulator, named by ``cli.engine`` in the platform's lab profile."""

    factory_config: Callable[[Any, dict[str, Any], dict[str, str]], Any]
    """(cli, device spec, files) -> the config the device starts with"""
    session: Callable[[SimDevice, str], Any]
    """(device, user) -> a CLI session"""
    login_name: Callable[[str], str] = str
    """the user name a login means (RouterOS logins carry terminal options)"""


ENGINES: dict[str, CliEngine] = {
    "indented": CliEngine(indented.factory_config, lambda dev, user: IndentedSession(dev)),
    "routeros": CliEngine(routeros.factory_config, RosSession, routeros.login_name),
}
