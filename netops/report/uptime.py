"""Availability, SLA and VSAT performance from Prometheus, over one period ending at one time.

Formulas (P = the period, I = the scrape interval; every query is evaluated at the end time):
- link availability A = ``avg_over_time(netops_link_up[P])``: the share of the link's samples
  in the period that were 1. Missing samples (poller down, link not yet monitored) are not
  counted either way; instead n = ``count_over_time(netops_link_up[P])`` is reported as
  completeness n / (P/I), and a worst case that counts every missing sample as down,
  A·n / (P/I), is shown beside A.
- downtime minutes = round(n·(1 − A)) · I / 60: down samples times the interval.
- unmeasured minutes = (P/I − n) · I / 60.
- SLA breach: A < target, the target being the inventory link's ``sla`` (percent).
- kecamatan / provider availability = Σ up samples / Σ samples of their links
  (= ``sum by (kecamatan) (sum_over_time(netops_link_up[P])) / sum by (kecamatan) (count_over_time(netops_link_up[P]))``),
  computed from the link rows so ``--where`` filters apply.
- site availability = share of time at least one uplink was up:
  ``avg_over_time((max by (site) (netops_link_up))[P:I])`` (a subquery; Prometheus's 5-minute
  lookback fills gaps shorter than that with the last sample).
- VSAT RTT/loss: ``quantile_over_time`` and ``avg_over_time`` of the monitor's per-cycle figures.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from netops.inventory import Inventory, Link, LinkStatus, Medium
from netops.inventory.alerting import MaintenanceWindow
from netops.report.prom import PromClient, parse_duration

DEFAULT_INTERVAL_S = 60.0


@dataclass
class LinkUptime:
    link: Link
    kecamatan: str | None
    samples: int = 0
    expected: int = 0
    availability: float | None = None
    """Ratio 0..1 over the samples present; None without data."""
    down_samples: int = 0
    interval_s: float = DEFAULT_INTERVAL_S
    maintenance_min: float = 0.0
    """Minutes of planned maintenance windows over this link in the period."""
    maintenance_down_samples: int = 0
    """Down samples inside windows whose contract rule excludes them from the SLA."""

    @property
    def availability_sla(self) -> float | None:
        """Availability as the SLA counts it: down samples in excluded maintenance windows count as up."""
        if self.availability is None or not self.samples:
            return None
        return (self.samples - self.down_samples + self.maintenance_down_samples) / self.samples

    @property
    def target(self) -> float | None:
        return self.link.sla / 100.0 if self.link.sla is not None else None

    @property
    def breach(self) -> bool | None:
        sla = self.availability_sla
        if sla is None or self.target is None:
            return None
        return sla < self.target

    @property
    def downtime_min(self) -> float:
        return self.down_samples * self.interval_s / 60.0

    @property
    def unmeasured_min(self) -> float:
        return max(0, self.expected - self.samples) * self.interval_s / 60.0

    @property
    def completeness(self) -> float | None:
        return min(1.0, self.samples / self.expected) if self.expected else None

    @property
    def worst_case(self) -> float | None:
        if self.availability is None or not self.expected:
            return None
        return (self.samples - self.down_samples) / max(self.expected, self.samples)


@dataclass
class GroupUptime:
    name: str
    links: int = 0
    with_data: int = 0
    samples: int = 0
    up_samples: int = 0
    downtime_min: float = 0.0
    breaches: int = 0

    @property
    def availability(self) -> float | None:
        return self.up_samples / self.samples if self.samples else None


@dataclass
class SiteUptime:
    site: str
    kecamatan: str | None
    samples: int
    availability: float
    interval_s: float
    tier: str = ""

    @property
    def downtime_min(self) -> float:
        return round(self.samples * (1 - self.availability)) * self.interval_s / 60.0


@dataclass
class VsatPerf:
    link: Link
    kecamatan: str | None
    rtt_p50_s: float | None = None
    rtt_p95_s: float | None = None
    loss_avg: float | None = None
    loss_p95: float | None = None


@dataclass
class Uptime:
    at: float
    period: str
    period_s: int
    interval_s: float
    interval_source: str
    links: list[LinkUptime]
    sites: list[SiteUptime]
    kecamatan: list[GroupUptime]
    providers: list[GroupUptime]
    vsat: list[VsatPerf]
    queries: dict[str, list[str]] = field(default_factory=dict)
    """Table id → the PromQL behind it."""
    ignored_series: int = 0
    duplicate_series: int = 0
    trend: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    """(end of step, provider → availability) over the period, from /api/v1/query_range."""
    trend_step: str = ""
    maintenance: list[MaintenanceRow] = field(default_factory=list)

    @property
    def worst(self) -> list[LinkUptime]:
        data = [lu for lu in self.links if lu.availability is not None]
        return sorted(data, key=lambda lu: (lu.availability, -lu.downtime_min, lu.link.id))[:10]

    @property
    def breaches(self) -> list[LinkUptime]:
        return [lu for lu in self.links if lu.breach]


@dataclass
class MaintenanceRow:
    window: str
    start: float
    end: float
    links: int
    down_min: float
    sla: str


def occurrences(w: MaintenanceWindow, timezone: str, start: float, end: float) -> list[tuple[float, float]]:
    """The window's spans inside [start, end], as Unix times."""
    if w.weekly is None:
        assert w.start is not None and w.end is not None
        s, e = max(start, w.start.timestamp()), min(end, w.end.timestamp())
        return [(s, e)] if e > s else []
    zone = ZoneInfo(timezone)
    days = {d.value for d in w.weekly.days}
    out = []
    day = dt.datetime.fromtimestamp(start, zone).date() - dt.timedelta(days=1)
    last = dt.datetime.fromtimestamp(end, zone).date()
    while day <= last:
        if day.strftime("%A").lower() in days:
            h0, m0 = map(int, w.weekly.start.split(":"))
            h1, m1 = map(int, w.weekly.end.split(":"))
            s0 = dt.datetime.combine(day, dt.time(0), zone) + dt.timedelta(hours=h0, minutes=m0)
            e0 = dt.datetime.combine(day, dt.time(0), zone) + dt.timedelta(hours=h1, minutes=m1)
            s, e = max(start, s0.timestamp()), min(end, e0.timestamp())
            if e > s:
                out.append((s, e))
        day += dt.timedelta(days=1)
    return out


