"""YAML that remembers where every value came from.

Inventory errors must name file and line, so mappings and lists are loaded as
:class:`LineDict` / :class:`LineList`, which keep the 1-based line of each key or
item. PyYAML's C parser is used when present (the 10,000-site inventory loads in
a fraction of the time ruamel's round-trip loader needs); duplicate keys, which
YAML silently overwrites, are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _BaseLoader = yaml.SafeLoader


class LineDict(dict):
    """A mapping with ``line`` (of the mapping) and ``key_lines`` (of each key)."""

    line: int = 0
    key_lines: dict[str, int]


class LineList(list):
    line: int = 0
    item_lines: list[int]


@dataclass(frozen=True)
class YamlProblem:
    file: Path
    line: int
    message: str


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            key = str(key) if not isinstance(key, str) else key
            if key in result:
                self.duplicate_keys.append((key_node.start_mark.line + 1, key))
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_sequence)
# Timestamps stay strings: an inventory never means a datetime by accident.
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


def load_yaml(path: Path) -> tuple[Any, list[YamlProblem]]:
    """Load one file; syntax errors and duplicate keys come back as problems."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [YamlProblem(path, 0, f"cannot read file: {exc.strerror}; give the user running netops "
                                           "read access (chmod o+r, or chgrp the file to the service's group)")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [YamlProblem(path, line, f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at column {col}; "
                                              "save the file as UTF-8 (most editors: 'Save with encoding')")]
    if text.startswith("\ufeff"):
        text = text[1:]
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        what = " ".join(filter(None, [exc.context, exc.problem]))
        return None, [YamlProblem(path, line, f"YAML syntax error: {what}; fix the indentation or quoting there")]
    except yaml.YAMLError as exc:
        return None, [YamlProblem(path, 0, f"YAML error: {exc}")]
    finally:
        loader.dispose()
    problems = [
        YamlProblem(path, line, f"key {key!r} appears twice in the same mapping; keep one")
        for line, key in loader.duplicate_keys
    ]
    return data, problems


def line_of(node: Any, path: tuple[Any, ...]) -> int:
    """Line of the value at ``path`` inside ``node``, or of the nearest parent that has one."""
    line = getattr(node, "line", 0)
    for part in path:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ._/()-]*")
_RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def scalar(value: Any) -> str:
    """A YAML scalar, quoted only when a plain one could be read as something else."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    s = str(value)
    if _PLAIN.fullmatch(s) and s.lower() not in _RESERVED and not s.endswith(" "):
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dump_records(key: str, items: list[dict[str, Any]]) -> str:
    """A section as a hand-editable YAML list: one key per line, ends as flow maps."""
    if not items:
        return ""
    out = [f"{key}:"]
    for item in items:
        lead = "  - "
        for k, v in item.items():
            if v is None or v == []:
                continue
            if isinstance(v, dict):
                inner = ", ".join(f"{ik}: {scalar(iv)}" for ik, iv in v.items() if iv is not None)
                out.append(f"{lead}{k}: {{{inner}}}")
            elif isinstance(v, list):
                out.append(f"{lead}{k}: [{', '.join(scalar(x) for x in v)}]")
            else:
                out.append(f"{lead}{k}: {scalar(v)}")
            lead = "    "
    return "\n".join(out) + "\n"


def dump_sections(header: str, sections: list[tuple[str, list[dict[str, Any]]]]) -> str:
    body = "\n".join(b for b in (dump_records(k, v) for k, v in sections) if b)
    return header + "\n" + body
