"""netops facts: collect (napalm through Nornir), show, versions."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from netops.cli.options import WHERE
from netops.cli.output import console, emit_json, handle_errors, state, table
from netops.facts.collect import collect as collect_facts
from netops.facts.fleet import versions as fleet_versions
from netops.facts.models import CollectStatus, FactsError
from netops.facts.store import DEFAULT_REPO, FactsRepo
from netops.inventory import select

app = typer.Typer(help="Device facts (model, serial, OS version, interfaces, neighbours) read from the devices.",
                  no_args_is_help=True)

Repo = typer.Option(DEFAULT_REPO, "--repo", envvar="NETOPS_FACTS", help="Facts git repository (created if missing).")
STYLE = {CollectStatus.ok: "green", CollectStatus.failed: "red", CollectStatus.no_driver: "cyan"}
PARTIAL = 3


@app.command()
@handle_errors
def collect(ctx: typer.Context, where: list[str] | None = WHERE, repo: Path = Repo,
            workers: int = typer.Option(30, "--workers", help="Devices read in parallel.")) -> None:
    """Read facts from every selected device and commit them (exit 3 if some did not answer)."""
    st = state(ctx)
    inv = st.inventory()
    names = [d.name for d in select(inv, "devices", where)]
    results = collect_facts(inv, names, workers)
    commit = FactsRepo(repo).store(results)
    failed = [r for r in results if r.status is CollectStatus.failed]
    if st.json:
        emit_json({"commit": commit, "devices": [r.model_dump(mode="json", exclude={"facts"}) for r in results]})
    else:
        rows = [(r.name, r.platform, f"[{STYLE[r.status]}]{r.status.value}[/]", r.via,
                 r.facts.os_version if r.facts else "", r.facts.serial if r.facts else "", escape(r.reason))
                for r in results]
        t = table("facts", ["device", "platform", "result", "via", "os", "serial", "reason"], [])
        for row in rows:
            t.add_row(*(str(c) for c in row))
        console.print(t)
        counts = {s: sum(1 for r in results if r.status is s) for s in CollectStatus}
        console.print(f"{len(results)} devices: " + ", ".join(f"{n} {s.value}" for s, n in counts.items() if n)
                      + f"; facts commit {commit or 'none (nothing changed)'} in {repo}")
    if failed:
        raise typer.Exit(PARTIAL)


@app.command()
@handle_errors
def show(ctx: typer.Context, name: str = typer.Argument(..., help="Device name."), repo: Path = Repo) -> None:
    """Everything the store holds about one device, with when each fact was seen."""
    st = state(ctx)
    stored = FactsRepo(repo).load(name)
    if stored is None:
        raise FactsError(f"no facts for {name!r} in {repo}; run 'netops facts collect --where name={name}'")
    f = stored.facts
    if st.json:
        emit_json({"device": stored.device, "platform": stored.platform, "via": stored.via,
                   "collected": stored.collected, "facts": f.model_dump(mode="json"), "seen": stored.seen})
        return
    console.print(f"[bold]{escape(name)}[/] ({stored.platform}, {stored.via}), read {stored.collected}")
    scalars = [(k, getattr(f, k), stored.seen.get(k, "")) for k in
               ("hostname", "vendor", "model", "serial", "os_version", "uptime_s")]
    console.print(table(None, ["fact", "value", "seen since"], scalars))
    console.print(table("interfaces", ["name", "up", "enabled", "mac", "speed", "addresses", "description"],
                        [(n, "yes" if i.up else "no", "yes" if i.enabled else "no", i.mac,
                          "" if i.speed_mbps < 0 else f"{i.speed_mbps:g}", ", ".join(i.addresses), i.description)
                         for n, i in f.interfaces.items()]))
    if f.neighbours:
        console.print(table("neighbours", ["interface", "neighbour", "port"],
                            [(n.interface, n.name, n.port) for n in f.neighbours]))


@app.command()
@handle_errors
def versions(ctx: typer.Context, where: list[str] | None = WHERE, repo: Path = Repo,
             below: str | None = typer.Option(None, "--below", help="Only versions lower than this (e.g. 7.15); "
                                              "use with --where platform=... to compare one OS.")) -> None:
    """Fleet table: OS version -> how many devices and which."""
    st = state(ctx)
    inv = st.inventory()
    names = [d.name for d in select(inv, "devices", where)]
    stored = FactsRepo(repo).load_all()
    rows = fleet_versions(stored, names, below)
    if st.json:
        emit_json([{"platform": r.platform, "os_version": r.os_version, "count": len(r.devices), "devices": r.devices}
                   for r in rows])
        return
    console.print(table("OS versions" + (f" below {below}" if below else ""), ["platform", "version", "count", "devices"],
                        [(r.platform, r.os_version, len(r.devices), ", ".join(r.devices)) for r in rows]))
    missing = [n for n in names if n not in stored]
    if missing:
        console.print(f"{len(missing)} selected devices have no facts yet (e.g. {', '.join(missing[:3])}); "
                      "run 'netops facts collect'")