def _covers(inv: Inventory, w: MaintenanceWindow, link: Link) -> bool:
    site = inv.sites.get(link.b.site)
    return (link.id in w.link or link.b.site in w.site or link.provider in w.provider
            or (site is not None and site.kecamatan in w.kecamatan))


def maintenance_downtime(inv: Inventory, rows: list[LinkUptime], client: PromClient, at: float, period_s: int,
                         interval_s: float) -> tuple[list[MaintenanceRow], list[str]]:
    """Per window occurrence: the down samples of the links it covers (one query each)."""
    by_id = {lu.link.id: lu for lu in rows}
    timezone = inv.alerting.timezone if inv.alerting else "UTC"
    out, queries = [], []
    for w in sorted(inv.maintenance.values(), key=lambda w: w.id):
        covered = {lid for lid, lu in by_id.items() if _covers(inv, w, lu.link)}
        if not covered:
            continue
        for s, e in occurrences(w, timezone, at - period_s, at):
            span = max(int(round(e - s)), int(interval_s))
            q = f"count_over_time(netops_link_up[{span}s]) - sum_over_time(netops_link_up[{span}s])"
            queries.append(f"{q}  @ {e:.0f}")
            down_total = 0
            for r in client.query(q, e, f"down samples in maintenance {w.id}"):
                lid = r["metric"].get("link")
                if lid in covered:
                    n = int(round(r["value"]))
                    down_total += n
                    by_id[lid].maintenance_min += span / 60.0
                    if w.sla == "exclude":
                        by_id[lid].maintenance_down_samples += n
            out.append(MaintenanceRow(w.id, s, e, len(covered), down_total * interval_s / 60.0, w.sla))
    return out, queries


def q_link_availability(period: str) -> str:
    return f"avg_over_time(netops_link_up[{period}])"


def q_link_samples(period: str) -> str:
    return f"count_over_time(netops_link_up[{period}])"


def q_site_availability(period: str, interval: str) -> str:
    return f"avg_over_time((max by (site) (netops_link_up))[{period}:{interval}])"


def q_site_samples(period: str, interval: str) -> str:
    return f"count_over_time((max by (site) (netops_link_up))[{period}:{interval}])"


VSAT_QUERIES = {
    "rtt_p50_s": "quantile_over_time(0.5, netops_link_rtt_seconds{{medium=\"vsat\"}}[{p}])",
    "rtt_p95_s": "quantile_over_time(0.95, netops_link_rtt_seconds{{medium=\"vsat\"}}[{p}])",
    "loss_avg": "avg_over_time(netops_link_loss_ratio{{medium=\"vsat\"}}[{p}])",
    "loss_p95": "quantile_over_time(0.95, netops_link_loss_ratio{{medium=\"vsat\"}}[{p}])",
}


