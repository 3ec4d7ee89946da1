"""Which links are full: the 95th percentile of 5-minute traffic against the committed bandwidth.

Formulas (P = the period; every query is evaluated at the end time):
- 5-minute traffic = ``avg_over_time(netops_link_in_bps[5m])`` (and ``out``), taken every 5 minutes
  over the period by a subquery ``[P:5m]``: the usual billing view of a link.
- p95 = ``quantile_over_time(0.95, <5-minute traffic>[P:5m])`` (Prometheus interpolates between
  ranks: rank 0.95·(n−1) of the n five-minute values); peak = ``max_over_time`` of the same.
- utilisation = traffic / committed bandwidth (``bandwidth_mbps`` of the inventory link, the
  source of truth; the monitor exports the same as ``netops_link_bandwidth_bps``).
- upgrade candidate: the busier direction's p95 utilisation above 80 %.
- a VSAT link is saturated when its p95 reaches 90 % of the committed rate: its desa goes first
  in the fiber plan.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from netops.inventory import Inventory, Link, LinkStatus, Medium
from netops.report.prom import PromClient, parse_duration

UPGRADE_RATIO = 0.8
SATURATED_RATIO = 0.9
WINDOW = "5m"

QUERIES = {
    "in_p95_bps": "quantile_over_time(0.95, (avg_over_time(netops_link_in_bps[{w}]))[{p}:{w}])",
    "out_p95_bps": "quantile_over_time(0.95, (avg_over_time(netops_link_out_bps[{w}]))[{p}:{w}])",
    "in_peak_bps": "max_over_time((avg_over_time(netops_link_in_bps[{w}]))[{p}:{w}])",
    "out_peak_bps": "max_over_time((avg_over_time(netops_link_out_bps[{w}]))[{p}:{w}])",
}


@dataclass
class LinkCapacity:
    link: Link
    kecamatan: str | None
    in_p95_bps: float | None = None
    out_p95_bps: float | None = None
    in_peak_bps: float | None = None
    out_peak_bps: float | None = None

    @property
    def committed_bps(self) -> float | None:
        return self.link.bandwidth_mbps * 1e6 if self.link.bandwidth_mbps else None

    def _ratio(self, bps: float | None) -> float | None:
        c = self.committed_bps
        return bps / c if bps is not None and c else None

    @property
    def in_p95(self) -> float | None:
        return self._ratio(self.in_p95_bps)

    @property
    def out_p95(self) -> float | None:
        return self._ratio(self.out_p95_bps)

    @property
    def p95(self) -> float | None:
        """The busier direction's p95 utilisation."""
        vals = [v for v in (self.in_p95, self.out_p95) if v is not None]
        return max(vals) if vals else None

    @property
    def peak(self) -> float | None:
        vals = [v for v in (self._ratio(self.in_peak_bps), self._ratio(self.out_peak_bps)) if v is not None]
        return max(vals) if vals else None

    @property
    def upgrade(self) -> bool | None:
        return None if self.p95 is None else self.p95 > UPGRADE_RATIO

    @property
    def saturated(self) -> bool:
        return self.link.medium is Medium.vsat and self.p95 is not None and self.p95 >= SATURATED_RATIO


@dataclass
class Capacity:
    links: list[LinkCapacity]
    """Busiest first (p95), links without data last."""
    queries: list[str] = field(default_factory=list)
    period: str = ""
    at: float = 0.0

    @property
    def upgrades(self) -> list[LinkCapacity]:
        return [c for c in self.links if c.upgrade]

    @property
    def saturated_vsat(self) -> list[LinkCapacity]:
        return [c for c in self.links if c.saturated]


def capacity(inv: Inventory, links: Iterable[Link], client: PromClient, at: float, period: str,
             workers: int = 2) -> Capacity:
    """p95 and peak of 5-minute traffic per link; four queries, whatever the number of links."""
    parse_duration(period)
    chosen = {lk.id: lk for lk in links if lk.status in (LinkStatus.active, LinkStatus.down)}
    rows = {lid: LinkCapacity(lk, inv.sites[lk.b.site].kecamatan if lk.b.site in inv.sites else None)
            for lid, lk in chosen.items()}
    exprs = {attr: tmpl.format(p=period, w=WINDOW) for attr, tmpl in QUERIES.items()}
    # Each query is one long subquery scan that Prometheus runs on one core: two at a time use both
    # cores of a small server (1,000 links × 30 days: 21.5 s one by one; see bench/RESULTS.md).
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(lambda kv: (kv[0], client.query(kv[1], at, f"capacity {kv[0]}")), exprs.items()))
    for attr, results in answers:
        for r in results:
            lid = r["metric"].get("link")
            row = rows.get(lid) if lid is not None else None
            if row is not None and getattr(row, attr) is None:
                setattr(row, attr, r["value"])
    ordered = sorted(rows.values(), key=lambda c: (c.p95 is None, -(c.p95 or 0.0), c.link.id))
    return Capacity(ordered, list(exprs.values()), period, at)
