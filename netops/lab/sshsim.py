"""The SSH device simulator: one asyncio process, one SSH listener per device.

Devices keep state: a config line changes the running config that ``show
running-config`` / ``display current-configuration`` / ``/export`` print
afterwards, across sessions. Two engines, driven by ``netops/lab/data/<platform>.yaml``:

* ``indented`` (Cisco IOS, Huawei VRP): exec and config modes, sub-modes opened
  by block commands, ``no``/``undo`` removal, single-valued lines replaced, save.
* ``routeros`` (MikroTik): menus with ``add/set/remove/print/export``,
  ``[find ...]`` selectors, ``/export file=``, ``/import``, ``/file``,
  ``/system scheduler`` whose ``on-event`` really runs after its interval, and
  ``/system reset-configuration run-after-reset=``.

Run as ``python -m netops.lab.sshsim <devices.json>``.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import re
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh

from netops.lab import identity, rosapi, showcmd
from netops.lab.faults import FILE as FAULTS_FILE
from netops.lab.faults import FaultFile
from netops.lab.profiles import profile

# ---------------------------------------------------------------- indented CLIs


@dataclass
class SimNode:
    text: str
    children: list[SimNode] = field(default_factory=list)
    block: bool = False


class IndentedConfig:
    def __init__(self, cli: dict[str, Any], hostname: str):
        self.cli = cli
        self.hostname = hostname
        self.top: list[SimNode] = []
        self.changed = time.time()

    def block_of(self, line: str) -> str | None:
        """The block keyword a line opens (longest match), or None."""
        best = None
        for key in self.cli.get("blocks", {}):
            if (line == key or line.startswith(key + " ")) and (best is None or len(key) > len(best)):
                best = key
        return best

    def mode_name(self, key: str, line: str) -> str:
        tmpl = self.cli["blocks"][key] or key
        arg = line[len(key):].strip().split(" ")[0] if line != key else ""
        return str(tmpl).format(arg=arg)

    def single_key(self, line: str) -> str | None:
        for prefix in sorted(self.cli.get("single", []), key=len, reverse=True):
            if line.startswith(prefix + " "):
                return prefix
        return None

    def list_prefix(self, line: str) -> str | None:
        """The list-valued command a line sets (``switchport trunk allowed vlan``, ``vlan batch``)."""
        return next((p for p in self.cli.get("lists", {}) if line.startswith(p + " ")), None)

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
        if self.cli["lists"][prefix] == "vrp":
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
        ios = self.cli["lists"][prefix] == "ios"
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
        cmd = self.cli["hostname_cmd"]
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
        delim = self.cli.get("banner_delimiter")
        m = re.match(r"^(banner \S+) (\S)(.*)\2$", line) if delim else None
        return f"{m.group(1)} {delim}{m.group(3)}{delim}" if m else line

    def render(self) -> str:
        cli = self.cli
        sep = cli["block_sep"]
        ind = cli["indent"]
        top_ind = ind if cli.get("top_is_indented") else ""
        out: list[str] = []
        hidden = tuple(cli.get("hidden", ()))
        for n in self.top:
            if hidden and n.text.startswith(hidden):
                continue  # accepted, never shown (IOS keeps SNMPv3 users out of the running config)
            if n.block or n.children:
                if out and out[-1] != sep:
                    out.append(sep)
                out.append(n.text)
                numbered = cli.get("acl_sequence") and n.text.startswith("ip access-list ")
                out.extend(ind + (f"{10 * (i + 1)} " if numbered else "") + c.text for i, c in enumerate(n.children))
                out.append(sep)
            else:
                out.append(top_ind + self.display(n.text))
        body = "\n".join(out) + "\n"
        stamp = dt.datetime.fromtimestamp(self.changed, dt.UTC).strftime("%H:%M:%S UTC %a %b %d %Y")
        header = cli["config_header"].format(size=len(body), time=stamp)
        footer = cli["config_footer"] if not body.rstrip().endswith(sep) else cli["config_footer"].split("\n", 1)[1]
        return header + body + footer


class IndentedSession:
    def __init__(self, dev: SimDevice):
        self.dev = dev
        self.cli = dev.cli
        self.cfg: IndentedConfig = dev.config
        self.mode = "exec"  # exec | config | sub
        self.sub: SimNode | None = None
        self.sub_mode = ""
        self.pending: str | None = None

    def prompt(self) -> str:
        h = self.cfg.hostname
        if self.mode == "exec":
            return self.cli["prompt_exec"].format(hostname=h)
        if self.mode == "config":
            return self.cli["prompt_config"].format(hostname=h)
        return self.cli["prompt_sub"].format(hostname=h, mode=self.sub_mode)

    def error(self, line: str, pos: int) -> str:
        return self.cli["error"].format(caret=" " * (len(self.prompt()) + pos) + "^")

    def handle(self, raw: str) -> tuple[str, bool]:
        line = " ".join(raw.strip().split())
        if self.pending:
            self.pending = None
            if line.lower().startswith("y"):
                self.dev.save(self.cfg.render())
                return self.cli["save_output"] + "\n", False
            return "", False
        if not line:
            return "", False
        if self.mode == "exec":
            return self.exec(line)
        return self.configure(line)

    def exec(self, line: str) -> tuple[str, bool]:
        cli = self.cli
        low = line.lower()
        if low in cli["config_enter"]:
            self.mode = "config"
            return ("Enter configuration commands, one per line.  End with CNTL/Z.\n"
                    if cli["negate"] == "no" else "Enter system view, return user view with Ctrl+Z.\n"), False
        if low in cli["show_config"]:
            return self.cfg.render(), False
        if low in cli.get("show_startup", []):
            return (self.dev.saved or "startup-config is not present\n"), False
        if low in cli["save"]:
            if cli.get("save_confirm"):
                self.pending = "save"
                return cli["save_confirm"], False
            self.dev.save(self.cfg.render())
            return cli["save_output"] + "\n", False
        if low in cli["quit"]:
            return "", True
        for ok in cli["exec_ok"]:
            if low.startswith(ok):
                return cli.get("exec_ok_output", {}).get(ok, "") + ("\n" if ok in cli.get("exec_ok_output", {}) else ""), False
        shown = self.dev.show(line)  # show/display answers rendered from data (netops.lab.showcmd)
        if shown is not None:
            return shown, False
        if low in ("show version", "display version"):
            return self.dev.version_text(), False
        if low.startswith(("show clock", "display clock")):
            return dt.datetime.now(dt.UTC).strftime("*%H:%M:%S.000 UTC %a %b %d %Y") + "\n", False
        word = line.split(" ")[0]
        bad = 0 if word not in ("show", "display") else len(word) + 1
        return self.error(line, bad), False

    def configure(self, line: str) -> tuple[str, bool]:
        cli, cfg = self.cli, self.cfg
        low = line.lower()
        if low in cli["config_end"]:
            self.mode, self.sub = "exec", None
            return "", False
        if low in cli["sub_exit"]:
            if self.mode == "sub":
                self.mode, self.sub = "config", None
            else:
                self.mode = "exec"
            return "", False
        prefix = cli.get("exec_prefix")
        if prefix and low.startswith(prefix + " "):
            return self.exec(line[len(prefix) + 1:])[0], False
        words = line.split(" ")
        neg = cli["negate"]
        if words[0] == neg:
            if len(words) == 1:
                return cli["incomplete"], False
            rest = line[len(neg) + 1:]
            first = rest.split(" ")[0]
            if self.mode == "sub" and first in cli["sub_words"]:
                cfg.remove(self.sub.children, rest)  # type: ignore[union-attr]
            elif first in cli["top_words"] or cfg.block_of(rest):
                cfg.remove(cfg.top, rest)
            else:
                return self.error(line, len(neg) + 1), False
            return "", False
        if self.mode == "sub" and words[0] in cli["sub_words"] and words[0] in cli.get("sub_first", []):
            # a sub-command that shares its first word with a block ("acl 2001 inbound"
            # under user-interface on VRP) stays in the current view (needed by config)
            cfg.add(self.sub.children, line)  # type: ignore[union-attr]
            return "", False
        if (self.mode == "sub" and cli.get("acl_sequence") and self.sub is not None
                and self.sub.text.startswith("ip access-list ") and re.match(r"\d+ (?:permit|deny|remark) ", line)):
            cfg.add(self.sub.children, line.split(" ", 1)[1])  # '10 permit ...': the number is shown by place
            return "", False
        if cfg.list_prefix(line):  # 'vlan batch 30' changes the list, it opens no VLAN view
            if self.mode == "sub" and words[0] in cli["sub_words"]:
                cfg.list_update(self.sub.children, line)  # type: ignore[union-attr]
            else:
                self.mode, self.sub = "config", None
                cfg.list_update(cfg.top, line)
            return "", False
        key = cfg.block_of(line)
        if key is not None:
            if line == key and key not in ("control-plane", "bgp", "aaa"):
                return cli["incomplete"], False
            self.sub = cfg.add(cfg.top, line, block=True)
            self.sub.block = True
            self.mode, self.sub_mode = "sub", cfg.mode_name(key, line)
            return "", False
        if len(words) == 1 and cfg.single_key(line + " x") == line:
            return cli["incomplete"], False
        if self.mode == "sub" and words[0] in cli["sub_words"]:
            cfg.add(self.sub.children, line)  # type: ignore[union-attr]
            return "", False
        if words[0] in cli["top_words"]:
            if self.mode == "sub":
                self.mode, self.sub = "config", None
            cfg.add(cfg.top, line)
            return "", False
        return self.error(line, 0), False


# ---------------------------------------------------------------- RouterOS


class RosError(Exception):
    pass


def ros_tokens(line: str) -> list[tuple[str, int]]:
    """Split a RouterOS line into (token, column); quotes and [ ... ] stay whole."""
    out: list[tuple[str, int]] = []
    i, n = 0, len(line)
    while i < n:
        if line[i] == " ":
            i += 1
            continue
        start = i
        buf = []
        depth = 0
        while i < n and (line[i] != " " or depth):
            c = line[i]
            if c == '"':
                j = i + 1
                while j < n and line[j] != '"':
                    j += 2 if line[j] == "\\" else 1
                if j >= n:
                    raise RosError(f"syntax error (line 1 column {i + 1})")
                buf.append(line[i:j + 1])
                i = j + 1
                continue
            if c == "[":
                depth += 1
            elif c == "]":
                depth -= 1
            buf.append(c)
            i += 1
        if depth:
            raise RosError(f"syntax error (line 1 column {start + 1})")
        out.append(("".join(buf), start + 1))
    return out


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
        return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), value)
    return value


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "_": " "}
"""RouterOS string escapes (``\\_`` is the space an export writes at a line break)"""


def quote(value: str) -> str:
    if value and re.fullmatch(r"[A-Za-z0-9_.:/@,+*-]+", value):
        return value
    return '"' + (value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
                  .replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")) + '"'


def wrap_export_line(line: str, width: int = 79) -> list[str]:
    """``/export`` (not terse) breaks a long line with ``\\`` + newline and goes on indented
    by four spaces, anywhere, even inside a quoted value (a script source)."""
    out: list[str] = []
    first = True
    while len(line) > width - (0 if first else 4):
        room = width - 1 - (0 if first else 4)
        space = line.rfind(" ", room // 2, room)
        cut = space + 1 if space > 0 and line[:space].count('"') % 2 == 0 else room  # a space outside quotes
        while cut > 1 and line[cut - 1] == "\\":  # never split an escape
            cut -= 1
        out.append(("" if first else "    ") + line[:cut] + "\\")
        line, first = line[cut:], False
    out.append(("" if first else "    ") + line)
    return out


def split_script(text: str) -> list[str]:
    """Split an on-event/script body on ';' and newlines outside quotes and brackets."""
    parts, buf, depth, inq = [], [], 0, False
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and inq and i + 1 < len(text):
            buf.append(text[i:i + 2])
            i += 2
            continue
        if c == '"':
            inq = not inq
        elif not inq and c == "[":
            depth += 1
        elif not inq and c == "]":
            depth -= 1
        if not inq and depth == 0 and c in ";\n":
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(c)
        i += 1
    parts.append("".join(buf))
    return [p.strip() for p in parts if p.strip()]


def parse_interval(text: str) -> float:
    text = text.strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    m = re.fullmatch(r"(\d+):(\d+):(\d+)", text)
    if m:
        return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
    total = 0.0
    units = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+)(ms|w|d|h|m|s)", text)
    if not parts or "".join(a + b for a, b in parts) != text:
        raise RosError(f"invalid value for argument interval: {text}")
    for num, unit in parts:
        total += int(num) * units[unit]
    return total


class RosConfig:
    EXPORT_ORDER_FIRST = ("/interface",)

    def __init__(self, cli: dict[str, Any], hostname: str, files: dict[str, str]):
        self.cli = cli
        self.menus: dict[str, str] = cli["menus"]
        self.single: dict[str, dict[str, str]] = {}
        self.lists: dict[str, list[dict[str, str]]] = {}
        self.files = files
        self.set_single("/system identity", {"name": hostname})
        self.next_runs: dict[int, float] = {}

    @property
    def hostname(self) -> str:
        return self.single.get("/system identity", {}).get("name", "MikroTik")

    def set_single(self, path: str, props: dict[str, str]) -> None:
        self.single.setdefault(path, {}).update(props)

    def reset(self) -> None:
        """Empty config, as after a reset with no defaults: users stay, factory items go back to factory."""
        users = self.lists.get("/user")
        factory: dict[str, list[Any]] = {
            p: [{**x[".factory"], ".factory": x[".factory"]} for x in items if ".factory" in x]  # type: ignore[dict-item]
            for p, items in self.lists.items()}
        self.single, self.lists = {}, {p: items for p, items in factory.items() if items}
        self.set_single("/system identity", {"name": "MikroTik"})
        if users:
            self.lists["/user"] = users

    def export(self, path: str = "", terse: bool = False) -> str:
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        lines = [f"# {now} by RouterOS {self.cli['version']}", "# software id = LAB0-0001", "#"]
        paths = sorted(set(self.single) | set(self.lists), key=lambda p: (not p.startswith("/interface"), p))
        for p in paths:
            if path and not (p == path or p.startswith(path + " ")):
                continue
            if p in ("/user", "/file", "/certificate"):  # never exported (a certificate is a file)
                continue
            cmds = []
            if p in self.single and self.single[p]:
                cmds.append("set " + " ".join(f"{k}={quote(v)}" for k, v in self.single[p].items()))
            for item in self.lists.get(p, []):
                factory: dict[str, str] | None = item.get(".factory")  # type: ignore[assignment]
                if factory is not None:
                    changed = {k: v for k, v in item.items() if not k.startswith(".") and factory.get(k) != v}
                    if changed:
                        who = (f"[ find default-name={factory['default-name']} ]" if "default-name" in factory
                               else quote(factory["name"]))
                        cmds.append(f"set {who} " + " ".join(f"{k}={quote(v)}" for k, v in changed.items()))
                    continue
                props = " ".join(f"{k}={quote(v)}" for k, v in item.items() if not k.startswith("."))
                cmds.append(f"add {props}".rstrip())
            if not cmds:
                continue
            if terse:
                lines.extend(f"{p} {c}" for c in cmds)
            else:
                lines.append(p)
                for c in cmds:
                    lines.extend(wrap_export_line(c))
        return "\n".join(lines) + "\n"


class RosSession:
    def __init__(self, dev: SimDevice, user: str):
        self.dev = dev
        self.cfg: RosConfig = dev.config
        self.user = user
        self.cwd = ""
        self.script_cwd = ""

    def prompt(self) -> str:
        return self.dev.cli["prompt"].format(user=self.user, hostname=self.cfg.hostname, path=self.cwd + (
            "" if not self.cwd else ""))

    def handle(self, raw: str) -> tuple[str, bool]:
        line = raw.strip()
        if not line:
            return "", False
        try:
            out, close = self.run(line)
        except RosError as exc:
            return f"{exc}\n", False
        return out, close

    def run(self, line: str, cwd: str | None = None) -> tuple[str, bool]:
        cfg = self.cfg
        toks = ros_tokens(line)
        path = self.cwd if cwd is None else cwd
        i = 0
        if toks and toks[0][0].startswith("/"):
            path = ""
            first, col = toks[0]
            words = [(m.group(0), col + m.start()) for m in re.finditer(r"[^/]+", first)]
            toks = words + toks[1:]
            if not words:
                return self._cd(""), False
        known = set(cfg.menus) | {m.rsplit(" ", k)[0] for m in cfg.menus for k in range(1, m.count(" ") + 1)}
        known |= {"/" + m.split(" ")[0].lstrip("/") for m in cfg.menus}
        while i < len(toks):
            word, col = toks[i]
            cand = (path + " " + word) if path else "/" + word
            if cand in known:
                path = cand
                i += 1
                continue
            break
        if i == len(toks):
            if cwd is None:
                self.cwd = path
            self.script_cwd = path
            return "", False
        cmd, col = toks[i]
        args = toks[i + 1:]
        return self.command(path, cmd, col, args)

    def _cd(self, path: str) -> str:
        self.cwd = path
        return ""

    def command(self, path: str, cmd: str, col: int, args: list[tuple[str, int]]) -> tuple[str, bool]:
        cfg = self.cfg
        kind = cfg.menus.get(path)
        kv, flags, selectors = {}, [], []
        for tok, c in args:
            if tok.startswith("["):
                selectors.append(tok)
            elif "=" in tok:
                k, v = tok.split("=", 1)
                kv[k] = unquote(v)
            else:
                flags.append((tok, c))
        if path == "" and cmd == "quit":
            return "", True
        if cmd == "export":
            text = cfg.export(path, terse="terse" in [f for f, _ in flags])
            if "file" in kv:
                name = kv["file"] if kv["file"].endswith(".rsc") else kv["file"] + ".rsc"
                cfg.files[name] = text
                return "", False
            return text, False
        if path == "" and cmd == "import":
            name = kv.get("file-name") or (flags[0][0] if flags else "")
            if name not in cfg.files:
                raise RosError(f"failure: no such file {name}" if name else "failure: file-name not given")
            self.run_script(cfg.files[name])
            return "\nScript file loaded and executed successfully\n", False
        if path == "/system" and cmd == "reset-configuration":
            after = kv.get("run-after-reset")
            cfg.reset()
            self.dev.cancel_schedules()
            if after:
                if after not in cfg.files:
                    raise RosError(f"failure: no such file {after}")
                self.run_script(cfg.files[after])
            return "", False
        if path == "/system backup" and cmd in ("save", "load"):
            return self.backup(cmd, kv)
        if path == "/system script" and cmd == "run":
            scripts = {s.get("name"): s.get("source", "") for s in cfg.lists.get("/system script", [])}
            name = flags[0][0] if flags else kv.get("number", "")
            if name not in scripts:
                raise RosError("no such item")
            closed = False
            for line in split_script(scripts[name]):
                closed = self.run(line, cwd="")[1] or closed
            return "", closed
        if path == "/file":
            return self.files(cmd, col, kv, flags, selectors), False
        cert = kv.get("certificate")
        if cert not in (None, "", "none") and not any(
                c.get("name") == cert for c in cfg.lists.get("/certificate", [])):
            # a certificate is imported from a file and never exported: a replayed export
            # that refers to one stops here, as on a real router
            raise RosError("input does not match any value of certificate")
        if kind is None or kind == "action":
            raise RosError(f"bad command name {cmd} (line 1 column {col})")
        if kind == "single":
            if cmd == "set":
                cfg.set_single(path, kv)
                return "", False
            if cmd == "print":
                rows = cfg.single.get(path, {})
                return "".join(f"{k:>20}: {v}\n" for k, v in rows.items()), False
            raise RosError(f"bad command name {cmd} (line 1 column {col})")
        items = cfg.lists.setdefault(path, [])
        if cmd == "add":
            if flags:
                raise RosError(f"expected end of command (line 1 column {flags[0][1]})")
            if path == "/system scheduler" and "interval" in kv:
                parse_interval(kv["interval"])
            items.append(dict(kv))
            if path == "/system scheduler":
                self.dev.arm(items[-1])
            return "", False
        if cmd == "print":
            out = ["Flags: X - disabled"]
            for n, item in enumerate(items):
                flag = "X" if item.get("disabled") == "yes" else " "
                out.append(f"{n:>2} {flag} " + " ".join(f"{k}={quote(v)}" for k, v in item.items()
                                                         if not k.startswith(".")))
            return "\n".join(out) + "\n", False
        if cmd == "move":  # ordered menus (firewall): move ITEMS destination=ITEM puts them before it
            chosen = self.select(items, selectors, flags, col)
            dest = self.select(items, [kv["destination"]], [], col) if "destination" in kv else []
            ids = {id(x) for x in chosen}
            rest = [x for x in items if id(x) not in ids]
            at = next((i for i, x in enumerate(rest) if dest and x is dest[0]), len(rest))
            items[:] = rest[:at] + chosen + rest[at:]
            return "", False
        if cmd in ("set", "remove", "enable", "disable"):
            chosen = self.select(items, selectors, flags, col)
            if cmd == "remove":
                ids = {id(x) for x in chosen}
                items[:] = [x for x in items if id(x) not in ids]
            elif cmd == "set":
                for x in chosen:
                    x.update(kv)
            else:
                for x in chosen:
                    x["disabled"] = "yes" if cmd == "disable" else "no"
            return "", False
        raise RosError(f"bad command name {cmd} (line 1 column {col})")

    def select(self, items: list[dict[str, str]], selectors: list[str], flags: list[tuple[str, int]],
               col: int) -> list[dict[str, str]]:
        chosen: list[dict[str, str]] = []
        for sel in selectors:
            body = sel.strip("[]").split()
            if not body or body[0] != "find":
                raise RosError(f"syntax error (line 1 column {col})")
            conds = [b for b in body[1:] if b != "where"]
            want = dict((k, unquote(v)) for k, v in (c.split("=", 1) for c in conds if "=" in c))
            chosen += [x for x in items if all(x.get(k) == v for k, v in want.items())]
        for tok, _col in flags:
            for part in tok.split(","):
                if part.isdigit() and int(part) < len(items):
                    chosen.append(items[int(part)])
                elif any(x.get("name") == part for x in items):
                    chosen += [x for x in items if x.get("name") == part]
                else:
                    raise RosError("no such item")
        if not selectors and not flags:
            raise RosError(f"expected end of command (line 1 column {col})")
        return chosen

    def files(self, cmd: str, col: int, kv: dict[str, str], flags: list[tuple[str, int]], selectors: list[str]) -> str:
        cfg = self.cfg
        if cmd == "print":
            out = [" # NAME                TYPE        SIZE"]
            for n, (name, text) in enumerate(sorted(cfg.files.items())):
                out.append(f"{n:>2} {name:<20} script      {len(text)}")
            return "\n".join(out) + "\n"
        if cmd == "remove":
            names = [f for f, _ in flags]
            for sel in selectors:
                m = re.search(r'name=("[^"]*"|\S+?)\]?$', sel.strip("[]"))
                if m:
                    names.append(unquote(m.group(1)))
            for name in names:
                if name not in cfg.files:
                    raise RosError("no such item")
                del cfg.files[name]
            return ""
        raise RosError(f"bad command name {cmd} (line 1 column {col})")

    def backup(self, cmd: str, kv: dict[str, str]) -> tuple[str, bool]:
        """``/system backup``: a binary image of the whole configuration (users, certificates
        and all), restored as it was by ``load``, which reboots the router: no replay that
        can stop half-way."""
        name = kv.get("name", "")
        if not name:
            raise RosError("failure: name not given")
        file = name if name.endswith(".backup") else name + ".backup"
        if cmd == "save":
            self.dev.backups[file] = copy.deepcopy((self.cfg.single, self.cfg.lists))
            self.cfg.files[file] = "(binary backup)"
            return "Configuration backup saved\n", False
        if file not in self.dev.backups or file not in self.cfg.files:
            raise RosError(f"failure: no such file {file}")
        self.cfg.single, self.cfg.lists = copy.deepcopy(self.dev.backups[file])
        self.dev.reboot()
        return "", True  # the router reboots: the session ends

    def run_script(self, text: str) -> None:
        cwd = ""
        # an export wraps long lines with '\' + newline: one command again
        text = re.sub(r"(?<!\\)((?:\\\\)*)\\\n[ \t]*", r"\1", text)
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            self.script_cwd = cwd
            self.run(line, cwd=cwd)
            cwd = self.script_cwd


# ---------------------------------------------------------------- devices and server


class SimDevice:
    def __init__(self, spec: dict[str, Any], state_dir: Path):
        self.spec = spec
        self.name = spec["name"]
        self.platform = spec["platform"]
        self.prof = profile(self.platform)
        self.cli = self.prof.cli
        self.user, self.password = spec["username"], spec["password"]
        self.state_dir = state_dir
        self.saved: str | None = None
        self.files: dict[str, str] = {}
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.backups: dict[str, Any] = {}
        """RouterOS binary backups (/system backup save), by file name"""
        self.processes: set[Any] = set()
        """open SSH sessions: a reboot (backup load) ends them all"""
        self.peers: dict[str, dict[str, Any]] = {spec["name"]: spec}
        self.faults = FaultFile(state_dir / FAULTS_FILE)
        if self.cli["engine"] == "routeros":
            self.config: Any = RosConfig(self.cli, self.name, self.files)
            self.config.set_single("/snmp", {"enabled": "yes", "location": spec.get("location", "")})
            # Items every RouterOS has from the factory, so "set [ find default-name=ether1 ]"
            # and "/ip service set ssh" find something (needed by config).
            # They are exported as "set" of what differs from the factory, like RouterOS does.
            for iface in spec.get("interfaces", []):
                item = {"name": iface["name"], "default-name": iface["name"]}
                item[".factory"] = dict(item)  # type: ignore[assignment]
                if iface.get("comment"):
                    item["comment"] = iface["comment"]
                self.config.lists.setdefault("/interface ethernet", []).append(item)
            for svc in ("telnet", "ftp", "www", "ssh", "www-ssl", "api", "winbox", "api-ssl"):
                self.config.lists.setdefault("/ip service", []).append(
                    {"name": svc, ".factory": {"name": svc}})  # type: ignore[dict-item]
        else:
            self.config = IndentedConfig(self.cli, self.name)
            self.config.add(self.config.top, f"{self.cli['hostname_cmd']} {self.name}")
            for iface in spec.get("interfaces", []):
                node = self.config.add(self.config.top, f"interface {iface['name']}", block=True)
                if iface.get("comment"):
                    node.children.append(SimNode(f"description {iface['comment']}"))
                if iface.get("down"):
                    node.children.append(SimNode("shutdown"))

    def save(self, text: str) -> None:
        self.saved = text
        (self.state_dir / f"{self.name}.saved").write_text(text, encoding="utf-8")

    def version_text(self) -> str:
        descr = self.prof.sys_descr.format(name=self.name, model=self.spec.get("model") or "", platform=self.platform)
        return descr.replace("\\r\\n", "\n").replace("\r\n", "\n") + f"\n{self.config.hostname} uptime is 5 weeks, 2 days\n"

    # -- what the device says about itself (facts): netops.lab.identity, showcmd, rosapi
    def identity(self) -> identity.SimIdentity:
        return identity.identity(self.spec, self.peers, self.faults.current(), self.config.hostname)

    def show(self, command: str) -> str | None:
        return showcmd.answer(self.identity(), command, self.spec.get("domain", ""), self.config.render)

    def api_fault(self) -> str | None:
        fault: str | None = self.faults.current().get("api", {}).get(self.name)
        return fault

    def session(self, user: str) -> Any:
        return RosSession(self, user) if self.cli["engine"] == "routeros" else IndentedSession(self)

    # RouterOS scheduler: each entry runs its on-event every interval until removed.
    def arm(self, item: dict[str, str]) -> None:
        interval = parse_interval(item.get("interval", "0s"))
        if interval <= 0:
            return
        self.tasks[id(item)] = asyncio.get_running_loop().create_task(self._schedule(item, interval))

    async def _schedule(self, item: dict[str, str], interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            items = self.config.lists.get("/system scheduler", [])
            if not any(x is item for x in items):
                return
            if item.get("disabled") == "yes":
                continue
            sess = RosSession(self, "scheduler")
            event = item.get("on-event", "")
            scripts = {s.get("name"): s.get("source", "") for s in self.config.lists.get("/system script", [])}
            for cmd in split_script(scripts.get(event, event)):
                try:
                    sess.run(cmd)
                except RosError:
                    break

    def reboot(self) -> None:
        """What a RouterOS reboot ends: every SSH session (input still in flight never
        arrives) and every scheduler task; the scheduler entries of the config run anew."""
        for process in list(self.processes):
            try:
                process.close()
            except Exception:  # noqa: BLE001 - a session already gone
                pass
        self.processes.clear()
        self.cancel_schedules()
        for item in self.config.lists.get("/system scheduler", []):
            self.arm(item)

    def cancel_schedules(self) -> None:
        for task in self.tasks.values():
            task.cancel()
        self.tasks.clear()


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
        if self.dev.cli["engine"] == "routeros":
            username = username.split("+", 1)[0]  # netmiko appends terminal options: user+ct511w4098h
        return username == self.dev.user and password == self.dev.password


async def run_session(dev: SimDevice, process: asyncssh.SSHServerProcess[str]) -> None:
    user = (process.get_extra_info("username") or dev.user).split("+", 1)[0]
    sess = dev.session(user)
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


if __name__ == "__main__":
    asyncio.run(serve(Path(sys.argv[1])))
