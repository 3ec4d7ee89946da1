"""The fiber-growth plan: a tree grown from the fiber points, its costs and budget stages, checked by hand."""

from __future__ import annotations

import heapq
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netops.inventory import Inventory, Link, Site
from netops.inventory.models import PlanCosts, Regency
from netops.report.coverage import coverage
from netops.report.geo import haversine_km
from netops.report.growth import Empty, grow, parse_rupiah
from netops.report.plan import fiber_points, plan
from netops.report.prom import ReportError

KM_PER_DEG = math.pi * 6371.0088 / 180  # along the equator a degree of longitude is R·π/180


def inventory(sites: list[dict], links: list[dict] = (), costs: PlanCosts | None = None) -> Inventory:
    regency = Regency(name="Kabupaten Uji", code="61.12", domain="uji.go.id", plan_costs=costs or PlanCosts())
    return Inventory(root=Path("<test>"), regency=regency, credentials={}, snmp={},
                     sites={s["id"]: Site(**s) for s in sites}, links={lk["id"]: Link(**lk) for lk in links},
                     devices={})


def growth_of(inv: Inventory, budget: float | None = None, stages: int = 1):
    cov = coverage(inv, list(inv.sites.values()))
    pl = plan(inv, before=cov)
    return grow(pl, cov, inv.regency.plan_costs, fiber_points(inv), budget, stages)


# On the equator: dc at 109.00; D at 108.95 (VSAT), A at 109.10 (VSAT), B at 109.13 (nothing),
# C at 109.20 (fiber planned) in a swamp kecamatan with factor 2.0.
HAND = dict(
    sites=[
        {"id": "dc", "name": "Pusat Data", "tier": "datacenter", "kecamatan": "Kota", "lat": 0.0, "lon": 109.00},
        {"id": "d", "name": "Desa D", "tier": "desa", "kecamatan": "Darat", "lat": 0.0, "lon": 108.95},
        {"id": "a", "name": "Desa A", "tier": "desa", "kecamatan": "Darat", "lat": 0.0, "lon": 109.10},
        {"id": "b", "name": "Desa B", "tier": "desa", "kecamatan": "Darat", "lat": 0.0, "lon": 109.13},
        {"id": "c", "name": "Desa C", "tier": "desa", "kecamatan": "Rawa", "lat": 0.0, "lon": 109.20},
    ],
    links=[
        {"id": "vsat-a", "medium": "vsat", "provider": "Sat", "a": {"site": "dc"}, "b": {"site": "a"}},
        {"id": "vsat-d", "medium": "vsat", "provider": "Sat", "a": {"site": "dc"}, "b": {"site": "d"}},
        {"id": "fo-c", "medium": "fiber", "provider": "FO", "status": "planned", "a": {"site": "dc"}, "b": {"site": "c"}},
    ],
    costs=PlanCosts(cable_rp_per_km=100_000_000, route_factor=1.5, site_rp=20_000_000, terrain={"Rawa": 2.0}),
)


