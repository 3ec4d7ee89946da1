"""Capacity from a real Prometheus over a TSDB with known traffic (tests/report/history.py): exact figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netops.cli import app
from netops.inventory import load_inventory
from netops.report import ReportOptions, build_report
from netops.report.capacity import QUERIES, capacity
from netops.report.prom import PromClient
from tests.conftest import SMALL_INVENTORY
from tests.report import history


def test_p95_peak_upgrades_and_saturated_vsat_are_exact(prom):
    inv = load_inventory(SMALL_INVENTORY)
    cap = capacity(inv, inv.links.values(), PromClient(prom.url), prom.end, history.PERIOD)
    by = {c.link.id: c for c in cap.links}
    b1 = by["vsat-desa-b1"]  # sorted 5-minute blocks: 250 × 2.0, 30 × 3.6, 8 × 4.0 Mbps; rank 272.65 → 3.6
    assert (b1.in_p95_bps, b1.in_peak_bps, b1.out_p95_bps, b1.out_peak_bps) == (3.6e6, 4.0e6, 0.5e6, 0.5e6)
    assert b1.p95 == pytest.approx(0.9, rel=1e-12) and b1.peak == pytest.approx(1.0, rel=1e-12)
    assert b1.saturated and b1.upgrade
    b2 = by["vsat-desa-b2"]  # a burst of 8 blocks moves the peak (95 %) but not the p95 (20 % out, 25 % in)
    assert (b2.in_p95_bps, b2.out_p95_bps, b2.out_peak_bps) == (1.0e6, 0.8e6, 3.8e6)
    assert b2.p95 == pytest.approx(0.25) and b2.peak == pytest.approx(0.95) and not b2.saturated and not b2.upgrade
    a = by["fo-kec-a"]  # 200 × 42, 88 × 45 Mbps of 50 → p95 90 %: upgrade, but fiber is never "saturated VSAT"
    assert (a.in_p95_bps, a.in_peak_bps) == (45e6, 45e6) and a.upgrade and not a.saturated
    assert by["fo-bappeda"].p95 == pytest.approx(0.3) and not by["fo-bappeda"].upgrade
    assert by["fo-kec-b"].p95 is None and by["fo-kec-b"].upgrade is None  # no traffic series
    assert [c.link.id for c in cap.upgrades] == ["fo-kec-a", "vsat-desa-b1"]  # both 90 %, then by id
    assert [c.link.id for c in cap.saturated_vsat] == ["vsat-desa-b1"]
    assert cap.queries == [q.format(p="1d", w="5m") for q in QUERIES.values()]


def test_capacity_report_lists_its_promql_and_feeds_the_plan(prom, tmp_path: Path):
    inv = load_inventory(SMALL_INVENTORY)
    opts = ReportOptions(period=history.PERIOD, at=prom.end, prometheus=prom.url, lang="en")
    report = build_report(inv, "capacity", opts)
    assert report.exit_code == 0
    rows = report.table("capacity_upgrades").rows
    assert [(r["link"], r["p95_pct"], r["committed_mbps"]) for r in rows] == [
        ("fo-kec-a", pytest.approx(90.0), 50), ("vsat-desa-b1", pytest.approx(90.0), 4)]
    assert "quantile_over_time(0.95, (avg_over_time(netops_link_in_bps[5m]))[1d:5m])" in {
        q for _, q, _ in report.queries}
    plan = build_report(inv, "plan", opts)
    steps = plan.table("growth_steps").rows
    assert [(r["site"], r["priority"]) for r in steps] == [("desa-b1", True), ("desa-b2", False)]
    res = CliRunner().invoke(app, ["-i", str(SMALL_INVENTORY), "--json", "report", "capacity", "--prometheus",
                                   prom.url, "--period", history.PERIOD, "--at", str(prom.end), "-f", "csv,md",
                                   "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [r["link"] for r in data["tables"]["capacity_vsat"]["rows"]] == ["vsat-desa-b1"]
    assert (tmp_path / "capacity-capacity_links.csv").exists() and (tmp_path / "capacity.md").exists()


def test_capacity_with_prometheus_unreachable_exits_3_and_says_what_is_missing(tmp_path: Path):
    import socket

    with socket.socket() as s:
        s.bind(("127.160.0.2", 0))
        port = s.getsockname()[1]  # closed again: nothing listens
    res = CliRunner().invoke(app, ["-i", str(SMALL_INVENTORY), "report", "capacity", "--prometheus",
                                   f"http://127.160.0.2:{port}", "--lang", "en", "-f", "md", "-o", str(tmp_path)])
    assert res.exit_code == 3
    assert "capacity figures are MISSING" in (tmp_path / "capacity.md").read_text()
