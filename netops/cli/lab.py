"""netops lab: up, status, down, impair, fault — a simulated network for the inventory."""

from __future__ import annotations

from pathlib import Path

import typer

from netops.cli.options import WHERE
from netops.cli.output import console, emit_json, handle_errors, state, table
from netops.lab import Lab, teardown
from netops.lab import impair as lab_impair
from netops.lab import status as lab_status
from netops.lab.faults import Fault
from netops.lab.faults import clear as clear_faults
from netops.lab.faults import plant as plant_fault

app = typer.Typer(help="A simulated network for the inventory: SSH devices, SNMP agents, FRR, VSAT latency.",
                  no_args_is_help=True)

Workdir = typer.Option(Path("lab-run"), "--workdir", "-d", envvar="NETOPS_LAB_DIR",
                       help="Where the lab keeps its inventory, secrets, logs and state.")


@app.command()
@handle_errors
def up(
    ctx: typer.Context,
    where: list[str] | None = WHERE,
    workdir: Path = Workdir,
    base: str = typer.Option("127.100.0.0", "--base", help="First loopback address; devices get base+1, base+2, …"),
    vsat_delay: float = typer.Option(300, "--vsat-delay", help="One-way delay of VSAT links, ms."),
    vsat_loss: float = typer.Option(1.0, "--vsat-loss", help="Probe loss on VSAT links, percent."),
    vsat_jitter: float = typer.Option(15, "--vsat-jitter", help="Jitter of VSAT links (+/- ms, one way)."),
    syslog: str | None = typer.Option(None, "--syslog", help="HOST:PORT the simulated routers send their "
                                      "config-change syslog lines to (e.g. 'netops monitor serve --syslog')."),
) -> None:
    """Start the lab; its processes keep running after this command returns."""
    st = state(ctx)
    lab = Lab(st.inventory_path, workdir, where=where, base=base, vsat_delay_ms=vsat_delay, vsat_loss_pct=vsat_loss,
              vsat_jitter_ms=vsat_jitter, syslog=syslog)
    lab.up()
    info = lab.status()
    if st.json:
        emit_json(info)
        return
    n = len(info["devices"])
    console.print(f"lab up: {n} devices in {info['ready_seconds']} s, {info['rss_mb_total']} MB; "
                  f"inventory: {lab.inventory_path}")
    console.print(f"try: netops --inventory {lab.inventory_path} inventory list devices")


@app.command()
@handle_errors
def status(ctx: typer.Context, workdir: Path = Workdir) -> None:
    """Show the lab's processes and devices (address, ports, impairments)."""
    info = lab_status(workdir)
    if state(ctx).json:
        emit_json(info)
        return
    if not info["processes"]:
        console.print(f"no lab running in {info['workdir']}")
        raise typer.Exit(1)
    console.print(table("processes", ["name", "pid", "alive", "RSS MB"],
                        [(p["name"], p["pid"], "yes" if p["alive"] else "NO", p["rss_mb"]) for p in info["processes"]]))
    imp = info["impairments"]
    rows = [(n, d["platform"], d["address"], d["ssh_port"], d["snmp_port"], d.get("medium"),
             ", ".join(f"{k}={v}" for k, v in imp.get(n, {}).items()))
            for n, d in info["devices"].items()]
    console.print(table("devices", ["device", "platform", "address", "ssh", "snmp", "uplink", "impaired"], rows))
    console.print(f"total RSS {info['rss_mb_total']} MB; inventory: {info['inventory']}")


@app.command()
@handle_errors
def down(ctx: typer.Context, workdir: Path = Workdir) -> None:
    """Stop every lab process and remove its namespaces and firewall rules (safe to repeat)."""
    removed = teardown(workdir)
    if state(ctx).json:
        emit_json(removed)
        return
    console.print(f"lab down: stopped {len(removed['processes'])} processes, "
                  f"removed {len(removed['netns'])} namespaces and {len(removed['nft_tables'])} nft tables")


@app.command()
@handle_errors
def impair(
    ctx: typer.Context,
    target: list[str] = typer.Argument(..., help="Device names, site ids (every device there) or link ids (every "
                                             "device behind the link: a cut); all change at once."),
    loss: float | None = typer.Option(None, "--loss", help="Loss in percent (0 restores none)."),
    down: bool | None = typer.Option(None, "--down/--up", help="Make unreachable, or reachable again."),
    delay: float | None = typer.Option(None, "--delay", help="One-way delay in ms."),
    workdir: Path = Workdir,
) -> None:
    """Change loss, delay or reachability live, e.g. 'netops lab impair desa-x --loss 30', 'lab impair fo-kec-x --down'."""
    hit = lab_impair(workdir, target, loss_pct=loss, down=down, delay_ms=delay)
    if state(ctx).json:
        emit_json({"devices": hit})
        return
    console.print(f"impaired {', '.join(hit)}")


@app.command()
@handle_errors
def fault(
    ctx: typer.Context,
    kind: Fault = typer.Argument(..., help="swap, cable, serial, version, api-closed, api-broken, fast-clock."),
    args: list[str] = typer.Argument(None, help="swap A B | cable DEV FROM TO | serial DEV S | version DEV V | "
                                     "api-closed DEV | api-broken DEV | fast-clock DEV SECONDS"),
    clear: bool = typer.Option(False, "--clear", help="Remove every planted fault (KIND is ignored)."),
    workdir: Path = Workdir,
) -> None:
    """Plant a fault for 'inventory audit' to find, live (e.g. 'netops lab fault swap desa-a-r1 desa-b-r1')."""
    if clear:
        clear_faults(workdir)
        planted: dict[str, object] = {}
    else:
        planted = plant_fault(workdir, kind, list(args or []))
    if state(ctx).json:
        emit_json(planted)
        return
    console.print("faults planted: " + (", ".join(f"{k}={v}" for k, v in planted.items()) or "none"))
