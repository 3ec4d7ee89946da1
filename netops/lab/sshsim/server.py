"""The SSH side: one asyncssh listener per device in one asyncio process, sessions fed to the
device's engine, SIGUSR1 to take a device's sshd away and give it back.

Every SSH connection is counted (:class:`SessionCount`): the client's turns at the TCP level
(data received after the server had sent something: a round trip the client waited for), where
the login and the channel began, and each read of terminal input with the heads of its lines.
One JSON line per closed connection goes to ``sessions.jsonl`` beside the spec, so a test or a
bench counts a job's round trips per device and phase without timing anything
(:func:`netops.lab.sshsim_ctl.session_log`).
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
import weakref
from pathlib import Path
from typing import Any

import asyncssh

from netops.lab import rosapi
from netops.lab.faults import hung_marker
from netops.lab.sshsim.device import SimDevice


def line_head(line: str) -> str:
    """What a count keeps of an input line: up to three words, cut at the first value
    (``=``, a quote, a bracket), so no secret a line carries is written down."""
    words = []
    for word in line.split()[:3]:
        cut = min((i for i in (word.find("="), word.find('"'), word.find("[")) if i >= 0), default=-1)
        if cut >= 0:
            words.append(word[: cut + 1])
            break
        words.append(word)
    return " ".join(words)


class SessionCount:
    """The counts of one SSH connection (see the module's docstring)."""

    def __init__(self, device: str):
        self.device = device
        self.started = time.time()
        self.turns = 0
        """TCP-level turns: data received after the server sent something since the last receipt"""
        self.sent = True  # the client's first bytes answer the server's version line
        self.turns_at_auth: int | None = None
        self.turns_at_channel: int | None = None
        self.auth = 0
        self.channels: list[dict[str, Any]] = []
        """per channel: ``kind`` (shell / exec), ``pty``, ``reads`` (line heads per read), ``writes``"""

    def received(self) -> None:
        if self.sent:
            self.turns += 1
            self.sent = False

    def channel(self, kind: str, pty: bool) -> dict[str, Any]:
        if self.turns_at_channel is None:
            self.turns_at_channel = self.turns
        ch: dict[str, Any] = {"kind": kind, "pty": pty, "reads": [], "writes": 0}
        self.channels.append(ch)
        return ch

    def record(self) -> dict[str, Any]:
        return {"device": self.device, "started": self.started, "ended": time.time(), "turns": self.turns,
                "turns_at_auth": self.turns_at_auth, "turns_at_channel": self.turns_at_channel,
                "auth": self.auth, "channels": self.channels}


COUNTS: weakref.WeakKeyDictionary[Any, SessionCount] = weakref.WeakKeyDictionary()
"""the count of each open connection, found again from a session's process"""


class DeviceServer(asyncssh.SSHServer):
    def __init__(self, dev: SimDevice, conns: set[asyncssh.SSHServerConnection] | None = None,
                 log: Path | None = None):
        self.dev = dev
        self.conns = conns if conns is not None else set()
        self.log = log
        self.count = SessionCount(dev.name)

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.conns.add(conn)
        COUNTS[conn] = count = self.count
        # the transport calls the protocol's data_received and asyncssh writes through _send:
        # wrapped per connection to see whose turn it is (counting only: data passes unchanged)
        receive, send = conn.data_received, getattr(conn, "_send", None)

        def data_received(data: bytes, datatype: Any = None) -> None:
            count.received()
            receive(data, datatype)

        conn.data_received = data_received  # type: ignore[method-assign]
        if send is not None:
            def _send(data: bytes) -> None:
                count.sent = True
                send(data)

            conn._send = _send  # type: ignore[method-assign]

    def connection_lost(self, exc: Exception | None) -> None:
        self.conns.discard(self.conn)
        if self.log is not None:
            try:
                with self.log.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(self.count.record()) + "\n")
            except OSError:
                pass

    def begin_auth(self, username: str) -> bool:
        if self.count.turns_at_auth is None:
            self.count.turns_at_auth = self.count.turns
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        self.count.auth += 1
        return self.dev.engine.login_name(username) == self.dev.user and password == self.dev.password


async def run_session(dev: SimDevice, process: asyncssh.SSHServerProcess[str]) -> None:
    user = (process.get_extra_info("username") or dev.user).split("+", 1)[0]
    sess = dev.session(user)
    sess.peer = (process.get_extra_info("peername") or ("127.0.0.1",))[0]  # named in config-change logs
    dev.processes.add(process)
    count = COUNTS.get(process.get_extra_info("connection"))
    ch = (count or SessionCount(dev.name)).channel("exec" if process.command else "shell",
                                                   process.get_terminal_type() is not None)
    try:
        if process.command:
            ch["reads"].append([line_head(ln) for ln in process.command.split("\n")])
            for line in process.command.split("\n"):
                out, close = sess.handle(line)
                process.stdout.write(out)
                if close:
                    break
            ch["writes"] += 1
            process.exit(0)
            return
        await interact(sess, process, ch)
    except (asyncssh.DisconnectError, BrokenPipeError, ConnectionError):
        pass
    finally:
        dev.processes.discard(process)
    process.exit(0)


async def hang_if_planted(dev: SimDevice | None, line: str) -> None:
    """The 'hang' fault: after a line holding its text, the device answers nothing until the fault is cleared."""
    if dev is None:
        return
    text = dev.faults.current().get("hang", {}).get(dev.name)
    if not text or text not in line:
        return
    marker = hung_marker(dev.faults.path.parent, dev.name)
    marker.touch()
    try:
        while dev.faults.current().get("hang", {}).get(dev.name) == text:
            await asyncio.sleep(0.01)
    finally:
        marker.unlink(missing_ok=True)


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


async def interact(sess: Any, process: asyncssh.SSHServerProcess[str], count: dict[str, Any] | None = None) -> None:
    """A terminal of our own: echo, backspace, Ctrl-C, and CR LF taken as one Enter.

    ``count`` (a channel of :class:`SessionCount`) gets each read's line heads and each write."""
    count = count if count is not None else {"reads": [], "writes": 0}
    # what one read of input produces (echo, output, prompts) leaves in one write, as a
    # terminal echoes a pasted block: one SSH packet, not one per character
    pending: list[str] = []
    write = pending.append

    def flush() -> None:
        if pending:
            process.stdout.write("".join(pending))
            pending.clear()
            count["writes"] += 1

    write("\r\n" + sess.prompt())
    flush()
    buf: list[str] = []
    last_cr = False
    while True:
        flush()
        try:
            data = await process.stdin.read(65536)
        except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged):
            continue
        if not data:
            return
        heads: list[str] = []
        count["reads"].append(heads)
        for ch in data:
            if ch == "\n" and last_cr:
                last_cr = False
                continue
            last_cr = ch == "\r"
            if ch in "\r\n":
                write("\r\n")
                heads.append(line_head("".join(buf)))
                line = "".join(buf)
                out, close = sess.handle(line)
                await hang_if_planted(getattr(sess, "dev", None), line)
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
            return DeviceServer(dev, conns.setdefault(dev.name, set()), state_dir / "sessions.jsonl")

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
