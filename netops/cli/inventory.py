"""netops inventory: validate, list, show, tree, export, import."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.tree import Tree

from netops.cli.options import WHERE
from netops.cli.output import console, emit_json, err_console, handle_errors, state, table
from netops.errors import BadInput
from netops.inventory import Inventory, InventoryInvalid, Site, Tier, load_inventory, select
from netops.inventory.exchange import export_csv, export_geojson
from netops.inventory.loader import InventoryNotFound
from netops.inventory.query import device_facts, link_facts, site_facts
from netops.inventory.spreadsheet import import_sheet
from netops.inventory.topology import site_tree

app = typer.Typer(help="The source of truth: sites, links and devices.", no_args_is_help=True)



class Kind(StrEnum):
    devices = "devices"
    sites = "sites"
    links = "links"


class ExportFormat(StrEnum):
    csv = "csv"
    geojson = "geojson"


STATUS_STYLE = {"active": "green", "planned": "cyan", "down": "red", "decommissioned": "dim", "none": "yellow"}


@app.command()
@handle_errors
def validate(ctx: typer.Context) -> None:
    """Check every file; print all errors and warnings with file and line. Exit 2 if invalid."""
    st = state(ctx)
    try:
        inv = load_inventory(st.inventory_path)
    except InventoryNotFound as exc:
        if st.json:
            emit_json({"valid": False, "errors": [{"file": str(st.inventory_path), "line": 0, "field": "--inventory",
                                                   "message": str(exc), "severity": "error"}], "warnings": []})
            raise typer.Exit(exc.exit_code) from None
        raise
    except InventoryInvalid as exc:
        if st.json:
            emit_json({"valid": False, "errors": [_problem(p) for p in exc.errors],
                       "warnings": [_problem(p) for p in exc.warnings]})
            raise typer.Exit(exc.exit_code) from None
        for p in exc.warnings:
            err_console.print(f"[yellow]warning[/] {escape(str(p))}")
        raise
    counts = {"sites": len(inv.sites), "devices": len(inv.devices), "links": len(inv.links)}
    tiers = {t.value: 0 for t in Tier}
    for site in inv.sites.values():
        tiers[site.tier.value] += 1
    if st.json:
        emit_json({"valid": True, "errors": [], "warnings": [_problem(p) for p in inv.warnings], "counts": counts,
                   "tiers": tiers})
        return
    for p in inv.warnings:
        err_console.print(f"[yellow]warning[/] {escape(str(p))}")
    by_tier = ", ".join(f"{n} {t}" for t, n in tiers.items() if n)
    console.print(f"[green]valid:[/] {escape(inv.regency.name)}: {counts['sites']} sites ({by_tier}), "
                  f"{counts['devices']} devices, {counts['links']} links, {len(inv.warnings)} warnings")


def _problem(p: Any) -> dict[str, Any]:
    return {"file": p.where.file, "line": p.where.line, "field": p.field, "message": p.message,
            "severity": p.severity}


@app.command("list")
@handle_errors
def list_(ctx: typer.Context, kind: Kind = typer.Argument(Kind.devices), where: list[str] | None = WHERE) -> None:
    """List devices, sites or links matching the filters."""
    st = state(ctx)
    inv = st.inventory()
    records = select(inv, kind.value, where)
    if kind is Kind.devices:
        rows = [device_facts(inv, d) for d in records]
        cols = ["name", "site", "tier", "kecamatan", "platform", "role", "mgmt", "medium", "status"]
    elif kind is Kind.sites:
        rows = [site_facts(inv, s) for s in records]
        cols = ["site", "name", "tier", "kecamatan", "code", "parent", "medium", "status"]
    else:
        rows = [link_facts(inv, lk) | {"bandwidth_mbps": lk.bandwidth_mbps, "sla": lk.sla} for lk in records]
        cols = ["link", "medium", "provider", "status", "circuit", "site", "bandwidth_mbps", "sla"]
    if st.json:
        emit_json(rows)
        return
    console.print(table(None, cols, ([_cell(r[c]) for c in cols] for r in rows)))
    console.print(f"{len(rows)} {kind.value}")


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


@app.command()
@handle_errors
def show(ctx: typer.Context, name: str = typer.Argument(..., help="Device name, site id or link id.")) -> None:
    """Everything the inventory knows about one device, site or link."""
    st = state(ctx)
    inv = st.inventory()
    if name in inv.devices:
        dev = inv.devices[name]
        data: dict[str, Any] = {"kind": "device", **dev.model_dump(mode="json"),
                                "site": inv.sites[dev.site].model_dump(mode="json"),
                                "links": [lk.model_dump(mode="json") for lk in inv.links_by_device.get(name, [])]}
        creds = inv.credentials_for(dev)
        data["credentials"] = dev.credentials or inv.regency.default_credentials
        data["username"] = creds.username if creds else None
        data["snmp"] = dev.snmp or inv.regency.default_snmp if dev.monitor == "snmp" else None
    elif name in inv.sites:
        site = inv.sites[name]
        data = {"kind": "site", **site.model_dump(mode="json"),
                "devices": [d.name for d in inv.devices_by_site.get(name, [])],
                "links": [lk.model_dump(mode="json") for lk in inv.links_by_site.get(name, [])],
                "children": [s.id for s in inv.children.get(name, [])]}
    elif name in inv.links:
        data = {"kind": "link", **inv.links[name].model_dump(mode="json")}
    else:
        raise BadInput(f"no device, site or link named {name!r}; try 'netops inventory list' to see names")
    kind = data["kind"]
    where = inv.where({"device": "devices", "site": "sites", "link": "links"}[kind], name)
    data["defined_at"] = str(where) if where else None
    if st.json:
        emit_json(data)
        return
    console.print(f"[bold]{kind} {escape(name)}[/]  ({data['defined_at']})")
    for key, value in data.items():
        if key in ("kind", "defined_at"):
            continue
        if isinstance(value, list) and value and isinstance(value[0], dict):
            console.print(f"  {key}:")
            for item in value:
                console.print(f"    - {escape(_flat(item))}")
        elif isinstance(value, dict):
            console.print(f"  {key}: {escape(_flat(value))}")
        else:
            console.print(f"  {key}: {escape(_cell(value))}")


def _flat(d: dict[str, Any]) -> str:
    parts = []
    for k, v in d.items():
        if v is None or v == []:
            continue
        parts.append(f"{k}={_flat(v) if isinstance(v, dict) else _cell(v)}")
    return " ".join(parts)


def _label(inv: Inventory, site: Site) -> str:
    ups = inv.uplinks(site.id)
    if ups:
        up = ups[0]
        style = STATUS_STYLE[up.status.value]
        link = f"[{style}]{up.medium.value} {up.status.value}[/]"
        extra = [f"{u.medium.value} {u.status.value}" for u in ups[1:]]
        if extra:
            link += f" [dim](+ {', '.join(extra)})[/]"
    elif site.tier is Tier.datacenter:
        link = ""
    else:
        link = "[yellow]no link[/]"
    return f"{escape(site.name)} [dim]{site.id}[/] {link}".rstrip()


@app.command()
@handle_errors
def tree(ctx: typer.Context, where: list[str] | None = WHERE) -> None:
    """Data center → OPD / kecamatan → desa, each with its uplink medium and status."""
    st = state(ctx)
    inv = st.inventory()
    chosen = select(inv, "sites", where)
    data = site_tree(inv, chosen)
    if st.json:
        emit_json(data)
        return

    def add(branch: Tree, item: dict[str, Any]) -> None:
        sub = branch.add(_label(inv, inv.sites[item["id"]]))
        for child in item["children"]:
            add(sub, child)

    for root_item in data:
        t = Tree(f"[bold]{_label(inv, inv.sites[root_item['id']])}[/]")
        for child in root_item["children"]:
            add(t, child)
        console.print(t)
    console.print(f"{len(chosen)} sites matched")


@app.command()
@handle_errors
def export(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f", help="csv (spreadsheets) or geojson (QGIS)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write here instead of stdout."),
    where: list[str] | None = WHERE,
) -> None:
    """Sites and their links as CSV (one row per site and uplink) or GeoJSON."""
    inv = state(ctx).inventory()
    sites = select(inv, "sites", where)
    text = export_csv(inv, sites) if fmt is ExportFormat.csv else json.dumps(
        export_geojson(inv, sites), ensure_ascii=False, indent=1) + "\n"
    if out is None:
        console.out(text, end="")
    else:
        # a BOM so that Excel reads accented names as UTF-8 ('import' reads it back)
        out.write_text(text, encoding="utf-8-sig" if fmt is ExportFormat.csv else "utf-8")
        err_console.print(f"wrote {out}")


@app.command("import")
@handle_errors
def import_(
    ctx: typer.Context,
    csv_file: Path = typer.Argument(..., help="CSV (',' or ';', UTF-8 or Windows-1252) or .xlsx with the columns "
                                              "'export' writes."),
    out: Path | None = typer.Option(None, "--out", "-o", help="YAML file to write (default: INVENTORY/imported.yaml)."),
    force: bool = typer.Option(False, "--force", help="Overwrite --out if it exists."),
) -> None:
    """Turn a planner's spreadsheet of sites and links into inventory YAML, checked before writing."""
    st = state(ctx)
    root = st.inventory_path
    target = out or (root / "imported.yaml" if root.is_dir() else root.with_name("imported.yaml"))
    res = import_sheet(csv_file, root, target, force=force)
    for w in res.warnings:
        err_console.print(f"[yellow]warning[/] {escape(w)}")
    if st.json:
        emit_json({"written": str(res.written) if res.written else None, "sites": res.sites, "links": res.links,
                   "unchanged_sites": res.unchanged_sites, "unchanged_links": res.unchanged_links,
                   "warnings": res.warnings})
    elif res.written is None:
        console.print(f"nothing new: {res.unchanged_sites} sites and {res.unchanged_links} links are already in "
                      "the inventory, unchanged; nothing written")
    else:
        console.print(f"[green]wrote[/] {escape(str(res.written))}: {res.sites} sites, {res.links} links; "
                      f"the inventory validates ({res.unchanged_sites} sites and {res.unchanged_links} links "
                      "were already there, unchanged)")