def test_hand_checked_tree_costs_and_stages():
    g = growth_of(inventory(**HAND), budget=2_000_000_000, stages=3)
    # Prim from dc: D (0.05°), then A (0.10° from dc, nearer than 0.15° from D), B from A (0.03°), C from B (0.07°).
    assert [(s.site.id, s.parent.id) for s in g.steps] == [("d", "dc"), ("a", "dc"), ("b", "a"), ("c", "b")]
    per_km = 100_000_000 * 1.5
    want = [0.05 * KM_PER_DEG * per_km + 20e6,
            0.10 * KM_PER_DEG * per_km + 20e6,
            0.03 * KM_PER_DEG * per_km + 20e6,
            0.07 * KM_PER_DEG * per_km * (1.0 + 2.0) / 2 + 20e6]  # edge Darat–Rawa: mean factor 1.5
    assert [s.cost_rp for s in g.steps] == pytest.approx(want, rel=1e-9)
    assert want == pytest.approx([853_963_102, 1_687_926_204, 520_377_861, 1_771_322_514], abs=1)
    assert [s.cumulative_rp for s in g.steps] == pytest.approx([sum(want[:k + 1]) for k in range(4)], rel=1e-9)
    assert [s.km for s in g.steps] == pytest.approx([0.05 * KM_PER_DEG, 0.10 * KM_PER_DEG, 0.03 * KM_PER_DEG,
                                                     0.07 * KM_PER_DEG], rel=1e-9)
    # Nearest fiber only: every desa straight to dc.
    near = [0.05 * KM_PER_DEG * per_km + 20e6, 0.10 * KM_PER_DEG * per_km + 20e6,
            0.13 * KM_PER_DEG * per_km + 20e6, 0.20 * KM_PER_DEG * per_km * (1.0 + 2.0) / 2 + 20e6]
    assert [s.nearest_cost_rp for s in g.steps] == pytest.approx(near, rel=1e-9)
    assert g.total_rp == pytest.approx(sum(want), rel=1e-9)
    assert g.nearest_total_rp == pytest.approx(sum(near), rel=1e-9)
    assert g.route_km == pytest.approx(0.25 * KM_PER_DEG * 1.5, rel=1e-9)
    assert g.nearest_route_km == pytest.approx(0.48 * KM_PER_DEG * 1.5, rel=1e-9)
    # Rp 2 miliar a stage: D (0.85) + A (1.69) > 2 → [D]; [A]; B (0.52) + C (1.77) > 2 → [B]; C waits.
    assert [[s.site.id for s in sg.steps] for sg in g.stages] == [["d"], ["a"], ["b"]]
    assert [s.stage for s in g.steps] == [1, 2, 3, None]
    assert [sg.cost_rp for sg in g.stages] == pytest.approx(want[:3], rel=1e-9)
    assert [sg.cumulative_rp for sg in g.stages] == pytest.approx([want[0], sum(want[:2]), sum(want[:3])], rel=1e-9)
    assert [sg.nearest_cost_rp for sg in g.stages] == pytest.approx(near[:3], rel=1e-9)
    # 4 desa, none on fiber, A and D covered (VSAT) now; B (no link) becomes covered in stage 3.
    assert (g.villages, g.fiber_now, g.covered_now) == (4, 0, 2)
    assert [(sg.fiber_desa, sg.covered_desa) for sg in g.stages] == [(1, 2), (2, 2), (3, 3)]
    assert g.empty is None


def test_without_budget_one_stage_buys_the_whole_tree():
    g = growth_of(inventory(**HAND))
    assert len(g.stages) == 1 and [s.stage for s in g.steps] == [1, 1, 1, 1]
    assert g.stages[0].cost_rp == pytest.approx(g.total_rp)
    assert (g.stages[0].fiber_desa, g.stages[0].covered_desa) == (4, 4)


def test_a_budget_below_the_first_step_buys_nothing_and_says_why():
    g = growth_of(inventory(**HAND), budget=500_000_000, stages=2)
    assert g.stages == [] and g.empty is Empty.budget_too_small
    assert all(s.stage is None for s in g.steps)


def test_no_fiber_point_gives_an_empty_plan_that_says_why():
    sites = [s for s in HAND["sites"] if s["id"] != "dc"]
    g = growth_of(inventory(sites))
    assert g.steps == [] and g.empty is Empty.no_fiber


@pytest.mark.parametrize("text", ["0", "-5", "Rp 0", "lima juta", "", "inf"])
def test_bad_budgets_are_refused(text):
    with pytest.raises(ReportError, match="--budget"):
        parse_rupiah(text)


@pytest.mark.parametrize(("text", "want"), [("5000000000", 5e9), ("Rp 5.000.000.000", 5e9), ("5e9", 5e9),
                                            ("750jt", 750e6), ("750 juta", 750e6), ("5M", 5e9),
                                            ("2,5 miliar", 2.5e9), ("1_500_000", 1.5e6)])
def test_budgets_read_as_planners_write_them(text, want):
    assert parse_rupiah(text) == pytest.approx(want)


