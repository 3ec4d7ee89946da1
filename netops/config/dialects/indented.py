"""Indented configs (IOS, IOS-XE, FRR's vtysh): blocks under a parent line.

Intended lines are compared inside their parent's block; missing children are pushed under
the parent. On top of that, device semantics the platform table describes:

* ``replace_prefixes``: single-valued settings whose new value replaces the old one;
* ``list_commands``: list values (trunk VLANs) compared as sets, changed by the difference;
* ``ordered_blocks``: ACLs compared in order, without the sequence numbers IOS-XE shows,
  and rebuilt (``no`` + the whole list) when the order or content differs;
* ``hidden_lines``: lines the device never shows (IOS ``snmp-server user``), never compared;
* ``block_end``: section exits (``exit-address-family``, ``exit-vrf``) never compared, so
  never negated;
* banners compared by their text whatever the delimiter (IOS shows ``^C``);
* a secret the device shows encrypted (``secret 9 $9$…``) matches an intended value of the
  same shape; whether it is the same value only the record of what netops last pushed can
  say (:mod:`netops.config.pushed`): a different recorded token is a rotation, pushed; no
  record leaves the line "not verifiable".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from netops.config.model import Change, ChangePlan, Opaque, text_of
from netops.platforms import Platform
from netops.secrets import TOKEN

_BANNER = re.compile(r"^banner (\S+) (\S)(.*)$")
_SHAPE = re.compile(r"(?:\b(?:[0-9]|cipher|irreversible-cipher|simple|plain) )?<secret(?::[0-9a-f]{6})?>")
_SEQ = re.compile(r"^\d+ (?=permit|deny|remark|evaluate)")


@dataclass
class Node:
    text: str
    """the line, stripped and single-spaced (masked); a banner's text joined with newlines"""
    raw: str
    """the unmasked line(s) for pushing"""
    key: str = ""
    """what comparisons use (sequence numbers dropped, banner delimiters dropped)"""
    children: list[Node] = field(default_factory=list)
    index: int = 0
    """position of the line in the source (for building the proposed text)"""
    extra: list[int] = field(default_factory=list)
    """source lines that belong to this node (a banner's body, 'allowed vlan add' lines)"""
    members: frozenset[int] | None = None
    """the members of a list-valued command"""
    list_prefix: str = ""


def norm(line: str) -> str:
    return " ".join(line.split())


def shape(text: str) -> str:
    return _SHAPE.sub("<secret>", text)


