"""How fiber should grow: a tree from today's fiber points to the candidate desa, staged by budget.

Once desa A has fiber, its neighbour B is a few km from fiber instead of the distance to the
old network, so the plan grows a minimum spanning tree from the whole fiber set (Prim's
algorithm with every fiber point as a root): each step attaches the candidate that is
cheapest to reach from any point already connected, existing or planned earlier. The order of
the steps is the order of building, so a budget buys a prefix of it and stays a connected
network after every stage.

Scale: the edges Prim's algorithm looks at are those of a Delaunay triangulation (scipy/Qhull),
which contains the Euclidean minimum spanning tree, so 80,000 desa need ~3 edges a site instead
of an all-pairs matrix. The triangulation is made in a stereographic projection centred on the
sites: that projection maps circles on the sphere to circles in the plane, so the planar
Delaunay is the spherical one and its edges contain the great-circle minimum spanning tree.
Each candidate's edge to its nearest fiber point is added too, so the tree is never costlier
than connecting every candidate straight to its nearest fiber point, also when per-kecamatan
terrain factors make costs other than distances.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from scipy.spatial import Delaunay, QhullError

from netops.inventory import Site
from netops.inventory.models import PlanCosts
from netops.report.coverage import Coverage
from netops.report.geo import EARTH_RADIUS_KM
from netops.report.plan import FiberPlan
from netops.report.prom import ReportError


class Empty(StrEnum):
    """Why a growth plan has no steps (or no stage buys anything)."""

    no_fiber = "no_fiber"
    no_candidates = "no_candidates"
    no_coordinates = "no_coordinates"
    budget_too_small = "budget_too_small"


@dataclass(slots=True)
class GrowthStep:
    order: int
    site: Site
    state: str
    """The candidate's coverage state now (vsat, down, planned, none)."""
    parent: Site
    """The point it is attached to: a fiber point or a site of an earlier step."""
    km: float
    """Great-circle distance to the parent."""
    route_km: float
    """Expected cable length: km × route factor."""
    factor: float
    """Terrain factor of the edge (mean of both ends' kecamatan factors)."""
    cable_rp: float
    cost_rp: float
    """cable_rp + the fixed cost per site."""
    cumulative_rp: float
    nearest: Site
    """The nearest existing fiber point (what the distance ranking would connect it to)."""
    nearest_km: float
    nearest_cost_rp: float
    stage: int | None = None
    """Stage (1 = first budget) that buys it; None = beyond the budgets given."""
    priority: bool = False
    """A saturated VSAT desa, or on the path to one: built first."""


@dataclass(slots=True)
class Stage:
    number: int
    steps: list[GrowthStep]
    cost_rp: float
    route_km: float
    cumulative_rp: float
    nearest_cost_rp: float
    """What the same sites cost, each connected straight to its nearest fiber point."""
    nearest_route_km: float
    fiber_desa: int
    """Desa on fiber after this stage."""
    covered_desa: int


@dataclass
class GrowthPlan:
    costs: PlanCosts
    steps: list[GrowthStep]
    stages: list[Stage]
    budget_rp: float | None
    stages_asked: int
    villages: int
    """Desa and kelurahan of the selection: the denominator of every coverage percentage."""
    fiber_now: int
    covered_now: int
    fiber_points: int
    unplaced: list[Site] = field(default_factory=list)
    """Candidates without coordinates: not in the tree."""
    empty: Empty | None = None

    @property
    def total_rp(self) -> float:
        return self.steps[-1].cumulative_rp if self.steps else 0.0

    @property
    def route_km(self) -> float:
        return sum(s.route_km for s in self.steps)

    @property
    def nearest_total_rp(self) -> float:
        return sum(s.nearest_cost_rp for s in self.steps)

    @property
    def nearest_route_km(self) -> float:
        return sum(s.nearest_km for s in self.steps) * self.costs.route_factor