def _complete_prim_total(fiber: list[tuple[float, float]], cands: list[tuple[float, float]], cost) -> float:
    """Prim's algorithm over every pair: the reference the triangulated tree must equal."""
    pts = fiber + cands
    best = {k: min(cost(f, pts[k]) for f in fiber) for k in range(len(fiber), len(pts))}
    heap = [(c, k) for k, c in best.items()]
    heapq.heapify(heap)
    done: set[int] = set()
    total = 0.0
    while heap:
        c, k = heapq.heappop(heap)
        if k in done:
            continue
        done.add(k)
        total += c
        for x in best:
            if x not in done:
                cx = cost(pts[k], pts[x])
                if cx < best[x]:
                    best[x] = cx
                    heapq.heappush(heap, (cx, x))
    return total


coord = st.integers(min_value=0, max_value=40).map(lambda v: v * 0.01)  # a coarse grid: duplicates, lines


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fiber=st.lists(st.tuples(coord, coord), min_size=1, max_size=4),
       cands=st.lists(st.tuples(coord, coord, st.sampled_from(["Darat", "Rawa", "Sungai"])), min_size=1, max_size=25),
       rawa=st.floats(min_value=1.0, max_value=4.0), sungai=st.floats(min_value=1.0, max_value=4.0))
def test_growth_is_never_costlier_than_nearest_fiber(fiber, cands, rawa, sungai):
    sites = [{"id": f"dc{k}", "name": f"DC {k}", "tier": "datacenter", "kecamatan": "Kota",
              "lat": -0.5 + la, "lon": 109.2 + lo} for k, (la, lo) in enumerate(fiber)]
    sites += [{"id": f"d{k}", "name": f"Desa {k}", "tier": "desa", "kecamatan": kec,
               "lat": -0.5 + la, "lon": 109.2 + lo} for k, (la, lo, kec) in enumerate(cands)]
    costs = PlanCosts(cable_rp_per_km=1e8, route_factor=1.3, site_rp=1e7, terrain={"Rawa": rawa, "Sungai": sungai})
    g = growth_of(inventory(sites, costs=costs))
    assert len(g.steps) == len(cands)
    assert g.total_rp <= g.nearest_total_rp * (1 + 1e-12) + 1e-3
    seen = {f"dc{k}" for k in range(len(fiber))}
    for s in g.steps:  # every step hangs on a point connected before it
        assert s.parent.id in seen
        seen.add(s.site.id)
    # Without terrain factors the triangulated tree is the true minimum spanning tree.
    flat = growth_of(inventory(sites, costs=PlanCosts(cable_rp_per_km=1e8, route_factor=1.3, site_rp=1e7)))
    ref = _complete_prim_total([(-0.5 + la, 109.2 + lo) for la, lo in fiber],
                               [(-0.5 + la, 109.2 + lo) for la, lo, _ in cands],
                               lambda p, q: haversine_km(p[0], p[1], q[0], q[1]) * 1.3e8)
    assert flat.total_rp == pytest.approx(ref + 1e7 * len(cands), rel=1e-9, abs=1e-3)


