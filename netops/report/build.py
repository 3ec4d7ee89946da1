"""Turn coverage, uptime and plan figures into a :class:`Report` in one language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from netops.inventory import Inventory, Link, LinkStatus, Site, Tier
from netops.report.coverage import STATES, Coverage, CoverageRow, SiteState, classify
from netops.report.i18n import Messages
from netops.report.model import Chart, Column, MapLine, MapPoint, Report, Section, Series, Table
from netops.report.plan import Plan
from netops.report.uptime import GroupUptime, LinkUptime, Uptime

STATE_COLORS = {
    "fiber": "#1b7837", "vsat": "#e08214", "other": "#5e3c99", "down": "#d7191c",
    "planned": "#4393c3", "none": "#9e9e9e",
}
MEDIUM_COLORS = {"fiber": "#1b7837", "vsat": "#e08214", "radio": "#5e3c99", "lte": "#c51b7d", "none": "#9e9e9e"}


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _src(inv: Inventory, kind: str, key: str) -> str:
    loc = inv.where(kind, key)
    return str(loc) if loc else ""


# -- coverage ----------------------------------------------------------------------------------

def _cov_row(row: CoverageRow, name: str) -> dict[str, Any]:
    return {
        "kecamatan": name, "desa": row.desa, **row.counts, "covered": row.covered,
        "covered_pct": row.pct(row.covered), "online_pct": row.pct(row.online),
        "bandwidth_mbps": row.bandwidth_mbps,
    }


def coverage_tables(inv: Inventory, cov: Coverage, m: Messages) -> list[Table]:
    state_cols = [Column(s, m(f"state.{s}"), "int") for s in STATES]
    kec = Table(
        id="coverage_kecamatan", title=m("t.coverage_kecamatan"),
        columns=[Column("kecamatan", m("c.kecamatan")), Column("desa", m("c.desa_total"), "int"), *state_cols,
                 Column("covered", m("c.covered"), "int"), Column("covered_pct", m("c.covered_pct"), "pct"),
                 Column("online_pct", m("c.online_pct"), "pct"),
                 Column("bandwidth_mbps", m("c.bandwidth_mbps"), "mbps")],
        rows=[_cov_row(r, r.name) for r in cov.kecamatan],
        total=_cov_row(cov.regency, m("c.total_regency", name=inv.regency.name)),
        source=m("src.inventory_desa"),
        chart=Chart("kecamatan", [Series(s, m(f"state.{s}"), STATE_COLORS[s]) for s in STATES], unit=m("u.desa")),
    )
    prov = Table(
        id="coverage_providers", title=m("t.coverage_providers"),
        columns=[Column("provider", m("c.provider")), Column("media", m("c.media")),
                 *[Column(f"links_{s.value}", m(f"c.links_{s.value}"), "int") for s in LinkStatus],
                 Column("sites", m("c.sites_served"), "int"), Column("desa", m("c.desa_served"), "int"),
                 Column("bandwidth_mbps", m("c.bandwidth_active"), "mbps")],
        rows=[{"provider": p.provider, "media": ", ".join(sorted(p.media)),
               **{f"links_{k}": v for k, v in p.links.items()}, "sites": len(p.sites), "desa": len(p.desa),
               "bandwidth_mbps": p.bandwidth_mbps} for p in cov.providers],
        source=m("src.inventory_links"),
    )
    unconnected = Table(
        id="unconnected_desa", title=m("t.unconnected_desa"),
        columns=[Column("kecamatan", m("c.kecamatan")), Column("code", m("c.code")), Column("site", m("c.site")),
                 Column("name", m("c.name")), Column("state", m("c.state")),
                 Column("planned", m("c.planned_links")), Column("source", m("c.source"))],
        rows=[{"kecamatan": st.site.kecamatan, "code": st.site.code, "site": st.site.id, "name": st.site.name,
               "state": m(f"state.{st.state}"), "planned": ", ".join(lk.id for lk in st.planned),
               "source": _src(inv, "sites", st.site.id)} for st in cov.unconnected],
        source=m("src.inventory_desa"), empty=m("e.all_connected"),
    )
    return [kec, prov, unconnected]


def desa_table(inv: Inventory, cov: Coverage, m: Messages) -> Table:
    return Table(
        id="desa", title=m("t.desa"),
        columns=[Column("kecamatan", m("c.kecamatan")), Column("code", m("c.code")), Column("site", m("c.site")),
                 Column("name", m("c.name")), Column("state", m("c.state")), Column("link", m("c.link")),
                 Column("provider", m("c.provider")), Column("status", m("c.link_status")),
                 Column("bandwidth_mbps", m("c.bandwidth_mbps"), "mbps"), Column("since", m("c.since")),
                 Column("planned", m("c.planned_links")), Column("source", m("c.source"))],
        rows=_desa_rows(inv, cov, m),
        source=m("src.inventory_desa"),
    )


def _desa_rows(inv: Inventory, cov: Coverage, m: Messages) -> list[dict[str, Any]]:
    states = {s: m(f"state.{s}") for s in STATES}
    statuses = {s: m(f"status.{s.value}") for s in LinkStatus}
    sources = inv.sources
    rows = []
    for st in cov.desa:
        lk, site = st.link, st.site
        loc = sources.get(("sites", site.id))
        src = str(loc) if loc else ""
        row: dict[str, Any] = {"kecamatan": site.kecamatan, "code": site.code, "site": site.id, "name": site.name,
               "state": states[st.state], "link": None, "provider": None, "status": None, "bandwidth_mbps": None,
               "since": None, "planned": ", ".join(x.id for x in st.planned) if st.planned else "", "source": src}
        if lk is not None:
            lloc = sources.get(("links", lk.id))
            row.update(link=lk.id, provider=lk.provider, status=statuses[lk.status],
                       bandwidth_mbps=st.bandwidth_mbps if lk.status is LinkStatus.active else None,
                       since=lk.since.isoformat() if lk.since else None,
                       source=f"{src}; {lloc}" if lloc else src)
        rows.append(row)
    return rows


def coverage_section(inv: Inventory, cov: Coverage, m: Messages, detail: bool = True) -> Section:
    tables = coverage_tables(inv, cov, m)
    if detail:
        tables.append(desa_table(inv, cov, m))
    r = cov.regency
    pct = r.pct(r.covered)
    summary = m("s.coverage_summary", covered=r.covered, desa=r.desa, pct=m.num(pct, "pct"),
                online=r.online, online_pct=m.num(r.pct(r.online), "pct"),
                fiber=r.counts["fiber"], vsat=r.counts["vsat"], none=r.counts["none"] + r.counts["planned"])
    return Section("coverage", m("h.coverage"), [summary, m("d.states")], tables)


# -- uptime ------------------------------------------------------------------------------------

def _link_cols(m: Messages, maintenance: bool = False) -> list[Column]:
    both = [Column("maintenance_min", m("c.maintenance_min"), "min"),
            Column("availability_sla", m("c.availability_sla"), "avail")] if maintenance else []
    return [Column("link", m("c.link")), Column("site", m("c.site")), Column("kecamatan", m("c.kecamatan")),
            Column("medium", m("c.medium")), Column("provider", m("c.provider")),
            Column("target", m("c.sla_target"), "avail"), Column("availability", m("c.availability"), "avail"),
            *both, Column("breach", m("c.breach"), "bool"), Column("downtime_min", m("c.downtime_min"), "min"),
            Column("samples", m("c.samples"), "int"), Column("completeness", m("c.completeness"), "avail"),
            Column("worst_case", m("c.worst_case"), "avail"), Column("unmeasured_min", m("c.unmeasured_min"), "min")]


def _link_row(lu: LinkUptime) -> dict[str, Any]:
    return {"link": lu.link.id, "site": lu.link.b.site, "kecamatan": lu.kecamatan, "medium": lu.link.medium.value,
            "provider": lu.link.provider, "target": lu.target, "availability": lu.availability,
            "breach": lu.breach, "downtime_min": lu.downtime_min if lu.availability is not None else None,
            "maintenance_min": lu.maintenance_min, "availability_sla": lu.availability_sla,
            "samples": lu.samples, "completeness": lu.completeness, "worst_case": lu.worst_case,
            "unmeasured_min": lu.unmeasured_min}


def _group_rows(groups: Iterable[GroupUptime]) -> list[dict[str, Any]]:
    return [{"name": g.name, "links": g.links, "with_data": g.with_data, "availability": g.availability,
             "downtime_min": g.downtime_min, "breaches": g.breaches} for g in groups]


def uptime_sections(up: Uptime, m: Messages) -> list[Section]:
    lcols = _link_cols(m, bool(up.maintenance))
    q = up.queries
    derived = m("src.derived_links")
    avail_chart = Chart("link", [Series("availability", m("c.availability"), "#1b7837")], stacked=False,
                        max_value=1.0, marker_key="target", unit="%")
    tables = [
        Table("uptime_worst", m("t.uptime_worst"), lcols, [_link_row(lu) for lu in up.worst],
              source=m("src.prometheus"), queries=q["worst"], chart=avail_chart, empty=m("e.no_data")),
        Table("uptime_breaches", m("t.uptime_breaches"), lcols, [_link_row(lu) for lu in up.breaches],
              source=m("src.prometheus"), queries=q["breaches"], empty=m("e.no_breaches")),
    ]
    gcols = [Column("links", m("c.links"), "int"), Column("with_data", m("c.with_data"), "int"),
             Column("availability", m("c.availability"), "avail"), Column("downtime_min", m("c.downtime_min"), "min"),
             Column("breaches", m("c.breaches"), "int")]
    group_chart = Chart("name", [Series("availability", m("c.availability"), "#2166ac")], stacked=False,
                        max_value=1.0, unit="%")
    tables.append(Table("uptime_providers", m("t.uptime_providers"), [Column("name", m("c.provider")), *gcols],
                        _group_rows(up.providers), source=derived, queries=q["providers"], chart=group_chart))
    providers = sorted({p for _, row in up.trend for p in row})
    tables.append(Table(
        "uptime_trend", m("t.uptime_trend", step=up.trend_step),
        [Column("end", m("c.step_end")), *[Column(p, p, "avail") for p in providers]],
        [{"end": _iso(t), **row} for t, row in up.trend],
        source=m("src.trend"), queries=q.get("trend", []), empty=m("e.no_trend")))
    tables.append(Table("uptime_kecamatan", m("t.uptime_kecamatan"), [Column("name", m("c.kecamatan")), *gcols],
                        _group_rows(up.kecamatan), source=derived, queries=q["kecamatan"]))
    tables.append(Table(
        "uptime_vsat", m("t.uptime_vsat"),
        [Column("link", m("c.link")), Column("site", m("c.site")), Column("kecamatan", m("c.kecamatan")),
         Column("rtt_p50_s", m("c.rtt_p50"), "ms"), Column("rtt_p95_s", m("c.rtt_p95"), "ms"),
         Column("loss_avg", m("c.loss_avg"), "loss"), Column("loss_p95", m("c.loss_p95"), "loss")],
        [{"link": v.link.id, "site": v.link.b.site, "kecamatan": v.kecamatan, "rtt_p50_s": v.rtt_p50_s,
          "rtt_p95_s": v.rtt_p95_s, "loss_avg": v.loss_avg, "loss_p95": v.loss_p95} for v in up.vsat],
        source=m("src.prometheus"), queries=q["vsat"], empty=m("e.no_vsat")))
    tables.append(Table(
        "uptime_sites", m("t.uptime_sites"),
        [Column("site", m("c.site")), Column("kecamatan", m("c.kecamatan")),
         Column("availability", m("c.availability"), "avail"), Column("downtime_min", m("c.downtime_min"), "min"),
         Column("samples", m("c.samples"), "int")],
        [{"site": s.site, "kecamatan": s.kecamatan, "availability": s.availability,
          "downtime_min": s.downtime_min, "samples": s.samples} for s in up.sites],
        source=m("src.prometheus"), queries=q["sites"], empty=m("e.no_data")))
    tables.append(Table("uptime_links", m("t.uptime_links"), lcols, [_link_row(lu) for lu in up.links],
                        source=m("src.prometheus"), queries=q["links"], empty=m("e.no_data")))
    if up.maintenance:
        tables.insert(2, Table(
            "uptime_maintenance", m("t.uptime_maintenance"),
            [Column("window", m("c.window")), Column("start", m("c.start")), Column("end", m("c.end")),
             Column("links", m("c.links"), "int"), Column("down_min", m("c.maintenance_down_min"), "min"),
             Column("sla", m("c.sla_rule"))],
            [{"window": r.window, "start": _iso(r.start), "end": _iso(r.end), "links": r.links,
              "down_min": r.down_min, "sla": m(f"v.sla_{r.sla}")} for r in up.maintenance],
            source=m("src.maintenance"), queries=q.get("maintenance", [])))
    with_data = sum(1 for lu in up.links if lu.availability is not None)
    text = [
        m("s.uptime_summary", links=len(up.links), with_data=with_data, breaches=len(up.breaches),
          period=up.period, start=_iso(up.at - up.period_s), end=_iso(up.at)),
        m("d.uptime", interval=f"{up.interval_s:g}", interval_source=up.interval_source),
    ]
    if up.ignored_series:
        text.append(m("s.ignored_series", n=up.ignored_series))
    if up.duplicate_series:
        text.append(m("s.duplicate_series", n=up.duplicate_series))
    return [Section("uptime", m("h.uptime"), text, tables)]


# -- plan --------------------------------------------------------------------------------------

def plan_sections(inv: Inventory, pl: Plan, m: Messages, with_prometheus: bool) -> list[Section]:
    cols = [Column("rank", m("c.rank"), "int"), Column("kecamatan", m("c.kecamatan")),
            Column("code", m("c.code")), Column("site", m("c.site")), Column("name", m("c.name")),
            Column("state", m("c.state")), Column("link", m("c.link")),
            Column("nearest", m("c.nearest_fiber")), Column("distance_km", m("c.distance_km"), "km"),
            Column("planned_fiber", m("c.planned_fiber"))]
    if with_prometheus:
        cols += [Column("availability", m("c.availability"), "avail"),
                 Column("downtime_min", m("c.downtime_min"), "min"),
                 Column("rtt_p50_s", m("c.rtt_p50"), "ms"), Column("rtt_p95_s", m("c.rtt_p95"), "ms"),
                 Column("loss_avg", m("c.loss_avg"), "loss")]
    rows = []
    for i, c in enumerate(pl.candidates, 1):
        st = c.state
        row: dict[str, Any] = {
            "rank": i if c.distance_km is not None else None, "kecamatan": st.site.kecamatan,
            "code": st.site.code, "site": st.site.id, "name": st.site.name, "state": m(f"state.{st.state}"),
            "link": st.link.id if st.link else None,
            "nearest": f"{c.nearest.id}" if c.nearest else m("e.no_coordinates"),
            "distance_km": c.distance_km, "planned_fiber": ", ".join(lk.id for lk in c.planned_fiber),
        }
        if with_prometheus:
            u, v = c.uptime, c.vsat
            row.update(availability=u.availability if u else None,
                       downtime_min=u.downtime_min if u and u.availability is not None else None,
                       rtt_p50_s=v.rtt_p50_s if v else None, rtt_p95_s=v.rtt_p95_s if v else None,
                       loss_avg=v.loss_avg if v else None)
        rows.append(row)
    cand = Table("plan_candidates", m("t.plan_candidates"), cols, rows, source=m("src.plan_distance"),
                 empty=m("e.no_candidates"))
    changes = Table(
        "plan_planned", m("t.plan_planned"),
        [Column("link", m("c.link")), Column("medium", m("c.medium")), Column("provider", m("c.provider")),
         Column("site", m("c.site")), Column("name", m("c.name")), Column("kecamatan", m("c.kecamatan")),
         Column("bandwidth_mbps", m("c.bandwidth_mbps"), "mbps"), Column("before", m("c.state_now")),
         Column("after", m("c.state_after")), Column("source", m("c.source"))],
        [{"link": c.link.id, "medium": c.link.medium.value, "provider": c.link.provider, "site": c.site.id,
          "name": c.site.name, "kecamatan": c.site.kecamatan, "bandwidth_mbps": c.link.bandwidth_mbps,
          "before": m(f"state.{c.before}"), "after": m(f"state.{c.after}"),
          "source": _src(inv, "links", c.link.id)} for c in pl.planned],
        source=m("src.inventory_links"), empty=m("e.no_planned"))
    after = {r.name: r for r in pl.after.kecamatan}

    def delta_row(name: str, b: CoverageRow, a: CoverageRow) -> dict[str, Any]:
        return {"kecamatan": name, "desa": b.desa, "fiber_now": b.counts["fiber"], "fiber_after": a.counts["fiber"],
                "online_now": b.online, "online_after": a.online, "online_pct_now": b.pct(b.online),
                "online_pct_after": a.pct(a.online), "covered_pct_now": b.pct(b.covered),
                "covered_pct_after": a.pct(a.covered)}

    delta = Table(
        "plan_coverage_change", m("t.plan_coverage_change"),
        [Column("kecamatan", m("c.kecamatan")), Column("desa", m("c.desa_total"), "int"),
         Column("fiber_now", m("c.fiber_now"), "int"), Column("fiber_after", m("c.fiber_after"), "int"),
         Column("online_now", m("c.online_now"), "int"), Column("online_after", m("c.online_after"), "int"),
         Column("online_pct_now", m("c.online_pct_now"), "pct"),
         Column("online_pct_after", m("c.online_pct_after"), "pct"),
         Column("covered_pct_now", m("c.covered_pct_now"), "pct"),
         Column("covered_pct_after", m("c.covered_pct_after"), "pct")],
        [delta_row(b.name, b, after.get(b.name, b)) for b in pl.before.kecamatan],
        total=delta_row(m("c.total_regency", name=inv.regency.name), pl.before.regency, pl.after.regency),
        source=m("src.plan_after"))
    ranked = pl.ranked
    text = [m("s.plan_summary", n=len(pl.candidates), ranked=len(ranked), points=pl.fiber_points,
              within5=sum(1 for c in ranked if (c.distance_km or 0) <= 5.0),
              within10=sum(1 for c in ranked if (c.distance_km or 0) <= 10.0)),
            m("d.plan")]
    return [Section("plan", m("h.plan"), text, [cand]),
            Section("planned", m("h.planned"), [m("d.planned")], [changes, delta])]


# -- map ---------------------------------------------------------------------------------------

def map_layers(inv: Inventory, sites: Iterable[Site], extra: dict[str, dict[str, Any]] | None = None,
               known: dict[str, SiteState] | None = None) -> tuple[list[MapPoint], list[MapLine]]:
    """Every chosen site with coordinates, coloured by medium and marked by status; links as lines."""
    extra = extra or {}
    known = known or {}
    chosen = [s for s in sites if s.lat is not None and s.lon is not None]
    points = []
    hub, dc = "hub", Tier.datacenter
    shown = {"fiber": "active", "vsat": "active", "other": "active"}
    for s in chosen:
        if s.tier is dc:
            medium, status = "fiber", hub
        else:
            st = known.get(s.id) or classify(inv, s)
            status = shown.get(st.state, st.state)
            medium = st.link.medium.value if st.link else "none"
        props = (("kecamatan", s.kecamatan), ("code", s.code))
        more = extra.get(s.id)
        if more:
            props += tuple(more.items())
        points.append(MapPoint(s.id, s.name, s.lat, s.lon, s.tier.value, medium, status, props))  # type: ignore[arg-type]
    ids = {s.id for s in chosen}
    lines = []
    sites_by_id = inv.sites
    gone = LinkStatus.decommissioned
    for lk in inv.links.values():
        if lk.status is gone or lk.b.site not in ids or lk.a.site not in sites_by_id:
            continue
        a = sites_by_id[lk.a.site]
        b = sites_by_id[lk.b.site]
        if a.lat is None or a.lon is None or a.id == b.id:
            continue
        lines.append(MapLine(lk.id, ((a.lon, a.lat), (b.lon, b.lat)), lk.medium.value,  # type: ignore[arg-type]
                             lk.status.value, (("provider", lk.provider), ("bandwidth_mbps", lk.bandwidth_mbps))))
    return points, lines


def legend(m: Messages) -> dict[str, str]:
    out = {f"medium.{k}": m(f"medium.{k}") for k in MEDIUM_COLORS}
    out.update({f"status.{k}": m(f"mapstatus.{k}") for k in ("active", "down", "planned", "none", "hub")})
    return out


def report_labels(m: Messages) -> dict[str, str]:
    keys = ("map", "queries", "query_purpose", "query_expr", "query_time", "source", "total", "generated_by",
            "contents", "no_coordinates_map", "yes", "no")
    return {k: m(f"l.{k}") for k in keys}


def link_lookup(links: Iterable[Link]) -> dict[str, Link]:
    return {lk.id: lk for lk in links}


def new_report(kind: str, m: Messages, inv: Inventory, meta: list[tuple[str, str]], sections: list[Section],
               sites: list[Site], extra: dict[str, dict[str, Any]] | None = None,
               known: dict[str, SiteState] | None = None) -> Report:
    points, lines = map_layers(inv, sites, extra, known)
    return Report(kind=kind, lang=m.lang, title=m(f"title.{kind}", regency=inv.regency.name), meta=meta,
                  sections=sections, points=points, lines=lines, legend=legend(m), labels=report_labels(m))