class Indented:
    # -- members of list-valued commands (IOS syntax: 10,20,30-35) -------------------------
    def parse_members(self, text: str) -> frozenset[int]:
        text = text.strip()
        if text == "all":
            return frozenset(range(1, 4095))
        if text in ("none", ""):
            return frozenset()
        out: set[int] = set()
        for part in text.replace(" ", "").split(","):
            lo, _, hi = part.partition("-")
            if lo.isdigit() and (not hi or hi.isdigit()):
                out.update(range(int(lo), int(hi or lo) + 1))
        return frozenset(out)

    def format_members(self, members: frozenset[int]) -> str:
        return ",".join(f"{a}-{b}" if b > a else f"{a}" for a, b in _ranges(members))

    # -- parsing ------------------------------------------------------------------------------
    foreign: tuple[tuple[str, str], ...] = (
        (r"^/\S", "looks like a RouterOS export (use --platform mikrotik_routeros)"),
        (r"^(?:sysname|undo|return)\b", "looks like Huawei VRP (use --platform huawei_vrp)"),
    )
    """top-level lines of another syntax, and what to say about them"""

    def check(self, platform: Platform, lines: list[str]) -> tuple[int, str] | None:
        """The first line in another platform's syntax, if any."""
        for n, line in enumerate(lines, 1):
            for rx, why in self.foreign:
                if re.search(rx, line):
                    return n, why
        return None

    def logical(self, platform: Platform, text: str) -> list[str]:
        return text.splitlines()

    def layout(self, platform: Platform, text: str) -> list[tuple[str, str]]:
        return [(line, "") for line in text.splitlines()]

    def parse(self, platform: Platform, text: str, raw_text: str | None = None) -> list[Node]:
        """A tree of nodes by indentation; comments and block-closing lines left out."""
        lines = text.splitlines()
        raws = raw_text.splitlines() if raw_text is not None else lines
        if len(raws) != len(lines):
            raws = lines
        root: list[Node] = []
        stack: list[tuple[int, list[Node], Node | None]] = [(-1, root, None)]
        idx = 0
        while idx < len(lines):
            line, raw = lines[idx], raws[idx]
            stripped = line.strip()
            start = idx
            idx += 1
            if not stripped:
                continue
            if (stripped.startswith(platform.comment_prefixes) or stripped in platform.block_end
                    or stripped == platform.config_end):
                if line[:1] != " ":  # a separator at column 0 closes every open block
                    del stack[1:]   # (VRP indents its top-level lines by one space after '#')
                continue
            indent = len(line) - len(line.lstrip(" "))
            while stack and indent <= stack[-1][0]:
                stack.pop()
            siblings, parent = stack[-1][1], stack[-1][2]
            node = Node(text=norm(stripped), raw=raw.strip(), index=start)
            banner = _BANNER.match(node.text)
            if banner and indent == 0:
                idx = self._banner(node, banner, lines, raws, idx)
                siblings.append(node)
                continue
            prefix = next((p for p, _a, _r in platform.list_commands if node.text.startswith(p)), None)
            if prefix is not None:
                rest = node.text[len(prefix):]
                prev = next((s for s in reversed(siblings) if s.list_prefix == prefix), None)
                if rest.startswith("add ") and prev is not None and prev.members is not None:
                    prev.members = prev.members | self.parse_members(rest[4:])
                    prev.extra.append(start)
                    continue
                node.list_prefix = prefix
                node.members = self.parse_members(rest)
                node.key = prefix + self.format_members(node.members)
            if not node.key:
                node.key = node.text
                if parent is not None and parent.text.startswith(platform.ordered_blocks):
                    node.key = _SEQ.sub("", node.text)  # IOS-XE shows '10 permit ...'
            siblings.append(node)
            stack.append((indent, node.children, node))
        return root

    def _banner(self, node: Node, m: re.Match[str], lines: list[str], raws: list[str], idx: int) -> int:
        kind, delim, rest = m.group(1), m.group(2), m.group(3)
        if delim == "^" and rest.startswith("C") and ("^C" in rest[1:] or rest == "C"):
            delim, rest = "^C", rest[1:]  # how IOS shows any delimiter
        body: list[str] = []
        raw_lines = [node.raw]
        if delim in rest:  # one line: banner motd ^text^
            body.append(rest[: rest.index(delim)])
        else:
            body.append(rest)
            while idx < len(lines):
                line = lines[idx]
                raw_lines.append(raws[idx])
                node.extra.append(idx)
                idx += 1
                if delim in line:
                    body.append(line[: line.index(delim)])
                    break
                body.append(line)
        content = "\n".join(ln.rstrip() for ln in body).strip("\n")
        node.key = f"banner {kind} {content}"
        node.raw = "\n".join(raw_lines)
        if delim == "^C":
            # '^C' is how IOS shows the delimiter; typed, '^' would be the delimiter and the text
            # would start with 'C'. Sent with a printable delimiter the text does not hold.
            text = "\n".join(raw_lines)[len(f"banner {kind} ^C"):].replace("^C", "")
            sep = next((c for c in "^#%~@&" if c not in text), "^")
            body_raw = "\n".join(ln.rstrip() for ln in text.split("\n")).strip("\n")
            node.raw = (f"banner {kind} {sep}{body_raw}{sep}" if "\n" not in body_raw
                        else f"banner {kind} {sep}\n{body_raw}\n{sep}")
        return idx

    # -- matching -----------------------------------------------------------------------------
    def opaque(self, platform: Platform, node: Node) -> bool:
        """The node holds a secret the device shows encrypted or hashed (never comparable)."""
        if not platform.secret_values_opaque:
            return False
        if not any(re.search(platform.secret_values_opaque, node.text[: m.start()]) for m in TOKEN.finditer(node.text)):
            return False
        if platform.secret_cipher_form and not TOKEN.search(node.raw):
            return re.search(platform.secret_cipher_form, node.raw) is not None  # else shown as typed
        return True

    def find(self, platform: Platform, nodes: list[Node], want: Node) -> Node | None:
        for n in nodes:
            if n.key == want.key:
                return n
        if TOKEN.search(want.text):
            for n in nodes:
                if ((self.opaque(platform, n) or self.opaque(platform, want))
                        and shape(n.text) == shape(want.text)):
                    return n
        return None

    # -- plan -----------------------------------------------------------------------------------
    def plan(self, device: str, platform: Platform, running: str, running_raw: str, want_masked: list[str],
             want_raw: list[str], pushed: Mapping[str, Opaque] | None = None) -> ChangePlan:
        return _Planner(self, platform, running, running_raw, pushed).forward(device, "\n".join(want_masked),
                                                                              "\n".join(want_raw))

    def restore(self, device: str, platform: Platform, forward: ChangePlan, backup: str) -> ChangePlan:
        commands = [c for c in forward.commands if not TOKEN.search(c)]
        skipped = forward.skipped + [c for c in forward.commands if TOKEN.search(c)]
        changes = list(forward.changes)
        back_tree = self.parse(platform, backup)
        run_tree = self.parse(platform, forward.running, forward.running_raw or None)
        replaced = {c.old for c in forward.changes if c.old is not None}
        rebuilt = forward.rebuilt
        leave = platform.block_end[0] if platform.block_end else "exit"
        groups: list[tuple[tuple[str, ...], list[str]]] = []

        def extra(have: list[Node], want: list[Node], parents: list[Node]) -> None:
            for h in have:
                w = self.find(platform, want, h)
                if w is not None:
                    if h.key not in rebuilt:
                        extra(h.children, w.children, parents + [h])
                    continue
                if h.text in replaced or h.key in rebuilt or _rebuilt_line(h, rebuilt):
                    continue
                if any(re.search(rx, h.text) for rx in platform.hidden_lines):
                    continue
                if h.list_prefix and any(s.list_prefix == h.list_prefix for s in want):
                    continue  # the forward plan changed the members by their difference
                ctx = tuple(p.text for p in parents)
                if TOKEN.search(h.raw):  # no real value to name it by
                    skipped.append(" / ".join(ctx + (platform.negate + h.text,)) + "  (holds a masked secret)")
                    continue
                if h.children and h.text.startswith(platform.fixed_blocks):
                    extra(h.children, [], parents + [h])  # empty the block, keep the interface
                    continue
                changes.append(Change(ctx, h.text, None))
                # a single-valued setting is removed by its keyword alone ("no description")
                prefix = _replace_prefix(platform, h.text)
                undo = platform.negate + (prefix.strip() if prefix else h.raw.split("\n")[0])
                if groups and groups[-1][0] == ctx:
                    groups[-1][1].append(undo)
                else:
                    groups.append((ctx, [undo]))

        extra(run_tree, back_tree, [])
        # removed last line first: what a later line refers to (a BGP neighbor's password,
        # its address-family lines after its remote-as) goes before it
        for ctx, body in reversed(groups):
            commands.extend(_raw_ctx(run_tree, ctx))
            commands.extend(reversed(body))
            commands.extend([leave] * len(ctx))
        return ChangePlan(device, platform, forward.running, backup, changes, commands, skipped, target="backup")


