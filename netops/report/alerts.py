"""Alert history from Prometheus' ``ALERTS`` series: incidents per kecamatan and provider, time to recover.

An incident is one run of consecutive steps in which an alert (its full label set) was firing.
Only root causes count: alerts with ``cause="unreachable_upstream"`` are consequences of another
incident and are left out. The query is ``last_over_time(ALERTS{...}[step])`` over a range with
that step (the scrape interval, or coarser for long periods so the answer stays under Prometheus'
11,000 points per series): a range selector sees exactly the samples of each step, so the
5-minute lookback does not stretch an incident.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from netops.report.i18n import Messages
from netops.report.model import Column, Section, Table
from netops.report.prom import PromClient, parse_duration

QUERY = 'ALERTS{alertstate="firing", alertname=~"Netops.+", cause!="unreachable_upstream"}'
MAX_POINTS = 10_000


@dataclass
class Incident:
    alert: str
    target: str
    """link, device, service or provider the alert is about."""
    site: str
    kecamatan: str
    provider: str
    start: float
    end: float
    ongoing: bool

    @property
    def minutes(self) -> float:
        return (self.end - self.start) / 60.0


def step_for(period_s: int, interval_s: float) -> float:
    return max(interval_s, period_s / MAX_POINTS)


def incidents(client: PromClient, at: float, period: str, interval_s: float) -> list[Incident]:
    period_s = parse_duration(period)
    step = step_for(period_s, interval_s)
    out = []
    series = client.query_range(f"last_over_time({QUERY}[{step:g}s])", at - period_s + step, at, step,
                                purpose="alert history")
    for s in series:
        m: dict[str, Any] = s["metric"]
        target = m.get("link") or m.get("device") or m.get("service") or m.get("provider") or m.get("instance", "")
        run: list[float] = []
        times = [t for t, _ in s["values"]]
        for t in [*times, None]:
            if t is not None and run and t - run[-1] <= step * 1.5:
                run.append(t)
                continue
            if run:
                out.append(Incident(m.get("alertname", ""), target, m.get("site", ""), m.get("kecamatan", ""),
                                    m.get("provider", ""), run[0] - step, run[-1],
                                    ongoing=run[-1] >= at - step * 1.5))
            run = [t] if t is not None else []
    return sorted(out, key=lambda i: (i.start, i.alert, i.target))


def _groups(items: list[Incident], key: str) -> list[dict[str, Any]]:
    by: dict[str, list[Incident]] = defaultdict(list)
    for i in items:
        by[getattr(i, key) or "-"].append(i)
    rows = []
    for name, group in by.items():
        ended = [i.minutes for i in group if not i.ongoing]
        rows.append({"name": name, "incidents": len(group), "ongoing": sum(1 for i in group if i.ongoing),
                     "minutes": sum(i.minutes for i in group),
                     "mttr_min": sum(ended) / len(ended) if ended else None})
    return sorted(rows, key=lambda r: (-r["incidents"], -r["minutes"], r["name"]))


def alert_sections(items: list[Incident], m: Messages, period: str, iso: Any, queries: list[str]) -> list[Section]:
    ended = [i.minutes for i in items if not i.ongoing]
    text = [m("s.alerts_summary", n=len(items), ongoing=sum(1 for i in items if i.ongoing), period=period,
              mttr=f"{sum(ended) / len(ended):.1f}" if ended else "-")]
    gcols = [Column("incidents", m("c.incidents"), "int"), Column("ongoing", m("c.ongoing"), "int"),
             Column("minutes", m("c.downtime_min"), "min"), Column("mttr_min", m("c.mttr_min"), "min")]
    sites: dict[str, float] = defaultdict(float)
    kec: dict[str, str] = {}
    for i in items:
        if i.site:
            sites[i.site] += i.minutes
            kec[i.site] = i.kecamatan
    worst = sorted(sites.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    tables = [
        Table("alerts_kecamatan", m("t.alerts_kecamatan"), [Column("name", m("c.kecamatan")), *gcols],
              _groups(items, "kecamatan"), source=m("src.prometheus"), queries=queries, empty=m("e.no_alerts")),
        Table("alerts_providers", m("t.alerts_providers"), [Column("name", m("c.provider")), *gcols],
              [r for r in _groups(items, "provider") if r["name"] != "-"], source=m("src.prometheus"),
              queries=queries, empty=m("e.no_alerts")),
        Table("alerts_worst_sites", m("t.alerts_worst_sites"),
              [Column("site", m("c.site")), Column("kecamatan", m("c.kecamatan")),
               Column("minutes", m("c.downtime_min"), "min")],
              [{"site": s, "kecamatan": kec[s], "minutes": v} for s, v in worst], source=m("src.prometheus"),
              queries=queries, empty=m("e.no_alerts")),
        Table("alerts_incidents", m("t.alerts_incidents"),
              [Column("alert", m("c.alert")), Column("target", m("c.target")), Column("site", m("c.site")),
               Column("kecamatan", m("c.kecamatan")), Column("provider", m("c.provider")),
               Column("start", m("c.start")), Column("end", m("c.end")),
               Column("minutes", m("c.downtime_min"), "min")],
              [{"alert": i.alert, "target": i.target, "site": i.site, "kecamatan": i.kecamatan,
                "provider": i.provider, "start": iso(i.start), "end": m("c.ongoing") if i.ongoing else iso(i.end),
                "minutes": i.minutes} for i in items],
              source=m("src.prometheus"), queries=queries, empty=m("e.no_alerts")),
    ]
    return [Section("alerts", m("h.alerts"), text, tables)]
