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
    device_confirm: str = ""
    """the device's own confirmed-commit mechanism (a change it undoes by itself unless
    confirmed) and whether netops uses it; where it does not, the change journal and the
    restore from backup (``netops config recover``) cover a lost session."""
    # -- configuration management (netops.config) --------------------------------
    dialect: str = "indented"
    """config syntax, one module of ``netops.config.dialects`` each: ``indented`` (blocks
    under a parent line: IOS, IOS-XE, FRR's vtysh), ``vrp`` (indented with ``undo`` and
    VRP's ranges) or ``routeros`` (every logical line a full command path)."""
    comment_prefixes: tuple[str, ...] = ("!",)
    """lines starting with these are comments, never compared or pushed."""
    block_end: tuple[str, ...] = ("exit", "end", "!")
    """lines that only close a block (ignored in comparisons)."""
    config_end: str | None = "end"
    """the line that closes a whole config listing (new top-level lines go before it)."""
    negate: str = "no "
    """prefix that removes a line (restore from backup), for indented configs."""
    text_input: str = ""
    """regex of a line that opens text typed over several lines, group 1 its closing delimiter
    (IOS ``banner motd #``): the device shows no prompt until the line holding the delimiter,
    so these lines go to the device in one write."""
    replace_prefixes: tuple[str, ...] = ()
    """single-valued settings: an intended line with one of these prefixes replaces the
    running line with the same prefix (and the diff shows both)."""
    overwrite_patterns: tuple[str, ...] = ()
    """regexes of settings the device keeps one value of, named by more than a prefix (VRP
    ``local-user NAME password``): a new value is sent alone and overwrites the old one,
    which is never undone first (on VRP ``undo local-user NAME`` deletes the whole user)."""
    replace_patterns: tuple[str, ...] = ()
    """regexes whose group 1 names an entry the device keeps once (FRR ``ip prefix-list L seq
    5``, OSPF ``network P area``): an intended line with the same name replaces the running
    one, the old one removed first (all such removals before the additions, so a swap of two
    entries is never refused as a duplicate) and never removed again by a restore."""
    secret_patterns: tuple[str, ...] = ()
    """regexes whose group 1 is a secret (password, key, community) masked in backups,
    diffs and logs; applied on top of masking every known secret value."""
    secret_values_opaque: str | None = None
    """regex matched right before a masked value that the device shows encrypted or hashed
    (IOS type 5/7/8/9, VRP ``cipher``): such a line matches an intended line of the same
    shape whatever the value, as the plain intended value can never be compared with it."""
    secret_cipher_form: str | None = None
    """regex of a value in the form the device itself encrypts to (VRP ``%^%#…%^%#``,
    ``$1a$…``). Where set, a value after ``secret_values_opaque`` is opaque only in that form
    (or masked): a value shown as it was typed is compared, so its rotation is pushed."""
    hidden_lines: tuple[str, ...] = ()
    """regexes of lines the device accepts but never shows in its running config (IOS
    ``snmp-server user``): never a change on their own, never verified, sent along with
    every push that has changes."""
    list_commands: tuple[tuple[str, str, str], ...] = ()
    """list-valued commands as (prefix, add, remove) with ``{}`` for the members: compared
    as sets and changed by the difference only (``vlan batch``, trunk VLAN lists)."""
    list_syntax: str = "ios"
    """how members are written: ``ios`` (``10,20,30-35``) or ``vrp`` (``10 20 30 to 35``)."""
    ordered_blocks: tuple[str, ...] = ()
    """blocks whose children are an ordered list (ACLs): compared in order (sequence numbers
    the device adds are ignored) and rebuilt when the order differs. For ``routeros``: menu
    paths whose items are ordered (firewall filter, NAT, mangle), reordered with ``move``."""
    volatile_patterns: tuple[str, ...] = ()
    """regexes of lines that change without a config change (timestamps, uptime):
    left out of backups so an unchanged device gives no diff."""
    config_enter: str | None = "configure terminal"
    """command that enters config mode from exec mode (None: the CLI has no config mode)."""
    config_exit: str | None = "end"
    """command that leaves config mode after a push (None: the CLI has no config mode)."""
    fixed_blocks: tuple[str, ...] = ("interface ", "line ")
    """blocks that exist without config (interfaces, vty lines): a restore empties them
    line by line instead of deleting the block."""
    cli_error: str = r"^% |\n% "
    """regex matching the device's answer to a rejected command (a push stops there)."""
    revert_arm: tuple[str, ...] = ()
    """scheduled-revert: commands that save the pre-change config on the device and
    schedule its restore ({name} = revert job name, {seconds} / {minutes} = delay)."""
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
    save_question: str | None = None
    """regex of the question ``save`` asks before it writes (answered ``y``)."""
    session_setup: tuple[str, ...] = ()
    """commands a new CLI session needs before its first output is read whole (paging off,
    terminal width); sent in the same write as the session's first command, so they cost no
    round trip of their own (RouterOS: none, its login name carries the terminal options)."""
    pipeline: bool = False
    """send a whole set of lines in one write and read the answers once (one round trip
    instead of one per line: ~0.6 s each behind VSAT). Used only while an on-device revert
    is armed: the lines after a rejected one have run before netops sees the error, and
    the armed revert undoes them with the rest."""
    config_change_log: str | None = None
    """regex for the syslog line the device sends after a config change; group ``user`` names who
    (``netops monitor serve --syslog`` backs the device up soon after such a line)."""

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

