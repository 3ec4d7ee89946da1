"""Show/display answers of the simulated IOS and VRP devices, rendered from data.

The outputs are Jinja templates under ``netops/lab/data/show/<platform>/`` written
after the devices' real formats (the layouts ntc-templates' raw files and napalm's
parsers expect); :data:`COMMANDS` maps each command napalm's drivers send to its
template. The values come from :mod:`netops.lab.identity` (inventory + planted
faults). The simulator asks :func:`answer` before its own exec commands.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import jinja2
from netutils.interface import abbreviated_interface_name

from netops.lab.identity import SimIdentity

DATA = Path(__file__).resolve().parent / "data" / "show"

COMMANDS: dict[str, dict[str, str]] = {
    "cisco_ios": {
        "show version": "show_version.j2",
        "show interfaces": "show_interfaces.j2",
        "show ip interface": "show_ip_interface.j2",
        "show ip interface brief": "show_ip_interface_brief.j2",
        "show ipv6 interface": "",  # no IPv6 configured: IOS prints nothing
        "show hosts": "show_hosts.j2",
        "show lldp neighbors detail": "show_lldp_neighbors_detail.j2",
        "show lldp neighbors": "show_lldp_neighbors.j2",
    },
    "huawei_vrp": {
        "display version": "display_version.j2",
        "display esn": "display_esn.j2",
        "display interface": "display_interface.j2",
        "display interface brief": "display_interface_brief.j2",
        "display ip interface": "display_ip_interface.j2",
        "display ipv6 interface": "",
        "display lldp neighbor brief": "display_lldp_neighbor_brief.j2",
    },
}
PIPE = re.compile(r"^(?P<cmd>.+?)\s*\|\s*(?:i|inc|incl|include)\s+(?P<rx>.+)$")


def _mac_groups(mac: str, size: int, sep: str) -> str:
    digits = mac.replace(":", "").lower()
    return sep.join(digits[i:i + size] for i in range(0, 12, size))


def _uptime(seconds: int) -> str:
    weeks, rest = divmod(seconds, 7 * 86400)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    return f"{weeks} weeks, {days} days, {hours} hours, {rest // 60} minutes"


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DATA)), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False)
    env.filters["cisco_mac"] = lambda m: _mac_groups(m, 4, ".")
    env.filters["huawei_mac"] = lambda m: _mac_groups(m, 4, "-")
    env.filters["short_ifname"] = abbreviated_interface_name
    return env


def answer(ident: SimIdentity, command: str, domain: str, running_config: Callable[[], str]) -> str | None:
    """The device's output for ``command``, or None when this table does not know it.

    ``cmd | include RX`` filters the output of a known command, or of the running
    config (``running_config``) when ``cmd`` shows it.
    """
    table = COMMANDS.get(ident.platform)
    if table is None:
        return None
    line = " ".join(command.split())
    m = PIPE.match(line)
    if m:
        base = m.group("cmd").lower()
        if base in ("show running-config", "display current-configuration"):
            text: str | None = running_config()
        else:
            text = answer(ident, base, domain, running_config)
        if text is None:
            return None
        rx = m.group("rx").strip()
        return "".join(ln + "\n" for ln in text.splitlines() if re.search(rx, ln))
    name = table.get(line.lower())
    if name is None:
        return None
    if not name:
        return ""
    tmpl = _env().get_template(f"{ident.platform}/{name}")
    return tmpl.render(d=ident, uptime=_uptime(ident.uptime_s), domain=domain)
