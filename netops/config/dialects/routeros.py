"""RouterOS: every logical line is a whole command, ``/path [selector] verb key=value...``.

``/export`` wraps long lines with ``\\`` + newline (inside values too, script sources
included) and writes a menu path once above its items; :meth:`RouterOS.logical` undoes
both, so masking, diff and restore see one command per line, as ``/export terse`` prints.

An intended line is present when the running config has a line with the same path, verb
and selector whose settings include the intended ones (order free, defaults the device
omits are fine). An ``add`` whose ``name=``/``comment=`` already exists with other
settings becomes a ``set [ find name=... ]``, so a re-push never duplicates an entry.
Items of ordered menus (firewall filter, NAT, mangle) must also keep the intended order;
a rule out of place is moved with ``move ... destination=`` before the rule that follows it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from netops.config.model import Change, ChangePlan, Opaque, text_of
from netops.platforms import Platform
from netops.secrets import TOKEN

VERBS = ("add", "set", "remove", "enable", "disable", "unset", "move")


@dataclass(frozen=True)
class FlatLine:
    text: str
    path: str
    """normalised path for comparison (``/ip/dns``)"""
    path_text: str
    """the path as written (``/ip dns``), for commands"""
    verb: str
    selector: str
    attrs: tuple[tuple[str, str], ...]

    @property
    def attr_map(self) -> dict[str, str]:
        return dict(self.attrs)

    @property
    def identity(self) -> tuple[str, str] | None:
        for key in ("name", "comment"):
            if key in self.attr_map:
                return key, self.attr_map[key]
        return None


_PLAIN = re.compile(r'[^"\\]*')
_BLANKS = re.compile(r"[ \t\r\n]+")


def _split(text: str) -> list[str]:
    """The line's words, quotes and backslash escapes resolved as a shell would. Without a
    quote or a backslash (most lines) the words are the blank-separated parts: the same as
    shlex gives, ~20 times faster (a diff of 164 routers spent 3.4 s of CPU in shlex)."""
    if _PLAIN.fullmatch(text):
        return [w for w in _BLANKS.split(text) if w]
    lex = shlex.shlex(text, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    lex.escapedquotes = '"'
    lex.quotes = '"'
    try:
        return list(lex)
    except ValueError:  # unbalanced quote: compare the raw words
        return text.split()


@lru_cache(maxsize=1 << 16)
def parse_flat_line(text: str) -> FlatLine | None:
    """A logical line's parts (cached: routers built from one template share most lines)."""
    words = _split(text.strip())
    if not words or not words[0].startswith("/"):
        return None
    path_parts: list[str] = []
    i = 0
    while i < len(words) and words[i] not in VERBS and "=" not in words[i] and words[i] != "[":
        path_parts.append(words[i])
        i += 1
    verb = words[i] if i < len(words) and words[i] in VERBS else ""
    if verb:
        i += 1
    selector: list[str] = []
    attrs: list[tuple[str, str]] = []
    depth = 0
    for w in words[i:]:
        if w == "[" or w.startswith("["):
            depth += 1
        if depth:
            selector.append(w)
            if w.endswith("]"):
                depth -= 1
            continue
        if "=" in w:
            k, _, v = w.partition("=")
            attrs.append((k, v))
        else:
            selector.append(w)
    # "/ip dns" and "/ip/dns" are the same path
    path = "/" + "/".join(part.strip("/") for part in path_parts)
    sel = " ".join(" ".join(selector).replace("[", " [ ").replace("]", " ] ").split())
    return FlatLine(text=text, path=path, path_text=" ".join(path_parts), verb=verb, selector=sel, attrs=tuple(attrs))


def _selector_conds(selector: str) -> dict[str, str]:
    """``[ find k=v ... ]`` → {k: v}; a bare item name (``set ssh``) → {name: ssh}."""
    if not selector:
        return {}
    words = [w for w in selector.replace("[", " ").replace("]", " ").split() if w not in ("find", "where")]
    conds = {}
    for w in words:
        k, eq, v = w.partition("=")
        if eq:
            conds[k] = v.strip('"')
        else:
            conds["name"] = w
    return conds


