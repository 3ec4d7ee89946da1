"""netops play: run a playbook from playbooks/ (dry run unless --commit)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from netops.cli.options import (
    AUTHOR,
    REASON,
    REPO,
    TEMPLATES,
    WORKERS,
    outside_json,
    print_outside,
    progress,
    report_json,
    results_table,
)
from netops.cli.output import console, emit_json, handle_errors, state
from netops.config.backup import BackupRepo, Operator
from netops.config.render import TemplateSet
from netops.playbook import find_playbook, load_playbook, run_playbook


@handle_errors
def play(ctx: typer.Context, name: str = typer.Argument(..., help="Playbook name (playbooks/NAME.yaml) or path."),
         commit: bool = typer.Option(False, "--commit", help="Change the devices (default: dry run)."),
         directory: Path = typer.Option(Path("playbooks"), "--dir", help="Playbooks folder."),
         templates: Path | None = TEMPLATES, repo: Path = REPO, workers: int = WORKERS,
         author: str | None = AUTHOR, reason: str | None = REASON) -> None:
    """Run a playbook's steps in order; the whole playbook is checked before anything runs."""
    st = state(ctx)
    inv = st.inventory()
    tset = TemplateSet(templates)
    pb = load_playbook(find_playbook(name, directory), inv, tset)
    with progress(f"play {pb.name}", st.json) as cb:
        report = run_playbook(pb, inv, BackupRepo(repo), commit, tset, workers, cb, Operator.current(author, reason))
    if st.json:
        emit_json({"playbook": pb.name, "commit": commit, "ok": report.ok,
                   "steps": [{"step": s.kind, "line": s.line, "note": s.note,
                              "report": (report_json(s.report) | outside_json(s.report)) if s.report else None}
                             for s in report.steps]})
    else:
        console.print(f"[bold]playbook {escape(pb.name)}[/] ({pb.path}) on {len(pb.devices(inv))} devices"
                      + ("" if commit else " — dry run; add --commit to change devices"))
        for s in report.steps:
            if s.report is not None:
                results_table(f"step {s.kind} (line {s.line})", s.report)
                print_outside(s.report)
            if s.note:
                console.print(f"step {s.kind} (line {s.line}): {escape(s.note)}")
    raise typer.Exit(0 if report.ok else 1)