def _rebuilt_line(node: Node, rebuilt: set[str]) -> bool:
    return any(node.key.startswith(r + " ") for r in rebuilt if r.startswith("access-list "))


def _ranges(members: frozenset[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for m in sorted(members):
        if out and m == out[-1][1] + 1:
            out[-1] = (out[-1][0], m)
        else:
            out.append((m, m))
    return out


def _replace_key(platform: Platform, text: str) -> str | None:
    for rx in platform.replace_patterns:
        m = re.match(rx, text)
        if m:
            return m.group(1)
    return None


def _raw_ctx(tree: list[Node], ctx: tuple[str, ...]) -> list[str]:
    """The parent lines of ``ctx`` (masked texts) as the device wrote them (real values)."""
    out, nodes = [], tree
    for text in ctx:
        node = next((n for n in nodes if n.text == text), None)
        if node is None:
            return list(ctx)
        out.append(node.raw)
        nodes = node.children
    return out


def _overwrites(platform: Platform, text: str) -> bool:
    """A setting the device keeps one value of: the new line alone replaces the old one."""
    return _replace_prefix(platform, text) is not None or any(re.match(rx, text) for rx in platform.overwrite_patterns)


def _replace_prefix(platform: Platform, text: str) -> str | None:
    for p in platform.replace_prefixes:
        if text.startswith(p):
            return p
    return None


def _lines(node: Node, depth: int, raw: bool) -> list[str]:
    first = node.raw if raw else node.text
    if node.extra and not raw and node.key.startswith("banner "):
        first = node.key.replace("\n", "\\n")
    out = [" " * depth + ln if i == 0 else ln for i, ln in enumerate(first.split("\n"))]
    for c in node.children:
        out += _lines(c, depth + 1, raw)
    return out


class _Planner:
    """One forward comparison (running → intended) of an indented config."""

    def __init__(self, dialect: Indented, platform: Platform, running: str, running_raw: str,
                 pushed: Mapping[str, Opaque] | None = None):
        self.d, self.p = dialect, platform
        self.pushed = pushed or {}
        self.opaque: list[Opaque] = []
        self.running = running
        self.running_raw = running_raw
        self.lines = running.splitlines()
        self.run_tree = dialect.parse(platform, running, running_raw)
        self.inserts: dict[int, list[str]] = {}
        self.replaced: dict[int, list[str]] = {}
        self.deleted: set[int] = set()
        self.appended: list[str] = []
        self.changes: list[Change] = []
        self.groups: list[tuple[tuple[str, ...], list[str]]] = []
        self.hidden: list[tuple[tuple[str, ...], list[str]]] = []
        self.first: list[tuple[tuple[str, ...], list[str]]] = []
        """removals of entries replaced by name, sent before every addition"""
        self.unverifiable: list[str] = []
        self.rebuilt: set[str] = set()
        self.skipped: list[str] = []
        self.leave = platform.block_end[0] if platform.block_end else "exit"

    def emit(self, parents: list[Node], lines: list[str], into: list[tuple[tuple[str, ...], list[str]]] | None = None
             ) -> None:
        groups = self.groups if into is None else into
        key = tuple(p.raw for p in parents)
        if groups and groups[-1][0] == key:
            groups[-1][1].extend(lines)
        else:
            groups.append((key, list(lines)))

    def block(self, node: Node) -> list[str]:
        out = [ln.strip() if i == 0 or not node.extra else ln for i, ln in enumerate(_lines(node, 0, raw=True))]
        if node.children:
            out.append(self.leave)
        return out

    def last_index(self, node: Node) -> int:
        return max([node.index, *node.extra] + [self.last_index(c) for c in node.children])

    def forward(self, device: str, want_masked: str, want_raw: str) -> ChangePlan:
        want_tree = self.d.parse(self.p, want_masked, want_raw)
        self.numbered_acls(self.run_tree, want_tree)
        self.walk(self.run_tree, want_tree, [], None, 0)
        commands: list[str] = []
        if self.changes:
            self.groups.extend(self.hidden)
        for parent_lines, body in self.first + self.groups:
            commands.extend(parent_lines)
            commands.extend(body)
            commands.extend([self.leave] * len(parent_lines))
        return ChangePlan(device, self.p, self.running, text_of(self.proposed()), self.changes, commands,
                          skipped=self.skipped, unverifiable=self.unverifiable, rebuilt=self.rebuilt,
                          opaque=self.opaque, running_raw=self.running_raw)

    def proposed(self) -> list[str]:
        out: list[str] = []
        lines = self.lines
        end_at = next((i for i in range(len(lines) - 1, -1, -1)
                       if self.p.config_end and lines[i].strip() == self.p.config_end), None)
        appended = self.appended
        for i, line in enumerate(lines):
            if i == end_at and appended:
                out.extend(appended)
                appended = []
            if i in self.deleted:
                continue
            out.extend(self.replaced.get(i, [line]))
            out.extend(self.inserts.get(i, []))
        out.extend(appended)
        return out

    def numbered_acls(self, have: list[Node], want: list[Node]) -> None:
        """Top-level numbered ACLs (``access-list 110 ...``) are ordered lists too."""
        if "access-list " not in self.p.ordered_blocks:
            return

        def groups(nodes: list[Node]) -> dict[str, list[Node]]:
            out: dict[str, list[Node]] = {}
            for n in nodes:
                if n.text.startswith("access-list "):
                    out.setdefault(" ".join(n.text.split()[:2]), []).append(n)
            return out

        hg, wg = groups(have), groups(want)
        for name, wants in wg.items():
            haves = hg.get(name, [])
            for w in wants:
                want.remove(w)
            if [h.key for h in haves] == [w.key for w in wants]:
                continue
            self.rebuilt.add(name)
            for h in haves:
                self.changes.append(Change((), h.text, None))
                self.deleted.add(h.index)
            for w in wants:
                self.changes.append(Change((), None, w.text))
            new = [w.text for w in wants]
            if haves:
                self.replaced[haves[0].index] = new
                self.deleted.discard(haves[0].index)
            else:
                self.appended.extend(new)
            self.emit([], ([self.p.negate + name] if haves else []) + [w.raw for w in wants])

    def walk(self, have: list[Node], want: list[Node], parents: list[Node], have_parent: Node | None,
             depth: int) -> None:
        p, d = self.p, self.d
        ctx = tuple(x.text for x in parents)
        for w in want:
            if any(re.search(rx, w.text) for rx in p.hidden_lines):
                self.unverifiable.append(" / ".join(ctx + (w.text,)))
                self.emit(parents, self.block(w), self.hidden)
                continue
            if w.list_prefix:
                h = next((x for x in have if x.list_prefix == w.list_prefix), None)
                if h is not None and h.members is not None and w.members is not None:
                    if h.members != w.members:
                        self.list_change(parents, h, w, depth)
                    continue
            h = d.find(p, have, w)
            if h is not None and h.key != w.key and not h.list_prefix and TOKEN.search(w.text):
                # a secret the device shows encrypted: what netops last pushed says which one it is
                where = " / ".join(ctx + (shape(w.text),))
                self.opaque.append(Opaque(where, w.text, h.text))
                rec = self.pushed.get(where)
                if rec is None or rec.shown != h.text:  # nothing recorded, or changed since: unprovable
                    self.unverifiable.append(" / ".join(ctx + (w.text,)) + "  (shown encrypted, no record of "
                                             "the value netops pushed)")
                elif rec.intended != w.text and not w.children:
                    # rotated since: as any rotation, the old line (named by the device's own
                    # ciphertext) goes and the new value is sent, so a community named by its
                    # secret is not left working beside the new one; a setting the device keeps
                    # one value of is overwritten by the new line alone
                    self.changes.append(Change(ctx, h.text, w.text))
                    if TOKEN.search(w.raw):
                        self.skipped.append(" / ".join(ctx + (w.text,)) + "  (holds a masked secret)")
                    else:
                        self.replaced[h.index] = _lines(w, depth, raw=False)
                        drop = [] if _overwrites(p, w.text) else [p.negate + h.raw]
                        self.emit(parents, drop + self.block(w))
                    continue
            if h is not None:
                if w.children:
                    hk, wk = [c.key for c in h.children], [c.key for c in w.children]
                    if w.text.startswith(p.ordered_blocks) and hk != wk and wk[:len(hk)] != hk:
                        self.rebuild(parents, h, w, depth)  # entries moved or removed
                    else:
                        self.walk(h.children, w.children, parents + [w], h, depth + 1)
                continue
            rotated = next((x for x in have if TOKEN.search(w.text) and not x.children
                            and shape(x.text) == shape(w.text)), None)
            if rotated is not None:  # the same setting with another secret: replace the old one
                self.replaced[rotated.index] = _lines(w, depth, raw=False)
                self.changes.append(Change(ctx, rotated.text, w.text))
                if TOKEN.search(w.raw):  # restoring a masked backup: the old value is unknown
                    self.skipped.append(" / ".join(ctx + (w.text,)) + "  (holds a masked secret)")
                else:
                    # a single-valued setting is replaced by the new line alone (FRR 8.4 refuses
                    # 'no area-password md5 X'); others lose the old line first
                    drop = [] if _overwrites(p, w.text) else [p.negate + rotated.raw]
                    self.emit(parents, drop + self.block(w))
                continue
            key = _replace_key(p, w.text)
            keyed = next((x for x in have if key and not x.children and _replace_key(p, x.text) == key), None)
            if keyed is not None:  # the device keeps one entry by this name: remove the old one first
                self.replaced[keyed.index] = _lines(w, depth, raw=False)
                self.changes.append(Change(ctx, keyed.text, w.text))
                self.emit(parents, [p.negate + keyed.raw], self.first)
                self.emit(parents, self.block(w))
                continue
            prefix = _replace_prefix(p, w.text)
            old = next((x for x in have if prefix and x.text.startswith(prefix)), None)
            if old is not None and not old.children:
                self.replaced[old.index] = _lines(w, depth, raw=False)
                self.deleted.update(old.extra)
                self.changes.append(Change(ctx, old.text, w.text))
                for c in _lines(w, depth, raw=False)[1:]:
                    self.changes.append(Change(ctx + (w.text,), None, c.strip()))
                self.emit(parents, self.block(w))
                continue
            new_lines = _lines(w, depth, raw=False)
            for c in new_lines:
                self.changes.append(Change(ctx, None, c.strip()))
            if have_parent is None:
                self.appended.extend(new_lines)
            else:
                self.inserts.setdefault(self.last_index(have_parent), []).extend(new_lines)
            self.emit(parents, self.block(w))

    def list_change(self, parents: list[Node], h: Node, w: Node, depth: int) -> None:
        assert h.members is not None and w.members is not None
        fmt = next((a, r) for pre, a, r in self.p.list_commands if pre == w.list_prefix)
        added, removed = w.members - h.members, h.members - w.members
        cmds = []
        if added:
            cmds.append(fmt[0].format(self.d.format_members(frozenset(added))))
        if removed:
            cmds.append(fmt[1].format(self.d.format_members(frozenset(removed))))
        self.emit(parents, cmds)
        ctx = tuple(x.text for x in parents)
        self.changes.append(Change(ctx, h.text if not h.extra else h.key, w.key))
        self.replaced[h.index] = [" " * depth + w.key]
        self.deleted.update(h.extra)

    def rebuild(self, parents: list[Node], h: Node, w: Node, depth: int) -> None:
        """An ordered block whose entries differ or moved: remove it and send it whole."""
        ctx = tuple(x.text for x in parents)
        self.rebuilt.add(h.key)
        for c in h.children:
            self.changes.append(Change(ctx + (h.text,), c.text, None))
            self.deleted.add(c.index)
        for c in w.children:
            self.changes.append(Change(ctx + (w.text,), None, c.text))
        self.inserts.setdefault(h.index, []).extend(_lines(w, depth, raw=False)[1:])
        self.emit(parents, [self.p.negate + w.raw] + self.block(w))


DIALECT = Indented()
