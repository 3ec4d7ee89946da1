"""Uptime/SLA figures against a real Prometheus serving a TSDB with known outages."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from netops.inventory import load_inventory
from netops.report import PromClient, ReportOptions, build_report, write_report
from netops.report.uptime import uptime
from tests.conftest import SMALL_INVENTORY
from tests.report import history
from tests.support.promhistory import query

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def inv():
    return load_inventory(SMALL_INVENTORY)


@pytest.fixture(scope="module")
def up(inv, prom):
    client = PromClient(prom.url)
    return uptime(inv, inv.links.values(), {lk.b.site for lk in inv.links.values()}, client, prom.end,
                  history.PERIOD)


def test_link_availability_downtime_and_samples_are_exact(up):
    got = {lu.link.id: lu for lu in up.links}
    assert set(got) == set(history.EXPECTED)  # active + down links; the planned one has no series
    for link, (avail, down_min, samples) in history.EXPECTED.items():
        lu = got[link]
        assert lu.samples == samples, link
        assert lu.availability == pytest.approx(avail, abs=1e-12), link
        assert lu.downtime_min == down_min, link
    assert up.interval_s == 60.0 and "median spacing" in up.interval_source


def test_breaches_against_inventory_sla(up):
    assert {lu.link.id for lu in up.breaches} == history.BREACHES
    b1 = next(lu for lu in up.links if lu.link.id == "vsat-desa-b1")
    assert b1.target == pytest.approx(0.98) and b1.breach is False  # 98.61 % meets 98 %
    a = next(lu for lu in up.links if lu.link.id == "fo-kec-a")
    assert a.breach is False  # 99.5139 % meets 99.5 %, just


def test_missing_samples_are_reported_not_hidden(up):
    kb = next(lu for lu in up.links if lu.link.id == "fo-kec-b")
    assert kb.availability == 1.0
    assert kb.completeness == pytest.approx(1296 / 1440)
    assert kb.unmeasured_min == 144
    assert kb.worst_case == pytest.approx(1296 / 1440)
    assert kb.breach is False
    assert up.ignored_series == 1  # fo-ghost is not in the inventory


def test_worst_ten_order(up):
    assert [lu.link.id for lu in up.worst] == [
        "fo-desa-a2", "fo-desa-a1", "vsat-desa-b2", "vsat-desa-b1", "fo-kec-a", "fo-bappeda", "fo-kec-b"]


def test_provider_and_kecamatan_aggregates_match_the_listed_promql(up, prom):
    prov = {g.name: g for g in up.providers}
    assert prov["Icon Plus"].samples == 4 * 1440 + 1296
    assert prov["Icon Plus"].availability == pytest.approx((1440 + 1433 + 1296 + 1350) / 7056)
    assert prov["Icon Plus"].downtime_min == 7 + 90 + 1440
    assert prov["Icon Plus"].breaches == 2
    assert prov["Telkom Mangoesky"].availability == pytest.approx(2830 / 2880)
    assert prov["Telkom Mangoesky"].downtime_min == 50 and prov["Telkom Mangoesky"].breaches == 1
    kec = {g.name: g for g in up.kecamatan}
    assert kec["A"].availability == pytest.approx(2783 / 4320)
    assert kec["B"].availability == pytest.approx(4126 / 4176)
    assert kec["-"].availability == 1.0
    # The report says its group figure equals this PromQL (without filters): check it really does.
    for table, label in (("providers", "provider"), ("kecamatan", "kecamatan")):
        expr = up.queries[table][-1]
        rows = {r["metric"].get(label, "-"): float(r["value"][1]) for r in query(prom.url, expr, prom.end)}
        for g in (up.providers if table == "providers" else up.kecamatan):
            assert rows[g.name] == pytest.approx(g.availability, abs=1e-12), (table, g.name)


def test_site_availability_by_subquery(up):
    sites = {s.site: s for s in up.sites}
    assert sites["desa-a1"].availability == pytest.approx(1350 / 1440)
    assert sites["desa-a1"].downtime_min == 90
    assert sites["desa-a2"].availability == 0.0
    # Prometheus's 5-minute lookback carries the last sample into a gap (documented): the steps 1.5,
    # 2.5, 3.5 and 4.5 minutes after the last sample before the gap still see it.
    assert sites["kec-b"].samples == 1296 + 4


def test_vsat_rtt_and_loss_percentiles(up):
    perf = {v.link.id: v for v in up.vsat}
    assert set(perf) == {"vsat-desa-b1", "vsat-desa-b2"}
    b1, b2 = perf["vsat-desa-b1"], perf["vsat-desa-b2"]
    assert b1.rtt_p50_s == pytest.approx(0.6) and b1.rtt_p95_s == pytest.approx(0.7)
    assert b1.loss_avg == pytest.approx(0.01) and b1.loss_p95 == pytest.approx(0.1)
    assert b2.rtt_p50_s == pytest.approx(0.65) and b2.loss_avg == pytest.approx(0.02)


def test_uptime_report_files_list_every_query_and_exact_figures(inv, prom, tmp_path: Path):
    opts = ReportOptions(period=history.PERIOD, at=prom.end, prometheus=prom.url, lang="en")
    report = build_report(inv, "uptime", opts)
    assert report.exit_code == 0 and not report.alerts
    files = write_report(report, ["md", "csv", "geojson"], tmp_path)
    gj = json.loads((tmp_path / "uptime.geojson").read_text())
    props = {f["properties"]["id"]: f["properties"] for f in gj["features"]}
    assert props["desa-a1"]["availability_pct"] == 93.75 and props["desa-b1"]["medium"] == "vsat"
    with (tmp_path / "uptime-uptime_links.csv").open(encoding="utf-8-sig") as fh:
        rows = {r["Link"]: r for r in csv.DictReader(fh)}
    assert rows["fo-desa-a1"]["Availability (%)"] == "93.75"
    assert rows["fo-desa-a1"]["Downtime (minutes)"] == "90"
    assert rows["fo-desa-a1"]["SLA breached"] == "True"
    assert rows["vsat-desa-b2"]["Availability (%)"] == str(round(1410 / 1440 * 100, 6))
    assert rows["fo-kec-b"]["Unmeasured (minutes)"] == "144"
    md = (tmp_path / "uptime.md").read_text()
    for expr in ("avg_over_time(netops_link_up[1d])", "count_over_time(netops_link_up[1d])",
                 'quantile_over_time(0.95, netops_link_rtt_seconds{medium="vsat"}[1d])',
                 "avg_over_time((max by (site) (netops_link_up))[1d:1m])"):
        assert expr in md
    assert "| fo-desa-a1 |" in md and "93.750" in md
    # the coverage part is there too
    assert "Desa/kelurahan coverage by kecamatan" in md
    assert any(p.name == "uptime-queries.csv" for p in files)


def test_uptime_in_indonesian_formats_numbers_the_indonesian_way(inv, prom, tmp_path: Path):
    report = build_report(inv, "uptime", ReportOptions(period=history.PERIOD, at=prom.end, prometheus=prom.url))
    md = (write_report(report, ["md"], tmp_path)[0]).read_text()
    assert "Ketersediaan per penyedia" in md and "93,750" in md and "Pelanggaran SLA" in md


def test_where_filter_restricts_links(inv, prom):
    report = build_report(inv, "uptime", ReportOptions(where=["medium=vsat"], period=history.PERIOD,
                                                       at=prom.end, prometheus=prom.url, lang="en"))
    links = {r["link"] for r in report.table("uptime_links").rows}
    assert links == {"vsat-desa-b1", "vsat-desa-b2"}
    prov = {r["name"]: r for r in report.table("uptime_providers").rows}
    assert set(prov) == {"Telkom Mangoesky"}


def test_plan_shows_the_vsat_performance_from_prometheus(inv, prom):
    report = build_report(inv, "plan", ReportOptions(period=history.PERIOD, at=prom.end, prometheus=prom.url,
                                                     lang="en"))
    rows = {r["site"]: r for r in report.table("plan_candidates").rows}
    assert rows["desa-b1"]["availability"] == pytest.approx(1420 / 1440)
    assert rows["desa-b1"]["rtt_p50_s"] == pytest.approx(0.6)
    assert rows["desa-b2"]["downtime_min"] == 30
    assert report.queries  # listed


def test_provider_trend_from_query_range(up):
    assert up.trend_step == "1h" and len(up.trend) == 24
    start = up.at - 86400
    hours = {round((t - start) / 3600): row for t, row in up.trend}
    assert set(hours) == set(range(1, 25))
    # hour ending 11 h after the start holds samples 600..659: fo-desa-a1 and fo-desa-a2 down, 3 other links up
    assert hours[11]["Icon Plus"] == pytest.approx(180 / 300)
    # hour 4 holds samples 180..239: vsat-desa-b2 down for 200..209
    assert hours[4]["Telkom Mangoesky"] == pytest.approx(110 / 120)
    assert hours[24]["Telkom Mangoesky"] == 1.0
    assert "Other ISP" in hours[1]  # unfiltered: the trend shows what Prometheus holds
    assert up.queries["trend"][0].startswith("sum by (provider) (sum_over_time(netops_link_up[1h]))")


def test_provider_trend_follows_the_filter(inv, prom):
    client = PromClient(prom.url)
    vsat = [lk for lk in inv.links.values() if lk.medium.value == "vsat"]
    res = uptime(inv, vsat, {lk.b.site for lk in vsat}, client, prom.end, history.PERIOD, filtered=True)
    assert {p for _, row in res.trend for p in row} == {"Telkom Mangoesky"}
    assert 'link=~"vsat-desa-b1|vsat-desa-b2"' in res.queries["trend"][0]


def test_a_short_period_still_gets_a_trend(inv, prom):
    """A 2-minute demo period: two 1-minute trend points, no start-after-end query."""
    res = uptime(inv, inv.links.values(), set(), PromClient(prom.url), prom.end, "2m")
    assert res.trend_step == "1m" and len(res.trend) == 2
    got = {lu.link.id: lu for lu in res.links}
    assert got["fo-desa-a2"].samples == 2 and got["fo-desa-a2"].availability == 0.0


@pytest.mark.parametrize("lang", ["id", "en"])
def test_uptime_with_a_kelurahan(prom, tmp_path: Path, lang: str):
    """desa-a2 as a kelurahan (code 1xxx): its availability row says so, counts split desa/kelurahan."""
    import shutil

    inv_dir = tmp_path / "inv"
    shutil.copytree(SMALL_INVENTORY, inv_dir)
    sites = inv_dir / "sites.yaml"
    text = sites.read_text(encoding="utf-8").replace(
        'name: Kantor Desa A2\n    tier: desa\n    code: "61.12.01.2002"',
        'name: Kantor Kelurahan A2\n    tier: kelurahan\n    code: "61.12.01.1002"')
    sites.write_text(text, encoding="utf-8")
    kinv = load_inventory(inv_dir)
    assert not [w for w in kinv.warnings if w.field.endswith(".tier")]
    report = build_report(kinv, "uptime", ReportOptions(period=history.PERIOD, at=prom.end, prometheus=prom.url,
                                                        lang=lang))
    assert report.exit_code == 0
    row = next(r for r in report.table("uptime_sites").rows if r["site"] == "desa-a2")
    assert row["tier"] == "Kelurahan" and row["availability"] == 0.0
    total = report.table("coverage_kecamatan").total
    assert total is not None and (total["desa"], total["kelurahan"], total["villages"]) == (4, 1, 5)
    md = write_report(report, ["md"], tmp_path / "out")[0].read_text(encoding="utf-8")
    assert ("1 = kelurahan, 2 = desa" if lang == "id" else "1 is a kelurahan, 2 a desa") in md


def test_alert_history_counts_root_incidents_per_kecamatan_and_provider(prom, tmp_path: Path) -> None:
    """'netops report alerts' from the ALERTS series of the known history (tests/report/history.py)."""
    inv = load_inventory(SMALL_INVENTORY)
    report = build_report(inv, "alerts", ReportOptions(period=history.PERIOD, at=float(prom.end),
                                                       prometheus=prom.url, interval_s=60, lang="en"))
    assert report.exit_code == 0, report.alerts
    tables = {t.id: t for t in report.tables()}
    got = sorted((r["target"], round(r["minutes"])) for r in tables["alerts_incidents"].rows)
    assert got == sorted((link, m) for link, mins in history.INCIDENTS.items() for m in mins)
    ongoing = [r["target"] for r in tables["alerts_incidents"].rows if r["end"] == "ongoing"]
    assert ongoing == ["fo-desa-a2"]
    kec = {r["name"]: r for r in tables["alerts_kecamatan"].rows}
    assert (kec["A"]["incidents"], kec["A"]["ongoing"], kec["A"]["mttr_min"]) == (3, 1, (7 + 90) / 2)
    assert (kec["B"]["incidents"], round(kec["B"]["mttr_min"], 2)) == (3, round(50 / 3, 2))
    prov = {r["name"]: r["incidents"] for r in tables["alerts_providers"].rows}
    assert prov == {"Icon Plus": 3, "Telkom Mangoesky": 3}
    assert [r["site"] for r in tables["alerts_worst_sites"].rows][:2] == ["desa-a2", "desa-a1"]
    written = write_report(report, ["md", "csv"], tmp_path)
    assert any(p.name == "alerts-alerts_kecamatan.csv" for p in written)
    assert "Incidents by kecamatan" in next(p for p in written if p.suffix == ".md").read_text()


def test_planned_maintenance_is_shown_apart_and_the_sla_figure_excludes_it(prom, tmp_path: Path) -> None:
    """fo-desa-a1's 90-minute outage was planned: raw availability stays, the SLA figure counts it as up."""
    inv_dir = tmp_path / "inventory"
    shutil.copytree(SMALL_INVENTORY, inv_dir)
    times = history.sample_times(prom.end)
    start, end = times[600] - 30, times[689] + 30  # exactly the outage's 90 samples

    def iso(t: float) -> str:
        return dt.datetime.fromtimestamp(t, dt.UTC).isoformat()

    (inv_dir / "maintenance.yaml").write_text(yaml.safe_dump({"maintenance": [
        {"id": "ganti-ont-a1", "reason": "ganti ONT", "link": "fo-desa-a1", "start": iso(start), "end": iso(end)},
        {"id": "kec-b-weekly", "kecamatan": "B", "sla": "include",
         "weekly": {"days": ["sunday"], "start": "01:00", "end": "02:00"}}]}))
    inv = load_inventory(inv_dir)
    report = build_report(inv, "uptime", ReportOptions(period=history.PERIOD, at=float(prom.end),
                                                       prometheus=prom.url, interval_s=60, lang="en"))
    assert report.exit_code == 0, report.alerts
    tables = {t.id: t for t in report.tables()}
    links = {r["link"]: r for r in tables["uptime_links"].rows}
    a1 = links["fo-desa-a1"]
    assert a1["availability"] == pytest.approx(1350 / 1440) and a1["availability_sla"] == pytest.approx(1.0)
    assert a1["maintenance_min"] == pytest.approx(90) and a1["breach"] is False
    assert links["fo-desa-a2"]["breach"] is True and links["fo-desa-a2"]["maintenance_min"] == 0
    (row, *weekly) = tables["uptime_maintenance"].rows
    assert (row["window"], row["links"], row["down_min"]) == ("ganti-ont-a1", 1, 90)
    assert all(r["window"] == "kec-b-weekly" and r["sla"] == "counted in the SLA" for r in weekly)
    assert {r["link"] for r in tables["uptime_breaches"].rows} == history.BREACHES - {"fo-desa-a1"}
    md = next(p for p in write_report(report, ["md"], tmp_path / "out") if p.suffix == ".md").read_text()
    assert "Planned maintenance in the period" in md and "Availability as the SLA counts it" in md