ROS_VALUE = r'("(?:[^"\\]|\\.)*"|\\"(?:\\\\\\"|\\\\\\\\|\\[^"]|[^"\\])*?\\"|[^\s"\\]+)'
"""a RouterOS value: quoted, quoted inside a script source (``\\"...\\"``, where a quote
of the value itself reads ``\\\\\\"``), or bare (a ``$variable`` is neither, and is not a secret)"""

IOS_SECRETS = (
    # passwords may hold spaces: up to the end of the line (type digit excluded)
    r"^(?!\s*(?:description|remark) ).*?\b(?:secret|password)(?: [0-9])? (?!\d$)(.+)$",
    r"\bkey-string(?: [0-9])? (.+)$",
    r"^snmp-server community (\S+)",
    # v1/v2c trap hosts name the community ('version 3' names a user)
    r"^snmp-server host \S+(?: vrf \S+)?(?: informs| traps)?(?: version (?:1|2c))? (?!version\b)(\S+)",
    r"^snmp-server user \S+ \S+ v3 auth \S+ (\S+)",
    r"^snmp-server user \S+ \S+ v3 auth \S+ \S+ priv \S+(?: \d+)? (\S+)",
    r"^(?:tacacs-server|radius-server)\b.*?\bkey(?: [0-9])? (\S+)",
    # a server block's key (radius server / tacacs server): with a type digit or not a number
    # (a key chain's 'key 10' is an id)
    r"^ key [0-9] (\S+)$",
    r"^ key (?!\d+$)(\S+)$",
    r"^crypto isakmp key(?: [0-9])? (\S+)",
    r"\bpre-shared-key(?: local| remote)?(?: [0-9])? (?!address\b)(\S+)$",
    r"\bpre-shared-key address \S+(?: \S+)? key(?: [0-9])? (\S+)",
    r"^ntp authentication-key \d+ \S+ (\S+)",
    r"\bip ospf authentication-key(?: [0-9])? (\S+)",
    r"\bmessage-digest-key \d+ md5(?: [0-9])? (\S+)",
    r"\bip nhrp authentication (\S+)",
    r"\bset-key (?:ascii|hex) [0-9] (.+)$",
)
"""IOS / IOS-XE: group 1 of each is a secret"""

FRR_SECRETS = (
    r"^\s*(?:enable )?password(?: [0-9])? (\S+)",
    r"^(?!\s*(?:description|remark) ).*?\bpassword (\S+)$",
    r"\bkey-string (\S+)",
    r"\bauthentication-key (\S+)",
    r"\bmessage-digest-key \d+ md5 (\S+)",
    r"\bip rip authentication string (\S+)",
    r"\bospf6 authentication key-id \d+ hash-algo \S+ key (\S+)",
    r"\b(?:area|domain)-password(?: clear| md5)? (\S+)",
)
"""FRR's vtysh: group 1 of each is a secret"""

