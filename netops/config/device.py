"""The SSH seam: how netops reads and changes a device, through Nornir and netmiko.

Everything above this module works on text (running configs, command lists); only
these functions open connections. Connections come from Nornir's netmiko plugin
(host data from :func:`netops.inventory.nornir_plugin.build_nornir_inventory`).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import struct
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import paramiko
from netmiko.channel import MAX_BUFFER, SSHChannel
from netmiko.exceptions import ConfigInvalidException, NetmikoTimeoutException, ReadException
from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.inventory import Host
from nornir.core.plugins.connections import ConnectionPluginRegister
from nornir.plugins.runners import ThreadedRunner
from nornir_netmiko.connections import Netmiko
from paramiko.common import cMSG_CHANNEL_REQUEST

from netops.inventory.models import Inventory
from netops.inventory.nornir_plugin import build_nornir_inventory
from netops.platforms import Platform, get_platform

# netmiko timeouts: VSAT sites answer in ~600 ms per round trip and lose packets.
TIMEOUTS = {
    "fast": {"conn_timeout": 10, "auth_timeout": 15, "banner_timeout": 15, "timeout": 30},
    "vsat": {"conn_timeout": 30, "auth_timeout": 40, "banner_timeout": 40, "timeout": 90},
}

HANDSHAKES = 128 * (os.cpu_count() or 1)
"""most SSH handshakes (TCP to the first prompt) in progress at once: each costs ~9 ms of CPU
on both ends, and with 512 at once on 2 cores (1,001 routers) many took longer than the key
exchange's deadline; sessions past their handshake wait on the network unbounded"""
_handshakes = threading.BoundedSemaphore(HANDSHAKES)

MAX_WORKERS = 512
"""most sessions a job keeps open at once (each: a socket, two threads, ~1 MB; bench/RESULTS.md)"""


