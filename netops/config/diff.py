"""Running vs intended: what is missing, what replaces what, and the commands to get there.

Two config shapes, chosen by the platform table's ``config_style``:

* ``flat`` (RouterOS ``/export terse``): every line is a whole command,
  ``/path [selector] verb key=value...``. An intended line is present when the
  running config has a line with the same path, verb and selector whose settings
  include the intended ones (order free, defaults the device omits are fine).
  An ``add`` whose ``name=``/``comment=`` already exists with other settings becomes
  a ``set [ find name=... ]``, so a re-push never duplicates an entry.
* ``indented`` (IOS, FRR vtysh, VRP): blocks under a parent line. Intended lines are
  compared inside their parent's block; missing children are pushed under the parent.
  ``replace_prefixes`` mark single-valued settings (hostname, description) whose new
  value replaces the old one.

Comparison is done on masked text, so a secret the device hides (or shows hashed)
never causes a diff and never appears in one; the commands carry the real values.
"""

from __future__ import annotations

import difflib
import shlex
from dataclasses import dataclass, field

from netops.config.mask import clean, mask_line
from netops.platforms import Platform
from netops.secrets import REDACTED

ROS_VERBS = ("add", "set", "remove", "enable", "disable", "unset")


# -- flat (RouterOS) ----------------------------------------------------------------

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
        for key in ("name", "comment", "list"):  # list= alone is not unique; used with address
            if key in self.attr_map and key != "list":
                return key, self.attr_map[key]
        return None


