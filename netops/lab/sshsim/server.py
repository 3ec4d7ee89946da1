"""The SSH side: one asyncssh listener per device in one asyncio process, sessions fed to the
device's engine, SIGUSR1 to take a device's sshd away and give it back."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import asyncssh

from netops.lab import rosapi
from netops.lab.sshsim.device import SimDevice


class DeviceServer(asyncssh.SSHServer):
    def __init__(self, dev: SimDevice, conns: set[asyncssh.SSHServerConnection] | None = None):
        self.dev = dev
        self.conns = conns if conns is not None else set()

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.conns.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        self.conns.discard(self.conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self.dev.engine.login_name(username) == self.dev.user and password == self.dev.password


async def run_session(dev: SimDevice, process: asyncssh.SSHServerProcess[str]) -> None:
    user = (process.get_extra_info("username") or dev.user).split("+", 1)[0]
    sess = dev.session(user)
    sess.peer = (process.get_extra_info("peername") or ("127.0.0.1",))[0]  # named in config-change logs
    dev.processes.add(process)
    try:
        if process.command:
            for line in process.command.split("\n"):
                out, close = sess.handle(line)
                process.stdout.write(out)
                if close:
                    break
            process.exit(0)
            return
        await interact(sess, process)
    except (asyncssh.DisconnectError, BrokenPipeError, ConnectionError):
        pass
    finally:
        dev.processes.discard(process)
    process.exit(0)


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


async def interact(sess: Any, process: asyncssh.SSHServerProcess[str]) -> None:
    """A terminal of our own: echo, backspace, Ctrl-C, and CR LF taken as one Enter."""
    # what one read of input produces (echo, output, prompts) leaves in one write, as a
    # terminal echoes a pasted block: one SSH packet, not one per character
    pending: list[str] = []
    write = pending.append

    def flush() -> None:
        if pending:
            process.stdout.write("".join(pending))
            pending.clear()

    write("\r\n" + sess.prompt())
    flush()
    buf: list[str] = []
    last_cr = False
    while True:
        flush()
        try:
            data = await process.stdin.read(4096)
        except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged):
            continue
        if not data:
            return
        for ch in data:
            if ch == "\n" and last_cr:
                last_cr = False
                continue
            last_cr = ch == "\r"
            if ch in "\r\n":
                write("\r\n")
                out, close = sess.handle("".join(buf))
                buf = []
                if out:
                    write(crlf(out))
                if close:
                    flush()
                    return
                if not getattr(sess, "pending", None):
                    write(sess.prompt())
            elif ch in "\x7f\x08":
                if buf:
                    buf.pop()
                    write("\b \b")
            elif ch == "\x03":
                buf = []
                write("^C\r\n" + sess.prompt())
            elif ch >= " " or ch == "\t":
                buf.append(ch)
                write(ch)


async def serve(spec_path: Path) -> None:
    spec = json.loads(spec_path.read_text())
    state_dir = spec_path.parent
    key_path = state_dir / "host_key"
    if key_path.exists():
        key = asyncssh.read_private_key(str(key_path))
    else:
        key = asyncssh.generate_private_key("ssh-ed25519")
        key.write_private_key(str(key_path))
    servers: dict[str, Any] = {}
    conns: dict[str, set[asyncssh.SSHServerConnection]] = {}
    api_servers: list[Any] = []  # RouterOS API beside SSH (netops.lab.rosapi)

    async def listen(d: dict[str, Any], dev: SimDevice) -> None:
        def make_server() -> DeviceServer:
            return DeviceServer(dev, conns.setdefault(dev.name, set()))

        async def handler(process: asyncssh.SSHServerProcess[str]) -> None:
            await run_session(dev, process)

        servers[dev.name] = await asyncssh.create_server(
            make_server, d["address"], d["port"], server_host_keys=[key], process_factory=handler,
            encoding="utf-8", line_editor=False, keepalive_interval=30, login_timeout=60)

    specs = {d["name"]: d for d in spec["devices"]}
    devices = {d["name"]: (d, SimDevice(d, state_dir)) for d in spec["devices"]}
    for d, dev in devices.values():
        dev.peers = specs
        if d.get("api_port"):
            api_servers.append(await rosapi.start(d["address"], d["api_port"], dev.user, dev.password, dev.identity,
                                                  dev.api_fault))
        await listen(d, dev)

    async def sshd_down() -> None:
        """SIGUSR1: the devices listed in ``sshd-down`` lose their SSH daemon (sessions cut,
        logins refused, config kept, as when a router's sshd dies); the others get it back."""
        path = state_dir / "sshd-down"
        down = set(path.read_text().split()) if path.exists() else set()
        for name in down & set(servers):
            servers.pop(name).close()
            for conn in list(conns.get(name, ())):
                conn.abort()
        for name in set(devices) - down - set(servers):
            await listen(*devices[name])

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, lambda: loop.create_task(sshd_down()))
    print(f"sshsim listening for {len(servers)} devices", flush=True)
    await asyncio.Event().wait()
