"""Build a report from the inventory (and Prometheus) and write it in the chosen formats."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from netops.errors import FilterError
from netops.inventory import Inventory, Link, Medium, Site, select
from netops.report import boundaries as bnd
from netops.report import build
from netops.report.alerts import alert_sections, incidents
from netops.report.capacity import capacity
from netops.report.coverage import coverage
from netops.report.growth import grow
from netops.report.i18n import Messages
from netops.report.model import MapLine, Report, Section
from netops.report.plan import fiber_points, plan
from netops.report.prom import PromClient, PrometheusUnavailable, ReportError, parse_duration, parse_time
from netops.report.uptime import infer_interval, link_uptime, uptime, vsat_perf

KINDS = ("coverage", "uptime", "plan", "capacity", "alerts")
FORMATS = ("html", "md", "csv", "geojson", "png", "pdf")
EXIT_PROMETHEUS = PrometheusUnavailable.exit_code
T = TypeVar("T")


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
    boundaries: Path | None = None
    """GeoJSON boundaries for the maps; None = the inventory's regency.boundaries (if set)."""
    budget_rp: float | None = None
    """Growth plan: money per stage (None = the whole tree in one stage)."""
    stages: int = 1


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
    if opts.budget_rp is not None and opts.budget_rp <= 0:
        raise ReportError(f"--budget {opts.budget_rp:g}: a budget must be more than Rp 0")
    if opts.stages < 1 or (opts.stages > 1 and opts.budget_rp is None):
        raise ReportError("--stages N needs N ≥ 1 and a --budget per stage, e.g. --budget 5M --stages 5")
    at = opts.at if opts.at is not None else parse_time(None)
    sites, links = _selection(inv, opts.where)
    bounds = load_boundaries(inv, opts.boundaries)
    placed: dict[str, tuple[float, float]] = {}
    outside = 0
    if bounds is not None:
        outside = bnd.check_sites(bounds, sites)
        placed = bnd.place(bounds, sites)
    cov = coverage(inv, sites)
    meta = [(m("meta.regency"), f"{inv.regency.name} ({inv.regency.code})"),
            (m("meta.inventory"), str(inv.root)),
            (m("meta.generated"), _iso(parse_time(None))),
            (m("meta.filter"), " ".join(opts.where) or m("meta.none"))]
    sections: list[Section] = []
    alerts: list[str] = []
    exit_code = 0
    extra: dict[str, dict[str, Any]] = {}
    routes: list[MapLine] = []
    client = PromClient(opts.prometheus, timeout=opts.timeout) if opts.prometheus else None
    if kind in ("uptime", "plan", "capacity", "alerts") and client is not None:
        meta.append((m("meta.period"), f"{opts.period}: {_iso(at - parse_duration(opts.period))} – {_iso(at)}"))

    def from_prometheus(query: Callable[[PromClient], T]) -> T | None:
        """``query``'s answer; None when Prometheus is unreachable: then an alert, a
        Prometheus-down section first and exit code 3 instead."""
        nonlocal exit_code
        if client is None:
            raise ReportError(f"the {kind} report needs --prometheus URL (or NETOPS_PROMETHEUS)")
        try:
            version = client.check()
            answer = query(client)
        except PrometheusUnavailable as exc:
            key = "alert.prometheus_down_capacity" if kind == "capacity" else "alert.prometheus_down"
            alerts.append(m(key, url=opts.prometheus, error=str(exc)))
            meta.append((m("meta.prometheus"), f"{opts.prometheus} — {m('meta.unreachable')}"))
            exit_code = EXIT_PROMETHEUS
            sections.insert(0, Section("prometheus", m("h.prometheus_down"), alert=alerts[-1]))
            return None
        meta.append((m("meta.prometheus"), f"{opts.prometheus} ({version})"))
        return answer

    def interval_of(c: PromClient) -> float:
        return opts.interval_s if opts.interval_s is not None else infer_interval(c, at)[0]

    if kind == "coverage":
        sections.append(build.coverage_section(inv, cov, m))
    elif kind == "alerts":
        def alerts_query(c: PromClient) -> tuple[list[Any], list[str]]:
            found = incidents(c, at, opts.period, interval_of(c))
            if opts.where:
                chosen = {s.id for s in sites}
                found = [i for i in found if i.site in chosen]
            return found, [q.expr for q in c.log[-1:]]

        got = from_prometheus(alerts_query)
        if got is not None:
            sections.extend(alert_sections(got[0], m, opts.period, _iso, got[1]))
    elif kind == "uptime":
        sections.append(build.coverage_section(inv, cov, m, detail=False))
        up = from_prometheus(lambda c: uptime(inv, links, {lk.b.site for lk in links}, c, at, opts.period,
                                              opts.interval_s, filtered=bool(opts.where)))
        if up is not None:
            sections.extend(build.uptime_sections(up, m))
            for s in up.sites:
                extra.setdefault(s.site, {})["availability_pct"] = round(s.availability * 100, 4)
    elif kind == "capacity":
        cap = from_prometheus(lambda c: capacity(inv, links, c, at, opts.period))
        if cap is not None:
            sections.extend(build.capacity_sections(cap, m))
            for lc in cap.links:
                if lc.p95 is not None:
                    extra.setdefault(lc.link.b.site, {})["p95_pct"] = round(lc.p95 * 100, 2)
    else:
        uptime_by_link: dict[str, Any] = {}
        vsat_by_link: dict[str, Any] = {}
        saturated: set[str] = set()
        vsat_links = [lk for lk in links if lk.medium is Medium.vsat]

        def plan_query(c: PromClient) -> tuple[dict[str, Any], dict[str, Any], set[str]]:
            rows, _, _, _ = link_uptime(inv, vsat_links, c, at, opts.period, interval_of(c))
            perf, _ = vsat_perf(inv, vsat_links, c, at, opts.period)
            return ({r.link.id: r for r in rows}, {p.link.id: p for p in perf},
                    {x.link.b.site for x in capacity(inv, vsat_links, c, at, opts.period).saturated_vsat})

        if client is None:
            meta.append((m("meta.prometheus"), m("meta.not_used")))
        elif (got_plan := from_prometheus(plan_query)) is not None:
            uptime_by_link, vsat_by_link, saturated = got_plan
        if placed:  # desa without coordinates join the plan at their desa polygon's centroid (approximate)
            at_centroid = [s.model_copy(update={"lat": placed[s.id][0], "lon": placed[s.id][1]})
                           if s.id in placed else s for s in sites]
            pl = plan(inv, at_centroid, uptime_by_link, vsat_by_link, before=coverage(inv, at_centroid))
        else:
            pl = plan(inv, sites, uptime_by_link, vsat_by_link, before=cov)
        if saturated:  # saturated VSAT desa lead the ranking (stable: by distance within each group)
            pl.candidates.sort(key=lambda c: (c.distance_km is None, c.state.site.id not in saturated))
        gp = grow(pl, cov, inv.regency.plan_costs, fiber_points(inv), opts.budget_rp, opts.stages, saturated)
        routes = build.route_lines(gp, set(placed))
        sections.extend(build.growth_sections(gp, m, set(placed)))
        sections.extend(build.plan_sections(inv, pl, m, with_prometheus=bool(uptime_by_link or vsat_by_link)))
        for c in pl.candidates:
            if c.distance_km is not None and c.nearest is not None:
                extra[c.state.site.id] = {"nearest_fiber": c.nearest.id, "distance_km": round(c.distance_km, 3)}
        for step in gp.steps:
            extra[step.site.id].update(growth_step=step.order, growth_stage=step.stage, joined_to=step.parent.id,
                                       cost_rp=int(round(step.cost_rp)))
    if bounds is not None:
        meta.append((m("meta.boundaries"), str(bounds.path)))
    report = build.new_report(kind, m, inv, meta, sections, sites, extra, {st.site.id: st for st in cov.desa},
                              placed)
    notes = []
    if bounds is not None:
        report.areas = build.map_areas(bounds)
        if bounds.attribution:
            notes.append(bounds.attribution)
        if placed:
            notes.append(m("l.approx_placed", n=len(placed)))
        if outside:
            notes.append(m("l.outside_boundaries", n=outside))
    if kind == "plan":
        report.lines.extend(routes)
    report.alerts = alerts
    report.exit_code = exit_code
    if client is not None:
        report.queries = [(q.purpose, q.expr, _iso(q.time)) for q in client.log]
    missing = sum(1 for s in sites if (s.lat is None or s.lon is None) and s.id not in placed)
    if missing:
        notes.append(m("l.no_coordinates_map", n=missing))
    if notes:
        report.labels["map_note"] = " ".join(notes)
    return report


def load_boundaries(inv: Inventory, path: Path | None) -> bnd.Boundaries | None:
    """``--boundaries FILE``, else the inventory's ``regency.boundaries`` (relative to the inventory folder)."""
    path = path or inv.boundaries_file
    return bnd.load(path) if path is not None else None


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
