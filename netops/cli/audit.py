"""netops inventory audit: the inventory against the facts the devices gave (file:line per finding)."""

from __future__ import annotations

import csv
import io
from enum import StrEnum
from pathlib import Path

import typer

from netops.cli.options import WHERE
from netops.cli.output import console, emit_json, err_console, handle_errors, state, table
from netops.facts.audit import audit as run_audit
from netops.facts.audit import write_missing
from netops.facts.store import DEFAULT_REPO, FactsRepo
from netops.inventory import select


class Format(StrEnum):
    table = "table"
    csv = "csv"


@handle_errors
def audit(
    ctx: typer.Context,
    where: list[str] | None = WHERE,
    repo: Path = typer.Option(DEFAULT_REPO, "--repo", envvar="NETOPS_FACTS", help="Facts git repository."),
    fmt: Format = typer.Option(Format.table, "--format", help="table or csv (--json for JSON)."),
    write: bool = typer.Option(False, "--write", help="Record models and serials the inventory lacks in its YAML "
                               "(comments and order kept)."),
) -> None:
    """Reconcile the inventory with collected facts; exit 1 when there are findings."""
    st = state(ctx)
    inv = st.inventory()
    names = [d.name for d in select(inv, "devices", where)]
    facts = FactsRepo(repo).load_all()
    findings = run_audit(inv, facts, names)
    written = write_missing(inv, findings) if write else []
    if written:
        done = set(written)
        findings = [f for f in findings if f"{f.device}.{f.kind.value.split('-')[0]}" not in done]
    without = [n for n in names if n not in facts]
    if st.json:
        emit_json({"findings": [f.as_dict() for f in findings], "written": written, "without_facts": without})
    elif fmt is Format.csv:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["kind", "device", "where", "message", "value"])
        for f in findings:
            w.writerow([f.kind.value, f.device, f.where, f.message, f.value])
        console.out(buf.getvalue(), end="")
    else:
        console.print(table("inventory audit", ["where", "device", "finding", "detail"],
                            [(f.where, f.device, f.kind.value, f.message) for f in findings]))
        console.print(f"{len(findings)} findings over {len(names) - len(without)} devices with facts"
                      + (f"; {len(without)} without facts (run 'netops facts collect')" if without else ""))
    if written:
        err_console.print(f"recorded {len(written)} values in the inventory: {', '.join(written[:8])}"
                          f"{'…' if len(written) > 8 else ''}")
    if findings:
        raise typer.Exit(1)