VRP_SECRETS = (
    # a value after its form keyword ('simple cipher X': the value follows the last keyword)
    r"\b(?:cipher|irreversible-cipher|simple|plain) (?!(?:cipher|irreversible-cipher|simple|plain)\b)(\S+)",
    r"\bpre-shared-key(?: cipher| simple)? (.+)$",
    r"\bpass-phrase(?: cipher| simple)? (.+?)(?: (?:aes|tkip|aes-tkip))?$",
    r"\bcommunity (?:read|write) (?:cipher )?(\S+)",
    r"\bsecurityname (?:cipher )?(\S+)(?= v(?:1|2c)\b)",
    r"\bauthentication-mode (?:md5|sha\S*|hmac-\S+)(?: key-id \d+| \d+)?(?: cipher| plain| simple)? (\S+)",
    r"\bprivacy-mode \S+(?: cipher| simple)? (\S+)",
    r"\bshared-key(?: cipher| simple)? (\S+)",
    r"\bgre key(?: cipher| plain)? (\S+)",
    r"\bpassword(?: cipher| simple| irreversible-cipher)? (?!(?:cipher|simple|irreversible-cipher)\b)(\S+)$",
)
"""Huawei VRP 5 and 8: group 1 of each is a secret"""

PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform(
            name="mikrotik_routeros",
            # RouterOS topics system,info: "filter rule added by admin", "address changed by admin"
            config_change_log=r"system,info(?:,account)? .*\b(?:added|changed|removed|moved) by (?P<user>\S+)",
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
            dialect="routeros",
            ordered_blocks=("/ip/firewall/filter", "/ip/firewall/nat", "/ip/firewall/mangle",
                            "/ip/firewall/raw", "/ipv6/firewall/filter", "/ipv6/firewall/nat",
                            "/ipv6/firewall/mangle", "/ipv6/firewall/raw", "/routing/filter/rule"),
            device_confirm="none in the CLI (Safe Mode ends with the session that started it, and netops "
                           "verifies on a new login): netops builds one from a binary /system backup and a "
                           "/system scheduler job that loads it (revert_arm); used",
            comment_prefixes=("#",),
            block_end=(),
            config_end=None,
            config_exit=None,
            config_enter=None,
            fixed_blocks=(),
            negate="",
            cli_error=r"failure:|bad command name|expected end of command|syntax error|"
                      r"input does not match|no such item|invalid value",
            secret_patterns=(
                # key=value settings (also inside script sources, where quotes are escaped)
                r"(?<![\w-])(?:password|secret|secrets|[\w-]+-password|wpa2?-pre-shared-key|pre-shared-key|"
                r"preshared-key|passphrase|private-key|tcp-md5-key|trap-community|auth-key|authentication-key|"
                r"ipsec-secret|management-protection-key|static-key-\d|static-sta-private-key)=" + ROS_VALUE,
                # a v2c community's name is its secret (a v3 entry names the user: not secret)
                r"^/snmp community (?:add|set) (?!.*\bsecurity=(?:authorized|private))(?:.*? )?name=" + ROS_VALUE,
                # script variables that hold credentials: :local pass "..."
                r"(?i):(?:local|global) [\w-]*(?:pass|pwd|secret|token|key)[\w-]* " + ROS_VALUE,
                r"\bbot(\d{6,}:[\w-]{20,})",  # Telegram bot token in a URL
                r"://[^/\s:@\"\\]+:([^@\s\"\\/]+)@",  # user:password@ in a URL
            ),
            volatile_patterns=(
                r"^# \S+ \S+ by RouterOS",  # export header: "# 2024-05-01 10:00:00 by RouterOS 7.14"
                r"^# software id = ",
                r"^#\s*$",  # the header's closing '#'
                r"^# (?:model|serial number) = ",
                r"^# .*uptime",
                # status comments RouterOS 7 writes into exports: they change with the radio or PoE
                r"^# (?:managed by CAPsMAN|channel: |poe-out status: )",
                r"^# .*(?:not running|inactive)$",
            ),
            # RouterOS has no commit-confirm. Before a change netops saves a binary backup on the
            # router and schedules its load; netops cancels it once the change is verified. If
            # netops loses the router, the router loads the backup by itself and reboots into
            # the exact config it had (users, certificates, addresses): a binary backup is not
            # a replayed export, which stops at its first failing line and can leave a router
            # with defaults and no management address. The backup predates the scheduler, so
            # the restored router has no revert job left. Safe Mode was not chosen: it undoes
            # only the changes of the session that took it, and netops verifies on a new one.
            revert_arm=(
                "/system backup save name=netops-pre dont-encrypt=yes",
                '/system script add name={name} source="/system backup load name=netops-pre.backup"',
                "/system scheduler add name={name} interval={seconds}s on-event={name}",
            ),
            revert_confirm=("/system scheduler remove [find name={name}]", "/system script remove [find name={name}]"),
            # a script runs without the interactive "Restore and reboot? [y/N]" question
            revert_now=("/system scheduler remove [find name={name}]", "/system script run {name}"),
            pipeline=True,
            facts=FactsVia.napalm,
            # MNDP and LLDP neighbours both come from /ip/neighbor
            facts_getters=("get_facts", "get_interfaces", "get_interfaces_ip", "get_lldp_neighbors_detail"),
            api_port=8728,
        ),
        Platform(
            name="cisco_ios",
            # "%SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.1.1.1)"
            config_change_log=r"%SYS-5-CONFIG_I: Configured from \S+ by (?P<user>\S+)(?: on \S+ \((?P<peer>[^)]+)\))?",
            description="Cisco IOS / IOS-XE (core and distribution)",
            netmiko="cisco_ios",
            napalm="ios",
            templates="cisco_ios",
            snmp_profiles=("system", "if_mib", "device_info"),
            show_config="show running-config",
            save="write memory",
            session_setup=("terminal width 511", "terminal length 0"),
            # napalm's ios candidate/rollback needs SCP to flash, which nothing in the lab serves;
            # the confirmed change below is typed at the CLI instead.
            read_only=SHOW_PING_TRACEROUTE,
            read_only_never=OUTPUT_TO_FILE,
            rollback="scheduled-revert",
            block_end=("exit", "end", "!", "exit-address-family", "exit-vrf"),
            device_confirm="Configuration Rollback Confirmed Change: 'configure terminal revert timer N' (1-120 "
                           "min) saves the running config to the archive (needs 'archive' with a 'path'); "
                           "'configure confirm' keeps the change, otherwise the device replaces its config with "
                           "the saved one when the timer fires ('configure revert now': at once); used",
            # armed, then left: the lines go in a config session of their own (changes made while
            # the timer runs are all undone by the configure replace)
            revert_arm=("configure terminal revert timer {minutes}", "end"),
            revert_confirm=("configure confirm",),
            revert_now=("configure revert now",),
            replace_prefixes=("hostname ", "ip domain name ", "banner motd ", "description ",
                              "snmp-server location ", "snmp-server contact "),
            text_input=r"^banner (?:motd|login|exec|incoming|slip-ppp|prompt-timeout) (\S)(?:(?!\1).)*$",
            secret_patterns=IOS_SECRETS,
            secret_values_opaque=r"\b[5-9] $",
            hidden_lines=(r"^snmp-server user ",),
            list_commands=(("switchport trunk allowed vlan ", "switchport trunk allowed vlan add {}",
                            "switchport trunk allowed vlan remove {}"),),
            ordered_blocks=("ip access-list ", "ipv6 access-list ", "access-list "),
            volatile_patterns=(
                r"^! Last configuration change at ",
                r"^! No configuration change since last restart",
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
            # "%%01CFG/4/CFG_CHANGE(l)[3]:Configuration was changed. (TerUser=\"admin\", …)" and
            # CONFIGURATION/6/CFG_FILE_CHANGE (TerUser=) on newer VRP
            config_change_log=(r"(?:CFG/\d/CFG_CHANGE|CONFIGURATION/\d/CFG_FILE_CHANGE|CFM/\d/CFM_\w+)"
                               r"(?:.*\b(?:TerUser|UserName|User)=\"?(?P<user>[^\",)\s]+))?"),
            description="Huawei VRP (AR/NE routers at some OPD)",
            netmiko="huawei",
            napalm="huawei_vrp",  # community driver napalm-huawei-vrp, over SSH (netmiko)
            templates="huawei_vrp",
            snmp_profiles=("system", "if_mib", "device_info"),
            show_config="display current-configuration",
            save="save",
            session_setup=("screen-length 0 temporary",),
            read_only=(r"^(?:dis|disp|displa|display)\s", r"^(?:ping|tracert)\s"),
            read_only_never=OUTPUT_TO_FILE,
            rollback="backup-restore",
            device_confirm="VRP8 two-phase validation (NE/CE series): 'commit trial N' (60-65535 s) reverts "
                           "unless 'commit' follows, 'abort trial' reverts at once; VRP5 AR routers (this "
                           "platform, V200R0xx) validate each line at once and have no trial run: none to use",
            comment_prefixes=("#", "!"),
            block_end=("quit", "#", "return"),
            config_end="return",
            config_exit="return",
            config_enter="system-view",
            save_question=r"\[Y/N\]:?\s*$",
            fixed_blocks=("interface ", "user-interface "),
            cli_error=r"^Error:|\nError:|Unrecognized command|Incomplete command",
            negate="undo ",
            replace_prefixes=("sysname ", "description ", "header login information "),
            # Huawei: 'local-user NAME password cipher X' on an existing user changes its password, and
            # the only undo is 'undo local-user NAME' (the user goes); 'super password' likewise
            overwrite_patterns=(r"^local-user \S+ password ", r"^super password ",
                                r"^snmp-agent usm-user v3 \S+ (?:authentication|privacy)-mode "),
            dialect="vrp",
            secret_patterns=VRP_SECRETS,
            secret_values_opaque=r"\b(?:cipher|irreversible-cipher) $",
            # VRP 5/8 ciphertexts: %^%#…%^%# (V200R003+), %$%$…%$%$, %@%@, %#%#, $1a$/$1c$ hashes,
            # and the 24-character DES form of older VRP 5
            secret_cipher_form=r"\b(?:cipher|irreversible-cipher) (?:%\^%#|%\$%\$|%@%@|%#%#|\$1[a-z]\$|\S{24}(?:\s|$))",
            list_commands=(("vlan batch ", "vlan batch {}", "undo vlan batch {}"),
                           ("port trunk allow-pass vlan ", "port trunk allow-pass vlan {}",
                            "undo port trunk allow-pass vlan {}")),
            list_syntax="vrp",
            volatile_patterns=(
                r"^!Software Version ",
                r"^!Last configuration was (?:updated|saved) at ",
                r"^!Time: ",
                r"^!CfgFileCrc:",
                r"^!MKHash ",
                # 'timestamp enable' prints the time before every display command's output
                r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [+-]\d{2}:\d{2})?(?: DST)?$",
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
            session_setup=("terminal length 0",),
            read_only=SHOW_PING_TRACEROUTE,
            read_only_never=OUTPUT_TO_FILE,
            rollback="backup-restore",
            device_confirm="transactional CLI: 'configure exclusive', then 'commit confirmed (1-60 min)'; only "
                           "for daemons started with --tcli and commands converted to the northbound model, and "
                           "the confirmation belongs to the vty session that committed (netops verifies on a new "
                           "login); not used: FRR 8.4 in the lab runs without --tcli",
            # IS-IS keeps one area/domain password: a new one replaces it, and FRR 8.4 refuses
            # 'no area-password md5 X' (only a bare 'no area-password' is a command)
            replace_prefixes=("hostname ", "banner motd ", "description ", "area-password ", "domain-password "),
            # FRR keeps one entry per seq (re-entering 'seq 5' overwrites it, and 'no ... seq 5 …'
            # deletes seq 5 whatever it holds), one area per OSPF network, one value per setting
            replace_patterns=(r"^((?:ip|ipv6) prefix-list \S+ seq \d+) ", r"^((?:ipv6 )?access-list \S+ seq \d+) ",
                              r"^(network \S+) area ", r"^(ip ospf (?:cost|hello-interval|dead-interval|priority)) ",
                              r"^((?:bgp|ospf) router-id) "),
            block_end=("exit", "end", "!", "exit-address-family", "exit-vrf", "exit-vni"),
            secret_patterns=FRR_SECRETS,
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