def default_workers(devices: int) -> int:
    """One session per device: the work waits on the network (a VSAT round trip is ~0.6 s),
    not on the CPU. Bounded by MAX_WORKERS and by the process's file descriptors (a socket
    per session, a quarter kept for git, logs and the lab)."""
    import resource
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    by_fds = max(1, (soft * 3) // 4) if soft > 0 else MAX_WORKERS
    return max(1, min(devices, MAX_WORKERS, by_fds))


# Nornir logs a failed task's traceback (which can quote the commands sent, secrets
# included); netops reports failures itself, masked, so these loggers stay silent.
for _name in ("nornir", "netmiko", "paramiko"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False
# netmiko only: registering every installed plugin imports napalm (0.3 s of each CLI start);
# netops.facts registers napalm's when it collects
ConnectionPluginRegister.register("netmiko", Netmiko)


class DeviceError(Exception):
    """A device refused a command or could not be reached (a per-host result, not a user error)."""


def nornir_for(inv: Inventory, names: Iterable[str], workers: int = 0, read_timeout: float | None = None,
               connect_timeout: float | None = None) -> Nornir:
    """A Nornir object over the named devices, logging off (a log file would keep secrets).

    ``workers`` 0: :func:`default_workers`. ``read_timeout`` caps every wait for device
    output (a device that drops mid-session fails after it instead of hanging)."""
    wanted = list(names)
    workers = workers or default_workers(len(wanted))
    where = None
    nr_inv = build_nornir_inventory(inv, where)
    for name in list(nr_inv.hosts):
        if name not in wanted:
            del nr_inv.hosts[name]
    # slowest first (devices behind VSAT): the workers then finish together instead of
    # waiting for a VSAT router picked up last
    order = sorted(nr_inv.hosts.items(), key=lambda kv: not behind_vsat(kv[1]))
    nr_inv.hosts.clear()
    nr_inv.hosts.update(order)
    # a thousand logins share the CPU for their key exchanges: the login waits grow with the fleet
    # (+1 s per 50 devices) so that a fast device slowed by them is not counted as down
    spread = len(nr_inv.hosts) / 50
    for host in nr_inv.hosts.values():
        vsat = behind_vsat(host)
        opts = host.connection_options.get("netmiko")
        if opts is not None:
            # auto_connect off: netops logs in itself (:func:`_login`), with fewer round trips
            # than netmiko's session preparation (napalm's drivers, which log in their own way,
            # get the timeouts only)
            extras: dict[str, Any] = {**TIMEOUTS["vsat" if vsat else "fast"], "auto_connect": False}
            for key in ("conn_timeout", "auth_timeout", "banner_timeout"):  # paramiko's key exchange waits conn_timeout
                extras[key] += spread
            extras.update(opts.extras or {})
            if read_timeout:
                extras["read_timeout_override"] = read_timeout
            if connect_timeout:
                extras["conn_timeout"] = connect_timeout
            opts.extras = extras
    config = Config(logging={"enabled": False})  # type: ignore[arg-type]  # Config builds LoggingConfig
    return Nornir(inventory=nr_inv, runner=ThreadedRunner(num_workers=workers), config=config)


def behind_vsat(host: Host) -> bool:
    """Is the device's uplink a VSAT link? (its round trips take ~0.6 s)"""
    return "vsat" in (host.data.get("facts", {}).get("medium") or [])


def platform_of(host: Host) -> Platform:
    return get_platform(host.platform or "")


def connection(host: Host, nr_config: Config) -> Any:
    return _login(host.get_connection("netmiko", nr_config), platform_of(host))


def reconnect(host: Host, nr_config: Config) -> Any:
    """A fresh session: proves the device still accepts management logins."""
    drop(host)  # the old session may be dead already
    return _login(host.get_connection("netmiko", nr_config), platform_of(host))


def alive(conn: Any) -> bool:
    """Is the session's SSH transport up? (netmiko's is_alive writes a byte to find out)"""
    try:
        return bool(conn.remote_conn.get_transport().is_active())
    except AttributeError:
        return False


def _login(conn: Any, platform: Platform) -> Any:
    """Open the SSH session of a netmiko connection made with ``auto_connect`` off, with the
    fewest round trips: netmiko's own login (TCP, SSH, authentication, shell, the driver's
    login handler), then the prompt the device prints by itself after login becomes the base
    prompt (netmiko would send an Enter and wait for the prompt again), and the platform's
    ``session_setup`` (paging off) waits to ride in the write of the first command.
    """
    if getattr(conn, "_netops_ready", False):
        return conn
    seen: list[str] = []
    read = conn.read_until_pattern

    def keep(*args: Any, **kwargs: Any) -> str:
        if type(conn.channel) is SSHChannel:  # the shell is open: from its first read on, wait, not poll
            conn.channel = _WaitingChannel(conn)
        out = str(read(*args, **kwargs))
        seen.append(out)
        return out

    if not getattr(conn, "_netops_params", False):
        conn._modify_connection_params()  # RouterOS: terminal options in the login name
        conn._netops_params = True
    conn.ansi_escape_codes = True
    _shell_in_two_round_trips(conn)
    conn.read_until_pattern = keep  # the driver's login handler reads up to the prompt
    try:
        with _handshakes:
            _own_socket(conn)
            conn.establish_connection()
    finally:
        del conn.read_until_pattern
    text = "".join(seen)
    if not re.search(_ANY_PROMPT, text):
        text += str(conn.read_until_pattern(pattern=_ANY_PROMPT, read_timeout=60))
    _learn_prompt(conn, text)  # the driver's own rules turn the prompt into a base prompt
    conn._netops_setup = list(platform.session_setup)
    conn._netops_ready = True
    return _nodelay(conn)


WAIT = 0.2
"""longest a read blocks before netmiko's loop looks at its clock again (s)"""


class _WaitingChannel(SSHChannel):
    """netmiko's SSH channel, but a read with nothing to read waits up to :data:`WAIT` for data
    instead of returning at once. netmiko's read loops poll every 10 ms and search the output
    so far each time: 150 sessions waiting for a VSAT reply cost two thirds of a core
    (bench/config_profile.py); waiting on paramiko's buffer costs nothing until data comes.
    Output netmiko already holds (read past a pattern) is never waited for."""

    def __init__(self, conn: Any) -> None:
        super().__init__(conn.remote_conn, conn.encoding)
        self.conn = conn

    def read_channel(self) -> str:
        chan = self.remote_conn
        if chan is None or chan.recv_ready() or chan.closed or self.conn._read_buffer:
            return str(super().read_channel())
        before = chan.gettimeout()
        chan.settimeout(WAIT)
        try:
            first = chan.recv(MAX_BUFFER)
        except TimeoutError:
            return ""
        finally:
            chan.settimeout(before)
        if not first:
            raise ReadException("Channel stream closed by remote device.")
        return first.decode(self.encoding, "ignore") + str(super().read_channel())


def _own_socket(conn: Any) -> None:
    """Open the TCP connection for paramiko, with Nagle off from the start: paramiko writes
    some handshake messages back to back (NEWKEYS then the service request, the channel
    request then the shell), and with Nagle the second waits for the first one's ACK, a
    VSAT round trip each. Left to netmiko when the user configured a proxy or socket."""
    if conn.sock is not None and not getattr(conn, "_netops_sock", False):
        return
    conn.sock = None
    params = conn._connect_params_dict()  # what netmiko would use (an SSH config file may name a proxy)
    if params.get("sock") is not None:
        return
    try:
        sock = socket.create_connection((params["hostname"], params["port"]), timeout=conn.conn_timeout)
    except OSError as exc:  # as netmiko reports it
        raise NetmikoTimeoutException(f"TCP connection to device failed ({exc}): {conn.host}:{conn.port}") from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.sock = sock
    conn._netops_sock = True


def _shell_in_two_round_trips(conn: Any) -> None:
    """paramiko's ``invoke_shell`` opens a channel, asks for a pty and waits for the answer,
    then asks for the shell and waits again: three round trips. The pty request goes without
    asking for an answer, in the same flight as the shell request (a server that refuses a
    pty still runs the shell): two round trips, as OpenSSH's client spends."""
    if getattr(conn, "_netops_shell", False):
        return
    build = conn._build_ssh_client

    def build_client() -> paramiko.SSHClient:
        client = build()

        def invoke_shell(term: str = "vt100", width: int = 80, height: int = 24, width_pixels: int = 0,
                         height_pixels: int = 0, environment: Any = None) -> paramiko.Channel:
            chan = client.get_transport().open_session()  # type: ignore[union-attr]
            m = paramiko.Message()
            m.add_byte(cMSG_CHANNEL_REQUEST)
            m.add_int(chan.remote_chanid)
            m.add_string("pty-req")
            m.add_boolean(False)  # no answer wanted
            m.add_string(term)
            for n in (width, height, width_pixels, height_pixels):
                m.add_int(n)
            m.add_string(b"")
            chan.transport._send_user_message(m)  # type: ignore[attr-defined]
            chan.invoke_shell()
            return chan

        client.invoke_shell = invoke_shell  # type: ignore[method-assign]
        return client

    conn._build_ssh_client = build_client
    conn._netops_shell = True


def _nodelay(conn: Any) -> Any:
    """Send each command at once (as OpenSSH does for interactive sessions): with Nagle a
    command's last bytes wait for an ACK, one more VSAT round trip per command."""
    try:
        conn.remote_conn.get_transport().sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (AttributeError, OSError):
        pass
    return conn


def abort(host: Host) -> None:
    """Abandon a session that failed mid-change with a TCP reset: lines still in its send
    buffer are discarded, so a link that comes back cannot deliver them to the device
    after netops has restored it (a normal close would keep retransmitting them)."""
    try:
        conn = host.connections["netmiko"].connection
        sock = conn.remote_conn.get_transport().sock
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except (KeyError, AttributeError, OSError):
        pass
    drop(host)


def drop(host: Host) -> None:
    """Close a session without netmiko's goodbye (it checks for config mode first: one more
    round trip per device for nothing)."""
    try:
        conn = host.connections["netmiko"].connection
        conn.remote_conn_pre.close()
    except (KeyError, AttributeError, OSError):
        pass
    try:
        host.close_connection("netmiko")
    except Exception:  # noqa: BLE001
        pass


def show_config(conn: Any, platform: Platform) -> str:
    assert platform.show_config is not None
    return run_command(conn, platform.show_config)


def run_command(conn: Any, command: str) -> str:
    # the prompt learnt at login (or after a push) ends the output: netmiko would otherwise
    # send an Enter and wait for the prompt first, one more round trip per command
    prompt = re.escape(str(conn.base_prompt)) + r"[^\r\n]*$"
    setup = getattr(conn, "_netops_setup", None)
    if setup:  # the session's setup (paging off) goes in the same write, one round trip for both
        conn._netops_setup = []
        conn.write_channel("".join(conn.normalize_cmd(c) for c in [*setup, command]))
        echo = re.escape(command.strip())
        # the prompt at the start of a line (VRP wraps it in < >): a config line naming the host is no prompt
        raw = str(conn.read_until_pattern(pattern=echo + r"[^\n]*\n(?:[\s\S]*\n)?[^\w\n]?" + prompt,
                                          read_timeout=60))
        lines = raw.splitlines()
        at = max(i for i, ln in enumerate(lines) if re.search(echo, ln))
        return "\n".join(lines[at + 1: -1])
    return str(conn.send_command(command, read_timeout=60, expect_string=prompt))


def send_config(conn: Any, platform: Platform, commands: list[str], pipelined: bool = False,
                on_line: Callable[[int], None] | None = None) -> str:
    """Send config lines; raise :class:`DeviceError` at the first line the device rejects.

    The prompt may change under netmiko's feet (a new hostname or identity), so any
    prompt ends a command's output, config mode is left by writing the exit command
    ourselves, and the prompt is learnt again before saving.

    ``pipelined`` (only while an on-device revert is armed, see ``Platform.pipeline``):
    all lines in one write, one read; a rejected line is still reported, but the lines
    after it have run too and are left to the armed revert.

    ``on_line(k)`` is called once the device has answered line k (after the whole set
    when pipelined): the change journal records how far a change got.
    """
    if not commands:
        return ""
    if pipelined:
        out = pipeline(conn, platform, commands)
        if on_line:
            on_line(len(commands))
        if platform.save:
            save(conn, platform)
        return out
    out = ""
    if platform.config_enter:
        out += exchange(conn, platform.config_enter)
    for k, command in _with_text_blocks(commands, platform):
        if "\n" in command:  # a banner's text: the device shows no prompt until its last line
            answer = _send_block(conn, command)
            out += answer
            if re.search(platform.cli_error, answer, re.MULTILINE | re.IGNORECASE):
                raise DeviceError(f"device rejected a command: {error_line(answer, platform)}")
            if on_line:
                on_line(k)
            continue
        try:
            # one line per call (netmiko sends, reads the echo and the prompt per line anyway);
            # bypass_commands="": netmiko would otherwise stop verifying echoes for the whole set
            # when it holds a banner, and wait ~2 s of silence after every line instead.
            answer = str(conn.send_config_set([command], read_timeout=60, enter_config_mode=False,
                                              exit_config_mode=False, error_pattern=platform.cli_error,
                                              terminator=_ANY_PROMPT, bypass_commands=""))
        except ConfigInvalidException as exc:
            first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "rejected")
            first = first.replace("Invalid input detected at command: ", "").split(", matched error")[0]
            raise DeviceError(f"device rejected a command: {first}") from None
        out += answer
        if re.search(platform.cli_error, answer, re.MULTILINE | re.IGNORECASE):
            raise DeviceError(f"device rejected a command: {error_line(answer, platform)}")
        if on_line:
            on_line(k)
    if platform.config_exit:
        _learn_prompt(conn, exchange(conn, platform.config_exit))
    if platform.save:  # the session is not used again otherwise (verify logs in anew)
        save(conn, platform)
    return out


def _with_text_blocks(commands: list[str], platform: Platform) -> Iterator[tuple[int, str]]:
    """(k, command) with the lines of a text typed over several lines (``Platform.text_input``)
    joined into one command; k counts the lines sent so far."""
    k, lines = 0, iter(commands)
    for line in lines:
        k += 1
        opened = re.match(platform.text_input, line.strip()) if platform.text_input else None
        if opened:
            block = [line]
            for more in lines:
                k += 1
                block.append(more)
                if opened.group(1) in more:
                    break
            line = "\n".join(block)
        yield k, line


def _send_block(conn: Any, command: str) -> str:
    """A command typed over several lines (``banner motd #``, its text, ``#``): IOS answers the
    first line with "Enter TEXT message" and shows no prompt until the closing delimiter, so
    waiting for a prompt per line would time out. One write; the answer ends at the prompt
    after the last line's echo."""
    last = command.rstrip().split("\n")[-1].strip()
    conn.write_channel(conn.normalize_cmd(command))
    return str(conn.read_until_pattern(pattern=r"(?:^|\n)" + re.escape(last) + r"[^\n]*\n[\s\S]*" + _ANY_PROMPT,
                                       read_timeout=60))


def exchange(conn: Any, command: str, question: str | None = None) -> str:
    """Send one command and read up to the next prompt (any prompt: entering or leaving config
    mode changes it) or ``question``: one round trip, where netmiko's config_mode and
    check_config_mode spend two or three (VRP: each also waits 2 s for silence)."""
    conn.write_channel(conn.normalize_cmd(command))
    end = f"(?:{question}|{_ANY_PROMPT})" if question else _ANY_PROMPT
    return str(conn.read_until_pattern(pattern=re.escape(command.strip()) + r"[^\n]*\n[\s\S]*" + end,
                                       read_timeout=60))


def save(conn: Any, platform: Platform) -> str:
    """Persist the running config, answering the platform's question if it asks one."""
    assert platform.save is not None
    out = exchange(conn, platform.save, platform.save_question)
    if platform.save_question and re.search(platform.save_question, out):
        out += exchange(conn, "y")
    return out


def _learn_prompt(conn: Any, output: str) -> None:
    """The base prompt from the prompt ending ``output`` (the hostname may have changed)."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    if not lines:
        return
    conn.find_prompt = lambda *args, **kwargs: lines[-1]
    try:
        conn.set_base_prompt()
    except ValueError:
        pass
    finally:
        del conn.find_prompt


def pipeline(conn: Any, platform: Platform, commands: list[str]) -> str:
    """Write all lines at once, read until the last line's echo is followed by a prompt,
    and raise :class:`DeviceError` naming the first line the device rejected."""
    conn.write_channel("".join(conn.normalize_cmd(c) for c in commands))
    last = re.escape(commands[-1].strip())
    out = str(conn.read_until_pattern(pattern=last + r"[^\n]*\n[\s\S]*" + _ANY_PROMPT, read_timeout=60))
    if re.search(platform.cli_error, out, re.MULTILINE | re.IGNORECASE):
        raise DeviceError(f"device rejected a command: {error_line(out, platform)}")
    return out


_ANY_PROMPT = r"[#>\]]\s*$"


def error_line(text: str, platform: Platform) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.search(platform.cli_error, line, re.IGNORECASE) or (line.startswith("%") and i):
            before = lines[i - 1].strip() if i else ""
            return f"{line.strip()} (after: {before})" if before else line.strip()
    return lines[-1].strip() if lines else text


def send_lines(conn: Any, commands: Iterable[str], platform: Platform | None = None) -> str:
    """Operational commands (RouterOS scheduler, file export): one by one, or with a
    ``pipeline`` platform all in one round trip, a rejected one raising :class:`DeviceError`."""
    commands = list(commands)
    if platform is not None and platform.pipeline and commands:
        return pipeline(conn, platform, commands)
    return "\n".join(run_command(conn, c) for c in commands)
