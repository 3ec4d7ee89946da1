#!/usr/bin/env python3
"""Fiber growth plan for a generated national inventory (80,000 desa by default).

Usage: .venv/bin/python bench/growth_plan.py [N_DESA] [--seed S] [--budget RP] [--stages N]

Uses report_national's generator (~55% fiber desa, ~35% VSAT, the rest radio, down, planned or
unconnected). Times coverage + the distance ranking (the growth plan's input, timed apart) and the
growth plan itself (triangulation, Prim's tree, stages); prints peak resident memory of the
process. Goal: growth plan < 10 s and < 2 GB.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from report_national import generate  # noqa: E402

from netops.report.coverage import coverage  # noqa: E402
from netops.report.growth import grow  # noqa: E402
from netops.report.plan import fiber_points, plan  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n_desa", nargs="?", type=int, default=80_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=50e9)
    ap.add_argument("--stages", type=int, default=5)
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cpus: {os.cpu_count()}")
    inv = generate(args.n_desa, args.seed)
    print(f"generated {len(inv.sites):,} sites / {len(inv.links):,} links (not part of the goal)")
    gc.collect()
    gc.disable()  # as build_report does
    t0, c0 = time.perf_counter(), time.process_time()
    cov = coverage(inv)
    pl = plan(inv, before=cov)
    fiber = fiber_points(inv)
    t_in, c_in = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    gp = grow(pl, cov, inv.regency.plan_costs, fiber, args.budget, args.stages)
    t_g, c_g = time.perf_counter() - t0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"inputs (coverage + distance ranking): {t_in:.2f} s wall, {c_in:.2f} s CPU")
    print(f"growth plan: {t_g:.2f} s wall, {c_g:.2f} s CPU — {len(gp.steps):,} steps from {len(fiber):,} fiber "
          f"points; tree Rp {gp.total_rp / 1e12:,.2f} T ({gp.route_km:,.0f} km) vs nearest fiber "
          f"Rp {gp.nearest_total_rp / 1e12:,.2f} T ({gp.nearest_route_km:,.0f} km)")
    for sg in gp.stages:
        print(f"  stage {sg.number}: {len(sg.steps):,} desa, Rp {sg.cost_rp / 1e9:,.2f} miliar, fiber desa {sg.fiber_desa:,}")
    print(f"peak RSS of the process (generator included): {rss:,.0f} MB (goal < 2,048 MB)")
    print(f"total inputs + growth plan: {t_in + t_g:.2f} s wall (goal < 10 s for the growth plan)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
