"""The indented CLIs (Cisco IOS, Huawei VRP): exec and config modes, sub-modes opened by block
commands and nested sub-modes inside them (IOS ``router bgp`` → ``address-family``), a line
valid in no open mode going up to the parent modes, ``no``/``undo`` removal, single-valued
lines replaced, banners typed over several lines, save."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from netops.lab.profiles import IndentedCli, NestedMode

if TYPE_CHECKING:
    from netops.lab.sshsim.device import SimDevice


_CIPHER_CHARS = "".join(c for c in map(chr, range(33, 127)) if c not in "%\"\\?")


@dataclass
class SimNode:
    text: str
    children: list[SimNode] = field(default_factory=list)
    block: bool = False
    leave: str = ""
    """a nested mode's closing command, shown after its lines (``exit-address-family``)"""


class IndentedConfig:
    def __init__(self, cli: IndentedCli, hostname: str):
        self.cli = cli
        self.hostname = hostname
        self.top: list[SimNode] = []
        self.changed = time.time()
        self.rollback_point: tuple[list[SimNode], str, str] | None = None
        """IOS confirmed change: (config, hostname, archive file) saved when the revert timer was armed"""
        self.revert_timer: asyncio.TimerHandle | None = None
        self.archived = 0

    def archive_path(self) -> str | None:
        """The ``path`` of the ``archive`` block: where IOS writes its rollback points."""
        block = next((n for n in self.top if n.text == "archive"), None)
        path = next((c.text.split(" ", 1)[1] for c in block.children if c.text.startswith("path ")), None) if block else None
        return path

    def arm_revert(self, seconds: float) -> str:
        """Save the running config as a rollback point (the first one stays while a timer runs)
        and (re)start the timer that restores it; returns the archive file's name."""
        if self.rollback_point is None:
            stamp = dt.datetime.now(dt.UTC)
            name = f"{self.archive_path()}-{stamp:%b-%d-%H-%M-%S}.{stamp.microsecond // 1000:03d}-{self.archived}"
            self.archived += 1
            self.rollback_point = (copy.deepcopy(self.top), self.hostname, name)
        self.cancel_revert()
        self.revert_timer = asyncio.get_running_loop().call_later(seconds, self.revert)
        return self.rollback_point[2]

    def cancel_revert(self) -> None:
        if self.revert_timer is not None:
            self.revert_timer.cancel()
            self.revert_timer = None

    def confirm(self) -> bool:
        """``configure confirm``: the change stays; False when no timer was running."""
        pending = self.rollback_point is not None
        self.cancel_revert()
        self.rollback_point = None
        return pending

    def revert(self) -> bool:
        """The timer fired or ``configure revert now``: a configure replace with the rollback
        point (the whole config, whoever changed it meanwhile). False when none was pending."""
        self.cancel_revert()
        if self.rollback_point is None:
            return False
        top, hostname, _ = self.rollback_point
        self.top, self.hostname, self.rollback_point = top, hostname, None
        self.changed = time.time()
        return True

    def block_of(self, line: str) -> str | None:
        """The block keyword a line opens (longest match), or None."""
        best = None
        for key in self.cli.blocks:
            if (line == key or line.startswith(key + " ")) and (best is None or len(key) > len(best)):
                best = key
        return best

    def mode_name(self, key: str, line: str) -> str:
        tmpl = self.cli.blocks[key] or key
        arg = line[len(key):].strip().split(" ")[0] if line != key else ""
        return str(tmpl).format(arg=arg)

    def single_key(self, line: str) -> str | None:
        for prefix in sorted(self.cli.single, key=len, reverse=True):
            if line.startswith(prefix + " "):
                return prefix
        for rx in self.cli.single_patterns:
            m = re.match(rx, line)
            if m and line.startswith(m.group(0) + " "):
                return m.group(0)
        return None

    def encrypt(self, line: str) -> str:
        """A plain secret as the device stores it (profile ``encrypts``): salted, so the same
        value set twice shows two ciphertexts, and the value cannot be read back."""
        if not self.cli.encrypts:
            return line

        def cipher(m: re.Match[str]) -> str:
            digest = hashlib.sha256(secrets.token_bytes(8) + m.group(1).encode()).digest()
            body = "".join(_CIPHER_CHARS[b % len(_CIPHER_CHARS)] for b in digest + digest[:8])
            return m.group(0)[: m.start(1) - m.start(0)] + f"%^%#{body}%^%#"

        return re.sub(self.cli.encrypts, cipher, line)

    def list_prefix(self, line: str) -> str | None:
        """The list-valued command a line sets (``switchport trunk allowed vlan``, ``vlan batch``)."""
        return next((p for p in self.cli.lists if line.startswith(p + " ")), None)

    def members(self, text: str) -> set[int]:
        out: set[int] = set()
        words = text.replace(",", " ").split()
        i = 0
        while i < len(words):
            w = words[i]
            if i + 2 < len(words) and words[i + 1] == "to" and w.isdigit() and words[i + 2].isdigit():
                out.update(range(int(w), int(words[i + 2]) + 1))  # VRP: 10 to 20
                i += 3
                continue
            lo, _, hi = w.partition("-")  # IOS: 10-20
            if lo.isdigit() and (not hi or hi.isdigit()):
                out.update(range(int(lo), int(hi or lo) + 1))
            i += 1
        return out

    def show_members(self, prefix: str, members: set[int]) -> str:
        runs: list[list[int]] = []
        for m in sorted(members):
            if runs and m == runs[-1][1] + 1:
                runs[-1][1] = m
            else:
                runs.append([m, m])
        if self.cli.lists[prefix] == "vrp":
            return " ".join(f"{a} to {b}" if b > a else f"{a}" for a, b in runs)
        return ",".join(f"{a}-{b}" if b > a else f"{a}" for a, b in runs)

    def list_update(self, nodes: list[SimNode], line: str, remove: bool = False) -> bool:
        """A list-valued command changes the members of its one line, as the device does:
        IOS ``… add X`` / ``… remove X`` / ``… X`` (replace); VRP ``… X`` adds, ``undo … X``
        removes. False: not a list command."""
        prefix = self.list_prefix(line)
        if prefix is None:
            return False
        rest = line[len(prefix) + 1:]
        node = next((n for n in nodes if n.text.startswith(prefix + " ")), None)
        have = self.members(node.text[len(prefix) + 1:]) if node else set()
        ios = self.cli.lists[prefix] == "ios"
        if remove:
            have -= self.members(rest)
        elif ios and rest.startswith("add "):
            have |= self.members(rest[4:])
        elif ios and rest.startswith("remove "):
            have -= self.members(rest[7:])
        elif ios:
            have = self.members(rest)
        else:
            have |= self.members(rest)
        text = f"{prefix} {self.show_members(prefix, have)}" if have else ""
        if node is not None and text:
            node.text = text
        elif node is not None:
            nodes.remove(node)
        elif text:
            nodes.append(SimNode(text))
        self.changed = time.time()
        return True

    def add(self, nodes: list[SimNode], line: str, block: bool = False) -> SimNode:
        line = self.encrypt(line)
        if line in self.cli.shown_negated:  # back to the default: the 'no …' line goes
            self.remove(nodes, f"{self.cli.negate} {line}")
        if not block and self.list_update(nodes, line):
            return next((n for n in nodes if n.text.startswith(str(self.list_prefix(line)))), SimNode(line))
        for n in nodes:
            if n.text == line:
                return n
        key = self.single_key(line)
        if key:
            for i, n in enumerate(nodes):
                if n.text.startswith(key + " "):
                    nodes[i] = SimNode(line, n.children, block)
                    self.touch(line)
                    return nodes[i]
        node = SimNode(line, [], block)
        nodes.append(node)
        self.touch(line)
        return node

    def touch(self, line: str) -> None:
        self.changed = time.time()
        cmd = self.cli.hostname_cmd
        if line.startswith(cmd + " "):
            self.hostname = line.split(" ", 1)[1].strip()

    def remove(self, nodes: list[SimNode], what: str) -> None:
        if self.list_prefix(what) and self.list_update(nodes, what, remove=True):
            return
        keep = [n for n in nodes if not (n.text == what or n.text.startswith(what + " "))]
        if len(keep) != len(nodes):
            nodes[:] = keep
            self.changed = time.time()

    def display(self, line: str) -> str:
        """A line as the device shows it: IOS shows any banner delimiter as ``^C``."""
        delim = self.cli.banner_delimiter
        m = re.match(r"^(banner \S+) (\S)(.*)\2$", line, re.DOTALL) if delim else None
        return f"{m.group(1)} {delim}{m.group(3)}{delim}" if m else line

    def render_nested(self, node: SimNode, depth: int) -> list[str]:
        """A nested mode's lines, one indent deeper (IOS: `` !`` before an address family,
        its ``exit-address-family`` after)."""
        ind = self.cli.indent
        out = [ind * depth + self.cli.block_sep] if node.leave else []
        out.append(ind * depth + node.text)
        for c in node.children:
            out.extend(self.render_nested(c, depth + 1) if c.block else [ind * (depth + 1) + c.text])
        if node.leave:
            out.append(ind * depth + node.leave)
        return out

    def render(self) -> str:
        cli = self.cli
        sep = cli.block_sep
        ind = cli.indent
        top_ind = ind if cli.top_is_indented else ""
        out: list[str] = []
        hidden = cli.hidden
        for n in self.top:
            if hidden and n.text.startswith(hidden):
                continue  # accepted, never shown (IOS keeps SNMPv3 users out of the running config)
            if n.block or n.children:
                if out and out[-1] != sep:
                    out.append(sep)
                out.append(n.text)
                numbered = cli.acl_sequence and n.text.startswith("ip access-list ")
                for i, c in enumerate(n.children):
                    if c.block:
                        out.extend(self.render_nested(c, 1))
                    else:
                        out.append(ind + (f"{10 * (i + 1)} " if numbered else "") + c.text)
                out.append(sep)
            else:
                out.append(top_ind + self.display(n.text))
        body = "\n".join(out) + "\n"
        stamp = dt.datetime.fromtimestamp(self.changed, dt.UTC).strftime("%H:%M:%S UTC %a %b %d %Y")
        header = cli.config_header.format(size=len(body), time=stamp)
        footer = cli.config_footer if not body.rstrip().endswith(sep) else cli.config_footer.split("\n", 1)[1]
        return header + body + footer


