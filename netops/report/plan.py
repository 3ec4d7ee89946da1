"""Where fiber should go next: VSAT and unconnected desa ranked by distance to fiber.

A "fiber point" is the data center or any site with a fiber uplink that is active or down
(down fiber is still a cable in the ground). Each candidate desa (best state VSAT, a down
VSAT link, planned or none) gets the great-circle distance to its nearest fiber point, from
the whole inventory (a desa's nearest fiber may be across a kecamatan border). Shortest
first: the cheapest extensions lead. Desa without coordinates are listed apart, unranked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from netops.inventory import Inventory, Link, LinkStatus, Medium, Site, Tier
from netops.report.coverage import Coverage, SiteState, classify, coverage
from netops.report.geo import NearestIndex
from netops.report.uptime import LinkUptime, VsatPerf


@dataclass
class Candidate:
    state: SiteState
    nearest: Site | None = None
    distance_km: float | None = None
    uptime: LinkUptime | None = None
    vsat: VsatPerf | None = None

    @property
    def planned_fiber(self) -> list[Link]:
        return [lk for lk in self.state.planned if lk.medium is Medium.fiber]


@dataclass(frozen=True)
class PlannedChange:
    link: Link
    site: Site
    before: str
    after: str


@dataclass
class FiberPlan:
    candidates: list[Candidate]
    """Ranked by distance; those without coordinates last, unranked."""
    fiber_points: int
    planned: list[PlannedChange]
    before: Coverage
    after: Coverage
    notes: list[str] = field(default_factory=list)

    @property
    def ranked(self) -> list[Candidate]:
        return [c for c in self.candidates if c.distance_km is not None]

    @property
    def unranked(self) -> list[Candidate]:
        return [c for c in self.candidates if c.distance_km is None]


def fiber_points(inv: Inventory) -> list[Site]:
    fibered = {lk.b.site for lk in inv.links.values()
               if lk.medium is Medium.fiber and lk.status in (LinkStatus.active, LinkStatus.down)}
    return [s for s in inv.sites.values()
            if (s.tier is Tier.datacenter or s.id in fibered) and s.lat is not None and s.lon is not None]


def is_candidate(st: SiteState) -> bool:
    if st.state in ("vsat", "planned", "none"):
        return True
    return st.state == "down" and st.link is not None and st.link.medium is Medium.vsat


def plan(inv: Inventory, sites: Iterable[Site] | None = None, uptime_by_link: dict[str, LinkUptime] | None = None,
         vsat_by_link: dict[str, VsatPerf] | None = None, before: Coverage | None = None) -> FiberPlan:
    chosen = list(inv.sites.values()) if sites is None else list(sites)
    before = before or coverage(inv, chosen)
    points = fiber_points(inv)
    index: NearestIndex[Site] = NearestIndex((s.lat, s.lon, s) for s in points)  # type: ignore[misc]
    uptime_by_link = uptime_by_link or {}
    vsat_by_link = vsat_by_link or {}
    candidates = [Candidate(st) for st in before.desa if is_candidate(st)]
    for c in candidates:
        st = c.state
        if st.site.lat is not None and st.site.lon is not None:
            hit = index.nearest(st.site.lat, st.site.lon)
            if hit is not None:
                c.distance_km, c.nearest = hit
        if st.link is not None and st.link.medium is Medium.vsat:
            c.uptime = uptime_by_link.get(st.link.id)
            c.vsat = vsat_by_link.get(st.link.id)
    candidates.sort(key=lambda c: (c.distance_km is None, c.distance_km or 0.0, c.state.site.id))
    planned_ids = frozenset(lk.id for lk in inv.links.values() if lk.status is LinkStatus.planned)
    ids = {s.id for s in chosen}
    changes = []
    for lk in sorted((inv.links[i] for i in planned_ids), key=lambda x: x.id):
        if lk.b.site not in ids:
            continue
        site = inv.sites[lk.b.site]
        was = classify(inv, site).state
        will = classify(inv, site, assume_active=planned_ids).state
        changes.append(PlannedChange(lk, site, was, will))
    after = coverage(inv, chosen, assume_active=planned_ids, base=before)
    return FiberPlan(candidates, len(points), changes, before, after)
