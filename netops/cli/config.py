"""netops config: render, diff, backup, history, push, rollback (dry run unless --commit)."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.markup import escape
from rich.syntax import Syntax

from netops.cli.options import (
    AUTHOR,
    REASON,
    REPO,
    STATUS_STYLE,
    TEMPLATES,
    WHERE,
    WORKERS,
    device_names,
    outside_json,
    print_outside,
    progress,
    report_json,
    results_table,
)
from netops.cli.output import console, emit_json, handle_errors, state, table
from netops.config import jobs
from netops.config.audit import AuditReport, DeviceState, write_state
from netops.config.audit import audit as run_audit
from netops.config.backup import BackupRepo, Operator
from netops.config.compliance import default_rules_dir, load_rules
from netops.config.offline import compare_files, mask_file
from netops.config.render import DEFAULT_FEATURES, TemplateSet
from netops.platforms import get_platform

app = typer.Typer(help="Device configuration: templates, diffs, backups, safe pushes.", no_args_is_help=True)

Features = typer.Option(None, "--feature", "-f", help="Template feature(s) to use (default: baseline, uplink).")
PlatformOpt = typer.Option(..., "--platform", "-p", help="Platform of the config file(s), e.g. cisco_ios, "
                           "huawei_vrp, mikrotik_routeros, frr.")
Json = typer.Option(False, "--json", help="Print JSON (same as the global --json).")
@app.command()
@handle_errors
def render(ctx: typer.Context, where: list[str] | None = WHERE, out: Path | None = typer.Option(
        None, "--out", help="Write <device>.cfg files here instead of printing."),
        feature: list[str] | None = Features, templates: Path | None = TEMPLATES) -> None:
    """Render the templates for the selected devices (secrets masked). Contacts no device."""
    st = state(ctx)
    inv = st.inventory()
    rendered = jobs.render_to(inv, device_names(ctx, where), out, feature or DEFAULT_FEATURES, TemplateSet(templates))
    if st.json:
        emit_json({n: r.masked for n, r in rendered.items()})
    elif out is None:
        for name, r in rendered.items():
            console.print(f"[bold]# {escape(name)} ({r.platform.name})[/]")
            console.out(r.masked)
    else:
        console.print(f"rendered {len(rendered)} devices into {out}/")


@app.command()
@handle_errors
def backup(ctx: typer.Context, where: list[str] | None = WHERE, repo: Path = REPO, workers: int = WORKERS,
           author: str | None = AUTHOR, reason: str | None = REASON) -> None:
    """Save each device's running config (secrets masked, volatile lines dropped) in a git repo.

    A device that changed since its last backup without netops pushing is a change outside
    netops: named in the commit, counted for the exporter, sent to the alerting receivers.
    """
    st = state(ctx)
    inv = st.inventory()
    names = jobs.targets(inv, device_names(ctx, where))
    with progress("backup", st.json) as cb:
        report, _ = jobs.backup(inv, names, BackupRepo(repo), workers, cb, operator=Operator.current(author, reason))
    if st.json:
        emit_json(report_json(report) | outside_json(report))
    else:
        results_table("backup", report)
        print_outside(report)
        console.print(f"commit: {report.backup_commit or 'none (nothing changed)'} in {repo}")
    raise typer.Exit(0 if report.ok else 1)


@app.command()
@handle_errors
def history(ctx: typer.Context, name: str = typer.Argument(..., help="Device name."), repo: Path = REPO) -> None:
    """The backup revisions of one device, newest first."""
    st = state(ctx)
    revs = BackupRepo(repo).history(name)
    if st.json:
        emit_json([r.__dict__ for r in revs])
        return
    console.print(table(f"backups of {name}", ["revision", "date", "author", "summary"],
                        ((r.rev, r.date, r.author, r.message) for r in revs)))


@app.command("diff")
@handle_errors
def diff_(ctx: typer.Context,
          name: str | None = typer.Argument(None, help="Device: show its backup history diff instead."),
          rev: str | None = typer.Argument(None, help="Backup revision to compare the latest backup with."),
          where: list[str] | None = WHERE, feature: list[str] | None = Features,
          templates: Path | None = TEMPLATES, repo: Path = REPO, workers: int = WORKERS) -> None:
    """Running vs intended config per device; or, with NAME [REV], a device's backup history diff.

    Exit code 0: no differences; 1: some device differs or failed.
    """
    st = state(ctx)
    if name is not None:
        text = BackupRepo(repo).diff(name, rev)
        if st.json:
            emit_json({"device": name, "rev": rev, "diff": text})
        else:
            console.print(Syntax(text, "diff", theme="ansi_dark") if text else "no difference")
        return
    inv = st.inventory()
    names = device_names(ctx, where)
    with progress("diff", st.json) as cb:
        report, _ = jobs.diff(inv, names, feature or DEFAULT_FEATURES, TemplateSet(templates), workers, cb,
                              BackupRepo(repo))
    if st.json:
        emit_json(report_json(report, with_diff=True))
    else:
        for r in report.results:
            if r.diff:
                console.print(Syntax(r.diff, "diff", theme="ansi_dark"))
        results_table("diff: running vs intended", report)
    raise typer.Exit(0 if all(r.status == "unchanged" for r in report.results) else 1)


@app.command()
@handle_errors
def push(ctx: typer.Context, where: list[str] | None = WHERE,
         commit: bool = typer.Option(False, "--commit", help="Change the devices (default: dry run)."),
         canary: int = typer.Option(1, "--canary", help="Devices pushed and verified first; if one fails, stop."),
         batch: int = typer.Option(0, "--batch", help="Devices per wave after the canaries, each wave waiting for "
                                                       "its slowest (0: one wave, all at once)."),
         max_fail: float = typer.Option(0.0, "--max-fail", help="Stop when more than PCT% of devices failed."),
         revert_after: int = typer.Option(120, "--revert-after",
                                          help="Seconds before an on-device scheduled revert fires (RouterOS)."),
         reconnect_wait: float = typer.Option(30.0, "--reconnect-wait",
                                              help="Seconds to wait for a device lost mid-change before leaving "
                                                   "it to 'netops config recover'."),
         feature: list[str] | None = Features, templates: Path | None = TEMPLATES, repo: Path = REPO,
         workers: int = WORKERS, author: str | None = AUTHOR, reason: str | None = REASON) -> None:
    """Back up, then push what the templates want: canaries, verify, batches, automatic rollback.

    Exit code 0 only when every device applied (or needed nothing); a dry run exits 0
    when every device could be read; 130 after Ctrl-C (devices in flight finish or roll
    back, the table and the after-push backup follow; a second Ctrl-C exits at once).
    """
    st = state(ctx)
    inv = st.inventory()
    names = device_names(ctx, where)
    opts = jobs.PushOptions(commit=commit, canary=canary, batch=batch, max_fail_pct=max_fail, workers=workers,
                            revert_after=revert_after, reconnect_wait=reconnect_wait,
                            operator=Operator.current(author, reason))
    with _interruptible() as stop, progress("push" if commit else "push (dry run)", st.json) as cb:
        report = jobs.push(inv, names, BackupRepo(repo), opts, feature or DEFAULT_FEATURES, TemplateSet(templates), cb,
                           stop=stop)
    if report.recovered and not st.json:
        results_table("first finished what an earlier run left open (recover)", jobs.JobReport(report.recovered))
    if st.json:
        emit_json(report_json(report, with_diff=not commit) | outside_json(report))
    else:
        print_outside(report)
        if not commit:
            for r in report.results:
                if r.diff:
                    console.print(Syntax(r.diff, "diff", theme="ansi_dark"))
        results_table("push" if commit else "push (dry run: nothing changed; add --commit)", report)
        console.print(f"backup before: {report.backup_commit or 'unchanged'}; after: {report.after_commit or '-'}")
    raise typer.Exit(130 if report.interrupted else 0 if report.ok else 1)


@contextlib.contextmanager
def _interruptible() -> Iterator[threading.Event]:
    """First Ctrl-C: start no new device (the event is set); second: exit at once, the
    journal keeps what was open for 'netops config recover'."""
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            os.write(2, b"\ninterrupted again: exiting now; open changes stay in the journal for "
                        b"'netops config recover'\n")
            os._exit(130)
        stop.set()
        os.write(2, b"\ninterrupted: no new device starts; devices in flight finish or roll back "
                    b"(Ctrl-C again to exit at once)\n")

    old = signal.signal(signal.SIGINT, handler)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, old)


@app.command()
@handle_errors
def recover(ctx: typer.Context, name: list[str] | None = typer.Argument(None, help="Device(s) (default: all open)."),
            commit: bool = typer.Option(False, "--commit", help="Change the devices (default: list what is open)."),
            repo: Path = REPO, workers: int = WORKERS,
            reconnect_wait: float = typer.Option(30.0, "--reconnect-wait",
                                                 help="Seconds to wait for a device that does not answer.")) -> None:
    """Finish the changes the journal holds open (crash, kill -9, second Ctrl-C, lost device).

    A change that was verified is confirmed; any other is rolled back to the backup taken
    before it. Exit code 0 when nothing is left open, 1 otherwise.
    """
    st = state(ctx)
    inv = st.inventory()
    opts = jobs.PushOptions(workers=workers, reconnect_wait=reconnect_wait)
    with progress("recover", True) as cb:
        report = jobs.recover(inv, name or None, BackupRepo(repo), commit, opts, cb)
    if st.json:
        emit_json(report_json(report))
    elif not report.results:
        console.print(f"nothing open in the journal of {repo}")
    else:
        results_table("recover" if commit else "open in the journal (dry run; add --commit)", report)
    left = [r for r in report.results if not commit or r.state is jobs.EndState.ATTENTION]
    raise typer.Exit(0 if not left else 1)


@app.command()
@handle_errors
def rollback(ctx: typer.Context, name: str = typer.Argument(..., help="Device name."),
             to: str | None = typer.Option(None, "--to", help="Backup revision (default: the latest)."),
             commit: bool = typer.Option(False, "--commit", help="Change the device (default: show the plan)."),
             repo: Path = REPO, author: str | None = AUTHOR, reason: str | None = REASON) -> None:
    """Restore a device to a backup revision; with --commit, the result is committed as netops's change."""
    st = state(ctx)
    inv = st.inventory()
    res, rp = jobs.rollback(inv, name, BackupRepo(repo), to, commit, operator=Operator.current(author, reason))
    if st.json:
        emit_json({"device": name, "status": res.status, "message": res.message, "diff": res.diff,
                   "skipped": rp.skipped})
    else:
        if res.diff:
            console.print(Syntax(res.diff, "diff", theme="ansi_dark"))
        for line in rp.skipped:
            console.print(f"[yellow]not restorable:[/] {escape(line)}")
        console.print(f"{name}: [{STATUS_STYLE.get(res.status, '')}]{res.status}[/] {escape(res.message)}"
                      + ("" if commit else "  (dry run; add --commit)"))
    raise typer.Exit(0 if res.ok else 1)


