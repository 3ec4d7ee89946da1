"""Boundaries under the maps: reading GeoJSON, refusing bad files, placing sites without coordinates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netops.cli import app
from netops.inventory import Inventory, Site, load_inventory
from netops.inventory.models import Regency
from netops.report import ReportOptions, build_report, write_report
from netops.report import boundaries as bnd
from netops.report.prom import ReportError
from tests.conftest import SAMPLE_INVENTORY, SMALL_INVENTORY

SQUARE = [[109.0, -1.0], [110.0, -1.0], [110.0, 0.0], [109.0, 0.0], [109.0, -1.0]]
DESA = [[109.5, -0.5], [109.7, -0.5], [109.7, -0.3], [109.5, -0.3], [109.5, -0.5]]  # centroid (-0.4, 109.6)


def _fc(*features: dict, **top) -> str:
    return json.dumps({"type": "FeatureCollection", **top, "features": list(features)})


def _feat(kode: str, ring: list, level: str | None = None) -> dict:
    props = {"kode": kode, "nama": f"Wilayah {kode}"} | ({"level": level} if level else {})
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def _inv(sites: list[dict], boundaries: str | None = None, root: Path = Path("<test>")) -> Inventory:
    regency = Regency(name="Kabupaten Uji", code="61.12", domain="uji.go.id", boundaries=boundaries)
    return Inventory(root=root, regency=regency, credentials={}, snmp={}, sites={s["id"]: Site(**s) for s in sites},
                     links={}, devices={})


def test_sample_boundaries_load_with_levels_and_credit():
    b = bnd.load(SAMPLE_INVENTORY / "boundaries-kubu-raya.geojson")
    assert [len(b.level(lv)) for lv in bnd.LEVELS] == [1, 9, 117]
    assert "cahyadsn/wilayah_boundaries" in b.attribution and "MIT" in b.attribution
    assert (SAMPLE_INVENTORY / "boundaries-kubu-raya.geojson").stat().st_size < 300_000
    inv = load_inventory(SAMPLE_INVENTORY)
    # every sample site lies within about 500 m of the regency outline, bar at most a couple on the coast
    assert bnd.check_sites(b, inv.sites.values()) <= 2


@pytest.mark.parametrize(("text", "needle"), [
    ("{not json", ":1:2: not GeoJSON"),
    ('{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
    (_fc({"type": "Feature", "properties": {"kode": "61.12.05"},
          "geometry": {"type": "Point", "coordinates": [109.5, -0.5]}}), "feature 1 (61.12.05): geometry is Point"),
    (_fc(_feat("61.12", [[lat, lon] for lon, lat in SQUARE])), "latitude 109 is outside -90..90 (the pairs look "
                                                                 "like [lat, lon]"),
    (_fc(_feat("x", SQUARE)), "feature 1 (x): no level"),
    (_fc(), "holds no features"),
])
def test_bad_boundaries_files_are_refused_with_file_and_feature(tmp_path: Path, text: str, needle: str):
    path = tmp_path / "b.geojson"
    path.write_text(text)
    with pytest.raises(ReportError) as err:
        bnd.load(path)
    assert str(path) in str(err.value) and needle in str(err.value)


def test_swapped_axes_found_from_the_sites(tmp_path: Path):
    """Coordinates that stay in range when swapped (here near 10° E, 50° N) are caught by the sites falling outside."""
    ring = [[10.0, 50.0], [11.0, 50.0], [11.0, 51.0], [10.0, 51.0], [10.0, 50.0]]
    path = tmp_path / "swapped.geojson"
    path.write_text(_fc(_feat("99.01", [[y, x] for x, y in ring], "kabupaten")))
    sites = [{"id": f"s{k}", "name": "S", "tier": "desa", "lat": 50.2 + k / 10, "lon": 10.5} for k in range(5)]
    inv = _inv(sites, str(path))
    with pytest.raises(ReportError, match=r"5 of 5 sites fall outside .* Swap the pairs"):
        build_report(inv, "coverage", ReportOptions(lang="en"))


def test_site_without_coordinates_drawn_at_its_desa_centroid(tmp_path: Path):
    path = tmp_path / "b.geojson"
    path.write_text(_fc(_feat("61.12", SQUARE), _feat("61.12.05.2001", DESA), attribution="Uji (MIT)"))
    sites = [{"id": "dc", "name": "DC", "tier": "datacenter", "lat": -0.1, "lon": 109.1},
             {"id": "d1", "name": "Desa Satu", "tier": "desa", "code": "61.12.05.2001"},
             {"id": "d2", "name": "Desa Dua", "tier": "desa", "code": "61.12.05.2002"},  # no polygon: not drawn
             {"id": "far", "name": "Jauh", "tier": "desa", "lat": -3.0, "lon": 112.0}]
    report = build_report(_inv(sites), "coverage", ReportOptions(lang="en", boundaries=path))
    (d1,) = [p for p in report.points if p.id == "d1"]
    assert d1.approx and (d1.lat, d1.lon) == pytest.approx((-0.4, 109.6))
    assert {p.id for p in report.points} == {"dc", "d1", "far"}
    assert [(a.kode, a.level) for a in report.areas] == [("61.12", "kabupaten"), ("61.12.05.2001", "desa")]
    note = report.labels["map_note"]
    assert "Uji (MIT)" in note and "1 sites without coordinates drawn at their desa polygon's centroid" in note
    assert "1 sites lie outside the boundaries" in note and "not drawn on the map: 1" in note
    html = write_report(report, ["html", "png"], tmp_path / "out")[0].read_text()
    assert 'class="area kabupaten" data-kode="61.12"' in html and 'class="approx"' in html


def test_cli_names_a_bad_boundaries_file_and_exits_2(tmp_path: Path):
    bad = tmp_path / "peta.geojson"
    bad.write_text("<kml></kml>")
    res = CliRunner().invoke(app, ["-i", str(SMALL_INVENTORY), "report", "coverage", "--boundaries", str(bad),
                                   "-f", "md", "-o", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "peta.geojson:1:1: not GeoJSON" in " ".join(res.output.split()) and "Traceback" not in res.output


def test_a_desa_placed_at_its_centroid_joins_the_growth_plan_marked_approximate(tmp_path: Path):
    from netops.report.geo import haversine_km

    path = tmp_path / "b.geojson"
    path.write_text(_fc(_feat("61.12", SQUARE), _feat("61.12.05.2001", DESA)))
    sites = [{"id": "dc", "name": "DC", "tier": "datacenter", "lat": -0.1, "lon": 109.1},
             {"id": "d1", "name": "Desa Satu", "tier": "desa", "code": "61.12.05.2001"}]
    report = build_report(_inv(sites), "plan", ReportOptions(lang="en", boundaries=path))
    (step,) = report.table("growth_steps").rows
    assert (step["site"], step["attach_to"], step["approximate"]) == ("d1", "dc", True)
    assert step["km"] == pytest.approx(haversine_km(-0.1, 109.1, -0.4, 109.6), rel=1e-9)
    (route,) = [ln for ln in report.lines if ln.status == "route"]
    assert dict(route.props)["approximate"] is True
    assert any("centroid (approximate)" in t for s in report.sections for t in s.text)
