"""Turn coverage, uptime and plan figures into a :class:`Report` in one language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from netops.inventory import Inventory, LinkStatus, Site, Tier
from netops.report.boundaries import LEVELS, Boundaries, rings
from netops.report.capacity import Capacity, LinkCapacity
from netops.report.coverage import STATES, Coverage, CoverageRow, SiteState, classify
from netops.report.growth import GrowthPlan
from netops.report.i18n import Messages
from netops.report.model import Chart, Column, MapArea, MapLine, MapPoint, Report, Section, Series, Table
from netops.report.plan import FiberPlan
from netops.report.prom import parse_duration
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
        "kecamatan": name, "desa": row.desa, "kelurahan": row.kelurahan, "villages": row.villages,
        **row.counts, "covered": row.covered,
        "covered_pct": row.pct(row.covered), "online_pct": row.pct(row.online),
        "bandwidth_mbps": row.bandwidth_mbps,
    }


def coverage_tables(inv: Inventory, cov: Coverage, m: Messages) -> list[Table]:
    state_cols = [Column(s, m(f"state.{s}"), "int") for s in STATES]
    kec = Table(
        id="coverage_kecamatan", title=m("t.coverage_kecamatan"),
        columns=[Column("kecamatan", m("c.kecamatan")), *village_columns(m), *state_cols,
                 Column("covered", m("c.covered"), "int"), Column("covered_pct", m("c.covered_pct"), "pct"),
                 Column("online_pct", m("c.online_pct"), "pct"),
                 Column("bandwidth_mbps", m("c.bandwidth_mbps"), "mbps")],
        rows=[_cov_row(r, r.name) for r in cov.kecamatan],
        total=_cov_row(cov.regency, m("c.total_regency", name=inv.regency.name)),
        source=m("src.inventory_desa"), note=m("n.villages"),
        chart=Chart("kecamatan", [Series(s, m(f"state.{s}"), STATE_COLORS[s]) for s in STATES], unit=m("u.desa")),
    )
    prov = Table(
        id="coverage_providers", title=m("t.coverage_providers"),
        columns=[Column("provider", m("c.provider")), Column("media", m("c.media")),
                 *[Column(f"links_{s.value}", m(f"c.links_{s.value}"), "int") for s in LinkStatus],
                 Column("sites", m("c.sites_served"), "int"), Column("villages", m("c.desa_served"), "int"),
                 Column("bandwidth_mbps", m("c.bandwidth_active"), "mbps")],
        rows=[{"provider": p.provider, "media": ", ".join(sorted(p.media)),
               **{f"links_{k}": v for k, v in p.links.items()}, "sites": len(p.sites),
               "villages": len(p.villages), "bandwidth_mbps": p.bandwidth_mbps} for p in cov.providers],
        source=m("src.inventory_links"), note=m("n.villages"),
    )
    unconnected = Table(
        id="unconnected_desa", title=m("t.unconnected_desa"),
        columns=[Column("kecamatan", m("c.kecamatan")), Column("code", m("c.code")), Column("site", m("c.site")),
                 Column("name", m("c.name")), Column("tier", m("c.tier")), Column("state", m("c.state")),
                 Column("planned", m("c.planned_links")), Column("source", m("c.source"))],
        rows=[{"kecamatan": st.site.kecamatan, "code": st.site.code, "site": st.site.id, "name": st.site.name,
               "tier": m(f"tier.{st.site.tier.value}"), "state": m(f"state.{st.state}"),
               "planned": ", ".join(lk.id for lk in st.planned),
               "source": _src(inv, "sites", st.site.id)} for st in cov.unconnected],
        source=m("src.inventory_desa"), empty=m("e.all_connected"), note=m("n.villages"),
    )
    return [kec, prov, unconnected]


def desa_table(inv: Inventory, cov: Coverage, m: Messages) -> Table:
    return Table(
        id="desa", title=m("t.desa"),
        columns=[Column("kecamatan", m("c.kecamatan")), Column("code", m("c.code")), Column("site", m("c.site")),
                 Column("name", m("c.name")), Column("tier", m("c.tier")), Column("state", m("c.state")),
                 Column("link", m("c.link")),
                 Column("provider", m("c.provider")), Column("status", m("c.link_status")),
                 Column("bandwidth_mbps", m("c.bandwidth_mbps"), "mbps"), Column("since", m("c.since")),
                 Column("planned", m("c.planned_links")), Column("source", m("c.source"))],
        rows=_desa_rows(inv, cov, m),
        source=m("src.inventory_desa"), note=m("n.villages"),
    )


def _desa_rows(inv: Inventory, cov: Coverage, m: Messages) -> list[dict[str, Any]]:
    states = {s: m(f"state.{s}") for s in STATES}
    tiers = {t: m(f"tier.{t.value}") for t in Tier}
    statuses = {s: m(f"status.{s.value}") for s in LinkStatus}
    sources = inv.sources
    rows = []
    for st in cov.desa:
        lk, site = st.link, st.site
        loc = sources.get(("sites", site.id))
        src = str(loc) if loc else ""
        row: dict[str, Any] = {"kecamatan": site.kecamatan, "code": site.code, "site": site.id, "name": site.name,
               "tier": tiers[site.tier], "state": states[st.state], "link": None, "provider": None, "status": None,
               "bandwidth_mbps": None,
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
    summary = m("s.coverage_summary", covered=r.covered, villages=r.villages, desa=r.desa, kelurahan=r.kelurahan,
                pct=m.num(pct, "pct"), online=r.online, online_pct=m.num(r.pct(r.online), "pct"),
                fiber=r.counts["fiber"], vsat=r.counts["vsat"], other=r.counts["other"], down=r.counts["down"],
                none=r.counts["none"] + r.counts["planned"])
    return Section("coverage", m("h.coverage"), [summary, m("d.states"), m("n.villages")], tables)


def village_columns(m: Messages) -> list[Column]:
    """Desa and kelurahan apart, then together: how planners report them."""
    return [Column("desa", m("c.desa_only"), "int"), Column("kelurahan", m("c.kelurahan"), "int"),
            Column("villages", m("c.desa_total"), "int")]


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
        [Column("site", m("c.site")), Column("tier", m("c.tier")), Column("kecamatan", m("c.kecamatan")),
         Column("availability", m("c.availability"), "avail"), Column("downtime_min", m("c.downtime_min"), "min"),
         Column("samples", m("c.samples"), "int")],
        [{"site": s.site, "tier": m(f"tier.{s.tier}") if s.tier else None, "kecamatan": s.kecamatan,
          "availability": s.availability, "downtime_min": s.downtime_min, "samples": s.samples} for s in up.sites],
        source=m("src.prometheus"), queries=q["sites"], empty=m("e.no_data"), note=m("n.villages")))
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

def plan_sections(inv: Inventory, pl: FiberPlan, m: Messages, with_prometheus: bool) -> list[Section]:
    cols = [Column("rank", m("c.rank"), "int"), Column("kecamatan", m("c.kecamatan")),
            Column("code", m("c.code")), Column("site", m("c.site")), Column("name", m("c.name")),
            Column("tier", m("c.tier")), Column("state", m("c.state")), Column("link", m("c.link")),
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
            "code": st.site.code, "site": st.site.id, "name": st.site.name,
            "tier": m(f"tier.{st.site.tier.value}"), "state": m(f"state.{st.state}"),
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
                 empty=m("e.no_candidates"), note=m("n.villages"))
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
        return {"kecamatan": name, "desa": b.desa, "kelurahan": b.kelurahan, "villages": b.villages,
                "fiber_now": b.counts["fiber"], "fiber_after": a.counts["fiber"],
                "online_now": b.online, "online_after": a.online, "online_pct_now": b.pct(b.online),
                "online_pct_after": a.pct(a.online), "covered_pct_now": b.pct(b.covered),
                "covered_pct_after": a.pct(a.covered)}

    delta = Table(
        "plan_coverage_change", m("t.plan_coverage_change"),
        [Column("kecamatan", m("c.kecamatan")), *village_columns(m),
         Column("fiber_now", m("c.fiber_now"), "int"), Column("fiber_after", m("c.fiber_after"), "int"),
         Column("online_now", m("c.online_now"), "int"), Column("online_after", m("c.online_after"), "int"),
         Column("online_pct_now", m("c.online_pct_now"), "pct"),
         Column("online_pct_after", m("c.online_pct_after"), "pct"),
         Column("covered_pct_now", m("c.covered_pct_now"), "pct"),
         Column("covered_pct_after", m("c.covered_pct_after"), "pct")],
        [delta_row(b.name, b, after.get(b.name, b)) for b in pl.before.kecamatan],
        total=delta_row(m("c.total_regency", name=inv.regency.name), pl.before.regency, pl.after.regency),
        source=m("src.plan_after"), note=m("n.villages"))
    ranked = pl.ranked
    text = [m("s.plan_summary", n=len(pl.candidates), ranked=len(ranked), points=pl.fiber_points,
              within5=sum(1 for c in ranked if (c.distance_km or 0) <= 5.0),
              within10=sum(1 for c in ranked if (c.distance_km or 0) <= 10.0)),
            m("d.plan")]
    return [Section("plan", m("h.plan"), text, [cand]),
            Section("planned", m("h.planned"), [m("d.planned")], [changes, delta])]


# -- capacity ----------------------------------------------------------------------------------

def _mbps(bps: float | None) -> float | None:
    return bps / 1e6 if bps is not None else None


def _pct100(ratio: float | None) -> float | None:
    return ratio * 100 if ratio is not None else None


def capacity_sections(cap: Capacity, m: Messages) -> list[Section]:
    cols = [Column("link", m("c.link")), Column("site", m("c.site")), Column("kecamatan", m("c.kecamatan")),
            Column("medium", m("c.medium")), Column("provider", m("c.provider")),
            Column("committed_mbps", m("c.committed_mbps"), "mbps"),
            Column("in_p95_mbps", m("c.in_p95_mbps"), "mbps"), Column("out_p95_mbps", m("c.out_p95_mbps"), "mbps"),
            Column("in_p95_pct", m("c.in_p95_pct"), "pct"), Column("out_p95_pct", m("c.out_p95_pct"), "pct"),
            Column("in_peak_mbps", m("c.in_peak_mbps"), "mbps"),
            Column("out_peak_mbps", m("c.out_peak_mbps"), "mbps"), Column("peak_pct", m("c.peak_pct"), "pct"),
            Column("upgrade", m("c.upgrade"), "bool"), Column("saturated", m("c.saturated"), "bool")]

    def row(c: LinkCapacity) -> dict[str, Any]:
        return {"link": c.link.id, "site": c.link.b.site, "kecamatan": c.kecamatan, "medium": c.link.medium.value,
                "provider": c.link.provider, "committed_mbps": c.link.bandwidth_mbps,
                "in_p95_mbps": _mbps(c.in_p95_bps), "out_p95_mbps": _mbps(c.out_p95_bps),
                "in_p95_pct": _pct100(c.in_p95), "out_p95_pct": _pct100(c.out_p95),
                "in_peak_mbps": _mbps(c.in_peak_bps), "out_peak_mbps": _mbps(c.out_peak_bps),
                "peak_pct": _pct100(c.peak), "p95_pct": _pct100(c.p95), "upgrade": c.upgrade,
                "saturated": c.saturated, "breach": c.upgrade}

    chart = Chart("link", [Series("p95_pct", m("c.p95_pct"), "#b2182b")], stacked=False, unit="%")
    src = m("src.prometheus")
    tables = [
        Table("capacity_upgrades", m("t.capacity_upgrades"), cols, [row(c) for c in cap.upgrades], source=src,
              queries=cap.queries, chart=chart, empty=m("e.no_upgrades")),
        Table("capacity_vsat", m("t.capacity_vsat"), cols, [row(c) for c in cap.saturated_vsat], source=src,
              queries=cap.queries, empty=m("e.no_saturated")),
        Table("capacity_links", m("t.capacity_links"), cols, [row(c) for c in cap.links], source=src,
              queries=cap.queries, empty=m("e.no_data")),
    ]
    with_data = sum(1 for c in cap.links if c.p95 is not None)
    start = cap.at - parse_duration(cap.period)
    text = [m("s.capacity_summary", links=len(cap.links), with_data=with_data, upgrades=len(cap.upgrades),
              saturated=len(cap.saturated_vsat), period=cap.period, start=_iso(start), end=_iso(cap.at)),
            m("d.capacity")]
    return [Section("capacity", m("h.capacity"), text, tables)]


# -- growth plan -------------------------------------------------------------------------------

def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def growth_sections(gp: GrowthPlan, m: Messages, approx: set[str] | frozenset[str] = frozenset()) -> list[Section]:
    costs = gp.costs
    terrain = ", ".join(f"{k} ×{m.num(v, 'x')}" for k, v in sorted(costs.terrain.items())) or m("l.none")
    text = [m("s.growth_costs", cable=m.num(costs.cable_rp_per_km, "rp"), route=m.num(costs.route_factor, "x"),
              site=m.num(costs.site_rp, "rp"), terrain=terrain)]
    if gp.steps:
        saving = gp.nearest_total_rp - gp.total_rp
        text.insert(0, m("s.growth_summary", steps=len(gp.steps), points=gp.fiber_points,
                         total=m.num(gp.total_rp, "rp"), km=m.num(gp.route_km, "km"),
                         nearest=m.num(gp.nearest_total_rp, "rp"), nearest_km=m.num(gp.nearest_route_km, "km"),
                         saving_pct=m.num(_pct(int(round(saving)), int(round(gp.nearest_total_rp))), "pct")))
    if gp.budget_rp is not None:
        last = gp.stages[-1] if gp.stages else None
        fiber_after = last.fiber_desa if last else gp.fiber_now
        text.append(m("s.growth_budget", budget=m.num(gp.budget_rp, "rp"), stages=gp.stages_asked,
                      bought=sum(len(sg.steps) for sg in gp.stages), spent=m.num(last.cumulative_rp if last else 0, "rp"),
                      fiber_now=gp.fiber_now, fiber_pct_now=m.num(_pct(gp.fiber_now, gp.villages), "pct"),
                      fiber_after=fiber_after, fiber_pct_after=m.num(_pct(fiber_after, gp.villages), "pct")))
    if gp.empty is not None:
        nxt = next((s for s in gp.steps if s.stage is None), None)
        text.append(m(f"s.growth_empty.{gp.empty.value}", site=nxt.site.id if nxt else "",
                      cost=m.num(nxt.cost_rp if nxt else 0, "rp"), budget=m.num(gp.budget_rp or 0, "rp")))
    if gp.unplaced:
        text.append(m("s.growth_unplaced", n=len(gp.unplaced)))
    n_approx = sum(1 for s in gp.steps if s.site.id in approx)
    if n_approx:
        text.append(m("s.growth_approx", n=n_approx))
    n_prio = sum(1 for s in gp.steps if s.priority)
    if n_prio:
        text.append(m("s.growth_priority", n=n_prio))
    text.append(m("d.growth"))
    now = {"stage": m("l.stage_now"), "sites": 0, "route_km": 0.0, "cost_rp": 0.0, "cumulative_rp": 0.0,
           "nearest_cost_rp": 0.0, "nearest_route_km": 0.0, "fiber_desa": gp.fiber_now,
           "fiber_pct": _pct(gp.fiber_now, gp.villages), "covered_desa": gp.covered_now,
           "covered_pct": _pct(gp.covered_now, gp.villages)}
    stage_rows = [now] + [
        {"stage": str(sg.number), "sites": len(sg.steps), "route_km": sg.route_km, "cost_rp": sg.cost_rp,
         "cumulative_rp": sg.cumulative_rp, "nearest_cost_rp": sg.nearest_cost_rp,
         "nearest_route_km": sg.nearest_route_km, "fiber_desa": sg.fiber_desa,
         "fiber_pct": _pct(sg.fiber_desa, gp.villages), "covered_desa": sg.covered_desa,
         "covered_pct": _pct(sg.covered_desa, gp.villages)} for sg in gp.stages]
    stages = Table(
        "growth_stages", m("t.growth_stages"),
        [Column("stage", m("c.stage")), Column("sites", m("c.sites_bought"), "int"),
         Column("route_km", m("c.route_km"), "km"), Column("cost_rp", m("c.cost_rp"), "rp"),
         Column("cumulative_rp", m("c.cumulative_rp"), "rp"),
         Column("nearest_cost_rp", m("c.nearest_cost_rp"), "rp"),
         Column("fiber_desa", m("c.fiber_desa"), "int"), Column("fiber_pct", m("c.fiber_pct"), "pct"),
         Column("covered_desa", m("c.covered_desa"), "int"), Column("covered_pct", m("c.covered_pct"), "pct")],
        stage_rows, source=m("src.inventory_desa"))
    compare = Table(
        "growth_compare", m("t.growth_compare"),
        [Column("method", m("c.method")), Column("sites", m("c.sites"), "int"),
         Column("route_km", m("c.route_km"), "km"), Column("cost_rp", m("c.cost_rp"), "rp")],
        [{"method": m("l.method_growth"), "sites": len(gp.steps), "route_km": gp.route_km, "cost_rp": gp.total_rp},
         {"method": m("l.method_nearest"), "sites": len(gp.steps), "route_km": gp.nearest_route_km,
          "cost_rp": gp.nearest_total_rp},
         {"method": m("l.method_saving"), "sites": None, "route_km": gp.nearest_route_km - gp.route_km,
          "cost_rp": gp.nearest_total_rp - gp.total_rp}])
    beyond = m("l.beyond_budget")
    steps = Table(
        "growth_steps", m("t.growth_steps"),
        [Column("step", m("c.step"), "int"), Column("stage", m("c.stage")), Column("kecamatan", m("c.kecamatan")),
         Column("code", m("c.code")), Column("site", m("c.site")), Column("name", m("c.name")),
         Column("state", m("c.state")), Column("attach_to", m("c.attach_to")), Column("km", m("c.km"), "km"),
         Column("route_km", m("c.route_km"), "km"), Column("factor", m("c.factor"), "x"),
         Column("cost_rp", m("c.cost_rp"), "rp"), Column("cumulative_rp", m("c.cumulative_rp"), "rp"),
         Column("nearest", m("c.nearest_fiber")), Column("nearest_km", m("c.nearest_km"), "km"),
         Column("nearest_cost_rp", m("c.nearest_cost_rp"), "rp"), Column("priority", m("c.priority"), "bool"),
         Column("approximate", m("c.approximate"), "bool")],
        [{"step": s.order, "priority": s.priority, "approximate": s.site.id in approx,
          "stage": str(s.stage) if s.stage is not None else beyond,
          "kecamatan": s.site.kecamatan,
          "code": s.site.code, "site": s.site.id, "name": s.site.name, "state": m(f"state.{s.state}"),
          "attach_to": s.parent.id, "km": s.km, "route_km": s.route_km, "factor": s.factor, "cost_rp": s.cost_rp,
          "cumulative_rp": s.cumulative_rp, "nearest": s.nearest.id, "nearest_km": s.nearest_km,
          "nearest_cost_rp": s.nearest_cost_rp} for s in gp.steps],
        source=m("src.plan_distance"), empty=m("e.no_candidates"))
    return [Section("growth", m("h.growth"), text, [stages, compare, steps])]


def route_lines(gp: GrowthPlan, approx: set[str] | frozenset[str] = frozenset()) -> list[MapLine]:
    """Each step's cable as a line from the point it joins (for the map and GeoJSON LineStrings)."""
    out = []
    for s in gp.steps:
        rough = s.site.id in approx or s.parent.id in approx
        a, b = s.parent, s.site
        out.append(MapLine(f"route-{b.id}", ((a.lon, a.lat), (b.lon, b.lat)), "fiber", "route",  # type: ignore[arg-type]
                           (("step", s.order), ("stage", s.stage), ("from", a.id), ("to", b.id),
                            ("km", round(s.km, 3)), ("route_km", round(s.route_km, 3)),
                            ("cost_rp", int(round(s.cost_rp))), ("cumulative_rp", int(round(s.cumulative_rp))),
                            ("approximate", rough))))
    return out