@app.command("mask")
@handle_errors
def mask_(ctx: typer.Context, file: Path = typer.Argument(..., help="A saved config (show running-config, "
                                                                     "display current-configuration, /export)."),
          platform: str = PlatformOpt, json_: bool = Json) -> None:
    """Print a config file with every secret masked (keyed tokens). Contacts no device."""
    text = mask_file(file, get_platform(platform))
    if state(ctx).json or json_:
        emit_json({"file": str(file), "platform": platform, "masked": text})
    else:
        console.out(text, end="", highlight=False)


@app.command()
@handle_errors
def compare(ctx: typer.Context, running: Path = typer.Argument(..., help="The config the device has."),
            intended: Path = typer.Argument(..., help="The config it should have."),
            platform: str = PlatformOpt, json_: bool = Json) -> None:
    """Diff two config files as netops would push: the diff, the commands, and the commands
    that would restore RUNNING afterwards (all masked). Contacts no device.

    Exit code 0: nothing to change; 1: they differ.
    """
    cmp = compare_files(running, intended, get_platform(platform))
    if state(ctx).json or json_:
        emit_json({"running": str(running), "intended": str(intended), "platform": platform, **cmp.as_dict()})
    else:
        if cmp.empty:
            console.print("no difference")
        else:
            console.print(Syntax(cmp.diff, "diff", theme="ansi_dark"))
            console.print("[bold]commands to push:[/]")
            console.out("\n".join(cmp.commands) or "(none)", highlight=False)
            console.print("[bold]commands to restore RUNNING afterwards:[/]")
            console.out("\n".join(cmp.restore) or "(none)", highlight=False)
        for line in cmp.unverifiable:
            console.print(f"[yellow]not verifiable (never shown, or shown encrypted):[/] {escape(line)}")
        for line in cmp.not_restorable:
            console.print(f"[yellow]not restorable:[/] {escape(line)}")
    raise typer.Exit(0 if cmp.empty else 1)