def test_plan_report_carries_growth_tables_and_routes(tmp_path: Path):
    from typer.testing import CliRunner

    from netops.cli import app
    from tests.conftest import SMALL_INVENTORY

    res = CliRunner().invoke(app, ["-i", str(SMALL_INVENTORY), "--json", "report", "plan", "--budget", "1M",
                                   "--stages", "2", "--lang", "en", "-f", "geojson,csv", "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    steps = data["tables"]["growth_steps"]["rows"]
    # desa-b1 hangs on kec-b (3.47 km); desa-b2 then on desa-b1 (10.25 km), nearer than kec-b (13.0 km).
    assert [(r["site"], r["attach_to"]) for r in steps] == [("desa-b1", "kec-b"), ("desa-b2", "desa-b1")]
    b1 = haversine_km(-0.78, 109.59, -0.7542, 109.6076)
    assert steps[0]["cost_rp"] == pytest.approx(b1 * 1.3 * 100e6 + 25e6, rel=1e-9)  # the default costs
    assert [r["stage"] for r in steps] == ["1", "beyond the budget"]
    stages = data["tables"]["growth_stages"]["rows"]
    assert [(r["stage"], r["sites"], r["fiber_desa"]) for r in stages] == [("now", 0, 1), ("1", 1, 2)]
    gj = json.loads((tmp_path / "plan.geojson").read_text())
    routes = [f for f in gj["features"] if f["properties"]["kind"] == "route"]
    assert [(f["properties"]["from"], f["properties"]["to"]) for f in routes] == [("kec-b", "desa-b1"),
                                                                                  ("desa-b1", "desa-b2")]
    assert routes[0]["geometry"] == {"type": "LineString", "coordinates": [[109.6076, -0.7542], [109.59, -0.78]]}
    assert [f["properties"]["stage"] for f in routes] == [1, None]  # desa-b2 is beyond the budget
    assert (tmp_path / "plan-growth_steps.csv").exists()


@pytest.mark.parametrize(("args", "needle"), [(["--budget", "0"], "more than Rp 0"),
                                              (["--budget", "-5jt"], "more than Rp 0"),
                                              (["--stages", "3"], "needs N ≥ 1 and a --budget")])
def test_bad_budget_options_exit_2_with_a_clear_message(tmp_path: Path, args, needle):
    from typer.testing import CliRunner

    from netops.cli import app
    from tests.conftest import SMALL_INVENTORY

    res = CliRunner().invoke(app, ["-i", str(SMALL_INVENTORY), "report", "plan", *args, "-f", "md",
                                   "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert needle in res.output and "Traceback" not in res.output


def test_priority_moves_a_saturated_desa_and_its_path_first_keeping_the_tree():
    inv = inventory(**HAND)
    cov = coverage(inv, list(inv.sites.values()))
    pl = plan(inv, before=cov)
    g = grow(pl, cov, inv.regency.plan_costs, fiber_points(inv), priority={"c"})
    # C hangs on B, B on A, A on dc: A, B, C go first (in Prim order), then D.
    assert [(s.site.id, s.parent.id, s.priority) for s in g.steps] == [
        ("a", "dc", True), ("b", "a", True), ("c", "b", True), ("d", "dc", False)]
    assert [s.order for s in g.steps] == [1, 2, 3, 4]
    plain = growth_of(inv)
    assert g.total_rp == pytest.approx(plain.total_rp, rel=1e-12)
    assert g.steps[0].cumulative_rp == pytest.approx(g.steps[0].cost_rp)


def test_a_vsat_desa_with_its_fiber_down_is_a_fiber_point_not_a_step():
    sites = HAND["sites"][:2] + [{"id": "e", "name": "Desa E", "tier": "desa", "kecamatan": "Darat",
                                  "lat": 0.0, "lon": 108.88}]
    links = [{"id": "vsat-d", "medium": "vsat", "provider": "Sat", "a": {"site": "dc"}, "b": {"site": "d"}},
             {"id": "vsat-e", "medium": "vsat", "provider": "Sat", "a": {"site": "dc"}, "b": {"site": "e"}},
             {"id": "fo-e", "medium": "fiber", "provider": "FO", "status": "down", "a": {"site": "dc"},
              "b": {"site": "e"}}]
    g = growth_of(inventory(sites, links, HAND["costs"]))
    assert [(s.site.id, s.parent.id) for s in g.steps] == [("d", "dc")]  # D: 0.05° from dc, 0.07° from E
    assert g.fiber_points == 2


def test_plan_report_without_fiber_says_why_the_growth_plan_is_empty():
    from netops.report import ReportOptions, build_report

    inv = inventory([s for s in HAND["sites"] if s["id"] != "dc"])
    report = build_report(inv, "plan", ReportOptions(lang="en", budget_rp=1e9, stages=2))
    (growth,) = [s for s in report.sections if s.id == "growth"]
    assert any("no fiber point" in t for t in growth.text)
    assert report.table("growth_steps").rows == [] and report.exit_code == 0


def test_map_draws_routes_beyond_the_budget_lighter():
    from netops.report import ReportOptions, build_report
    from netops.report.render.svg import ROUTE_COLOR, ROUTE_LATER_COLOR, site_map

    report = build_report(inventory(**HAND), "plan", ReportOptions(lang="en", budget_rp=2e9, stages=3))
    svg = site_map(report)
    assert svg.count('class="route" ') == 4
    assert svg.count(f'stroke="{ROUTE_COLOR}" stroke-width="2"') == 3  # D, A, B bought
    assert svg.count(f'stroke="{ROUTE_LATER_COLOR}" stroke-width="2"') == 1  # C waits