def _fmt_interval(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}m" if s % 60 == 0 else f"{s}s"


def infer_interval(client: PromClient, at: float) -> tuple[float, str]:
    """The monitor's scrape interval: median spacing of the last hour's raw samples."""
    expr = "netops_link_up[1h]"
    deltas: list[float] = []
    for series in client.query_raw(expr, at, "scrape interval"):
        ts = [t for t, _ in series["values"]]
        deltas.extend(b - a for a, b in pairwise(ts))
    if not deltas:
        return DEFAULT_INTERVAL_S, f"default {DEFAULT_INTERVAL_S:g}s (no samples in the last hour to infer it from)"
    return float(round(statistics.median(deltas), 3)), f"median spacing of samples: {expr}"


def _by_link(results: Iterable[dict[str, Any]], wanted: set[str]) -> tuple[dict[str, float], int]:
    out: dict[str, float] = {}
    ignored = 0
    for r in results:
        link = r["metric"].get("link")
        if link in wanted:
            out.setdefault(link, r["value"])
        else:
            ignored += 1
    return out, ignored


def link_uptime(inv: Inventory, links: Iterable[Link], client: PromClient, at: float, period: str,
                interval_s: float) -> tuple[list[LinkUptime], dict[str, list[str]], int, int]:
    period_s = _period_seconds(period)
    chosen = [lk for lk in links if lk.status in (LinkStatus.active, LinkStatus.down)]
    wanted = {lk.id for lk in chosen}
    q_avail, q_count = q_link_availability(period), q_link_samples(period)
    counts_raw = client.query(q_count, at, "samples per link")
    avail_raw = client.query(q_avail, at, "availability per link")
    # Several series for one link (two pollers, a relabel): keep the one with the most samples.
    best: dict[str, tuple[int, dict[str, str]]] = {}
    duplicates = 0
    ignored = 0
    for r in counts_raw:
        link = r["metric"].get("link")
        if link not in wanted:
            ignored += 1
            continue
        n = int(round(r["value"]))
        if link in best:
            duplicates += 1
            if n <= best[link][0]:
                continue
        best[link] = (n, r["metric"])
    avail: dict[str, float] = {}
    for r in avail_raw:
        link = r["metric"].get("link")
        if link in best and r["metric"] == best[link][1]:
            avail[link] = r["value"]
    expected = int(period_s // interval_s)
    rows = []
    for lk in sorted(chosen, key=lambda x: x.id):
        lu = LinkUptime(lk, inv.sites[lk.b.site].kecamatan, expected=expected, interval_s=interval_s)
        if lk.id in best and lk.id in avail:
            lu.samples = best[lk.id][0]
            lu.availability = avail[lk.id]
            lu.down_samples = int(round(lu.samples * (1.0 - lu.availability)))
        rows.append(lu)
    return rows, {"links": [q_avail, q_count]}, ignored, duplicates


def vsat_perf(inv: Inventory, links: Iterable[Link], client: PromClient, at: float,
              period: str) -> tuple[list[VsatPerf], list[str]]:
    chosen = {lk.id: lk for lk in links if lk.medium is Medium.vsat and lk.status in (LinkStatus.active,
                                                                                        LinkStatus.down)}
    perf = {lid: VsatPerf(lk, inv.sites[lk.b.site].kecamatan) for lid, lk in sorted(chosen.items())}
    exprs = []
    for attr, tmpl in VSAT_QUERIES.items():
        expr = tmpl.format(p=period)
        exprs.append(expr)
        values, _ = _by_link(client.query(expr, at, f"VSAT {attr}"), set(chosen))
        for lid, v in values.items():
            setattr(perf[lid], attr, v)
    return list(perf.values()), exprs


def _period_seconds(period: str) -> int:
    return parse_duration(period)


MAX_TREND_LINKS = 2000
"""Above this many filtered links the trend's link=~"…" matcher gets unwieldy: no trend then."""


def provider_trend(client: PromClient, at: float, period: str, link_ids: list[str] | None
                   ) -> tuple[list[tuple[float, dict[str, float]]], str, str]:
    """Availability per provider per day (periods of 7 days or more), hour, 5 or 1 minutes, over the period.

    Each point is Σ up / Σ samples of the provider's links in the step ending there. With a
    ``--where`` filter the query names the chosen links (``link=~"a|b"``), so it matches the tables.
    """
    period_s = parse_duration(period)
    # Days for a month, hours for a day, minutes for a short demo period; never a step past the period.
    step = next((st for st, floor in (("1d", 7 * 86400), ("1h", 2 * 3600), ("5m", 3600), ("1m", 120))
                 if period_s >= floor), period)
    step_s = parse_duration(step)
    sel = ""
    if link_ids is not None:
        if not link_ids or len(link_ids) > MAX_TREND_LINKS:
            return [], step, ""
        sel = '{link=~"' + "|".join(sorted(link_ids)) + '"}'
    expr = (f"sum by (provider) (sum_over_time(netops_link_up{sel}[{step}])) / "
            f"sum by (provider) (count_over_time(netops_link_up{sel}[{step}]))")
    points: dict[float, dict[str, float]] = {}
    for series in client.query_range(expr, at - period_s + step_s, at, step_s, f"availability per provider per {step}"):
        prov = series["metric"].get("provider", "-")
        for t, v in series["values"]:
            points.setdefault(t, {})[prov] = v
    return sorted(points.items()), step, expr


def uptime(inv: Inventory, links: Iterable[Link], sites: Iterable[str], client: PromClient, at: float,
           period: str, interval_s: float | None = None, filtered: bool = False) -> Uptime:
    """Everything the uptime report shows; raises PrometheusUnavailable when Prometheus fails."""
    links = list(links)
    if interval_s is None:
        interval_s, interval_source = infer_interval(client, at)
    else:
        interval_source = "--interval"
    rows, queries, ignored, duplicates = link_uptime(inv, links, client, at, period, interval_s)
    maint, mq = maintenance_downtime(inv, rows, client, at, _period_seconds(period), interval_s)
    queries["maintenance"] = mq
    groups: dict[str, dict[str, GroupUptime]] = {"kecamatan": {}, "providers": {}}
    for lu in rows:
        for kind, key in (("kecamatan", lu.kecamatan or "-"), ("providers", lu.link.provider)):
            g = groups[kind].setdefault(key, GroupUptime(key))
            g.links += 1
            if lu.availability is not None:
                g.with_data += 1
                g.samples += lu.samples
                g.up_samples += lu.samples - lu.down_samples
                g.downtime_min += lu.downtime_min
                g.breaches += 1 if lu.breach else 0
    link_q = queries["links"]
    queries["kecamatan"] = link_q + [
        f"sum by (kecamatan) (sum_over_time(netops_link_up[{period}])) / "
        f"sum by (kecamatan) (count_over_time(netops_link_up[{period}]))"]
    queries["providers"] = link_q + [
        f"sum by (provider) (sum_over_time(netops_link_up[{period}])) / "
        f"sum by (provider) (count_over_time(netops_link_up[{period}]))"]
    queries["worst"] = link_q
    queries["breaches"] = link_q
    site_ids = set(sites)
    iv = _fmt_interval(interval_s)
    qs_a, qs_n = q_site_availability(period, iv), q_site_samples(period, iv)
    s_avail = {r["metric"].get("site"): r["value"] for r in client.query(qs_a, at, "availability per site")}
    s_count = {r["metric"].get("site"): r["value"] for r in client.query(qs_n, at, "samples per site")}
    site_rows = [
        SiteUptime(s, inv.sites[s].kecamatan, int(round(s_count.get(s, 0))), s_avail[s], interval_s,
                   inv.sites[s].tier.value)
        for s in sorted(site_ids) if s in s_avail and s in inv.sites
    ]
    queries["sites"] = [qs_a, qs_n]
    perf, vq = vsat_perf(inv, links, client, at, period)
    queries["vsat"] = vq
    trend, step, tq = provider_trend(client, at, period, [lk.id for lk in links] if filtered else None)
    queries["trend"] = [tq] if tq else []
    return Uptime(
        at=at, period=period, period_s=_period_seconds(period), interval_s=interval_s,
        interval_source=interval_source, links=rows, sites=site_rows,
        kecamatan=[groups["kecamatan"][k] for k in sorted(groups["kecamatan"])],
        providers=[groups["providers"][k] for k in sorted(groups["providers"])],
        vsat=perf, queries=queries, ignored_series=ignored, duplicate_series=duplicates,
        trend=trend, trend_step=step, maintenance=maint,
    )
