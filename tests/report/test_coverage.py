"""Coverage figures on the hand-checked small inventory (counted by hand from its YAML).

Small inventory: kecamatan A has desa-a1 (fiber active, 20 Mbps) and desa-a2 (fiber down);
kecamatan B has desa-b1 (VSAT active, 4 Mbps), desa-b2 (VSAT active 4 Mbps + fiber planned)
and desa-b3 (no link, no coordinates).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from netops.inventory import load_inventory
from netops.report import ReportOptions, build_report, write_report
from netops.report.coverage import classify, coverage
from tests.conftest import SMALL_INVENTORY


@pytest.fixture(scope="module")
def inv():
    return load_inventory(SMALL_INVENTORY)


def test_each_desa_state_by_hand(inv):
    states = {s.site.id: (s.state, s.link.id if s.link else None) for s in coverage(inv).desa}
    assert states == {
        "desa-a1": ("fiber", "fo-desa-a1"),
        "desa-a2": ("down", "fo-desa-a2"),
        "desa-b1": ("vsat", "vsat-desa-b1"),
        "desa-b2": ("vsat", "vsat-desa-b2"),
        "desa-b3": ("none", None),
    }
    b2 = classify(inv, inv.sites["desa-b2"])
    assert [lk.id for lk in b2.planned] == ["fo-desa-b2"]


def test_kecamatan_and_regency_rows(inv):
    cov = coverage(inv)
    a, b = cov.kecamatan
    assert a.name == "A" and a.desa == 2 and a.counts == dict(fiber=1, vsat=0, other=0, down=1, planned=0, none=0)
    assert a.covered == 2 and a.pct(a.covered) == 100.0 and a.pct(a.online) == 50.0 and a.bandwidth_mbps == 20
    assert b.name == "B" and b.desa == 3 and b.counts == dict(fiber=0, vsat=2, other=0, down=0, planned=0, none=1)
    assert b.covered == 2 and b.pct(b.covered) == pytest.approx(200 / 3) and b.bandwidth_mbps == 8
    r = cov.regency
    assert (r.desa, r.covered, r.online, r.bandwidth_mbps) == (5, 4, 3, 28)
    assert r.pct(r.covered) == 80.0 and r.pct(r.online) == 60.0
    assert [u.site.id for u in cov.unconnected] == ["desa-b3"]


def test_providers(inv):
    prov = {p.provider: p for p in coverage(inv).providers}
    icon = prov["Icon Plus"]
    assert icon.links == {"active": 4, "planned": 1, "down": 1, "decommissioned": 0}
    assert icon.bandwidth_mbps == 100 + 50 + 50 + 20
    assert icon.villages == {"desa-a1", "desa-a2"} and len(icon.sites) == 5
    tel = prov["Telkom Mangoesky"]
    assert tel.links["active"] == 2 and tel.bandwidth_mbps == 8 and tel.villages == {"desa-b1", "desa-b2"}


def test_where_filter_limits_the_desa(inv):
    cov = coverage(inv, [s for s in inv.sites.values() if s.kecamatan == "B"])
    assert [k.name for k in cov.kecamatan] == ["B"] and cov.regency.desa == 3


def test_what_if_all_planned_links_are_active(inv):
    after = coverage(inv, assume_active=frozenset({"fo-desa-b2"}))
    assert after.regency.counts["fiber"] == 2 and after.regency.counts["vsat"] == 1


def test_coverage_files_csv_md_geojson(inv, tmp_path: Path):
    report = build_report(inv, "coverage", ReportOptions(lang="en"))
    assert report.exit_code == 0 and report.queries == []
    write_report(report, ["csv", "md", "geojson"], tmp_path)
    with (tmp_path / "coverage-coverage_kecamatan.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["Kecamatan"] for r in rows] == ["A", "B", "Total Kabupaten Contoh"]
    total = rows[-1]
    assert (total["Desa"], total["Fiber"], total["VSAT"], total["Connected, down"], total["Not connected"],
            total["% covered"], total["% online"], total["Bandwidth (Mbps)"]) == ("5", "1", "2", "1", "1",
                                                                                   "80.0", "60.0", "28")
    with (tmp_path / "coverage-desa.csv").open(encoding="utf-8-sig") as fh:
        desa = {r["Site"]: r for r in csv.DictReader(fh)}
    # traceable: every desa names the file and line it and its link come from
    assert desa["desa-a2"]["Source (file:line)"].startswith("small/sites.yaml:")
    assert "small/links.yaml:" in desa["desa-a2"]["Source (file:line)"]
    md = (tmp_path / "coverage.md").read_text()
    assert "| **Total Kabupaten Contoh** | **5** |" in md and "Connected, down" in md
    gj = json.loads((tmp_path / "coverage.geojson").read_text())
    sites = {f["properties"]["id"]: f for f in gj["features"] if f["properties"]["kind"] == "site"}
    assert "desa-b3" not in sites  # no coordinates
    assert sites["desa-a2"]["properties"]["status"] == "down"
    assert sites["desa-b1"]["properties"]["medium"] == "vsat"
    assert sites["dc"]["properties"]["status"] == "hub"
    assert sites["desa-a1"]["geometry"]["coordinates"] == [109.6, -0.2]
    links = {f["properties"]["id"] for f in gj["features"] if f["properties"]["kind"] == "link"}
    assert "fo-desa-b2" in links


def test_indonesian_is_the_default(inv, tmp_path: Path):
    report = build_report(inv, "coverage", ReportOptions())
    md = (write_report(report, ["md"], tmp_path)[0]).read_text()
    assert "Cakupan desa/kelurahan per kecamatan" in md and "Belum terhubung" in md and "80,0" in md