# -- map ---------------------------------------------------------------------------------------

def map_layers(inv: Inventory, sites: Iterable[Site], extra: dict[str, dict[str, Any]] | None = None,
               known: dict[str, SiteState] | None = None,
               placed: dict[str, tuple[float, float]] | None = None) -> tuple[list[MapPoint], list[MapLine]]:
    """Every chosen site with coordinates, coloured by medium and marked by status; links as lines.

    ``placed`` gives (lat, lon) to sites without coordinates (their desa polygon's centroid): drawn, marked
    approximate, but no line is drawn to them."""
    extra = extra or {}
    known = known or {}
    placed = placed or {}
    all_sites = list(sites)
    chosen = [s for s in all_sites if s.lat is not None and s.lon is not None and s.id not in placed]
    approx = [s for s in all_sites if s.id in placed]
    points = []
    hub, dc = "hub", Tier.datacenter
    shown = {"fiber": "active", "vsat": "active", "other": "active"}
    for s in chosen + approx:
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
        if s.id in placed:
            lat, lon = placed[s.id]
            points.append(MapPoint(s.id, s.name, lat, lon, s.tier.value, medium, status, props, approx=True))
        else:
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


def map_areas(b: Boundaries, px_deg: float | None = None) -> list[MapArea]:
    """Boundary rings for drawing, simplified to about half a pixel of a 960-px map of their extent."""
    if px_deg is None:
        x0, y0, x1, y1 = b.outline().bounds
        px_deg = max(x1 - x0, y1 - y0) / 2000
    order = {lv: i for i, lv in enumerate(LEVELS)}
    return [MapArea(a.kode, a.nama, a.level, rings(a.geom, px_deg))
            for a in sorted(b.areas, key=lambda a: order[a.level])]