def _split(text: str) -> list[str]:
    lex = shlex.shlex(text, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    lex.escapedquotes = '"'
    lex.quotes = '"'
    try:
        return list(lex)
    except ValueError:  # unbalanced quote: compare the raw words
        return text.split()


def parse_flat_line(text: str) -> FlatLine | None:
    words = _split(text.strip())
    if not words or not words[0].startswith("/"):
        return None
    path_parts: list[str] = []
    i = 0
    while i < len(words) and words[i] not in ROS_VERBS and "=" not in words[i] and words[i] != "[":
        path_parts.append(words[i])
        i += 1
    verb = words[i] if i < len(words) and words[i] in ROS_VERBS else ""
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


def _flat_covers(have: FlatLine, want: FlatLine) -> bool:
    if have.path != want.path:
        return False
    if want.verb == "set" and want.selector:
        # a list item's settings: any running line about the same item will do (an
        # export shows it as "set [ find ... ]", "set NAME ..." or "add name=...")
        props = _item_props(have)
        return _selects(props, _selector_conds(want.selector)) and all(
            v == REDACTED or props.get(k) == v for k, v in want.attrs)
    if (have.verb, have.selector) != (want.verb, want.selector):
        return False
    hm = have.attr_map
    return all(v == REDACTED or hm.get(k) == v for k, v in want.attrs)


def _flat_same_target(have: FlatLine, want: FlatLine) -> bool:
    """The running line that the intended one would change (same set target, or same
    add identity)."""
    if have.path != want.path:
        return False
    if want.verb == "set" and want.selector:
        return _selects(_item_props(have), _selector_conds(want.selector))
    if have.verb != want.verb:
        return False
    if want.verb == "set":
        return have.selector == want.selector
    if want.verb == "add" and want.identity:
        return have.identity == want.identity
    return False


# -- indented (IOS-like) ------------------------------------------------------------

@dataclass
class Node:
    text: str
    """the line, stripped and single-spaced"""
    raw: str
    """the unmasked line (intended side) for pushing"""
    children: list[Node] = field(default_factory=list)
    index: int = 0
    """position of the line in the source (for building the proposed text)"""


def _norm(line: str) -> str:
    return " ".join(line.split())


def parse_indented(platform: Platform, text: str, raw_text: str | None = None) -> list[Node]:
    """A tree of nodes by indentation; comments and block-closing lines left out."""
    lines = text.splitlines()
    raws = raw_text.splitlines() if raw_text is not None else lines
    if len(raws) != len(lines):
        raws = lines
    root: list[Node] = []
    stack: list[tuple[int, list[Node]]] = [(-1, root)]
    for idx, (line, raw) in enumerate(zip(lines, raws, strict=True)):
        stripped = line.strip()
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
        node = Node(text=_norm(stripped), raw=raw.strip(), index=idx)
        stack[-1][1].append(node)
        stack.append((indent, node.children))
    return root


def _find(nodes: list[Node], text: str) -> Node | None:
    for n in nodes:
        if n.text == text:
            return n
    return None


def _replace_prefix(platform: Platform, text: str) -> str | None:
    for p in platform.replace_prefixes:
        if text.startswith(p):
            return p
    return None


# -- the plan ---------------------------------------------------------------------

@dataclass
class Change:
    """One difference: ``old`` (masked running line or None) becomes ``new`` (masked)."""

    context: tuple[str, ...]
    old: str | None
    new: str | None


@dataclass
class Plan:
    """What it takes to bring ``running`` to the intended state of one device."""

    device: str
    platform: Platform
    running: str
    """masked, cleaned running config"""
    proposed: str
    """masked running config with the changes applied"""
    changes: list[Change]
    commands: list[str] = field(repr=False)
    """unmasked commands to send, in order (with parent lines for blocks)"""
    skipped: list[str] = field(default_factory=list)
    """lines that cannot be sent (masked secrets in a backup being restored)"""
    target: str = "intended"
    """what ``proposed`` is, for the diff header (intended, or a backup)"""

    @property
    def empty(self) -> bool:
        return not self.changes

    def unified(self, context: int = 3) -> str:
        """A unified diff, running → intended, secrets masked."""
        return "".join(
            difflib.unified_diff(
                self.running.splitlines(keepends=True),
                self.proposed.splitlines(keepends=True),
                fromfile=f"{self.device} running",
                tofile=f"{self.device} {self.target}",
                n=context,
            )
        )


def plan(device: str, platform: Platform, running: str, intended: str,
         secrets: tuple[str, ...] | list[str] = ()) -> Plan:
    """Compare a running config with rendered intended config (both raw text)."""
    run_clean = clean(platform, running, secrets)
    want_raw = [ln for ln in intended.splitlines()]
    want_masked = [mask_line(platform, ln, secrets) for ln in want_raw]
    if platform.config_style == "flat":
        return _plan_flat(device, platform, run_clean, want_masked, want_raw)
    return _plan_indented(device, platform, run_clean, "\n".join(want_masked), "\n".join(want_raw))


def _plan_flat(device: str, platform: Platform, run_clean: str, want_masked: list[str],
               want_raw: list[str]) -> Plan:
    run_lines = run_clean.splitlines()
    parsed_run = [parse_flat_line(ln) for ln in run_lines]
    proposed = list(run_lines)
    changes: list[Change] = []
    commands: list[str] = []
    for masked_text, raw in zip(want_masked, want_raw, strict=True):
        want = parse_flat_line(masked_text)
        if want is None:
            continue
        if any(h is not None and _flat_covers(h, want) for h in parsed_run):
            continue
        target = next((i for i, h in enumerate(parsed_run) if h is not None and _flat_same_target(h, want)), None)
        if target is not None:
            old = proposed[target]
            proposed[target] = masked_text
            changes.append(Change((), old, masked_text))
            if want.verb == "add" and want.identity:
                key, value = want.identity
                raw_line = parse_flat_line(raw)
                assert raw_line is not None
                sets = " ".join(f"{k}={_ros_quote(v)}" for k, v in raw_line.attrs)
                commands.append(f"{want.path_text} set [ find {key}={_ros_quote(value)} ] {sets}")
            else:
                commands.append(raw)
            continue
        # insert after the last running line of the same path, else at the end
        at = max((i for i, h in enumerate(parsed_run) if h is not None and h.path == want.path), default=None)
        if at is None:
            proposed.append(masked_text)
            parsed_run.append(want)
        else:
            proposed.insert(at + 1, masked_text)
            parsed_run.insert(at + 1, want)
        changes.append(Change((), None, masked_text))
        commands.append(raw)
    return Plan(device, platform, run_clean, _text(proposed), changes, commands)


def _ros_quote(value: str) -> str:
    if value and all(c.isalnum() or c in "-_./:,@*" for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _plan_indented(device: str, platform: Platform, run_clean: str, want_masked: str, want_raw: str) -> Plan:
    run_tree = parse_indented(platform, run_clean)
    want_tree = parse_indented(platform, want_masked, want_raw)
    lines = run_clean.splitlines()
    inserts: dict[int, list[str]] = {}  # after running line index -> new lines
    replaced: dict[int, str] = {}
    appended: list[str] = []
    changes: list[Change] = []
    commands: list[str] = []
    leave = platform.block_end[0] if platform.block_end else "exit"

    def last_index(node: Node) -> int:
        return max([node.index] + [last_index(c) for c in node.children])

    def node_lines(node: Node, depth: int, raw: bool) -> list[str]:
        out = [" " * depth + (node.raw if raw else node.text)]
        for c in node.children:
            out += node_lines(c, depth + 1, raw)
        return out

    groups: list[tuple[tuple[str, ...], list[str]]] = []  # (parent lines, lines under them)

    def push_block(parents: list[Node], node: Node) -> None:
        key = tuple(p.raw for p in parents)
        lines_ = [ln.strip() for ln in node_lines(node, 0, raw=True)]
        if node.children:
            lines_.append(leave)
        if groups and groups[-1][0] == key:
            groups[-1][1].extend(lines_)
        else:
            groups.append((key, lines_))

    def walk(have: list[Node], want: list[Node], parents: list[Node], have_parent: Node | None, depth: int) -> None:
        for w in want:
            h = _find(have, w.text)
            if h is not None:
                if w.children:
                    walk(h.children, w.children, parents + [w], h, depth + 1)
                continue
            ctx = tuple(p.text for p in parents)
            prefix = _replace_prefix(platform, w.text)
            old = next((x for x in have if prefix and x.text.startswith(prefix)), None)
            if old is not None and not old.children:
                replaced[old.index] = " " * depth + w.text
                changes.append(Change(ctx, old.text, w.text))
                for c in node_lines(w, depth, raw=False)[1:]:
                    changes.append(Change(ctx + (w.text,), None, c.strip()))
                inserts.setdefault(old.index, []).extend(node_lines(w, depth, raw=False)[1:])
                push_block(parents, w)
                continue
            new_lines = node_lines(w, depth, raw=False)
            for c in new_lines:
                changes.append(Change(ctx, None, c.strip()))
            if have_parent is None:
                appended.extend(new_lines)
            else:
                inserts.setdefault(last_index(have_parent), []).extend(new_lines)
            push_block(parents, w)

    walk(run_tree, want_tree, [], None, 0)
    for parent_lines, body in groups:
        commands.extend(parent_lines)
        commands.extend(body)
        commands.extend([leave] * len(parent_lines))
    proposed: list[str] = []
    end_at = next((i for i in range(len(lines) - 1, -1, -1)
                   if platform.config_end and lines[i].strip() == platform.config_end), None)
    for i, line in enumerate(lines):
        if i == end_at and appended:
            proposed.extend(appended)
            appended = []
        proposed.append(replaced.get(i, line))
        proposed.extend(inserts.get(i, []))
    proposed.extend(appended)
    return Plan(device, platform, run_clean, _text(proposed), changes, commands)


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n" if lines else ""


# -- restore (rollback to a backup) ---------------------------------------------------

def restore_plan(device: str, platform: Platform, running: str, backup: str,
                 secrets: tuple[str, ...] | list[str] = ()) -> Plan:
    """Commands that bring ``running`` back to a (masked) backup: add what the backup has,
    remove what it lacks. Lines holding a masked secret cannot be sent and are listed
    in ``skipped``; the device keeps its current value for them."""
    back_clean = clean(platform, backup, secrets)
    forward = plan(device, platform, running, back_clean, secrets)
    run_clean = forward.running
    commands = [c for c in forward.commands if REDACTED not in c]
    skipped = [c for c in forward.commands if REDACTED in c]
    changes = list(forward.changes)
    if platform.config_style == "flat":
        back = [parse_flat_line(ln) for ln in back_clean.splitlines()]
        for line in run_clean.splitlines():
            have = parse_flat_line(line)
            if have is None or have.verb not in ("add", "set"):
                continue
            if any(b is not None and (_flat_covers(b, have) or _flat_same_target(b, have)) for b in back):
                continue
            if have.verb == "set":  # the backup has no value for it: nothing to set it back to
                skipped.append(f"{line}  (no value in the backup; left as it is)")
                continue
            conds = " ".join(f"{k}={_ros_quote(v)}" for k, v in have.attrs if v != REDACTED)
            commands.append(f"{have.path_text} remove [ find {conds} ]")
            changes.append(Change((), line, None))
    else:
        back_tree = parse_indented(platform, back_clean)
        run_tree = parse_indented(platform, run_clean)
        replaced = {c.old for c in forward.changes if c.old is not None}
        leave = platform.block_end[0] if platform.block_end else "exit"
        groups: list[tuple[tuple[str, ...], list[str]]] = []

        def extra(have: list[Node], want: list[Node], parents: list[Node]) -> None:
            for h in have:
                w = _find(want, h.text)
                if w is not None:
                    extra(h.children, w.children, parents + [h])
                    continue
                if h.text in replaced:
                    continue
                ctx = tuple(p.text for p in parents)
                if REDACTED in h.text:
                    skipped.append(" / ".join(ctx + (platform.negate + h.text,)) + "  (holds a masked secret)")
                    continue
                if h.children and h.text.startswith(platform.fixed_blocks):
                    extra(h.children, [], parents + [h])  # empty the block, keep the interface
                    continue
                changes.append(Change(ctx, h.text, None))
                # a single-valued setting is removed by its keyword alone ("no description")
                prefix = _replace_prefix(platform, h.text)
                undo = platform.negate + (prefix.strip() if prefix else h.text)
                if groups and groups[-1][0] == ctx:
                    groups[-1][1].append(undo)
                else:
                    groups.append((ctx, [undo]))

        extra(run_tree, back_tree, [])
        for ctx, body in groups:
            commands.extend(ctx)
            commands.extend(body)
            commands.extend([leave] * len(ctx))
    return Plan(device, platform, run_clean, back_clean, changes, commands, skipped, target="backup")
