"""netops run: the same exec-mode command(s) on many routers, output per device (read-only unless --commit)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.rule import Rule

from netops.cli.options import WHERE, WORKERS, device_names, progress, report_json, results_table
from netops.cli.output import console, emit_json, handle_errors, state
from netops.config import jobs
from netops.errors import BadInput


@handle_errors
def run(ctx: typer.Context,
        command: list[str] = typer.Argument(..., help="Command(s), each one argument: 'show version' '/ip address print'."),
        where: list[str] | None = WHERE,
        commit: bool = typer.Option(False, "--commit",
                                    help="Also send commands that are not read-only on a platform (show, print, ping)."),
        workers: int = WORKERS) -> None:
    """Run command(s) on every selected router; show what each printed (masked).

    Without --commit only read-only commands go out (show, display, print,
    export, ping: the platform table's read_only patterns); any other command
    stops the run before a device is contacted. Exit code 0 when every
    device answered without error.
    """
    st = state(ctx)
    inv = st.inventory()
    names = device_names(ctx, where)
    routers = jobs.targets(inv, names)
    if not routers:
        raise BadInput(f"no router netops logs into matches the selection ({len(names)} device(s), none "
                          "managed: VSAT modems and Linux hosts are not); widen --where")
    with progress("run", st.json) as cb:
        report = jobs.run_commands(inv, routers, list(command), commit, workers, cb)
    if st.json:
        emit_json(report_json(report, with_output=True))
    else:
        for r in report.results:
            console.print(Rule(f"{r.device} ({r.platform})", align="left"))
            console.print(escape(r.output) if r.output else f"[red]{escape(r.message)}[/]")
        results_table(f"run: {len(command)} command{'s' if len(command) != 1 else ''}", report)
    raise typer.Exit(0 if report.ok else 1)
