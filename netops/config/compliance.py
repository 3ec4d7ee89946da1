"""Security rules kept as data (``compliance/*.yaml``) and their check on one config.

A rule says, for one platform, which line or pattern must appear or must never appear in
the running config (optionally only inside the blocks whose parent line matches
``block``, and only ``when`` another pattern is present), with a severity and a sentence
saying why. Rules files are validated like the inventory: every problem with file:line,
all at once, before any device is read.

Rules run on the config netops already cleaned and masked (:func:`netops.config.mask.clean`),
so the lines a finding quotes never hold a secret. netutils' ``netutils.config.compliance``
compares intended and actual per section (what the template diff already does) and has no
must-never or regex rules, nor a VRP or FRR parser; these few lines do the rest on the
dialects' own logical lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from netops.config.errors import ConfigError
from netops.config.mask import logical_lines
from netops.errors import UnknownPlatform
from netops.inventory.yamlsrc import LineDict, LineList, line_of, load_yaml
from netops.platforms import Platform, get_platform

DEFAULT_DIR = Path("compliance")
_REPO_RULES = Path(__file__).resolve().parents[2] / "compliance"


def default_rules_dir() -> Path:
    """``./compliance`` if there is one, else the rules shipped with netops."""
    return DEFAULT_DIR if DEFAULT_DIR.is_dir() else _REPO_RULES


class RuleSeverity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class RulesError(ConfigError):
    """A rules file cannot be used: every problem with file:line; nothing was audited."""


@dataclass(frozen=True)
class Match:
    """One line (exact, after stripping) or one regular expression (searched in each line)."""

    text: str
    regex: bool

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.text if self.regex else rf"^{re.escape(self.text)}$")

    def __str__(self) -> str:
        return f"/{self.text}/" if self.regex else repr(self.text)


@dataclass(frozen=True)
class Rule:
    id: str
    platform: str
    severity: RuleSeverity
    why: str
    must: Match | None
    must_not: Match | None
    block: Match | None
    """check only the lines inside blocks whose parent line matches"""
    when: Match | None
    """check only when some line of the config matches"""
    source: str
    """file:line where the rule is defined"""


@dataclass(frozen=True)
class Violation:
    rule: Rule
    lines: tuple[str, ...]
    """the offending lines (masked), or the block lacking a line; empty when a line is missing at top level"""

    @property
    def message(self) -> str:
        r = self.rule
        inside = f" (in {r.block})" if r.block else ""
        if r.must_not is not None:
            return f"must never appear: {r.must_not}{inside}"
        return f"missing: {r.must}{inside}"


_FILE_KEYS = {"platform", "rules"}
_RULE_KEYS = {"id", "severity", "why", "must", "must_not", "block", "when"}
_MATCH_KEYS = {"line", "regex"}


def load_rules(directory: Path) -> list[Rule]:
    """Every ``*.yaml`` rules file under ``directory``; any problem raises :class:`RulesError`
    naming each file:line."""
    if not directory.is_dir():
        raise RulesError(f"{directory}: no rules folder; create it with compliance/<platform>.yaml files, "
                         "or give --rules PATH")
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise RulesError(f"{directory}: no *.yaml rules files in it")
    rules: list[Rule] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in files:
        for rule in _load_file(path, problems):
            if rule.id in seen:
                problems.append(f"{rule.source}: rule id {rule.id!r} is already defined at {seen[rule.id]}; "
                                "give each rule its own id")
            else:
                seen[rule.id] = rule.source
                rules.append(rule)
    if problems:
        raise RulesError(f"{len(problems)} problem(s) in the compliance rules, nothing audited:\n  "
                         + "\n  ".join(problems))
    return rules


def _load_file(path: Path, problems: list[str]) -> list[Rule]:
    data, yproblems = load_yaml(path)
    problems += [f"{p.file}:{p.line}: {p.message}" for p in yproblems]
    if yproblems:
        return []
    if not isinstance(data, LineDict):
        problems.append(f"{path}:1: a rules file is a mapping with 'platform' and 'rules'")
        return []

    def at(*keys: Any) -> str:
        return f"{path}:{line_of(data, keys)}"

    for key in data:
        if key not in _FILE_KEYS:
            problems.append(f"{at(key)}: unknown key {key!r}; a rules file has {', '.join(sorted(_FILE_KEYS))}")
    platform: Platform | None = None
    try:
        platform = get_platform(str(data.get("platform", "")))
        if platform.templates is None:
            problems.append(f"{at('platform')}: platform {platform.name} is not managed by netops "
                            "(no config to check)")
            platform = None
    except UnknownPlatform as exc:
        problems.append(f"{at('platform') if 'platform' in data else path}: {exc}")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, LineList):
        problems.append(f"{at('rules') if 'rules' in data else path}: 'rules' must be a list of rules")
        return []
    out = []
    for i, raw in enumerate(raw_rules):
        rule = _rule(path, data, i, raw, platform, problems)
        if rule is not None:
            out.append(rule)
    return out


def _rule(path: Path, data: LineDict, i: int, raw: Any, platform: Platform | None,
          problems: list[str]) -> Rule | None:
    def at(*keys: Any) -> str:
        return f"{path}:{line_of(data, ('rules', i, *keys))}"

    if not isinstance(raw, LineDict):
        problems.append(f"{at()}: a rule is a mapping with id, severity, why and must or must_not")
        return None
    before = len(problems)
    for key in raw:
        if key not in _RULE_KEYS:
            problems.append(f"{at(key)}: unknown key {key!r}; a rule has {', '.join(sorted(_RULE_KEYS))}")
    rid = raw.get("id")
    if not isinstance(rid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", rid):
        problems.append(f"{at('id')}: 'id' must be a name of lower-case letters, digits, '-', '_' or '.'")
    sev = raw.get("severity")
    if sev not in {s.value for s in RuleSeverity}:
        problems.append(f"{at('severity')}: severity {sev!r}: use one of {', '.join(s.value for s in RuleSeverity)}")
    why = raw.get("why")
    if not isinstance(why, str) or not why.strip():
        problems.append(f"{at('why')}: 'why' must be a sentence saying why the rule matters")
    if ("must" in raw) == ("must_not" in raw):
        problems.append(f"{at()}: a rule has exactly one of 'must' and 'must_not'")
    matches = {k: _match(raw[k], lambda *ks, k=k: at(k, *ks), problems) for k in ("must", "must_not", "block", "when")
               if k in raw}
    if len(problems) > before or platform is None:
        return None
    return Rule(id=str(rid), platform=platform.name, severity=RuleSeverity(str(sev)), why=str(why).strip(),
                must=matches.get("must"), must_not=matches.get("must_not"), block=matches.get("block"),
                when=matches.get("when"), source=at())


def _match(raw: Any, at: Any, problems: list[str]) -> Match | None:
    if not isinstance(raw, LineDict) or len(raw) != 1 or next(iter(raw)) not in _MATCH_KEYS:
        keys = [k for k in raw if k not in _MATCH_KEYS] if isinstance(raw, LineDict) else []
        what = f"unknown key {keys[0]!r}; " if keys else ""
        problems.append(f"{at(*keys[:1])}: {what}give exactly one of 'line: <exact line>' or 'regex: <pattern>'")
        return None
    key = next(iter(raw))
    value = raw[key]
    if not isinstance(value, str) or not value:
        problems.append(f"{at(key)}: {key!r} must be a non-empty string")
        return None
    m = Match(value, key == "regex")
    try:
        m.compiled()
    except re.error as exc:
        problems.append(f"{at(key)}: bad regex {value!r}: {exc}; fix the pattern (quote it in single quotes "
                        "so YAML keeps backslashes)")
        return None
    return m


# -- checking ------------------------------------------------------------------------------

def _blocks(lines: list[str], block: re.Pattern[str]) -> list[tuple[str, list[str]]]:
    """(parent line, its children stripped) for every top-level line matching ``block``."""
    out: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in lines:
        if line[:1] in (" ", "\t"):
            if current is not None:
                current.append(line.strip())
            continue
        current = None
        if block.search(line.strip()):
            current = []
            out.append((line.strip(), current))
    return out


def check(platform: Platform, config: str, rules: Iterable[Rule]) -> list[Violation]:
    """The rules of ``platform`` that the (cleaned, masked) ``config`` breaks."""
    lines = [ln for ln in logical_lines(platform, config) if ln.strip()]
    stripped = [ln.strip() for ln in lines]
    found: list[Violation] = []
    for rule in rules:
        if rule.platform != platform.name:
            continue
        if rule.when is not None and not any(rule.when.compiled().search(s) for s in stripped):
            continue
        scopes = ([(p, c) for p, c in _blocks(lines, rule.block.compiled())] if rule.block is not None
                  else [("", stripped)])
        for parent, scope in scopes:
            if rule.must is not None:
                rx = rule.must.compiled()
                if not any(rx.search(s) for s in scope):
                    found.append(Violation(rule, (parent,) if parent else ()))
            elif rule.must_not is not None:
                rx = rule.must_not.compiled()
                bad = tuple(s for s in scope if rx.search(s))
                if bad:
                    found.append(Violation(rule, ((parent,) if parent else ()) + bad))
    return found
