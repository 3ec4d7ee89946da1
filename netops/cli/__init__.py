"""The netops command line: a thin typer layer over the packages."""

from __future__ import annotations

from pathlib import Path

import typer

from netops import __version__
from netops.cli.audit import audit as audit_command
from netops.cli.config import app as config_app
from netops.cli.facts import app as facts_app
from netops.cli.inventory import app as inventory_app
from netops.cli.lab import app as lab_app
from netops.cli.maintenance import app as maintenance_app
from netops.cli.monitor import app as monitor_app
from netops.cli.output import State
from netops.cli.play import play as play_command
from netops.cli.report import app as report_app
from netops.cli.run import run as run_command

app = typer.Typer(
    name="netops",
    help="Network operations for regency intranets: inventory, config, monitoring, reports.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
inventory_app.command("audit")(audit_command)
app.add_typer(inventory_app, name="inventory")
app.add_typer(facts_app, name="facts")
app.add_typer(lab_app, name="lab")
app.add_typer(config_app, name="config")
app.command("play")(play_command)
app.command("run")(run_command)
app.add_typer(monitor_app, name="monitor")
app.add_typer(report_app, name="report")
app.add_typer(maintenance_app, name="maintenance")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"netops {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    inventory: Path = typer.Option(
        Path("inventory"), "--inventory", "-i", envvar="NETOPS_INVENTORY",
        help="Inventory directory (or one YAML file).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Machine-readable JSON on stdout."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    ctx.obj = State(inventory_path=inventory, json=json_output)


def main() -> None:
    app()
