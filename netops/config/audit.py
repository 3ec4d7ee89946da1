"""The fleet's compliance: each device against its templates (the diff) and the security rules.

The devices are read in parallel by the same job code a ``config diff`` uses
(:func:`netops.config.jobs.fetch_running` over Nornir and netmiko) and compared by the same
dialects (:func:`netops.config.jobs.plans_for`); the rules run on the cleaned, masked config.
The result is written as JSON beside the backups (``<repo>/audit.json``) for the exporter.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from netops.config import jobs
from netops.config.backup import BackupRepo
from netops.config.compliance import Rule, check
from netops.config.mask import clean
from netops.config.render import DEFAULT_FEATURES, TemplateSet, render_all
from netops.inventory.models import Inventory
from netops.platforms import get_platform
from netops.progress import Progress, quiet

FILENAME = "audit.json"
TEMPLATE_RULE = "template"
"""the ``rule`` of a finding that is a difference from the templates"""


class DeviceState(StrEnum):
    COMPLIANT = "compliant"
    DRIFTED = "drifted"
    """differs from what the templates want (it may break rules too)"""
    NONCOMPLIANT = "non-compliant"
    """as the templates want, but a security rule is broken"""
    UNREACHABLE = "unreachable"


@dataclass
class ComplianceFinding:
    device: str
    rule: str
    """a rule id, or ``template`` for a difference from the templates"""
    severity: str
    message: str
    lines: list[str] = field(default_factory=list)
    """masked config lines (a drift: ``- running`` / ``+ intended``)"""
    why: str = ""


@dataclass
class DeviceAudit:
    device: str
    platform: str
    site: str
    kecamatan: str
    state: DeviceState
    drift_lines: int = 0
    findings: list[ComplianceFinding] = field(default_factory=list)
    error: str = ""


@dataclass
class GroupSummary:
    name: str
    devices: int = 0
    compliant: int = 0
    drifted: int = 0
    noncompliant: int = 0
    unreachable: int = 0

    @property
    def pct(self) -> float:
        return 100.0 * self.compliant / self.devices if self.devices else 0.0

    def add(self, d: DeviceAudit) -> None:
        self.devices += 1
        attr = {DeviceState.COMPLIANT: "compliant", DeviceState.DRIFTED: "drifted",
                DeviceState.NONCOMPLIANT: "noncompliant", DeviceState.UNREACHABLE: "unreachable"}[d.state]
        setattr(self, attr, getattr(self, attr) + 1)


@dataclass
class AuditReport:
    time: float
    devices: list[DeviceAudit]

    @property
    def findings(self) -> list[ComplianceFinding]:
        return [f for d in self.devices for f in d.findings]

    @property
    def clean(self) -> bool:
        return all(d.state is DeviceState.COMPLIANT for d in self.devices)

    def summary(self, key: str) -> list[GroupSummary]:
        """Per ``kecamatan`` or ``platform``, sorted by name."""
        groups: dict[str, GroupSummary] = {}
        for d in self.devices:
            name = getattr(d, key)
            groups.setdefault(name, GroupSummary(name)).add(d)
        return [groups[k] for k in sorted(groups)]

    def total(self) -> GroupSummary:
        g = GroupSummary("total")
        for d in self.devices:
            g.add(d)
        return g

    def as_dict(self) -> dict[str, Any]:
        return {"time": self.time, "clean": self.clean,
                "summary": {"total": _group(self.total()),
                            "kecamatan": [_group(g) for g in self.summary("kecamatan")],
                            "platform": [_group(g) for g in self.summary("platform")]},
                "devices": [asdict(d) for d in self.devices]}


def _group(g: GroupSummary) -> dict[str, Any]:
    return {**asdict(g), "pct_compliant": round(g.pct, 1)}


def _drift(name: str, plan: Any) -> ComplianceFinding:
    lines = []
    for c in plan.changes:
        if c.old is not None and not c.moved:
            lines.append(f"- {c.old.strip()}")
        if c.new is not None:
            lines.append(f"+ {c.new.strip()}")
    return ComplianceFinding(name, TEMPLATE_RULE, "medium", f"{len(plan.changes)} line(s) differ from the templates", lines,
                   "The device no longer has what the templates (the agreed configuration) want: "
                   "a hand change, or a push that never reached it.")


def _kecamatan(inv: Inventory, site_id: str) -> str:
    """The site's kecamatan, or its nearest parent's (an OPD sits under the data center)."""
    seen: set[str] = set()
    site = inv.sites.get(site_id)
    while site is not None and site.id not in seen:
        if site.kecamatan:
            return site.kecamatan
        seen.add(site.id)
        site = inv.sites.get(site.parent) if site.parent else None
    return "-"


def audit(inv: Inventory, names: Iterable[str], rules: list[Rule], features: Iterable[str] = DEFAULT_FEATURES,
          templates: TemplateSet | None = None, workers: int = 0,
          progress: Progress = quiet) -> AuditReport:
    """Read every managed device once; compare it with its templates and check the rules."""
    rendered = render_all(inv, names, features, templates)  # a template problem stops here, nothing read
    raw, errors = jobs.fetch_running(inv, list(rendered), workers, progress)
    plans = jobs.plans_for(inv, rendered, raw)
    secrets = inv.known_secrets()
    out = []
    for name in rendered:
        device = inv.devices[name]
        kecamatan = _kecamatan(inv, device.site)
        if name in errors:
            out.append(DeviceAudit(name, device.platform, device.site, kecamatan, DeviceState.UNREACHABLE,
                                   error=errors[name]))
            continue
        platform = get_platform(device.platform)
        findings = []
        p = plans[name]
        if not p.empty:
            findings.append(_drift(name, p))
        cleaned = clean(platform, raw[name], secrets)
        for v in check(platform, cleaned, rules):
            findings.append(ComplianceFinding(name, v.rule.id, v.rule.severity.value, v.message, list(v.lines), v.rule.why))
        state = (DeviceState.DRIFTED if not p.empty else DeviceState.NONCOMPLIANT if findings
                 else DeviceState.COMPLIANT)
        out.append(DeviceAudit(name, device.platform, device.site, kecamatan, state, len(p.changes), findings))
    return AuditReport(time=time.time(), devices=out)


def write_state(report: AuditReport, repo: Path) -> Path:
    """``<repo>/audit.json``, replaced atomically (the exporter may be reading it). The folder is
    the backup repository (created if missing, as a backup would), so a later backup accepts it."""
    BackupRepo(repo).ensure()
    path = repo / FILENAME
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report.as_dict(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_state(repo: Path) -> dict[str, Any] | None:
    """The last audit written under ``repo``, or None if there is none (or it cannot be read)."""
    try:
        data = json.loads((repo / FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def backup_times(repo: Path) -> dict[str, float]:
    """Unix time each device was last backed up: its file's last commit (one ``git log``), or
    later, the last backup run that read it unchanged (a run rewrites the file of every device it
    read, and commits only those that changed; a device it could not read keeps its old time)."""
    if not (repo / ".git").is_dir():
        return {}
    out = BackupRepo(repo)._git("log", "--format=%x00%ct", "--name-only", "--", "*.cfg", check=False)
    times: dict[str, float] = {}
    stamp = 0.0
    for line in out.splitlines():
        if line.startswith("\x00"):
            stamp = float(line[1:] or 0)
        elif line.endswith(".cfg") and "/" not in line:
            times.setdefault(line.removesuffix(".cfg"), stamp)
    for name in times:
        try:
            times[name] = max(times[name], (repo / f"{name}.cfg").stat().st_mtime)
        except OSError:
            pass
    return times
