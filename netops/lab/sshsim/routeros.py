"""MikroTik RouterOS: menus with ``add/set/remove/print/export``, ``[find ...]`` selectors,
``/export file=``, ``/import``, ``/file``, ``/system scheduler``, ``/system backup``."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from netops.lab.profiles import RosCli

if TYPE_CHECKING:
    from netops.lab.sshsim.device import SimDevice


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

    def __init__(self, cli: RosCli, hostname: str, files: dict[str, str]):
        self.cli = cli
        self.menus = cli.menus
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
        lines = [f"# {now} by RouterOS {self.cli.version}", "# software id = LAB0-0001", "#"]
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


@dataclass
class RosArgs:
    """A command's arguments: ``key=value`` pairs, bare words with their column, ``[ find ... ]``
    selectors; ``col`` is the command's own column (for error messages)."""

    col: int
    kv: dict[str, str] = field(default_factory=dict)
    flags: list[tuple[str, int]] = field(default_factory=list)
    selectors: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, col: int, args: list[tuple[str, int]]) -> RosArgs:
        out = cls(col)
        for tok, c in args:
            if tok.startswith("["):
                out.selectors.append(tok)
            elif "=" in tok:
                k, v = tok.split("=", 1)
                out.kv[k] = unquote(v)
            else:
                out.flags.append((tok, c))
        return out


RosHandler = Callable[["RosSession", str, str, RosArgs], tuple[str, bool]]
"""(session, menu path, command, arguments) -> (output, session closed)"""


_LOGGED = {"add": "added", "set": "changed", "remove": "removed", "move": "moved", "enable": "changed",
           "disable": "changed"}
"""how RouterOS's system,info log names a change, per command"""


