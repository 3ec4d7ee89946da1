"""The SSH seam: how netops reads and changes a device, through Nornir and netmiko.

Everything above this module works on text (running configs, command lists); only
these functions open connections. Connections come from Nornir's netmiko plugin
(host data from :func:`netops.inventory.nornir_plugin.build_nornir_inventory`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.inventory import Host
from nornir.plugins.runners import ThreadedRunner

from netops.inventory.loader import Inventory
from netops.inventory.nornir_plugin import build_nornir_inventory
from netops.platforms import Platform, get_platform

# netmiko timeouts: VSAT sites answer in ~600 ms per round trip and lose packets.
TIMEOUTS = {
    "fast": {"conn_timeout": 10, "auth_timeout": 15, "banner_timeout": 15, "timeout": 30},
    "vsat": {"conn_timeout": 30, "auth_timeout": 40, "banner_timeout": 40, "timeout": 90},
}


class DeviceError(Exception):
    """A device refused a command or could not be reached (a per-host result, not a user error)."""


def nornir_for(inv: Inventory, names: Iterable[str], workers: int = 20, read_timeout: float | None = None) -> Nornir:
    """A Nornir object over the named devices, logging off (a log file would keep secrets).

    ``read_timeout`` caps every wait for device output (a device that drops mid-session
    fails after it instead of hanging)."""
    wanted = list(names)
    where = None
    nr_inv = build_nornir_inventory(inv, where)
    for name in list(nr_inv.hosts):
        if name not in wanted:
            del nr_inv.hosts[name]
    for host in nr_inv.hosts.values():
        vsat = "vsat" in (host.data.get("facts", {}).get("medium") or [])
        opts = host.connection_options.get("netmiko")
        if opts is not None:
            extras = dict(TIMEOUTS["vsat" if vsat else "fast"])
            extras.update(opts.extras or {})
            if read_timeout:
                extras["read_timeout_override"] = read_timeout
            opts.extras = extras
    config = Config(logging={"enabled": False})
    return Nornir(inventory=nr_inv, runner=ThreadedRunner(num_workers=workers), config=config)


def platform_of(host: Host) -> Platform:
    return get_platform(host.platform or "")


def connection(host: Host, nr_config: Config) -> Any:
    return host.get_connection("netmiko", nr_config)


def reconnect(host: Host, nr_config: Config) -> Any:
    """A fresh session: proves the device still accepts management logins."""
    try:
        host.close_connection("netmiko")
    except Exception:  # noqa: BLE001 - the old session may be dead already
        pass
    return host.get_connection("netmiko", nr_config)


def drop(host: Host) -> None:
    try:
        host.close_connection("netmiko")
    except Exception:  # noqa: BLE001
        pass


def show_config(conn: Any, platform: Platform) -> str:
    assert platform.show_config is not None
    return str(conn.send_command(platform.show_config, read_timeout=60))


def run_command(conn: Any, command: str) -> str:
    return str(conn.send_command(command, read_timeout=60))


def send_config(conn: Any, platform: Platform, commands: list[str]) -> str:
    """Send config lines; raise :class:`DeviceError` at the first line the device rejects."""
    if not commands:
        return ""
    out = conn.send_config_set(commands, read_timeout=60, cmd_verify=False)
    out = str(out)
    m = re.search(platform.cli_error, out, re.MULTILINE | re.IGNORECASE)
    if m:
        line = out[max(0, out.rfind("\n", 0, m.start()) + 1): out.find("\n", m.end()) if "\n" in out[m.end():] else None]
        raise DeviceError(f"device rejected a command: {line.strip()}")
    if platform.save:
        conn.save_config()
    return out


def send_lines(conn: Any, commands: Iterable[str]) -> str:
    """Operational commands one by one (RouterOS scheduler, file export)."""
    return "\n".join(str(conn.send_command(c, read_timeout=60)) for c in commands)
