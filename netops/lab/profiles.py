"""Per-platform facts the lab needs (SNMP identity, CLI prompts, error texts), kept as data.

Each platform of :mod:`netops.platforms` has ``netops/lab/data/<platform>.yaml``;
``kind`` says how the lab simulates it: ``sim`` (the SSH simulator), ``frr``
(real FRRouting in a namespace) or ``none`` (SNMP/ICMP only, no SSH).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from netops.errors import NetopsError

DATA = Path(__file__).resolve().parent / "data"


class _Cli(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = ""
    """the OS version the device reports (empty: the platform's default)"""
    config_log: str = ""
    """the syslog line the device sends when its config changes (a format: seq, ios_time,
    bsd_time, hostname, user, peer, what); empty: the platform logs none"""


class ConfirmedChange(BaseModel):
    """IOS Configuration Rollback Confirmed Change: the commands and the device's answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    arm: str
    """'configure terminal revert timer' (followed by minutes)"""
    max_minutes: int
    confirm: str
    now: str
    armed: str
    """the answer to arming ({file}: the archive file the running config was saved to)"""
    no_archive: str
    nothing_pending: str


class NestedMode(BaseModel):
    """A sub-mode opened inside a sub-mode (IOS ``address-family`` under ``router bgp``,
    ``key N`` under ``key chain``, ``class`` under ``policy-map``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: str
    """the mode's name in the prompt (``router-af``)"""
    words: tuple[str, ...]
    """first words the mode accepts; any other line goes up to the parent modes"""
    leave: str = ""
    """the mode's own closing command, shown after its lines (``exit-address-family``)"""


class IndentedCli(_Cli):
    """An indented CLI (Cisco IOS, Huawei VRP): modes, prompts, the words each mode accepts,
    how a config is shown."""

    engine: Literal["indented"]
    prompt_exec: str
    prompt_config: str
    prompt_sub: str
    """format fields: ``hostname``, ``mode`` (the sub-mode's name from ``blocks``)"""
    config_enter: tuple[str, ...]
    config_end: tuple[str, ...]
    sub_exit: tuple[str, ...]
    negate: str
    """the removing prefix: ``no`` or ``undo``"""
    hostname_cmd: str
    show_config: tuple[str, ...]
    show_startup: tuple[str, ...] = ()
    save: tuple[str, ...]
    save_confirm: str = ""
    """the question ``save`` asks first (VRP), empty: none"""
    save_output: str
    quit: tuple[str, ...]
    exec_ok: tuple[str, ...]
    """exec commands accepted silently (terminal settings), by prefix"""
    exec_ok_output: dict[str, str] = {}
    exec_prefix: str = ""
    """the prefix that runs an exec command in config mode (IOS ``do``)"""
    error: str
    incomplete: str
    config_header: str
    config_footer: str
    block_sep: str
    indent: str
    top_is_indented: bool = False
    hidden: tuple[str, ...] = ()
    """lines accepted but never shown in the running config"""
    banner_delimiter: str = ""
    acl_sequence: bool = False
    """named ACL entries show sequence numbers (10, 20, ...)"""
    blocks: dict[str, str | None]
    """first words that open a sub-mode -> the sub-mode's name (format field ``arg``)"""
    top_words: tuple[str, ...]
    sub_words: tuple[str, ...]
    sub_first: tuple[str, ...] = ()
    """sub-mode words that also open a block at the top; in a sub-mode they stay there"""
    mode_words: dict[str, tuple[str, ...]] = {}
    """first words a sub-mode accepts (by its name, as the prompt shows it), where it has a list of its
    own (else ``sub_words``): a line valid in no open mode goes up to the parent modes, as
    IOS does (``hostname X`` typed under ``router bgp`` lands at the top)"""
    nested: dict[str, dict[str, NestedMode]] = {}
    """per sub-mode (by its name): first word that opens a nested mode -> that mode"""
    shown_negated: tuple[str, ...] = ()
    """defaults that show as ``no …`` once turned off (IOS ``no ip http server``)"""
    banner_input: str = ""
    """what the device says when a banner's text follows on the next lines (format field
    ``delim``); the text ends at the line holding the delimiter. Empty: one-line banners only"""
    single: tuple[str, ...] = ()
    """commands with one value: a new line replaces the old one"""
    single_patterns: tuple[str, ...] = ()
    """regexes of the same, for settings named by an argument (``local-user X password``)"""
    encrypts: str = ""
    """regex of a secret typed in plain that the device stores and shows encrypted (group 1:
    the value; VRP ``cipher X`` shows ``cipher %^%#…%^%#``, a new salt each time it is set)"""
    lists: dict[str, Literal["ios", "vrp"]] = {}
    """list-valued commands (VLAN members) and how their members are written"""
    factory: tuple[str, ...] = ()
    """lines every lab device of the platform starts with (indented one space: in the block above)"""
    confirmed_change: ConfirmedChange | None = None
    """the device's own confirmed change (IOS revert timer), None: the platform has none"""


class RosCli(_Cli):
    """The RouterOS CLI: its prompt and its menus."""

    engine: Literal["routeros"]
    prompt: str
    """format fields: ``user``, ``hostname``, ``path``"""
    menus: dict[str, Literal["single", "list", "action"]]
    """menu path -> kind: one settings record (``set``), a list of items (``add/set/remove/print``),
    or only commands of its own"""


SimCli = Annotated[IndentedCli | RosCli, Field(discriminator="engine")]
"""A simulated CLI, by ``engine``"""


class _ProfileFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    class Snmp(BaseModel):
        model_config = ConfigDict(extra="forbid")
        sys_descr: str
        sys_object_id: str

    kind: Literal["sim", "frr", "none"]
    snmp: Snmp
    cli: SimCli | None = None


@dataclass(frozen=True)
class LabProfile:
    platform: str
    kind: str
    sys_descr: str
    sys_object_id: str
    cli: IndentedCli | RosCli | None = None
    """the simulated CLI (``kind: sim`` only)"""

    @property
    def version(self) -> str:
        return self.cli.version if self.cli else ""


@cache
def profile(platform: str) -> LabProfile:
    path = DATA / f"{platform}.yaml"
    try:
        raw = _ProfileFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise NetopsError(f"the lab has no data for platform {platform!r}; add {path}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise NetopsError(f"{path}: {where}: {err['msg']}") from None
    if raw.kind == "sim" and raw.cli is None:
        raise NetopsError(f"{path}: kind sim needs a 'cli' section")
    return LabProfile(platform=platform, kind=raw.kind, sys_descr=raw.snmp.sys_descr,
                      sys_object_id=raw.snmp.sys_object_id, cli=raw.cli)