class RosSession:
    def __init__(self, dev: SimDevice, user: str):
        self.dev = dev
        self.cfg: RosConfig = dev.config
        self.user = user
        self.cwd = ""
        self.script_cwd = ""

    def prompt(self) -> str:
        return self.cfg.cli.prompt.format(user=self.user, hostname=self.cfg.hostname, path=self.cwd + (
            "" if not self.cwd else ""))

    def handle(self, raw: str) -> tuple[str, bool]:
        line = raw.strip()
        if not line:
            return "", False
        before = self._state() if self.dev.syslog else None
        try:
            out, close = self.run(line)
        except RosError as exc:
            return f"{exc}\n", False
        if before is not None and self._state() != before:  # a change: RouterOS logs each one
            words = [w for w, _ in ros_tokens(line)]
            verb = next((w for w in words if w in _LOGGED), "set")
            menu = " ".join(words[:words.index(verb)] if verb in words else words[:1]).strip("/ ") or self.cwd.strip("/")
            self.dev.log_config_change(self.user, getattr(self, "peer", "127.0.0.1"), f"{menu} {_LOGGED[verb]}")
        return out, close

    def _state(self) -> str:
        return repr((self.cfg.single, self.cfg.lists))

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
        """Run ``cmd`` in menu ``path``: a command of ``COMMANDS`` first, else the menu kind's
        command from ``MENU_COMMANDS``."""
        a = RosArgs.parse(col, args)
        handler = self.COMMANDS.get((path, cmd)) or self.COMMANDS.get((None, cmd)) or self.COMMANDS.get((path, None))
        if handler is not None:
            return handler(self, path, cmd, a)
        cert = a.kv.get("certificate")
        if cert not in (None, "", "none") and not any(
                c.get("name") == cert for c in self.cfg.lists.get("/certificate", [])):
            # a certificate is imported from a file and never exported: a replayed export
            # that refers to one stops here, as on a real router
            raise RosError("input does not match any value of certificate")
        handler = self.MENU_COMMANDS.get(self.cfg.menus.get(path) or "", {}).get(cmd)
        if handler is None:
            raise RosError(f"bad command name {cmd} (line 1 column {col})")
        return handler(self, path, cmd, a)

    def _quit(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        return "", True

    def _export(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        cfg = self.cfg
        text = cfg.export(path, terse="terse" in [f for f, _ in a.flags])
        if "file" in a.kv:
            name = a.kv["file"] if a.kv["file"].endswith(".rsc") else a.kv["file"] + ".rsc"
            cfg.files[name] = text
            return "", False
        return text, False

    def _import(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        name = a.kv.get("file-name") or (a.flags[0][0] if a.flags else "")
        if name not in self.cfg.files:
            raise RosError(f"failure: no such file {name}" if name else "failure: file-name not given")
        self.run_script(self.cfg.files[name])
        return "\nScript file loaded and executed successfully\n", False

    def _reset_configuration(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        cfg = self.cfg
        after = a.kv.get("run-after-reset")
        cfg.reset()
        self.dev.cancel_schedules()
        if after:
            if after not in cfg.files:
                raise RosError(f"failure: no such file {after}")
            self.run_script(cfg.files[after])
        return "", False

    def _backup(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        return self.backup(cmd, a.kv)

    def _script_run(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        scripts = {s.get("name"): s.get("source", "") for s in self.cfg.lists.get("/system script", [])}
        name = a.flags[0][0] if a.flags else a.kv.get("number", "")
        if name not in scripts:
            raise RosError("no such item")
        closed = False
        for line in split_script(scripts[name]):
            closed = self.run(line, cwd="")[1] or closed
        return "", closed

    def _file(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        return self.files(cmd, a.col, a.kv, a.flags, a.selectors), False

    def _single_set(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        self.cfg.set_single(path, a.kv)
        return "", False

    def _single_print(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        rows = self.cfg.single.get(path, {})
        return "".join(f"{k:>20}: {v}\n" for k, v in rows.items()), False

    def _add(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        items = self.cfg.lists.setdefault(path, [])
        if a.flags:
            raise RosError(f"expected end of command (line 1 column {a.flags[0][1]})")
        if path == "/system scheduler" and "interval" in a.kv:
            parse_interval(a.kv["interval"])
        items.append(dict(a.kv))
        if path == "/system scheduler":
            self.dev.arm(items[-1])
        return "", False

    def _print(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        out = ["Flags: X - disabled"]
        for n, item in enumerate(self.cfg.lists.setdefault(path, [])):
            flag = "X" if item.get("disabled") == "yes" else " "
            out.append(f"{n:>2} {flag} " + " ".join(f"{k}={quote(v)}" for k, v in item.items()
                                                     if not k.startswith(".")))
        return "\n".join(out) + "\n", False

    def _move(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        """Ordered menus (firewall): move ITEMS destination=ITEM puts them before it."""
        items = self.cfg.lists.setdefault(path, [])
        chosen = self.select(items, a.selectors, a.flags, a.col)
        dest = self.select(items, [a.kv["destination"]], [], a.col) if "destination" in a.kv else []
        ids = {id(x) for x in chosen}
        rest = [x for x in items if id(x) not in ids]
        at = next((i for i, x in enumerate(rest) if dest and x is dest[0]), len(rest))
        items[:] = rest[:at] + chosen + rest[at:]
        return "", False

    def _set(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        for x in self.select(self.cfg.lists.setdefault(path, []), a.selectors, a.flags, a.col):
            x.update(a.kv)
        return "", False

    def _remove(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        items = self.cfg.lists.setdefault(path, [])
        ids = {id(x) for x in self.select(items, a.selectors, a.flags, a.col)}
        items[:] = [x for x in items if id(x) not in ids]
        return "", False

    def _enable_disable(self, path: str, cmd: str, a: RosArgs) -> tuple[str, bool]:
        for x in self.select(self.cfg.lists.setdefault(path, []), a.selectors, a.flags, a.col):
            x["disabled"] = "yes" if cmd == "disable" else "no"
        return "", False

    COMMANDS: ClassVar[dict[tuple[str | None, str | None], RosHandler]] = {
        ("", "quit"): _quit,
        (None, "export"): _export,
        ("", "import"): _import,
        ("/system", "reset-configuration"): _reset_configuration,
        ("/system backup", "save"): _backup,
        ("/system backup", "load"): _backup,
        ("/system script", "run"): _script_run,
        ("/file", None): _file,
    }
    """(menu, command) -> handler; ``None`` matches any menu or any command. Looked up as
    (menu, command), then (any menu, command), then (menu, any command)."""

    MENU_COMMANDS: ClassVar[dict[str, dict[str, RosHandler]]] = {
        "single": {"set": _single_set, "print": _single_print},
        "list": {"add": _add, "print": _print, "move": _move, "set": _set, "remove": _remove,
                 "enable": _enable_disable, "disable": _enable_disable},
    }
    """menu kind (``cli.menus`` of the lab profile) -> command -> handler; an ``action`` menu
    has only the commands of ``COMMANDS``"""

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


def factory_config(cli: RosCli, spec: dict[str, Any], files: dict[str, str]) -> RosConfig:
    """A RouterOS as it leaves the factory, with the spec's interfaces and the standard IP services."""
    config = RosConfig(cli, spec["name"], files)
    config.set_single("/snmp", {"enabled": "yes", "location": spec.get("location", "")})
    # Items every RouterOS has from the factory, so "set [ find default-name=ether1 ]"
    # and "/ip service set ssh" find something (needed by config).
    # They are exported as "set" of what differs from the factory, like RouterOS does.
    for iface in spec.get("interfaces", []):
        item = {"name": iface["name"], "default-name": iface["name"]}
        item[".factory"] = dict(item)  # type: ignore[assignment]
        if iface.get("comment"):
            item["comment"] = iface["comment"]
        config.lists.setdefault("/interface ethernet", []).append(item)
    for svc in ("telnet", "ftp", "www", "ssh", "www-ssl", "api", "winbox", "api-ssl"):
        config.lists.setdefault("/ip service", []).append(
            {"name": svc, ".factory": {"name": svc}})  # type: ignore[dict-item]
    return config


def login_name(username: str) -> str:
    """netmiko appends terminal options to a RouterOS login: user+ct511w4098h."""
    return username.split("+", 1)[0]
