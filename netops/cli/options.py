"""What several commands share: the --where/--workers/--repo/--templates options and how a job's
results are shown (progress bar, results table, where each device was left, JSON)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar

from netops.cli.output import console, err_console, state, table
from netops.config import jobs
from netops.config.backup import DEFAULT_REPO
from netops.inventory import select
from netops.progress import JobStage, Progress, ProgressEvent

WHERE_HELP = "Filter: key=value or key!=value (wildcards * ?), repeatable; e.g. tier=desa medium=vsat."
WHERE = typer.Option(None, "--where", "-w", help=WHERE_HELP)
TEMPLATES = typer.Option(None, "--templates", help="Templates folder (default: ./templates or $NETOPS_TEMPLATES).")
REPO = typer.Option(DEFAULT_REPO, "--repo", help="Backup git repository (created if missing).")
WORKERS = typer.Option(0, "--workers", help="Devices worked on in parallel (0: all selected, up to 512 and "
                                             "the open-file limit).")
AUTHOR = typer.Option(None, "--author", help="Who does this: the commits' author (default: SUDO_USER, else "
                      "the invoking user).")
REASON = typer.Option(None, "--reason", help="Ticket or reason, written into the backup commits.")


def print_outside(report: jobs.JobReport) -> None:
    """The changes outside netops a backup found, and receivers that could not be told."""
    for c in report.outside:
        console.print(f"[yellow]changed outside netops:[/] {escape(c.device)} ({c.summary})")
        for line in c.changed_lines():
            console.out(f"  {line}", highlight=False)
    for problem in report.notify_errors:
        console.print(f"[red]not notified:[/] {escape(problem)}")


def outside_json(report: jobs.JobReport) -> dict:
    return {"changed_outside_netops": [{"device": c.device, "summary": c.summary, "diff": c.diff, "commit": c.commit}
                                       for c in report.outside], "notify_errors": report.notify_errors}


STATUS_STYLE = {"applied": "green", "ok": "green", "unchanged": "dim", "would-change": "yellow", "failed": "red",
         "rolled-back": "magenta", "skipped": "cyan"}


def device_names(ctx: typer.Context, where: list[str] | None) -> list[str]:
    inv = state(ctx).inventory()
    return [d.name for d in select(inv, "devices", where)]


@contextlib.contextmanager
def progress(title: str, quiet: bool) -> Iterator[Progress]:
    """A progress bar over the device steps the job plans (``JobStage.PLANNED``) and finishes."""
    if quiet:
        yield lambda event: None
        return
    with Bar(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[last]}"), TimeElapsedColumn(), console=err_console,
                  transient=True) as bar:
        tid = bar.add_task(title, total=0, last="")
        planned = 0

        def cb(event: ProgressEvent) -> None:
            nonlocal planned
            if event.stage is JobStage.PLANNED:
                planned += event.of
                bar.update(tid, total=planned)
            else:
                bar.update(tid, last=f"{event.device}: {event}", advance=1 if event.stage.finishes else 0)

        yield cb


def results_table(title: str, report: jobs.JobReport) -> None:
    rows = [(r.device, r.platform, f"[{STATUS_STYLE.get(r.status, '')}]{r.status}[/]", r.changes or "",
             f"{r.seconds:.1f}" if r.seconds else "", escape(r.message), escape(r.rollback))
            for r in report.results]
    columns = ["device", "platform", "result", "changes", "s", "message", "rollback"]
    keep = [i for i in range(len(columns)) if i < 3 or any(str(row[i]) for row in rows)]  # no empty columns
    t = table(title, [columns[i] for i in keep], [])
    for row in rows:
        t.add_row(*(str(row[i]) for i in keep))
    console.print(t)
    counts = ", ".join(f"{n} {s}" for s, n in sorted(report.by_status().items()))
    console.print(f"{len(report.results)} devices: {counts}")
    if report.stopped:
        console.print(f"[red]stopped:[/] {escape(report.stopped)}")
    state_summary(report)


STATE_STYLE = {jobs.EndState.UNTOUCHED: "dim", jobs.EndState.APPLIED: "green",
               jobs.EndState.ROLLED_BACK: "magenta", jobs.EndState.ATTENTION: "bold red"}


def state_summary(report: jobs.JobReport) -> None:
    """Every device by where it was left: nothing is summed up as 'the rest'."""
    for st, names in report.by_state().items():
        tail = " (run 'netops config recover --commit' once it answers)" if st is jobs.EndState.ATTENTION else ""
        console.print(f"[{STATE_STYLE[st]}]{st.value}[/] ({len(names)}): {escape(', '.join(names))}{tail}")


def report_json(report: jobs.JobReport, with_diff: bool = False, with_output: bool = False) -> dict:
    return {
        "ok": report.ok, "stopped": report.stopped or None, "backup_commit": report.backup_commit,
        "after_commit": report.after_commit,
        "interrupted": report.interrupted,
        "devices_by_state": {st.value: names for st, names in report.by_state().items()},
        "recovered": [{"device": r.device, "status": r.status, "state": r.state, "message": r.message,
                       "rollback": r.rollback} for r in report.recovered],
        "results": [{"device": r.device, "platform": r.platform, "status": r.status, "state": r.state,
                     "changes": r.changes,
                     "message": r.message, "rollback": r.rollback, "seconds": round(r.seconds, 2),
                     **({"diff": r.diff} if with_diff else {}),
                     **({"output": r.output} if with_output else {})} for r in report.results],
    }