def parse_rupiah(text: str) -> float:
    """``5000000000``, ``Rp 5.000.000.000``, ``5e9``, ``750jt``/``750 juta``, ``5M``/``5 miliar``."""
    raw = text.strip().lower().replace("rp", "").replace(" ", "").replace("_", "")
    mult = 1.0
    for suffix, factor in (("miliar", 1e9), ("juta", 1e6), ("jt", 1e6), ("m", 1e9)):
        if raw.endswith(suffix):
            raw, mult = raw[: -len(suffix)], factor
            break
    if raw.count(".") > 1 or ("." in raw and len(raw.rsplit(".", 1)[1]) == 3 and mult == 1.0):
        raw = raw.replace(".", "")  # Indonesian thousands separators
    raw = raw.replace(",", ".") if mult != 1.0 else raw.replace(",", "")
    try:
        value = float(raw) * mult
    except ValueError:
        raise ReportError(f"--budget {text!r}: write Rupiah as a number, e.g. 5000000000, 5e9, 750jt or 5M") from None
    if not math.isfinite(value) or value <= 0:
        raise ReportError(f"--budget {text!r}: a budget must be more than Rp 0 (e.g. --budget 5M for Rp 5 miliar)")
    return value


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    p, lam = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)], axis=1)


def _stereographic(xyz: np.ndarray) -> np.ndarray:
    """Project unit vectors onto the plane tangent at their mean direction, from its antipode."""
    c = xyz.mean(axis=0)
    c /= np.linalg.norm(c)
    helper = np.array([0.0, 0.0, 1.0]) if abs(c[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    e1 = np.cross(c, helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(c, e1)
    k = 2.0 / (1.0 + xyz @ c)
    return np.stack([k * (xyz @ e1), k * (xyz @ e2)], axis=1)


def candidate_edges(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Pairs (i, j), i < j, of the spherical Delaunay triangulation (all pairs for three points or fewer)."""
    n = len(lat)
    if n <= 3:
        return np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64).reshape(-1, 2)
    plane = _stereographic(_unit(lat, lon))
    try:
        tri = Delaunay(plane)
    except QhullError:
        sv = np.linalg.svd(plane - plane.mean(axis=0), compute_uv=False)
        if sv[-1] <= 1e-9 * max(float(sv[0]), 1e-300):  # one line (or one point): neighbours along it
            order = np.lexsort((plane[:, 1], plane[:, 0]))
            return np.sort(np.stack([order[:-1], order[1:]], axis=1), axis=1)
        tri = Delaunay(plane, qhull_options="QJ")  # a precision problem elsewhere: joggle, every point a vertex
    s = tri.simplices
    pairs = [s[:, [0, 1]], s[:, [1, 2]], s[:, [0, 2]]]
    if len(tri.coplanar):  # points Qhull left out (duplicates): join each to its nearest vertex
        pairs.append(tri.coplanar[:, [0, 2]])
    e = np.sort(np.concatenate(pairs), axis=1)
    return np.unique(e, axis=0)


def _km(lat: np.ndarray, lon: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat[i]), np.radians(lat[j])
    dl = np.radians(lon[j] - lon[i])
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def grow(pl: FiberPlan, cov: Coverage, costs: PlanCosts, fiber: list[Site], budget_rp: float | None = None,
         stages: int = 1, priority: set[str] | None = None) -> GrowthPlan:
    """The growth tree over ``pl``'s candidates from the ``fiber`` points, cut into budget stages.

    ``priority`` (site ids: VSAT desa whose link is saturated) moves those sites, and the steps on
    their path from fiber, to the front of the build order; the tree and its total stay the same.
    """
    if budget_rp is not None and budget_rp <= 0:
        raise ReportError(f"budget Rp {budget_rp:,.0f}: a budget must be more than Rp 0")
    if stages < 1:
        raise ReportError(f"--stages {stages}: give 1 or more stages (e.g. --stages 5 for a five-year plan)")
    r = cov.regency
    out = GrowthPlan(costs, [], [], budget_rp, stages, r.villages, r.counts["fiber"], r.covered, len(fiber))
    fiber_ids = {s.id for s in fiber}  # a VSAT desa whose fiber is down already has its cable: no step
    placed = [c for c in pl.candidates if c.state.site.lat is not None and c.state.site.lon is not None
              and c.state.site.id not in fiber_ids]
    out.unplaced = [c.state.site for c in pl.candidates if c.state.site.lat is None or c.state.site.lon is None]
    if not fiber:
        out.empty = Empty.no_fiber
        return out
    if not pl.candidates:
        out.empty = Empty.no_candidates
        return out
    if not placed:
        out.empty = Empty.no_coordinates
        return out
    nodes: list[Site] = list(fiber) + [c.state.site for c in placed]
    n_f = len(fiber)
    lat = np.array([s.lat for s in nodes], dtype=float)
    lon = np.array([s.lon for s in nodes], dtype=float)
    terrain = costs.terrain
    factor = np.array([terrain.get(s.kecamatan or "", 1.0) for s in nodes], dtype=float)
    index_of = {s.id: i for i, s in enumerate(fiber)}
    # Edges: the triangulation's, plus each candidate's own edge to its nearest fiber point.
    star = np.array([(index_of[c.nearest.id], n_f + k) for k, c in enumerate(placed) if c.nearest is not None],
                    dtype=np.int64).reshape(-1, 2)
    edges = np.unique(np.concatenate([candidate_edges(lat, lon), star]), axis=0)
    edges = edges[edges[:, 1] >= n_f]  # fiber-to-fiber edges are already built
    i, j = edges[:, 0], edges[:, 1]
    km = _km(lat, lon, i, j)
    f = (factor[i] + factor[j]) / 2
    cable = costs.cable_rp_per_km * costs.route_factor * km * f
    # Adjacency lists as CSR arrays: both directions, sorted by source node.
    src = np.concatenate([i, j])
    dst = np.concatenate([j, i])
    w = np.concatenate([cable, cable])
    eid = np.concatenate([np.arange(len(i)), np.arange(len(i))])
    order = np.argsort(src, kind="stable")
    dst_l, w_l, eid_l = dst[order].tolist(), w[order].tolist(), eid[order].tolist()
    start = np.searchsorted(src[order], np.arange(len(nodes) + 1)).tolist()
    connected = [False] * len(nodes)
    heap: list[tuple[float, int, int, int]] = []
    for u in range(n_f):
        connected[u] = True
        for k in range(start[u], start[u + 1]):
            heap.append((w_l[k], dst_l[k], u, eid_l[k]))
    heapq.heapify(heap)
    site_rp = costs.site_rp
    km_l, f_l = km.tolist(), f.tolist()
    total = 0.0
    left = len(nodes) - n_f
    while heap and left:
        cost, v, u, e = heapq.heappop(heap)
        if connected[v]:
            continue
        connected[v] = True
        left -= 1
        c = placed[v - n_f]
        near = c.nearest
        assert near is not None and c.distance_km is not None
        total += cost + site_rp
        near_f = (terrain.get(near.kecamatan or "", 1.0) + factor[v]) / 2
        near_cost = costs.cable_rp_per_km * costs.route_factor * c.distance_km * near_f + site_rp
        out.steps.append(GrowthStep(len(out.steps) + 1, c.state.site, c.state.state, nodes[u], km_l[e],
                              km_l[e] * costs.route_factor, f_l[e], cost, cost + site_rp, total, near,
                              c.distance_km, near_cost))
        for k in range(start[v], start[v + 1]):
            x = dst_l[k]
            if not connected[x]:
                heapq.heappush(heap, (w_l[k], x, v, eid_l[k]))
    if priority:
        _prioritise(out, priority)
    _stage(out, cov, stages)
    return out


def _prioritise(out: GrowthPlan, priority: set[str]) -> None:
    by_site = {s.site.id: s for s in out.steps}
    for sid in priority:
        step = by_site.get(sid)
        while step is not None and not step.priority:
            step.priority = True
            step = by_site.get(step.parent.id)
    out.steps.sort(key=lambda s: (not s.priority, s.order))  # stable: Prim order within each group
    total = 0.0
    for k, s in enumerate(out.steps, 1):
        total += s.cost_rp
        s.order, s.cumulative_rp = k, total


def _stage(out: GrowthPlan, cov: Coverage, stages: int) -> None:
    """Cut the steps into stages of at most the budget each (unspent money does not carry over)."""
    budget = out.budget_rp
    steps = out.steps
    n_stages = stages if budget is not None else 1
    fiber, covered, spent = out.fiber_now, out.covered_now, 0.0
    k = 0
    for number in range(1, n_stages + 1):
        bought: list[GrowthStep] = []
        cost = 0.0
        while k < len(steps) and (budget is None or cost + steps[k].cost_rp <= budget):
            st = steps[k]
            st.stage = number
            cost += st.cost_rp
            bought.append(st)
            k += 1
        if not bought and k < len(steps):
            out.empty = Empty.budget_too_small
            break
        fiber += len(bought)
        covered += sum(1 for s in bought if s.state in ("planned", "none"))
        spent += cost
        out.stages.append(Stage(number, bought, cost, sum(s.route_km for s in bought), spent,
                                sum(s.nearest_cost_rp for s in bought),
                                sum(s.nearest_km for s in bought) * out.costs.route_factor, fiber, covered))
        if k == len(steps):
            break

