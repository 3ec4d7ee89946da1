"""The playbook file format and its validation (file and line in every error).

```yaml
name: baseline
description: Baseline config on every router
targets: [tier=desa]            # same syntax as --where; empty = every managed device
steps:
  - backup
  - render
  - diff
  - push: {canary: 1, batch: 20, max_fail: 10, features: [baseline]}
  - verify:
      - {command: "/system identity print", expect: "name: {{ hostname }}", platform: mikrotik_routeros}
  - rollback_on_failure: true
```

Validation runs against the inventory and the templates: an unknown step or
option, a bad target filter, a missing template or a bad regex refuses the whole
playbook before any device is contacted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from netops.config.errors import ConfigError
from netops.config.render import DEFAULT_FEATURES, TemplateSet, managed
from netops.errors import NetopsError
from netops.inventory.models import Inventory
from netops.inventory.query import select
from netops.inventory.yamlsrc import LineDict, LineList, line_of, load_yaml
from netops.platforms import PLATFORMS, get_platform

STEPS: dict[str, set[str]] = {
    "backup": set(),
    "render": {"features", "out"},
    "diff": {"features"},
    "push": {"features", "canary", "batch", "max_fail", "revert_after"},
    "verify": set(),
    "rollback_on_failure": set(),
}
TOP_KEYS = {"name", "description", "targets", "steps"}
DEFAULT_DIR = Path("playbooks")


class PlaybookError(ConfigError):
    """A playbook that cannot run; names file and line."""


@dataclass(frozen=True)
class VerifyCheck:
    command: str
    expect: str
    platform: str | None = None


@dataclass
class Step:
    kind: str
    line: int
    options: dict[str, Any] = field(default_factory=dict)
    checks: list[VerifyCheck] = field(default_factory=list)


@dataclass
class Playbook:
    path: Path
    name: str
    description: str
    targets: list[str]
    steps: list[Step]
    rollback_on_failure: bool = False

    def devices(self, inv: Inventory) -> list[str]:
        return managed(inv, [d.name for d in select(inv, "devices", self.targets)])


def find_playbook(name: str, directory: Path | None = None) -> Path:
    """``NAME`` (looked up in ``playbooks/``) or a path to a YAML file."""
    as_path = Path(name)
    if as_path.suffix in (".yaml", ".yml") and as_path.is_file():
        return as_path
    directory = directory or DEFAULT_DIR
    for ext in (".yaml", ".yml"):
        p = directory / f"{name}{ext}"
        if p.is_file():
            return p
    known = sorted(p.stem for p in directory.glob("*.y*ml")) if directory.is_dir() else []
    raise PlaybookError(f"no playbook {name!r} in {directory}/; known: {', '.join(known) or 'none'}")


def load_playbook(path: Path, inv: Inventory, templates: TemplateSet | None = None) -> Playbook:
    templates = templates or TemplateSet()
    data, problems = load_yaml(path)
    if problems:
        p = problems[0]
        raise PlaybookError(f"{path}:{p.line}: {p.message}")

    def fail(line: int, msg: str) -> PlaybookError:
        return PlaybookError(f"{path}:{line}: {msg}; nothing was run")

    if not isinstance(data, LineDict):
        raise fail(getattr(data, "line", 1), "a playbook is a mapping with name, targets and steps")
    for key in data:
        if key not in TOP_KEYS:
            raise fail(line_of(data, (key,)), f"unknown key {key!r}; use {', '.join(sorted(TOP_KEYS))}")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise fail(line_of(data, ("name",)) or data.line, "'name' is required (a string)")
    targets_raw = data.get("targets") or []
    if isinstance(targets_raw, str):
        targets_raw = [targets_raw]
    if not isinstance(targets_raw, list) or not all(isinstance(t, str) for t in targets_raw):
        raise fail(line_of(data, ("targets",)), "'targets' is a list of key=value filters (as --where)")
    try:
        selected = select(inv, "devices", list(targets_raw))
    except NetopsError as exc:
        raise fail(line_of(data, ("targets",)), f"bad target: {exc}") from None
    devices = managed(inv, [d.name for d in selected])
    if not devices:
        raise fail(line_of(data, ("targets",)), f"targets {list(targets_raw)} select no managed device")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, LineList) or not raw_steps:
        raise fail(line_of(data, ("steps",)) or data.line, "'steps' is a non-empty list")
    steps: list[Step] = []
    rollback = False
    for i, raw in enumerate(raw_steps):
        line = raw_steps.item_lines[i]
        if isinstance(raw, str):
            kind, value = raw, None
        elif isinstance(raw, dict) and len(raw) == 1:
            kind, value = next(iter(raw.items()))
        else:
            raise fail(line, "a step is a name (backup) or a one-key mapping (push: {canary: 1})")
        if kind not in STEPS:
            raise fail(line, f"unknown step {kind!r}; use one of {', '.join(STEPS)}")
        step = Step(kind, line)
        if kind == "rollback_on_failure":
            if value not in (None, True, False):
                raise fail(line, "rollback_on_failure is true or false")
            rollback = value is not False
        elif kind == "verify":
            step.checks = _checks(value, line, fail)
        elif value is not None:
            if not isinstance(value, dict):
                raise fail(line, f"options of step {kind!r} are a mapping")
            for opt in value:
                if opt not in STEPS[kind]:
                    allowed = ", ".join(sorted(STEPS[kind])) or "none"
                    raise fail(line_of(raw, (kind, opt)) or line, f"step {kind!r} has no option {opt!r} (options: {allowed})")
            step.options = dict(value)
        feats = step.options.get("features", list(DEFAULT_FEATURES))
        if isinstance(feats, str):
            feats = [feats]
            step.options["features"] = feats
        if kind in ("render", "diff", "push"):
            for dev_name in devices:
                platform = get_platform(inv.devices[dev_name].platform)
                for feat in feats:
                    if not templates.has(platform, feat):
                        raise fail(line, f"step {kind!r}: template {templates.path(platform, feat)} is missing "
                                         f"(needed for {dev_name}, platform {platform.name})")
        steps.append(step)
    return Playbook(path, name, str(data.get("description") or ""), list(targets_raw), steps, rollback)


def _checks(value: Any, line: int, fail: Any) -> list[VerifyCheck]:
    if not isinstance(value, list) or not value:
        raise fail(line, "verify takes a list of {command, expect[, platform]}")
    out = []
    for j, item in enumerate(value):
        iline = value.item_lines[j] if isinstance(value, LineList) else line
        if not isinstance(item, dict) or not {"command", "expect"} <= set(item) or set(item) - {"command", "expect", "platform"}:
            raise fail(iline, "a verify check is {command: ..., expect: <regex>, platform: <optional>}")
        plat = item.get("platform")
        if plat is not None and plat not in PLATFORMS:
            raise fail(iline, f"unknown platform {plat!r}; use one of {', '.join(sorted(PLATFORMS))}")
        try:
            jinja2.Environment().parse(str(item["expect"]))
            jinja2.Environment().parse(str(item["command"]))
        except jinja2.TemplateSyntaxError as exc:
            raise fail(iline, f"template syntax error in verify check: {exc.message}") from None
        if "{{" not in str(item["expect"]):
            try:
                re.compile(str(item["expect"]))
            except re.error as exc:
                raise fail(iline, f"expect is not a valid regex: {exc}") from None
        out.append(VerifyCheck(str(item["command"]), str(item["expect"]), plat))
    return out
