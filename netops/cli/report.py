"""netops report: coverage, uptime and plan reports for planners (HTML, Markdown, CSV, GeoJSON, PNG, PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from netops.cli.options import WHERE
from netops.cli.output import console, emit_json, err_console, handle_errors, state

if TYPE_CHECKING:
    from netops.report.model import Report

app = typer.Typer(
    help="Reports for planners: coverage (inventory), uptime/SLA (Prometheus), fiber plan. "
         "Exit 0 = written; 2 = bad options or inventory; 3 = written without the Prometheus part "
         "(Prometheus unreachable).",
    no_args_is_help=True,
)

FORMAT_HELP = "html, md, csv, geojson, png, pdf or all (default); repeat or comma-separate."
DEFAULT_OUT = Path("reports")


def _run(ctx: typer.Context, kind: str, where: list[str] | None, period: str, at: str | None,
         prometheus: str | None, formats: list[str] | None, out: Path, lang: str, interval: float | None,
         budget: str | None = None, stages: int = 1, boundaries: Path | None = None) -> None:
    # imported here: the report package (scipy, shapely) costs 0.6 s at every start of the CLI
    from netops.report import ReportOptions, build_report, parse_formats, parse_time, write_report
    from netops.report.growth import parse_rupiah

    st = state(ctx)
    budget_rp = parse_rupiah(budget) if budget is not None else None
    inv = st.inventory()
    fmts = parse_formats(formats)
    opts = ReportOptions(where=list(where or []), period=period, at=parse_time(at) if at else None,
                         prometheus=prometheus, interval_s=interval, lang=lang, budget_rp=budget_rp, stages=stages,
                         boundaries=boundaries)
    report = build_report(inv, kind, opts)
    asked_all = formats is None or any(part.strip().lower() == "all" for f in formats for part in f.split(","))
    if asked_all and "pdf" in fmts:
        from netops.report.render.pdf import find_chromium

        if find_chromium() is None:
            fmts.remove("pdf")
            err_console.print("[yellow]note:[/] no Chromium found, so no PDF (install Debian 'chromium')")
    written = write_report(report, fmts, out)
    for alert in report.alerts:
        err_console.print(f"[red]warning:[/] {escape(alert)}")
    if st.json:
        emit_json(_as_json(report, written))
    else:
        console.print(f"[bold]{escape(report.title)}[/]")
        for line in _summary(report):
            if line not in report.alerts:
                console.print(f"  {escape(line)}")
        console.print(f"wrote {len(written)} files to {out}/:")
        for p in written:
            console.print(f"  {p}")
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def _summary(report: Report) -> list[str]:
    out = list(report.alerts)
    for s in report.sections:
        if s.text and s.id in ("coverage", "uptime", "plan", "growth", "capacity", "alerts"):
            out.extend(s.text[:-1] if s.id == "growth" else s.text[:1])
    return out


def _as_json(report: Report, written: list[Path]) -> dict[str, object]:
    return {
        "kind": report.kind, "title": report.title, "lang": report.lang, "exit_code": report.exit_code,
        "alerts": report.alerts, "files": [str(p) for p in written],
        "tables": {t.id: {"rows": t.rows, "total": t.total, "queries": t.queries} for t in report.tables()},
        "queries": [{"purpose": p, "query": q, "time": t} for p, q, t in report.queries],
    }




Period = typer.Option("30d", "--period", "-p", help="Period ending at --at: 30d, 7d, 24h (PromQL duration).")
At = typer.Option(None, "--at", help="End of the period: unix seconds or ISO 8601 (default: now).")
Prom = typer.Option(None, "--prometheus", envvar="NETOPS_PROMETHEUS", help="Prometheus base URL, e.g. http://127.0.0.1:9090.")
LOCAL_PROMETHEUS = "http://127.0.0.1:9090"
"""what the reports that need Prometheus ask when neither --prometheus nor NETOPS_PROMETHEUS names one"""
Format = typer.Option(None, "--format", "-f", help=FORMAT_HELP)
Out = typer.Option(DEFAULT_OUT, "--out", "-o", help="Directory for the files.")
Lang = typer.Option("id", "--lang", help="id (Bahasa Indonesia, default) or en.")
Interval = typer.Option(None, "--interval", help="Scrape interval in seconds (default: inferred from the data).")
Bounds = typer.Option(None, "--boundaries", help="GeoJSON of regency/kecamatan/desa polygons for the maps "
                      "(default: the inventory's regency.boundaries).")


@app.command()
@handle_errors
def coverage(ctx: typer.Context, where: list[str] | None = WHERE, fmt: list[str] | None = Format,
             out: Path = Out, lang: str = Lang, boundaries: Path | None = Bounds) -> None:
    """Desa connected by fiber / VSAT / other, down, planned, not connected; by kecamatan and provider."""
    _run(ctx, "coverage", where, "30d", None, None, fmt, out, lang, None, boundaries=boundaries)


@app.command()
@handle_errors
def uptime(ctx: typer.Context, where: list[str] | None = WHERE, period: str = Period, at: str | None = At,
           prometheus: str | None = Prom, fmt: list[str] | None = Format, out: Path = Out,
           lang: str = Lang, interval: float | None = Interval, boundaries: Path | None = Bounds) -> None:
    """Availability, SLA breaches, downtime, worst links and VSAT RTT/loss from Prometheus (plus coverage)."""
    _run(ctx, "uptime", where, period, at, prometheus or LOCAL_PROMETHEUS, fmt, out, lang, interval, boundaries=boundaries)


@app.command()
@handle_errors
def capacity(ctx: typer.Context, where: list[str] | None = WHERE, period: str = Period, at: str | None = At,
             prometheus: str | None = Prom, fmt: list[str] | None = Format, out: Path = Out,
             lang: str = Lang, boundaries: Path | None = Bounds) -> None:
    """p95 and peak of 5-minute traffic per link against committed bandwidth; upgrades; saturated VSAT."""
    _run(ctx, "capacity", where, period, at, prometheus or LOCAL_PROMETHEUS, fmt, out, lang, None, boundaries=boundaries)


@app.command()
@handle_errors
def plan(ctx: typer.Context, where: list[str] | None = WHERE, period: str = Period, at: str | None = At,
         prometheus: str | None = Prom, fmt: list[str] | None = Format, out: Path = Out,
         lang: str = Lang, interval: float | None = Interval,
         budget: str | None = typer.Option(None, "--budget", help="Rupiah per stage: 5000000000, 5e9, 750jt, 5M."),
         stages: int = typer.Option(1, "--stages", help="Number of budget stages (years), each of --budget."),
         boundaries: Path | None = Bounds) -> None:
    """Fiber growth plan (tree from today's fiber, costs in Rupiah, budget stages), distance ranking, planned links."""
    _run(ctx, "plan", where, period, at, prometheus, fmt, out, lang, interval, budget, stages, boundaries)


@app.command()
@handle_errors
def alerts(ctx: typer.Context, where: list[str] | None = WHERE, period: str = Period, at: str | None = At,
           prometheus: str | None = Prom, fmt: list[str] | None = Format, out: Path = Out,
           lang: str = Lang, interval: float | None = Interval) -> None:
    """Alert history from Prometheus' ALERTS: incidents per kecamatan and provider, time to recover, worst sites."""
    _run(ctx, "alerts", where, period, at, prometheus or LOCAL_PROMETHEUS, fmt, out, lang, interval)
