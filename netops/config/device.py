"""The SSH seam: how netops reads and changes a device, through Nornir and netmiko.

Everything above this module works on text (running configs, command lists); only
these functions open connections. Connections come from Nornir's netmiko plugin
(host data from :func:`netops.inventory.nornir_plugin.build_nornir_inventory`).
"""

from __future__ import annotations

import logging
import re
import socket
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any

from netmiko.exceptions import ConfigInvalidException
from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.inventory import Host
from nornir.core.plugins.connections import ConnectionPluginRegister
from nornir.plugins.runners import ThreadedRunner

from netops.inventory.models import Inventory
from netops.inventory.nornir_plugin import build_nornir_inventory
from netops.platforms import Platform, get_platform

# netmiko timeouts: VSAT sites answer in ~600 ms per round trip and lose packets.
TIMEOUTS = {
    "fast": {"conn_timeout": 10, "auth_timeout": 15, "banner_timeout": 15, "timeout": 30},
    "vsat": {"conn_timeout": 30, "auth_timeout": 40, "banner_timeout": 40, "timeout": 90},
}


# Nornir logs a failed task's traceback (which can quote the commands sent, secrets
# included); netops reports failures itself, masked, so these loggers stay silent.
for _name in ("nornir", "netmiko", "paramiko"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False
ConnectionPluginRegister.auto_register()


class DeviceError(Exception):
    """A device refused a command or could not be reached (a per-host result, not a user error)."""


def nornir_for(inv: Inventory, names: Iterable[str], workers: int = 20, read_timeout: float | None = None,
               connect_timeout: float | None = None) -> Nornir:
    """A Nornir object over the named devices, logging off (a log file would keep secrets).

    ``read_timeout`` caps every wait for device output (a device that drops mid-session
    fails after it instead of hanging)."""
    wanted = list(names)
    where = None
    nr_inv = build_nornir_inventory(inv, where)
    for name in list(nr_inv.hosts):
        if name not in wanted:
            del nr_inv.hosts[name]
    # slowest first (devices behind VSAT): the workers then finish together instead of
    # waiting for a VSAT router picked up last
    order = sorted(nr_inv.hosts.items(), key=lambda kv: not _behind_vsat(kv[1]))
    nr_inv.hosts.clear()
    nr_inv.hosts.update(order)
    for host in nr_inv.hosts.values():
        vsat = _behind_vsat(host)
        opts = host.connection_options.get("netmiko")
        if opts is not None:
            extras: dict[str, Any] = dict(TIMEOUTS["vsat" if vsat else "fast"])
            extras.update(opts.extras or {})
            if read_timeout:
                extras["read_timeout_override"] = read_timeout
            if connect_timeout:
                extras["conn_timeout"] = connect_timeout
            opts.extras = extras
    config = Config(logging={"enabled": False})  # type: ignore[arg-type]  # Config builds LoggingConfig
    return Nornir(inventory=nr_inv, runner=ThreadedRunner(num_workers=workers), config=config)


def _behind_vsat(host: Host) -> bool:
    return "vsat" in (host.data.get("facts", {}).get("medium") or [])


def platform_of(host: Host) -> Platform:
    return get_platform(host.platform or "")


def connection(host: Host, nr_config: Config) -> Any:
    return _nodelay(host.get_connection("netmiko", nr_config))


def reconnect(host: Host, nr_config: Config) -> Any:
    """A fresh session: proves the device still accepts management logins."""
    drop(host)
    return _nodelay(host.get_connection("netmiko", nr_config))


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
    """Close a session by closing its SSH transport first: netops leaves config mode itself,
    so netmiko's clean-up (which asks the device whether it is still in config mode) has
    nothing to do; its Huawei driver asks by waiting for 2 s of silence, on every close."""
    try:
        host.connections["netmiko"].connection.paramiko_cleanup()
    except Exception:  # noqa: BLE001 - a transport already gone (EOFError, OSError) or no session
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
            conn.set_base_prompt()
            conn.save_config()
        return out
    out = ""
    if platform.config_enter:  # entered here: netmiko's Huawei driver checks the mode by 2 s of silence
        out = str(conn.send_config_set([platform.config_enter], read_timeout=60, enter_config_mode=False,
                                       exit_config_mode=False, terminator=_ANY_PROMPT, bypass_commands=""))
    for k, command in enumerate(commands, 1):
        try:
            # one line per call (netmiko sends, reads the echo and the prompt per line anyway);
            # bypass_commands="": netmiko would otherwise stop verifying echoes for the whole set
            # when it holds a banner, and wait ~2 s of silence after every line instead.
            answer = str(conn.send_config_set([command], read_timeout=60, enter_config_mode=k == 1 and not platform.config_enter,
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
        conn.write_channel(conn.normalize_cmd(platform.config_exit))
        time.sleep(0.2)
    if platform.save:  # the session is not used again otherwise (verify logs in anew)
        conn.set_base_prompt()
        conn.save_config()
    return out


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
