"""Fiber candidates ranked by great-circle distance; planned links and their effect."""

from __future__ import annotations

import math
import random

import pytest

from netops.inventory import load_inventory
from netops.report import ReportOptions, build_report
from netops.report.geo import NearestIndex, haversine_km
from netops.report.plan import plan
from tests.conftest import SMALL_INVENTORY


def _gc_km(lat1, lon1, lat2, lon2):
    """Spherical law of cosines: an independent formula to check haversine against."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0088 * math.acos(max(-1.0, min(1.0, c)))


def test_haversine_known_distances():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.001)
    # Sabang to Merauke, about 5,245 km along the great circle
    assert haversine_km(5.8926, 95.3238, -8.4932, 140.4018) == pytest.approx(
        _gc_km(5.8926, 95.3238, -8.4932, 140.4018), rel=1e-9)


def test_nearest_index_matches_a_brute_force_scan():
    rng = random.Random(7)
    pts = [(rng.uniform(-11, 6), rng.uniform(95, 141), i) for i in range(3000)]
    index = NearestIndex(pts)
    for _ in range(400):
        lat, lon = rng.uniform(-11, 6), rng.uniform(95, 141)
        d, item = index.nearest(lat, lon)
        brute = min(pts, key=lambda p: haversine_km(lat, lon, p[0], p[1]))
        assert d == pytest.approx(haversine_km(lat, lon, brute[0], brute[1]), abs=1e-9)
    # a query far outside the points still finds the true nearest
    sparse = NearestIndex([(-0.1, 109.3, "a"), (5.0, 96.0, "b")], cell_deg=0.5)
    assert sparse.nearest(-10.0, 140.0)[1] == "a"


def test_small_inventory_ranking_by_hand():
    inv = load_inventory(SMALL_INVENTORY)
    pl = plan(inv)
    assert pl.fiber_points == 6  # dc, opd-bappeda, kec-a, kec-b, desa-a1, desa-a2 (down fiber still counts)
    ranked = [(c.state.site.id, c.nearest.id, c.distance_km) for c in pl.ranked]
    assert [r[:2] for r in ranked] == [("desa-b1", "kec-b"), ("desa-b2", "kec-b")]
    assert ranked[0][2] == pytest.approx(_gc_km(-0.78, 109.59, -0.7542, 109.6076), rel=1e-9)
    assert ranked[0][2] == pytest.approx(3.47, abs=0.01)
    assert ranked[1][2] == pytest.approx(_gc_km(-0.80, 109.50, -0.7542, 109.6076), rel=1e-9)
    assert [c.state.site.id for c in pl.unranked] == ["desa-b3"]  # no coordinates
    assert [lk.id for lk in pl.ranked[1].planned_fiber] == ["fo-desa-b2"]
    assert [(c.link.id, c.before, c.after) for c in pl.planned] == [("fo-desa-b2", "vsat", "fiber")]
    assert (pl.before.regency.counts["fiber"], pl.after.regency.counts["fiber"]) == (1, 2)


def test_plan_report_without_prometheus_is_complete_and_says_so():
    inv = load_inventory(SMALL_INVENTORY)
    report = build_report(inv, "plan", ReportOptions(lang="en"))
    assert report.exit_code == 0 and not report.alerts
    assert ("Prometheus", "not used (no --prometheus)") in report.meta
    cand = report.table("plan_candidates")
    assert [r["rank"] for r in cand.rows] == [1, 2, None]
    assert "availability" not in {c.key for c in cand.columns}
    change = report.table("plan_coverage_change")
    assert change.total["fiber_now"] == 1 and change.total["fiber_after"] == 2



def test_nearest_index_with_clusters_and_far_queries():
    rng = random.Random(11)
    pts = [(rng.gauss(-0.3, 0.2), rng.gauss(109.5, 0.2), i) for i in range(2000)]
    pts += [(rng.uniform(-8, -6), rng.uniform(106, 114), 10_000 + i) for i in range(300)]
    index = NearestIndex(pts)
    queries = [(rng.gauss(-0.3, 0.25), rng.gauss(109.5, 0.25)) for _ in range(300)]
    queries += [(rng.uniform(-11, 6), rng.uniform(95, 141)) for _ in range(100)]
    for lat, lon in queries:
        hit = index.nearest(lat, lon)
        want = min(haversine_km(lat, lon, p[0], p[1]) for p in pts)
        assert hit is not None and hit[0] == pytest.approx(want, abs=1e-9)