AUDIT_FORMATS = ("table", "html", "csv", "json")
STATE_STYLE = {DeviceState.COMPLIANT: "green", DeviceState.DRIFTED: "yellow", DeviceState.NONCOMPLIANT: "red",
               DeviceState.UNREACHABLE: "bold red"}


@app.command("audit")
@handle_errors
def audit_(ctx: typer.Context, where: list[str] | None = WHERE,
           fmt: str = typer.Option("table", "--format", help="table, html, csv or json."),
           out: Path = typer.Option(Path("reports"), "--out", help="Folder for the html and csv files."),
           lang: str = typer.Option("id", "--lang", help="Report language: id (Bahasa Indonesia) or en."),
           rules: Path | None = typer.Option(None, "--rules", help="Folder of compliance/*.yaml rules files "
                                             "(default: ./compliance, else the rules shipped with netops)."),
           feature: list[str] | None = Features, templates: Path | None = TEMPLATES, repo: Path = REPO,
           workers: int = WORKERS) -> None:
    """Each device against its templates and the security rules: compliant, drifted, non-compliant or
    unreachable; per kecamatan and platform; every finding with its masked lines. The result is
    written to <repo>/audit.json for the exporter.

    Exit code 0: every device compliant; 1: findings or unreachable devices; 2: bad rules files.
    """
    from netops.report import write_report
    from netops.report.compliance import compliance_report
    from netops.report.i18n import Messages

    st = state(ctx)
    if fmt not in AUDIT_FORMATS:
        raise typer.BadParameter(f"--format {fmt!r}: use one of {', '.join(AUDIT_FORMATS)}")
    Messages(lang)  # a bad --lang fails before any device is read
    rules_dir = rules or default_rules_dir()
    loaded = load_rules(rules_dir)  # every problem with file:line, before anything is read
    inv = st.inventory()
    names = device_names(ctx, where)
    with progress("audit", st.json or fmt == "json") as cb:
        result = run_audit(inv, names, loaded, feature or DEFAULT_FEATURES, TemplateSet(templates), workers, cb)
    state_file = write_state(result, repo)
    if st.json or fmt == "json":
        emit_json(result.as_dict())
    elif fmt in ("html", "csv"):
        report = compliance_report(inv, result, lang, where, str(rules_dir))
        for path in write_report(report, [fmt], out):
            console.print(f"wrote {path}")
    else:
        _audit_tables(result)
    if not (st.json or fmt == "json"):
        console.print(f"state: {state_file}")
    raise typer.Exit(0 if result.clean else 1)


def _audit_tables(result: AuditReport) -> None:
    for key in ("kecamatan", "platform"):
        console.print(table(f"compliance per {key}", [key, "devices", "compliant", "drifted", "non-compliant",
                                                      "unreachable", "% compliant"],
                            ((g.name, g.devices, g.compliant, g.drifted, g.noncompliant, g.unreachable,
                              f"{g.pct:.1f}") for g in [*result.summary(key), result.total()])))
    t = table("devices", ["device", "platform", "kecamatan", "state", "drift lines", "findings", "message"], [])
    for d in result.devices:
        t.add_row(d.device, d.platform, d.kecamatan, f"[{STATE_STYLE[d.state]}]{d.state.value}[/]",
                  str(d.drift_lines or ""), str(len(d.findings) or ""), escape(d.error))
    console.print(t)
    if result.findings:
        f = table("findings", ["device", "rule", "severity", "finding", "lines (masked)"], [])
        for x in result.findings:
            f.add_row(x.device, x.rule, x.severity, escape(x.message), escape("\n".join(x.lines)))
        console.print(f)
