"""The platform table: the one place that knows how platforms differ.

Everything else asks this table (netmiko device type, napalm driver, template
folder, SNMP profiles, how to save and roll back); nothing else branches on a
platform name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from netops.errors import UnknownPlatform


class FactsVia(StrEnum):
    """How ``netops facts collect`` reads a platform's facts."""

    napalm = "napalm"
    """napalm getters run by Nornir (nornir_napalm)"""
    vtysh = "vtysh"
    """show commands over netmiko, parsed with TextFSM where a template fits"""
    none = "none"
    """netops never logs in: SNMP (netops_device_info) is all there is"""


@dataclass(frozen=True)
class Platform:
    name: str
    description: str
    netmiko: str | None
    """netmiko device_type; None for devices netops never logs into."""
    napalm: str | None
    """napalm driver name, where an installed driver supports the platform."""
    templates: str | None
    """folder under templates/; None if netops does not manage its config."""
    snmp_profiles: tuple[str, ...]
    """monitors/profiles/<name>.yaml polled on devices of this platform."""
    show_config: str | None
    """command that prints the running config."""
    save: str | None
    """command that persists the running config (None: changes are persistent)."""
    rollback: str
    """how a failed change is undone: ``scheduled-revert`` (the device restores itself unless
    netops confirms in time), ``backup-restore`` (netops pushes the difference back to the
    backup it took just before) or ``none`` (not managed)."""
    # -- configuration management (netops.config) --------------------------------
    config_style: str = "indented"
    """how the config is structured: ``indented`` (blocks under a parent line, IOS-like)
    or ``flat`` (every line is a full command path, RouterOS ``/export terse``)."""
    comment_prefixes: tuple[str, ...] = ("!",)
    """lines starting with these are comments, never compared or pushed."""
    block_end: tuple[str, ...] = ("exit", "end", "!")
    """lines that only close a block (ignored in comparisons)."""
    config_end: str | None = "end"
    """the line that closes a whole config listing (new top-level lines go before it)."""
    negate: str = "no "
    """prefix that removes a line (restore from backup), for indented configs."""
    replace_prefixes: tuple[str, ...] = ()
    """single-valued settings: an intended line with one of these prefixes replaces the
    running line with the same prefix (and the diff shows both)."""
    secret_patterns: tuple[str, ...] = ()
    """regexes whose group 1 is a secret (password, key, community) masked in backups,
    diffs and logs; applied on top of masking every known secret value."""
    volatile_patterns: tuple[str, ...] = ()
    """regexes of lines that change without a config change (timestamps, uptime):
    left out of backups so an unchanged device gives no diff."""
    config_exit: str | None = "end"
    """command that leaves config mode after a push (None: the CLI has no config mode)."""
    fixed_blocks: tuple[str, ...] = ("interface ", "line ")
    """blocks that exist without config (interfaces, vty lines): a restore empties them
    line by line instead of deleting the block."""
    cli_error: str = r"^% |\n% "
    """regex matching the device's answer to a rejected command (a push stops there)."""
    revert_arm: tuple[str, ...] = ()
    """scheduled-revert: commands that save the pre-change config on the device and
    schedule its restore ({name} = revert job name, {seconds} = delay)."""
    revert_confirm: tuple[str, ...] = ()
    """scheduled-revert: commands that cancel the scheduled restore after a good change."""
    revert_now: tuple[str, ...] = ()
    """scheduled-revert: commands that restore the saved config at once."""
    read_only: tuple[str, ...] = ()
    """regexes of commands that only read (show, print, ping): ``netops run`` sends any
    other command only with ``--commit``, so a typo cannot reload a village router."""
    read_only_never: str | None = None
    """regex of what makes any command a writer (a second command after ``;``, command
    substitution, output redirected to a file); matched case-insensitively."""
    # -- device facts (netops.facts) -----------------------------------------------
    facts: FactsVia = FactsVia.none
    facts_getters: tuple[str, ...] = ()
    """napalm getters that give facts; neighbours come from the LLDP one named here."""
    facts_commands: tuple[str, ...] = ()
    """commands whose output, parsed with ntc-templates (TextFSM), fills facts the driver
    leaves out (sent through the driver's own netmiko session, or netmiko for vtysh)."""
    api_port: int | None = None
    """TCP port of the management API napalm's driver talks to (None: it uses SSH)."""
    pipeline: bool = False
    """send a whole set of lines in one write and read the answers once (one round trip
    instead of one per line: ~0.6 s each behind VSAT). Used only while an on-device revert
    is armed: the lines after a rejected one have run before netops sees the error, and
    the armed revert undoes them with the rest."""

    def is_read_only(self, command: str) -> bool:
        """Only one line, nothing in ``read_only_never``, and a ``read_only`` pattern matches."""
        cmd = command.strip()
        if re.search(r"[\x00-\x1f\x7f]", cmd):  # a newline would send a second command
            return False
        if self.read_only_never and re.search(self.read_only_never, cmd, re.IGNORECASE):
            return False
        return any(re.search(rx, cmd, re.IGNORECASE) for rx in self.read_only)

    @property
    def managed(self) -> bool:
        """True when netops renders and pushes configuration to this platform."""
        return self.netmiko is not None and self.templates is not None