Reply = tuple[str, bool]
"""(output, session closed)"""
Handler = Callable[["IndentedSession", str], "Reply | None"]
"""(session, line) -> the reply, or None: not this handler's command after all"""
Matcher = Callable[["IndentedSession", str], bool]
"""(session, line) -> whether the line is the handler's command"""


def said(commands: Callable[[IndentedCli], tuple[str, ...]]) -> Matcher:
    """The line is one of the profile's ``commands`` (any case)."""
    return lambda session, line: line.lower() in commands(session.cli)


def starts(commands: Callable[[IndentedCli], tuple[str, ...]]) -> Matcher:
    """The line starts with one of the profile's ``commands``."""
    return lambda session, line: line.lower().startswith(commands(session.cli))


def matches(pattern: str) -> Matcher:
    """The line (lower case) starts with a match of ``pattern``."""
    rx = re.compile(pattern)
    return lambda session, line: rx.match(line.lower()) is not None


def anything(session: IndentedSession, line: str) -> bool:
    return True


class IndentedSession:
    def __init__(self, dev: SimDevice):
        self.dev = dev
        self.cfg: IndentedConfig = dev.config
        self.cli = self.cfg.cli
        self.mode = "exec"  # exec | config | sub
        self.sub: SimNode | None = None
        self.sub_mode = ""
        """the open sub-mode's name (from the profile's ``blocks``: ``router``, ``keychain``)"""
        self.inner: list[tuple[SimNode, NestedMode]] = []
        """nested modes open inside the sub-mode, innermost last"""
        self.question: str | None = None
        self.banner: tuple[str, str, list[str]] | None = None
        """a banner being typed: (command, delimiter, text so far)"""

    @property
    def pending(self) -> bool:
        """The device waits for an answer or a banner's text: it shows no prompt."""
        return self.question is not None or self.banner is not None

    def prompt(self) -> str:
        h = self.cfg.hostname
        if self.mode == "exec":
            return self.cli.prompt_exec.format(hostname=h)
        if self.mode == "config":
            return self.cli.prompt_config.format(hostname=h)
        return self.cli.prompt_sub.format(hostname=h, mode=self.inner[-1][1].mode if self.inner else self.sub_mode)

    def error(self, line: str, pos: int) -> str:
        return self.cli.error.format(caret=" " * (len(self.prompt()) + pos) + "^")

    def handle(self, raw: str) -> tuple[str, bool]:
        was = self.mode
        out = self._handle(raw)
        if was == "exec" and self.mode != "exec":
            self._entered = self.cfg.changed
        elif was != "exec" and (self.mode == "exec" or out[1]) and self.cfg.changed != getattr(self, "_entered", None):
            # leaving config mode after a change: the router logs it (SYS-5-CONFIG_I, CFG_CHANGE)
            self.dev.log_config_change(self.dev.user, getattr(self, "peer", "127.0.0.1"))
        return out

    def _handle(self, raw: str) -> tuple[str, bool]:
        if self.banner is not None:
            return self._banner_text(raw)
        line = " ".join(raw.strip().split())
        if self.question:
            self.question = None
            if line.lower().startswith("y"):
                self.dev.save(self.cfg.render())
                return self.cli.save_output + "\n", False
            return "", False
        if not line:
            return "", False
        if self.mode == "exec":
            return self.exec(line)
        return self.configure(line)

    def exec(self, line: str) -> Reply:
        return self.dispatch(self.EXEC_COMMANDS, line) or (self.error(line, self._bad_word(line)), False)

    def configure(self, line: str) -> Reply:
        while self.inner:  # a nested mode first; a line it does not know goes up a level
            reply = self._nested_line(line)
            if reply is not None:
                return reply
        return self.dispatch(self.CONFIG_COMMANDS, line) or (self.error(line, 0), False)

    def _nested_line(self, line: str) -> Reply | None:
        node, nested = self.inner[-1]
        cli = self.cli
        first = line.split(" ")[0]
        if line in cli.sub_exit or (nested.leave and line == nested.leave):
            self.inner.pop()
            return "", False
        if first == cli.negate and line[len(first) + 1:].split(" ")[0] in nested.words:
            self.cfg.remove(node.children, line[len(first) + 1:])
            return "", False
        opens = self.cli.nested.get(nested.mode, {})
        if first in opens:
            return self._open_nested(node, opens[first], line)
        if first in nested.words:
            self.cfg.add(node.children, line)
            return "", False
        self.inner.pop()
        return None

    def _open_nested(self, parent: SimNode, nested: NestedMode, line: str) -> Reply:
        node = self.cfg.add(parent.children, line, block=True)
        node.block, node.leave = True, nested.leave
        self.inner.append((node, nested))
        return "", False

    def _words(self) -> tuple[str, ...]:
        """The first words the open sub-mode accepts."""
        return self.cli.mode_words.get(self.sub_mode, self.cli.sub_words)

    def dispatch(self, table: tuple[tuple[Matcher, Handler], ...], line: str) -> Reply | None:
        """The reply of the first handler whose pattern matches and that answers (None: go on)."""
        for matches, handler in table:
            if matches(self, line):
                reply = handler(self, line)
                if reply is not None:
                    return reply
        return None

    @staticmethod
    def _bad_word(line: str) -> int:
        word = line.split(" ")[0]
        return 0 if word not in ("show", "display") else len(word) + 1

    # -- exec mode
    def _enter_config(self, line: str) -> Reply:
        self.mode = "config"
        return ("Enter configuration commands, one per line.  End with CNTL/Z.\n"
                if self.cli.negate == "no" else "Enter system view, return user view with Ctrl+Z.\n"), False

    def _show_config(self, line: str) -> Reply:
        return self.cfg.render(), False

    def _show_startup(self, line: str) -> Reply:
        return (self.dev.saved or "startup-config is not present\n"), False

    def _save(self, line: str) -> Reply:
        cli = self.cli
        if cli.save_confirm:
            self.question = "save"
            return cli.save_confirm, False
        self.dev.save(self.cfg.render())
        return cli.save_output + "\n", False

    def _quit(self, line: str) -> Reply:
        return "", True

    def _exec_ok(self, line: str) -> Reply:
        low = line.lower()
        ok = next(ok for ok in self.cli.exec_ok if low.startswith(ok))
        said = self.cli.exec_ok_output
        return said.get(ok, "") + ("\n" if ok in said else ""), False

    def _show_from_data(self, line: str) -> Reply | None:
        shown = self.dev.show(line)  # show/display answers rendered from data (netops.lab.showcmd)
        return None if shown is None else (shown, False)

    def _version(self, line: str) -> Reply:
        return self.dev.version_text(), False

    def _clock(self, line: str) -> Reply:
        return dt.datetime.now(dt.UTC).strftime("*%H:%M:%S.000 UTC %a %b %d %Y") + "\n", False

    def _confirmed_change(self, line: str) -> Reply | None:
        """IOS Configuration Rollback Confirmed Change (profile ``confirmed_change``): arming
        saves the running config to the archive and enters config mode; unless confirmed in
        time, the device itself replaces its config with the saved one (no session needed)."""
        cc = self.cli.confirmed_change
        if cc is None:
            return None
        low = line.lower()
        m = re.fullmatch(re.escape(cc.arm) + r" (\d+)", low)
        if m:
            minutes = int(m.group(1))
            if not 1 <= minutes <= cc.max_minutes:
                return self.error(low, len(cc.arm) + 1), False
            if self.cfg.archive_path() is None:
                return cc.no_archive, False
            minute = float(self.dev.faults.current().get("fast-clock", {}).get(self.dev.name, 60))
            name = self.cfg.arm_revert(minutes * minute)
            self.mode = "config"
            return cc.armed.format(file=name), False
        if low == cc.confirm:
            return ("" if self.cfg.confirm() else cc.nothing_pending), False
        if low == cc.now:
            return ("" if self.cfg.revert() else cc.nothing_pending), False
        return None

    EXEC_COMMANDS: ClassVar[tuple[tuple[Matcher, Handler], ...]] = (
        (said(lambda cli: cli.config_enter), _enter_config),
        (said(lambda cli: cli.show_config), _show_config),
        (said(lambda cli: cli.show_startup), _show_startup),
        (said(lambda cli: cli.save), _save),
        (said(lambda cli: cli.quit), _quit),
        (starts(lambda cli: cli.exec_ok), _exec_ok),
        (anything, _show_from_data),
        (matches(r"(show|display) version$"), _version),
        (matches(r"(show|display) clock"), _clock),
        (matches(r"configure (terminal revert|confirm|revert)"), _confirmed_change),
    )
    """exec mode: command pattern -> handler, first match answers; none: the profile's error"""

    # -- config mode
    def _end(self, line: str) -> Reply:
        self.mode, self.sub, self.inner = "exec", None, []
        return "", False

    def _exit(self, line: str) -> Reply:
        if self.mode == "sub":
            self.mode, self.sub, self.inner = "config", None, []
        else:
            self.mode = "exec"
        return "", False

    def _is_do(self, line: str) -> bool:
        prefix = self.cli.exec_prefix
        return bool(prefix) and line.lower().startswith(f"{prefix} ")

    def _do(self, line: str) -> Reply:
        return self.exec(line[len(self.cli.exec_prefix) + 1:])[0], False

    def _is_negated(self, line: str) -> bool:
        return line.split(" ")[0] == self.cli.negate

    def _negate(self, line: str) -> Reply:
        cli, cfg = self.cli, self.cfg
        neg = cli.negate
        if line == neg:
            return cli.incomplete, False
        rest = line[len(neg) + 1:]
        first = rest.split(" ")[0]
        if self.mode == "sub" and (first in self._words() or first in cli.nested.get(self.sub_mode, {})):
            cfg.remove(self.sub.children, rest)  # type: ignore[union-attr]
        elif first in cli.top_words or cfg.block_of(rest):
            self.mode, self.sub = "config", None
            if rest in cli.shown_negated:  # a default turned off shows as 'no …'
                cfg.remove(cfg.top, rest)
                cfg.add(cfg.top, line)
                return "", False
            cfg.remove(cfg.top, rest)
        else:
            return self.error(line, len(neg) + 1), False
        return "", False

    def _is_sub_line(self, line: str) -> bool:
        return self.mode == "sub" and line.split(" ")[0] in self._words()

    def _is_nested_open(self, line: str) -> bool:
        return self.mode == "sub" and line.split(" ")[0] in self.cli.nested.get(self.sub_mode, {})

    def _nested_open(self, line: str) -> Reply:
        return self._open_nested(self.sub, self.cli.nested[self.sub_mode][line.split(" ")[0]], line)  # type: ignore[arg-type]

    def _is_banner_start(self, line: str) -> bool:
        m = re.match(r"^banner \S+ (\S)(.*)$", line)
        return bool(self.cli.banner_input and m and m.group(1) not in m.group(2))

    def _banner_start(self, line: str) -> Reply:
        """``banner motd #``: the text follows on the next lines, up to the delimiter; the
        device shows no prompt meanwhile."""
        kind, rest = line.split(" ", 2)[1], line.split(" ", 2)[2]
        self.mode, self.sub, self.inner = "config", None, []
        self.banner = (f"banner {kind}", rest[0], [rest[1:]])
        return self.cli.banner_input.format(delim=rest[0]) + "\n", False

    def _banner_text(self, raw: str) -> Reply:
        command, delim, text = self.banner  # type: ignore[misc]
        line = raw.rstrip("\r\n")
        if delim not in line:
            text.append(line)
            return "", False
        text.append(line[: line.index(delim)])
        self.banner = None
        self.cfg.add(self.cfg.top, f"{command} {delim}{chr(10).join(text)}{delim}")
        return "", False

    def _is_sub_first(self, line: str) -> bool:
        """A sub-command that shares its first word with a block ("acl 2001 inbound" under
        user-interface on VRP) stays in the current view (needed by config)."""
        return self._is_sub_line(line) and line.split(" ")[0] in self.cli.sub_first

    def _sub_line(self, line: str) -> Reply:
        self.cfg.add(self.sub.children, line)  # type: ignore[union-attr]
        return "", False

    def _is_acl_entry(self, line: str) -> bool:
        return bool(self.mode == "sub" and self.cli.acl_sequence and self.sub is not None
                    and self.sub.text.startswith("ip access-list ")
                    and re.match(r"\d+ (?:permit|deny|remark) ", line))

    def _acl_entry(self, line: str) -> Reply:
        self.cfg.add(self.sub.children, line.split(" ", 1)[1])  # type: ignore[union-attr]  # '10 permit ...': the number is shown by place
        return "", False

    def _is_list(self, line: str) -> bool:
        return self.cfg.list_prefix(line) is not None

    def _list_line(self, line: str) -> Reply:
        """'vlan batch 30' changes the list, it opens no VLAN view."""
        if self._is_sub_line(line):
            self.cfg.list_update(self.sub.children, line)  # type: ignore[union-attr]
        else:
            self.mode, self.sub = "config", None
            self.cfg.list_update(self.cfg.top, line)
        return "", False

    def _is_block(self, line: str) -> bool:
        return self.cfg.block_of(line) is not None

    def _block(self, line: str) -> Reply:
        cfg = self.cfg
        key = str(cfg.block_of(line))
        if line == key and key not in ("control-plane", "bgp", "aaa"):
            return self.cli.incomplete, False
        self.sub = cfg.add(cfg.top, line, block=True)
        self.sub.block = True
        self.mode, self.sub_mode, self.inner = "sub", cfg.mode_name(key, line), []
        return "", False

    def _is_incomplete(self, line: str) -> bool:
        return " " not in line and self.cfg.single_key(line + " x") == line

    def _incomplete(self, line: str) -> Reply:
        return self.cli.incomplete, False

    def _is_top_line(self, line: str) -> bool:
        return line.split(" ")[0] in self.cli.top_words

    def _top_line(self, line: str) -> Reply:
        if self.mode == "sub":
            self.mode, self.sub = "config", None
        self.cfg.add(self.cfg.top, line)
        return "", False

    CONFIG_COMMANDS: ClassVar[tuple[tuple[Matcher, Handler], ...]] = (
        (said(lambda cli: cli.config_end), _end),
        (said(lambda cli: cli.sub_exit), _exit),
        (_is_do, _do),
        (_is_negated, _negate),
        (_is_banner_start, _banner_start),
        (_is_nested_open, _nested_open),
        (_is_sub_first, _sub_line),
        (_is_acl_entry, _acl_entry),
        (_is_list, _list_line),
        (_is_block, _block),
        (_is_incomplete, _incomplete),
        (_is_sub_line, _sub_line),
        (_is_top_line, _top_line),
    )
    """config and sub modes: command pattern -> handler, first match answers; none: the profile's error"""


def factory_config(cli: IndentedCli, spec: dict[str, Any], files: dict[str, str]) -> IndentedConfig:
    """A router's first config: its hostname and interfaces (description, shutdown as the spec says)."""
    config = IndentedConfig(cli, spec["name"])
    config.add(config.top, f"{cli.hostname_cmd} {spec['name']}")
    for line in cli.factory:  # what every lab device of the platform carries
        if line.startswith(" "):
            config.top[-1].children.append(SimNode(line.strip()))
        else:
            config.add(config.top, line, block=bool(config.block_of(line)))
    for iface in spec.get("interfaces", []):
        node = config.add(config.top, f"interface {iface['name']}", block=True)
        if iface.get("comment"):
            node.children.append(SimNode(f"description {iface['comment']}"))
        if iface.get("down"):
            node.children.append(SimNode("shutdown"))
    return config