def _item_props(line: FlatLine) -> dict[str, str]:
    """What a running line says about its item: its settings plus what selects it."""
    props = dict(_selector_conds(line.selector))
    props.update(line.attr_map)
    return props


def _selects(props: dict[str, str], conds: dict[str, str]) -> bool:
    # RouterOS exports a renamed-or-not default item as [ find default-name=ether1 ];
    # an item added by name answers to name=.
    return all(props.get(k) == v or (k == "default-name" and props.get("name") == v) for k, v in conds.items())


def _has(attrs: dict[str, str], want: tuple[tuple[str, str], ...]) -> bool:
    return all(attrs.get(k) == v for k, v in want)


def covers(have: FlatLine, want: FlatLine) -> bool:
    if have.path != want.path:
        return False
    if (have.verb, have.selector) == (want.verb, want.selector) and _has(have.attr_map, want.attrs):
        return True  # the same command (also an item renamed by its own line: /port set 0 name=serial0)
    if want.verb == "set" and want.selector:
        # a list item's settings: any running line about the same item will do (an
        # export shows it as "set [ find ... ]", "set NAME ..." or "add name=...")
        props = _item_props(have)
        return _selects(props, _selector_conds(want.selector)) and _has(props, want.attrs)
    return False


def same_target(have: FlatLine, want: FlatLine) -> bool:
    """The running line that the intended one would change (same set target, or same
    add identity)."""
    if have.path != want.path:
        return False
    if want.verb == "set" and want.selector:
        if have.verb == "set" and have.selector == want.selector:
            return True
        return _selects(_item_props(have), _selector_conds(want.selector))
    if have.verb != want.verb:
        return False
    if want.verb == "set":
        return have.selector == want.selector
    if want.verb == "add" and want.identity:
        return have.identity == want.identity
    return False


