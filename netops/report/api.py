"""Build a report from the inventory (and Prometheus) and write it in the chosen formats."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netops.errors import FilterError
from netops.inventory import Inventory, Link, Medium, Site, select
from netops.report import build
from netops.report.alerts import alert_sections, incidents
from netops.report.coverage import coverage
from netops.report.i18n import Messages
from netops.report.model import Report, Section
from netops.report.plan import plan
from netops.report.prom import PromClient, PrometheusUnavailable, ReportError, parse_duration, parse_time
from netops.report.uptime import infer_interval, link_uptime, uptime, vsat_perf

KINDS = ("coverage", "uptime", "plan", "alerts")
FORMATS = ("html", "md", "csv", "geojson", "png", "pdf")
EXIT_PROMETHEUS = PrometheusUnavailable.exit_code


@dataclass
class ReportOptions:
    where: list[str] = field(default_factory=list)
    period: str = "30d"
    at: float | None = None
    """Evaluation (end) time, unix seconds; None = now."""
    prometheus: str | None = None
    interval_s: float | None = None
    lang: str = "id"
    timeout: float = 30.0


def parse_formats(values: Iterable[str] | None) -> list[str]:
    """``--format html --format md`` or ``--format html,md``; ``all`` means every format."""
    out: list[str] = []
    for value in values or ["all"]:
        for part in value.split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part == "all":
                out.extend(f for f in FORMATS if f not in out)
            elif part not in FORMATS:
                raise ReportError(f"--format {part!r}: choose from {', '.join(FORMATS)} (or all), e.g. --format html,csv")
            elif part not in out:
                out.append(part)
    return out


def _selection(inv: Inventory, where: list[str]) -> tuple[list[Site], list[Link]]:
    if not where:
        return list(inv.sites.values()), list(inv.links.values())
    sites = select(inv, "sites", where)
    try:
        links = select(inv, "links", where)
    except FilterError:  # a site-only key (code, parent): take the links into the chosen sites
        ids = {s.id for s in sites}
        links = [lk for lk in inv.links.values() if lk.b.site in ids]
    return sites, links


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@contextmanager
def _no_gc_pauses() -> Iterator[None]:
    """Reports make many small acyclic objects beside a large inventory; the cyclic collector would
    rescan that inventory again and again (more than half the time at 80,000 desa). Pause it."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def build_report(inv: Inventory, kind: str, opts: ReportOptions) -> Report:
    """The report of ``kind``; never raises for Prometheus trouble: that becomes an alert and exit code 3."""
    with _no_gc_pauses():
        return _build_report(inv, kind, opts)


