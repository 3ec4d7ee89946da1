"""Running a validated playbook: its steps in order, dry run unless ``commit``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from netops.config import jobs
from netops.config.backup import BackupRepo, Operator
from netops.config.render import DEFAULT_FEATURES, TemplateSet
from netops.inventory.models import Inventory
from netops.inventory.nornir_plugin import host_data
from netops.playbook.model import Playbook, VerifyCheck
from netops.progress import Progress, quiet


@dataclass
class StepReport:
    kind: str
    line: int
    report: jobs.JobReport | None = None
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.report is None or self.report.ok


@dataclass
class PlayReport:
    playbook: Playbook
    commit: bool
    steps: list[StepReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps)


def checks_for(inv: Inventory, names: list[str], checks: list[VerifyCheck]) -> dict[str, tuple[jobs.Check, ...]]:
    """Each device's checks: those for its platform, with ``{{ hostname }}`` etc. filled in."""
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    out: dict[str, tuple[jobs.Check, ...]] = {}
    for name in names:
        ctx = host_data(inv, name) | {"hostname": name}
        platform = inv.devices[name].platform
        out[name] = tuple(
            jobs.Check(env.from_string(c.command).render(ctx), env.from_string(c.expect).render(ctx))
            for c in checks if c.platform in (None, platform)
        )
    return out


def run_playbook(pb: Playbook, inv: Inventory, repo: BackupRepo, commit: bool = False,
                 templates: TemplateSet | None = None, workers: int = 0,
                 progress: Progress = quiet, operator: Operator | None = None) -> PlayReport:
    templates = templates or TemplateSet()
    names = pb.devices(inv)
    report = PlayReport(pb, commit)
    pushed = False
    for i, step in enumerate(pb.steps):
        opts = step.options
        feats = tuple(opts.get("features") or DEFAULT_FEATURES)
        sr = StepReport(step.kind, step.line)
        report.steps.append(sr)
        if step.kind == "backup":
            sr.report, _ = jobs.backup(inv, names, repo, workers, progress, label=f"playbook {pb.name}",
                                       operator=operator)
        elif step.kind == "render":
            out = Path(opts["out"]) if opts.get("out") else None
            rendered = jobs.render_to(inv, names, out, feats, templates)
            sr.note = f"rendered {len(rendered)} devices" + (f" into {out}" if out else "")
        elif step.kind == "diff":
            sr.report, _ = jobs.diff(inv, names, feats, templates, workers, progress)
        elif step.kind == "push":
            later = [s for s in pb.steps[i + 1:] if s.kind == "verify"]
            checks = [c for s in later for c in s.checks] if pb.rollback_on_failure else []
            popts = jobs.PushOptions(commit=commit, canary=int(opts.get("canary", 1)),
                                     batch=int(opts.get("batch", 0)), max_fail_pct=float(opts.get("max_fail", 0)),
                                     workers=workers, revert_after=int(opts.get("revert_after", 120)), operator=operator,
                                     checks=checks_for(inv, names, checks))
            sr.report = jobs.push(inv, names, repo, popts, feats, templates, progress)
            pushed = commit
            if not sr.report.ok:
                sr.note = "push failed; later steps not run"
                break
        elif step.kind == "verify":
            if not commit and any(s.kind == "push" for s in pb.steps[:i]):
                sr.note = "skipped: dry run (nothing was pushed)"
                continue
            sr.report = jobs.verify(inv, names, checks_for(inv, names, step.checks), workers, progress)
            if pushed and pb.rollback_on_failure:
                sr.note = "checked before confirming each device's change (rollback_on_failure)"
        elif step.kind == "rollback_on_failure":
            sr.note = "on" if pb.rollback_on_failure else "off"
    return report