SHOW_PING_TRACEROUTE = (r"^(?:sh|sho|show)\s", r"^(?:ping|traceroute)\s")
"""read-only commands of IOS and FRR's vtysh"""
OUTPUT_TO_FILE = r"\|\s*[art]|>"
"""``| append``, ``| redirect``, ``| tee`` (or an abbreviation) or ``>``: the output goes to a file"""

PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform(
            name="mikrotik_routeros",
            description="MikroTik RouterOS (desa, kecamatan and OPD routers)",
            netmiko="mikrotik_routeros",
            napalm="ros",  # community driver napalm-ros, over the RouterOS API (librouteros)
            templates="mikrotik_routeros",
            snmp_profiles=("system", "if_mib", "mikrotik_health", "device_info", "mikrotik_info"),
            show_config="/export terse",
            save=None,
            read_only=(r"^/(?:[\w-]+[ /])*(?:print|export)(?:\s|$)", r"^/(?:ping|tool[ /]traceroute)\s"),
            # ';' chains commands, [ ] { } $ substitute them, ':' starts a script command,
            # file= (or any abbreviation of it) writes a file on the router
            read_only_never=r"[;\[\]{}$]|^:|\bf(?:i(?:le?)?)?=",
            rollback="scheduled-revert",
            config_style="flat",
            comment_prefixes=("#",),
            block_end=(),
            config_end=None,
            config_exit=None,
            fixed_blocks=(),
            negate="",
            cli_error=r"failure:|bad command name|expected end of command|syntax error|"
                      r"input does not match|no such item|invalid value",
            secret_patterns=(
                r"(?:authentication|encryption)-password=(\"[^\"]*\"|\S+)",
                r"\b(?:password|secret|wpa2?-pre-shared-key|pre-shared-key|passphrase)=(\"[^\"]*\"|\S+)",
                # a v2c community's name is its secret (a v3 entry names the user: not secret)
                r"^/snmp community (?:add|set) (?!.*\bsecurity=(?:authorized|private))(?:.*? )?name=(\"[^\"]*\"|\S+)",
            ),
            volatile_patterns=(
                r"^# \S+ \S+ by RouterOS",  # export header: "# 2024-05-01 10:00:00 by RouterOS 7.14"
                r"^# software id = ",
                r"^#\s*$",  # the header's closing '#'
                r"^# (?:model|serial number) = ",
                r"^# .*uptime",
            ),
            # RouterOS has no commit-confirm: save the config on the device, then schedule a
            # full restore of it (reset + run the saved export) that netops cancels once
            # the change is verified. If netops loses the device, the device reverts itself.
            revert_arm=(
                "/export show-sensitive file=netops-pre",
                '/system scheduler add name={name} interval={seconds}s '
                'on-event="/system scheduler remove [find name={name}]; /system reset-configuration '
                'no-defaults=yes skip-backup=yes keep-users=yes run-after-reset=netops-pre.rsc"',
            ),
            revert_confirm=("/system scheduler remove [find name={name}]",),
            revert_now=(
                "/system scheduler remove [find name={name}]",
                "/system reset-configuration no-defaults=yes skip-backup=yes keep-users=yes run-after-reset=netops-pre.rsc",
            ),
            pipeline=True,
            facts=FactsVia.napalm,
            # MNDP and LLDP neighbours both come from /ip/neighbor
            facts_getters=("get_facts", "get_interfaces", "get_interfaces_ip", "get_lldp_neighbors_detail"),
            api_port=8728,
        ),
        Platform(
            name="cisco_ios",
            description="Cisco IOS / IOS-XE (core and distribution)",
            netmiko="cisco_ios",
            napalm="ios",
            templates="cisco_ios",
            snmp_profiles=("system", "if_mib", "device_info"),
            show_config="show running-config",
            save="write memory",
            # napalm's ios candidate/rollback needs archive + SCP on a real IOS: nothing in
            # the lab can run it, so the tested restore from backup is used instead.
            read_only=SHOW_PING_TRACEROUTE,
            read_only_never=OUTPUT_TO_FILE,
            rollback="backup-restore",
            replace_prefixes=("hostname ", "ip domain name ", "banner motd ", "description ",
                              "snmp-server location ", "snmp-server contact "),
            secret_patterns=(
                r"\b(?:secret|password) (?:\d+ )?(\S+)",
                r"^snmp-server community (\S+)",
                r"^snmp-server user \S+ \S+ v3 auth \S+ (\S+)",
                r"^snmp-server user \S+ \S+ v3 auth \S+ \S+ priv \S+(?: \d+)? (\S+)",
                r"\bkey (?:\d+ )?(\S+)$",
                r"\bpre-shared-key (?:\d+ )?(?:address \S+ )?(?:key )?(\S+)",
            ),
            volatile_patterns=(
                r"^! Last configuration change at ",
                r"^! NVRAM config last updated at ",
                r"^Building configuration",
                r"^Current configuration : \d+ bytes",
                r"^ntp clock-period ",
            ),
            facts=FactsVia.napalm,
            facts_getters=("get_facts", "get_interfaces", "get_interfaces_ip", "get_lldp_neighbors_detail"),
        ),
        Platform(
            name="huawei_vrp",
            description="Huawei VRP (AR/NE routers at some OPD)",
            netmiko="huawei",
            napalm="huawei_vrp",  # community driver napalm-huawei-vrp, over SSH (netmiko)
            templates="huawei_vrp",
            snmp_profiles=("system", "if_mib", "device_info"),
            show_config="display current-configuration",
            save="save",
            read_only=(r"^(?:dis|disp|displa|display)\s", r"^(?:ping|tracert)\s"),
            read_only_never=OUTPUT_TO_FILE,
            rollback="backup-restore",
            comment_prefixes=("#", "!"),
            block_end=("quit", "#", "return"),
            config_end="return",
            config_exit="return",
            fixed_blocks=("interface ", "user-interface "),
            cli_error=r"^Error:|\nError:|Unrecognized command|Incomplete command",
            negate="undo ",
            replace_prefixes=("sysname ", "description ", "header login information "),
            secret_patterns=(
                r"\b(?:cipher|irreversible-cipher|simple) (\S+)",
                r"\bcommunity (?:read|write) (?:cipher )?(\S+)",
                r"\bpre-shared-key (?:cipher |simple )?(\S+)",
            ),
            volatile_patterns=(
                r"^!Software Version ",
                r"^!Last configuration was (?:updated|saved) at ",
                r"^!Time: ",
            ),
            facts=FactsVia.napalm,
            # the driver's get_lldp_neighbors_detail returns nothing; its brief table has names and ports.
            # Its get_facts reads model and version only from S-series switches: 'display version'
            # through ntc-templates fills them for AR routers.
            facts_getters=("get_facts", "get_interfaces", "get_interfaces_ip", "get_lldp_neighbors"),
            facts_commands=("display version",),
        ),
        Platform(
            name="frr",
            description="FRRouting on Linux, managed through vtysh",
            netmiko="cisco_ios",  # vtysh speaks an IOS-like CLI
            napalm=None,  # napalm's ios getters do not work against vtysh
            templates="frr",
            snmp_profiles=("system", "if_mib", "device_info"),
            show_config="show running-config",
            save="write memory",
            read_only=SHOW_PING_TRACEROUTE,
            read_only_never=OUTPUT_TO_FILE,
            rollback="backup-restore",
            replace_prefixes=("hostname ", "banner motd ", "description "),
            secret_patterns=(
                r"^(?:enable )?password (\S+)",
                r"\bauthentication-key (\S+)",
                r"\bmessage-digest-key \d+ md5 (\S+)",
                r"\bpassword (\S+)$",
            ),
            volatile_patterns=(
                r"^Building configuration",
                r"^Current configuration:?$",
                r"^frr version ",
                r"^frr defaults ",
            ),
            facts=FactsVia.vtysh,
            facts_commands=("show version", "show interface"),
        ),
        Platform(
            name="linux",
            description="Linux server (probes, jump hosts)",
            netmiko="linux",
            napalm=None,
            templates=None,
            snmp_profiles=("system", "if_mib", "device_info"),
            show_config=None,
            save=None,
            rollback="none",
        ),
        Platform(
            name="vsat_modem",
            description="VSAT modem (Telkom Mangoesky terminal): monitored only",
            netmiko=None,
            napalm=None,
            templates=None,
            snmp_profiles=("system", "device_info"),
            show_config=None,
            save=None,
            rollback="none",
        ),
    )
}


def get_platform(name: str) -> Platform:
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UnknownPlatform(
            f"unknown platform {name!r}: use one of {', '.join(sorted(PLATFORMS))}"
        ) from None