def _build_report(inv: Inventory, kind: str, opts: ReportOptions) -> Report:
    if kind not in KINDS:
        raise ReportError(f"report {kind!r}: choose one of {', '.join(KINDS)}")
    m = Messages(opts.lang)
    parse_duration(opts.period)  # a bad period fails before anything runs
    at = opts.at if opts.at is not None else parse_time(None)
    sites, links = _selection(inv, opts.where)
    cov = coverage(inv, sites)
    meta = [(m("meta.regency"), f"{inv.regency.name} ({inv.regency.code})"),
            (m("meta.inventory"), str(inv.root)),
            (m("meta.generated"), _iso(parse_time(None))),
            (m("meta.filter"), " ".join(opts.where) or m("meta.none"))]
    sections: list[Section] = []
    alerts: list[str] = []
    exit_code = 0
    extra: dict[str, dict[str, Any]] = {}
    client = PromClient(opts.prometheus, timeout=opts.timeout) if opts.prometheus else None
    if kind in ("uptime", "plan", "alerts") and client is not None:
        meta.append((m("meta.period"), f"{opts.period}: {_iso(at - parse_duration(opts.period))} – {_iso(at)}"))

    def prometheus_down(exc: PrometheusUnavailable) -> None:
        nonlocal exit_code
        alerts.append(m("alert.prometheus_down", url=opts.prometheus, error=str(exc)))
        meta.append((m("meta.prometheus"), f"{opts.prometheus} — {m('meta.unreachable')}"))
        exit_code = EXIT_PROMETHEUS

    if kind == "coverage":
        sections.append(build.coverage_section(inv, cov, m))
    elif kind == "alerts":
        if client is None:
            raise ReportError("the alerts report needs --prometheus URL (or NETOPS_PROMETHEUS)")
        try:
            version = client.check()
            interval = opts.interval_s
            if interval is None:
                interval, _ = infer_interval(client, at)
            found = incidents(client, at, opts.period, interval)
            if opts.where:
                chosen = {s.id for s in sites}
                found = [i for i in found if i.site in chosen]
        except PrometheusUnavailable as exc:
            prometheus_down(exc)
            sections.append(Section("prometheus", m("h.prometheus_down"), alert=alerts[-1]))
        else:
            meta.append((m("meta.prometheus"), f"{opts.prometheus} ({version})"))
            sections.extend(alert_sections(found, m, opts.period, _iso, [q.expr for q in client.log[-1:]]))
    elif kind == "uptime":
        if client is None:
            raise ReportError("the uptime report needs --prometheus URL (or NETOPS_PROMETHEUS)")
        sections.append(build.coverage_section(inv, cov, m, detail=False))
        try:
            version = client.check()
            up = uptime(inv, links, {lk.b.site for lk in links}, client, at, opts.period, opts.interval_s,
                        filtered=bool(opts.where))
        except PrometheusUnavailable as exc:
            prometheus_down(exc)
            sections.insert(0, Section("prometheus", m("h.prometheus_down"), alert=alerts[-1]))
        else:
            meta.append((m("meta.prometheus"), f"{opts.prometheus} ({version})"))
            sections.extend(build.uptime_sections(up, m))
            for s in up.sites:
                extra.setdefault(s.site, {})["availability_pct"] = round(s.availability * 100, 4)
    else:
        uptime_by_link, vsat_by_link = {}, {}
        if client is None:
            meta.append((m("meta.prometheus"), m("meta.not_used")))
        else:
            try:
                version = client.check()
                vsat_links = [lk for lk in links if lk.medium is Medium.vsat]
                interval = opts.interval_s
                if interval is None:
                    interval, _ = infer_interval(client, at)
                rows, _, _, _ = link_uptime(inv, vsat_links, client, at, opts.period, interval)
                perf, _ = vsat_perf(inv, vsat_links, client, at, opts.period)
                uptime_by_link = {r.link.id: r for r in rows}
                vsat_by_link = {p.link.id: p for p in perf}
                meta.append((m("meta.prometheus"), f"{opts.prometheus} ({version})"))
            except PrometheusUnavailable as exc:
                prometheus_down(exc)
        pl = plan(inv, sites, uptime_by_link, vsat_by_link, before=cov)
        if alerts:
            sections.append(Section("prometheus", m("h.prometheus_down"), alert=alerts[-1]))
        sections.extend(build.plan_sections(inv, pl, m, with_prometheus=bool(uptime_by_link or vsat_by_link)))
        for c in pl.candidates:
            if c.distance_km is not None and c.nearest is not None:
                extra[c.state.site.id] = {"nearest_fiber": c.nearest.id, "distance_km": round(c.distance_km, 3)}
    report = build.new_report(kind, m, inv, meta, sections, sites, extra, {st.site.id: st for st in cov.desa})
    report.alerts = alerts
    report.exit_code = exit_code
    if client is not None:
        report.queries = [(q.purpose, q.expr, _iso(q.time)) for q in client.log]
    missing = sum(1 for s in sites if s.lat is None or s.lon is None)
    if missing:
        report.labels["map_note"] = m("l.no_coordinates_map", n=missing)
    return report


def write_report(report: Report, formats: Iterable[str], out_dir: Path) -> list[Path]:
    """Write each format into ``out_dir``; returns the files written."""
    with _no_gc_pauses():
        return _write_report(report, formats, out_dir)


def _write_report(report: Report, formats: Iterable[str], out_dir: Path) -> list[Path]:
    from netops.report.render import csvout, geojson, html, markdown, pdf, png

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    fmts = list(formats)
    html_path: Path | None = None
    for fmt in fmts:
        if fmt == "html":
            html_path = html.write(report, out_dir / f"{report.kind}.html")
            written.append(html_path)
        elif fmt == "md":
            written.append(markdown.write(report, out_dir / f"{report.kind}.md"))
        elif fmt == "csv":
            written.extend(csvout.write(report, out_dir))
        elif fmt == "geojson":
            written.append(geojson.write(report, out_dir / f"{report.kind}.geojson"))
        elif fmt == "png":
            written.append(png.write(report, out_dir / f"{report.kind}-map.png"))
    if "pdf" in fmts:
        written.append(pdf.write(report, out_dir / f"{report.kind}.pdf", html_path))
    return written