def legend(m: Messages) -> dict[str, str]:
    out = {f"medium.{k}": m(f"medium.{k}") for k in MEDIUM_COLORS}
    out.update({f"status.{k}": m(f"mapstatus.{k}") for k in ("active", "down", "planned", "none", "hub", "route",
                                                                 "route_later")})
    out["approx"] = m("l.approx")
    return out


def report_labels(m: Messages) -> dict[str, str]:
    keys = ("map", "queries", "query_purpose", "query_expr", "query_time", "source", "total", "generated_by",
            "contents", "no_coordinates_map", "yes", "no", "approx", "boundary_kabupaten", "boundary_kecamatan",
            "boundary_desa")
    return {k: m(f"l.{k}") for k in keys}


def new_report(kind: str, m: Messages, inv: Inventory, meta: list[tuple[str, str]], sections: list[Section],
               sites: list[Site], extra: dict[str, dict[str, Any]] | None = None,
               known: dict[str, SiteState] | None = None,
               placed: dict[str, tuple[float, float]] | None = None) -> Report:
    points, lines = map_layers(inv, sites, extra, known, placed)
    return Report(kind=kind, lang=m.lang, title=m(f"title.{kind}", regency=inv.regency.name), meta=meta,
                  sections=sections, points=points, lines=lines, legend=legend(m), labels=report_labels(m))