def ros_quote(value: str) -> str:
    if value and all(c.isalnum() or c in "-_./:,@*" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _find_conds(line: FlatLine) -> tuple[tuple[str, str], ...]:
    return tuple((k, v) for k, v in line.attrs if not TOKEN.search(v) and k not in ("place-before", "disabled"))


def find_expr(line: FlatLine) -> str:
    """``[ find k=v ... ]`` that selects the item a line describes (masked values left out)."""
    conds = " ".join(f"{k}={ros_quote(v)}" for k, v in _find_conds(line))
    return f"[ find {conds} ]"


def _rotated(want: FlatLine, parsed_run: list[FlatLine | None], free: list[bool]) -> int | None:
    """The running item that ``want`` renames: an ``add`` in the same menu whose identity is a
    secret (a v2c SNMP community's name) and whose other settings are the intended ones."""
    if want.verb != "add" or want.identity is None or not TOKEN.search(want.identity[1]):
        return None
    key = want.identity[0]
    plain = {k: v for k, v in want.attrs if not TOKEN.search(v)}
    for i, h in enumerate(parsed_run):
        if not free[i] or h is None or h.path != want.path or h.verb != "add":
            continue
        if (h.identity is not None and h.identity[0] == key and TOKEN.search(h.identity[1])
                and {k for k, _ in h.attrs} == {k for k, _ in want.attrs}
                and {k: v for k, v in h.attrs if not TOKEN.search(v)} == plain):
            return i
    return None


def _lis_ending_last(positions: list[int]) -> set[int]:
    """Indexes (into ``positions``) of the longest increasing run that ends with the last
    element: the rules that stay; the others move before their successor."""
    n = len(positions)
    if not n:
        return set()
    best = [1] * n
    prev = [-1] * n
    for i in range(n):
        for j in range(i):
            if positions[j] < positions[i] and best[j] + 1 > best[i]:
                best[i], prev[i] = best[j] + 1, j
    keep, i = set(), n - 1
    while i != -1:
        keep.add(i)
        i = prev[i]
    return keep


class RouterOS:
    def check(self, platform: Platform, lines: list[str]) -> tuple[int, str] | None:
        return check_routeros(lines)

    def layout(self, platform: Platform, text: str) -> list[tuple[str, str]]:
        """(line, menu) per line, continuations joined: the menu a non-terse export wrote
        above an item line (``/snmp community`` over ``set ... name=x``), else ''. Every line
        is kept (menu headers, comments, command output): for masking text as it was."""
        out: list[tuple[str, str]] = []
        section = ""
        pending = ""
        for raw in text.splitlines():
            line = pending + (raw.lstrip() if pending else raw.rstrip())
            trailing = len(line) - len(line.rstrip("\\"))
            if trailing % 2 == 1:  # '\' + newline: the command goes on in the next line
                pending = line[:-1]
                continue
            pending = ""
            words = line.split()
            if words and words[0].startswith("/") and not any(w in VERBS or "=" in w or w.startswith("[")
                                                             for w in words):
                section = line.strip()  # a menu header of a non-terse export
                out.append((line, ""))
            elif words and words[0] in VERBS and section:
                out.append((line, section))
            else:
                out.append((line, ""))
        if pending:
            out.append((pending, ""))
        return out

    def logical(self, platform: Platform, text: str) -> list[str]:
        """One whole command per line, as ``/export terse`` prints (menu headers folded in)."""
        out = []
        for line, section in self.layout(platform, text):
            stripped = line.strip()
            words = stripped.split()
            if section:
                out.append(f"{section} {stripped}")
            elif words and words[0].startswith("/") and not any(
                    w in VERBS or "=" in w or w.startswith("[") for w in words):
                continue  # the header itself: its items carry it now
            else:
                out.append(stripped if stripped.startswith("/") else line)
        return out

    def plan(self, device: str, platform: Platform, running: str, running_raw: str, want_masked: list[str],
             want_raw: list[str], pushed: Mapping[str, Opaque] | None = None) -> ChangePlan:
        # RouterOS's export shows every secret as set (no encrypted form): nothing to consult
        run_lines = running.splitlines()
        raw_of = dict(zip(run_lines, running_raw.splitlines(), strict=False))
        parsed_run = [parse_flat_line(ln) for ln in run_lines]
        wanted = [w for w in (parse_flat_line(t) for t in want_masked) if w is not None]
        rotatable = [h is not None and not any(covers(h, w) for w in wanted) for h in parsed_run]
        proposed = list(run_lines)
        changes: list[Change] = []
        commands: list[str] = []
        for masked_text, raw in zip(want_masked, want_raw, strict=True):
            want = parse_flat_line(masked_text)
            if want is None:
                continue
            ordered = want.path in platform.ordered_blocks and want.verb == "add"
            if not ordered and any(h is not None and covers(h, want) for h in parsed_run):
                continue
            if ordered and any(h is not None and covers(h, want) for h in parsed_run):
                continue  # present; its place is checked below
            target = next((i for i, h in enumerate(parsed_run) if h is not None and same_target(h, want)), None)
            if target is not None and not ordered:
                old = proposed[target]
                proposed[target] = masked_text
                changes.append(Change((), old, masked_text))
                if want.verb == "add" and want.identity:
                    key, value = want.identity
                    raw_line = parse_flat_line(raw)
                    assert raw_line is not None
                    sets = " ".join(f"{k}={ros_quote(v)}" for k, v in raw_line.attrs)
                    commands.append(f"{want.path_text} set [ find {key}={ros_quote(value)} ] {sets}")
                else:
                    commands.append(raw)
                continue
            rot = _rotated(want, parsed_run, rotatable)
            if rot is not None:  # an item named by its secret, renamed: rename it, never add a second
                rotatable[rot] = False
                old = proposed[rot]
                proposed[rot] = masked_text
                changes.append(Change((), old, masked_text))
                key = want.identity[0] if want.identity else "name"
                old_raw = parse_flat_line(raw_of.get(old, old))
                new_raw = parse_flat_line(raw)
                assert old_raw is not None and new_raw is not None
                sets = " ".join(f"{k}={ros_quote(v)}" for k, v in new_raw.attrs)
                commands.append(f"{want.path_text} set [ find {key}={ros_quote(old_raw.attr_map.get(key, ''))} ] {sets}")
                continue
            # a new item goes at the end of its menu (an ordered menu is put in order below)
            at = max((i for i, h in enumerate(parsed_run) if h is not None and h.path == want.path), default=None)
            if at is None:
                proposed.append(masked_text)
                parsed_run.append(want)
                rotatable.append(False)
            else:
                proposed.insert(at + 1, masked_text)
                parsed_run.insert(at + 1, want)
                rotatable.insert(at + 1, False)
            changes.append(Change((), None, masked_text))
            commands.append(raw)
        for path in platform.ordered_blocks:
            self._order(path, want_masked, proposed, parsed_run, changes, commands)
        return ChangePlan(device, platform, running, text_of(proposed), changes, commands, running_raw=running_raw)

    def _order(self, path: str, want_masked: list[str], proposed: list[str],
               parsed_run: list[FlatLine | None], changes: list[Change], commands: list[str]) -> None:
        wants = [w for w in (parse_flat_line(t) for t in want_masked)
                 if w is not None and w.path == path and w.verb == "add"]
        if len(wants) < 2:
            return
        positions: list[int] = []
        used: set[int] = set()
        for w in wants:
            at = next((i for i, h in enumerate(parsed_run)
                       if i not in used and h is not None and covers(h, w)), None)
            if at is None:
                return  # not all present (a failed add): nothing sensible to order
            used.add(at)
            positions.append(at)
        keep = _lis_ending_last(positions)
        if len(keep) == len(wants):
            return
        lines = [parsed_run[p] for p in positions]
        texts = [proposed[p] for p in positions]
        # from the last to the first: each rule out of place goes before its successor,
        # which is in place by then
        for i in range(len(wants) - 2, -1, -1):
            if i in keep:
                continue
            line, succ = lines[i], lines[i + 1]
            assert line is not None and succ is not None
            changes.append(Change((), texts[i], texts[i], moved=True))
            commands.append(f"{line.path_text} move {find_expr(line)} destination={find_expr(succ)}")
        # the proposed config: the same slots, now holding the rules in the intended order
        for slot, i in zip(sorted(positions), range(len(wants)), strict=True):
            proposed[slot] = texts[i]
            parsed_run[slot] = lines[i]

    def restore(self, device: str, platform: Platform, forward: ChangePlan, backup: str) -> ChangePlan:
        commands = [c for c in forward.commands if not TOKEN.search(c)]
        skipped = [c for c in forward.commands if TOKEN.search(c)]
        changes = list(forward.changes)
        back = [parse_flat_line(ln) for ln in backup.splitlines()]
        added = [parse_flat_line(c) for c in commands]
        renamed = {c.old for c in forward.changes if c.old is not None and not c.moved}
        first: list[str] = []
        for line in forward.running.splitlines():
            have = parse_flat_line(line)
            if have is None or have.verb not in ("add", "set") or line in renamed:
                continue
            if any(b is not None and (covers(b, have) or same_target(b, have)) for b in back):
                continue
            if have.verb == "set":  # the backup has no value for it: nothing to set it back to
                skipped.append(f"{line}  (no value in the backup; left as it is)")
                continue
            remove = f"{have.path_text} remove {find_expr(have)}"
            if any(a is not None and a.path == have.path and a.verb == "add" and _has(a.attr_map, _find_conds(have))
                   for a in added):
                first.append(remove)  # its find (secrets left out) would also select a line re-added
            else:
                commands.append(remove)
            changes.append(Change((), line, None))
        return ChangePlan(device, platform, forward.running, backup, changes, first + commands, skipped,
                          target="backup")



def check_routeros(lines: list[str]) -> tuple[int, str] | None:
    """The first physical line that cannot be part of a RouterOS export, if any."""
    cont = False
    for n, line in enumerate(lines, 1):
        s = line.strip()
        ok = cont or not s or s.startswith(("#", "/", ":")) or s.split()[0] in VERBS
        if not ok:
            return n, "not a RouterOS command (an export line starts with '/menu', a verb or '#')"
        cont = (len(line.rstrip()) - len(line.rstrip().rstrip("\\"))) % 2 == 1
    return None


DIALECT = RouterOS()
