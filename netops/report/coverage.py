"""Who is connected, by what: coverage counted from the inventory alone.

Villages are desa and kelurahan (tiers ``desa`` and ``kelurahan``): counted apart and together
("desa/kelurahan"), because a planner reports them apart to Bappeda.

Definitions (the report prints them too). A desa's state comes from its uplinks, the
links whose downstream end (``b``) is the desa:
- ``fiber`` / ``vsat`` / ``other``: it has an ``active`` uplink; the medium is the best one
  among its active uplinks (fiber, then other terrestrial media such as radio or LTE, then VSAT);
- ``down``: no active uplink but one marked ``down``: connected but out of service;
- ``planned``: only ``planned`` uplinks: not connected yet;
- ``none``: no uplink at all (or only decommissioned ones): not connected.
"Covered" = fiber + vsat + other + down (a link exists); "online" = fiber + vsat + other.
Committed bandwidth sums ``bandwidth_mbps`` of the deciding active uplink of each desa.
The states are exclusive, so every row adds up: desa = fiber + vsat + other + down + planned + none.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from netops.inventory import VILLAGE_TIERS, Inventory, Link, LinkStatus, Medium, Site, Tier

STATES = ("fiber", "vsat", "other", "down", "planned", "none")
COVERED = ("fiber", "vsat", "other", "down")
ONLINE = ("fiber", "vsat", "other")
NO_KECAMATAN = "-"

_MEDIUM_RANK = {Medium.fiber: 0, Medium.radio: 1, Medium.lte: 2, Medium.vsat: 3}
# Enum members looked up once: attribute access on an Enum class is slow in a national-size loop.
_ACTIVE, _DOWN, _PLANNED = LinkStatus.active, LinkStatus.down, LinkStatus.planned
_FIBER, _VSAT = Medium.fiber, Medium.vsat
_KELURAHAN = Tier.kelurahan
_VILLAGES = VILLAGE_TIERS


@dataclass(slots=True)
class SiteState:
    site: Site
    state: str
    link: Link | None
    """The uplink that decides the state (None for 'none')."""
    planned: tuple[Link, ...] = ()
    """Planned uplinks, whatever the current state (a VSAT desa may have fiber planned)."""
    bandwidth_mbps: float = 0.0
    """Committed bandwidth of the deciding link when it is active (what coverage adds up)."""


def _best(links: Iterable[Link]) -> Link | None:
    return min(links, key=lambda lk: (_MEDIUM_RANK.get(lk.medium, 9), lk.id), default=None)


def classify(inv: Inventory, site: Site, assume_active: frozenset[str] = frozenset()) -> SiteState:
    """The state of one site; ``assume_active`` treats those link ids as active (what-if)."""
    active: list[Link] = []
    down: list[Link] = []
    planned: list[Link] = []
    sid = site.id
    for lk in inv.links_by_site.get(sid, ()):
        if lk.b.site != sid or lk.a.site == sid:
            continue
        status = _ACTIVE if assume_active and lk.id in assume_active else lk.status
        if status is _ACTIVE:
            active.append(lk)
        elif status is _DOWN:
            down.append(lk)
        elif status is _PLANNED:
            planned.append(lk)
    if len(planned) > 1:
        planned.sort(key=lambda lk: lk.id)
    plan_t = tuple(planned)
    if active:
        best = active[0] if len(active) == 1 else _best(active)
        assert best is not None
        medium = best.medium
        state = "fiber" if medium is _FIBER else "vsat" if medium is _VSAT else "other"
        return SiteState(site, state, best, plan_t, best.bandwidth_mbps or 0.0)
    if down:
        return SiteState(site, "down", down[0] if len(down) == 1 else _best(down), plan_t)
    if planned:
        return SiteState(site, "planned", planned[0], plan_t)
    return SiteState(site, "none", None, plan_t)


@dataclass
class CoverageRow:
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    bandwidth_mbps: float = 0.0
    desa: int = 0
    kelurahan: int = 0

    @property
    def villages(self) -> int:
        """Desa and kelurahan together (the "desa/kelurahan" column)."""
        return self.desa + self.kelurahan

    @property
    def covered(self) -> int:
        return sum(self.counts[s] for s in COVERED)

    @property
    def online(self) -> int:
        return sum(self.counts[s] for s in ONLINE)

    def pct(self, n: int) -> float | None:
        total = self.villages
        return 100.0 * n / total if total else None

    def add(self, st: SiteState) -> None:
        self.counts[st.state] += 1
        self.bandwidth_mbps += st.bandwidth_mbps
        if st.site.tier is _KELURAHAN:
            self.kelurahan += 1
        else:
            self.desa += 1


@dataclass
class ProviderRow:
    provider: str
    media: set[str] = field(default_factory=set)
    links: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LinkStatus, 0))  # type: ignore[arg-type]
    """Count by status (LinkStatus is a str enum: keys compare equal to 'active', ...)."""
    sites: set[str] = field(default_factory=set)
    villages: set[str] = field(default_factory=set)
    """Desa and kelurahan served."""
    bandwidth_mbps: float = 0.0


@dataclass
class Coverage:
    desa: list[SiteState]
    """Every village (desa and kelurahan) of the selection, by kecamatan then code."""
    kecamatan: list[CoverageRow]
    regency: CoverageRow
    providers: list[ProviderRow]

    @property
    def unconnected(self) -> list[SiteState]:
        return [d for d in self.desa if d.state in ("planned", "none")]


def _desa_order(st: SiteState) -> tuple[str, str, str]:
    return (st.site.kecamatan or NO_KECAMATAN, st.site.code or "", st.site.id)


def coverage(inv: Inventory, sites: Iterable[Site] | None = None,
             assume_active: frozenset[str] = frozenset(), base: Coverage | None = None) -> Coverage:
    """Coverage of the desa among ``sites`` (default: all); providers over links into those sites.

    ``base``: the coverage of the same sites without ``assume_active``; only the sites those
    links reach are classified again (a national what-if stays cheap).
    """
    chosen = list(inv.sites.values()) if sites is None else list(sites)
    if base is not None:
        touched = {inv.links[lid].b.site for lid in assume_active if lid in inv.links}
        desa = [classify(inv, st.site, assume_active) if st.site.id in touched else st for st in base.desa]
    else:
        desa = sorted((classify(inv, s, assume_active) for s in chosen if s.tier in _VILLAGES), key=_desa_order)
    by_kec: dict[str, CoverageRow] = {}
    regency = CoverageRow(inv.regency.name)
    for st in desa:
        kec = st.site.kecamatan or NO_KECAMATAN
        row = by_kec.get(kec)
        if row is None:
            row = by_kec[kec] = CoverageRow(kec)
        row.add(st)
        regency.add(st)
    all_sites = inv.sites
    ids = all_sites if sites is None else {s.id for s in chosen}
    providers: dict[str, ProviderRow] = {}
    for link in inv.links.values():
        bsite = link.b.site
        if bsite not in ids or link.a.site == bsite:
            continue
        status = _ACTIVE if assume_active and link.id in assume_active else link.status
        prow = providers.get(link.provider)
        if prow is None:
            prow = providers[link.provider] = ProviderRow(link.provider)
        prow.media.add(link.medium)
        prow.links[status] += 1
        if status is _ACTIVE or status is _DOWN:
            prow.sites.add(bsite)
            if all_sites[bsite].tier in _VILLAGES:
                prow.villages.add(bsite)
            if status is _ACTIVE:
                prow.bandwidth_mbps += link.bandwidth_mbps or 0.0
    return Coverage(
        desa=desa,
        kecamatan=[by_kec[k] for k in sorted(by_kec)],
        regency=regency,
        providers=[providers[p] for p in sorted(providers)],
    )

