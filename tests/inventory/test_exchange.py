"""CSV and GeoJSON: export → import gives back the same sites and links."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml

from netops.inventory import load_inventory
from netops.inventory.exchange import export_csv, export_geojson
from netops.inventory.spreadsheet import ImportInvalid, import_sheet


def strip_sections(root: Path, sections: tuple[str, ...] = ("sites", "links")) -> None:
    """Remove sites and links from every file, keeping devices and settings."""
    for f in root.rglob("*.yaml"):
        data = yaml.safe_load(f.read_text()) or {}
        kept = {k: v for k, v in data.items() if k not in sections}
        f.write_text(yaml.safe_dump(kept, sort_keys=False, allow_unicode=True) if kept else "")


@pytest.mark.parametrize("which", ["small", "sample"])
def test_csv_round_trip(which: str, tmp_path: Path, small_inventory: Path, sample_inventory: Path) -> None:
    src = small_inventory if which == "small" else sample_inventory
    original = load_inventory(src)
    text = export_csv(original)
    csv_file = tmp_path / "sites.csv"
    csv_file.write_text(text)

    target = tmp_path / "roundtrip"
    shutil.copytree(src, target)
    strip_sections(target)
    out = target / "imported.yaml"
    res = import_sheet(csv_file, target, out)
    assert (res.sites, res.links) == (len(original.sites), len(original.links))

    again = load_inventory(target)
    assert again.sites == original.sites
    assert again.links == original.links
    assert again.devices == original.devices


def test_csv_has_a_row_per_site_and_uplink(small_inventory: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(export_csv(load_inventory(small_inventory)))))
    by_site = {}
    for r in rows:
        by_site.setdefault(r["site_id"], []).append(r["link_id"])
    assert sorted(by_site["desa-b2"]) == ["fo-desa-b2", "vsat-desa-b2"]
    assert by_site["desa-b3"] == [""]
    assert rows[0].keys() >= {"site_id", "lat", "medium", "circuit_id", "a_device", "b_interface"}


def test_bad_rows_are_reported_by_number_and_nothing_written(tmp_path: Path, small_inventory: Path) -> None:
    rows = list(csv.reader(io.StringIO(export_csv(load_inventory(small_inventory)))))
    header = rows[0]
    rows[3][header.index("tier")] = "village"
    rows[5][header.index("lat")] = "north"
    rows[6][header.index("medium")] = "pigeon"
    bad = tmp_path / "bad.csv"
    with bad.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "out.yaml"
    with pytest.raises(ImportInvalid) as exc:
        import_sheet(bad, small_inventory, out)
    msg = str(exc.value)
    assert "row 4, column tier" in msg
    assert "row 6, column lat" in msg
    assert "row 7, column medium" in msg
    assert not out.exists()


def test_import_refuses_to_overwrite_without_force(tmp_path: Path, small_inventory: Path) -> None:
    csv_file = tmp_path / "x.csv"
    csv_file.write_text(export_csv(load_inventory(small_inventory)))
    out = small_inventory / "sites.yaml"
    before = out.read_text()
    with pytest.raises(ImportInvalid, match="exists; pass --force"):
        import_sheet(csv_file, small_inventory, out)
    assert out.read_text() == before


def test_export_imports_back_into_the_same_inventory_as_nothing_new(tmp_path: Path, sample_inventory: Path) -> None:
    # The data center and OPD rows are in core.yaml already: identical rows are not conflicts.
    csv_file = tmp_path / "x.csv"
    inv = load_inventory(sample_inventory)
    csv_file.write_text(export_csv(inv), encoding="utf-8-sig")
    out = tmp_path / "imported.yaml"
    res = import_sheet(csv_file, sample_inventory, out)
    assert res.written is None and (res.sites, res.links) == (0, 0)
    assert (res.unchanged_sites, res.unchanged_links) == (len(inv.sites), len(inv.links))
    assert any(s.tier.value == "datacenter" for s in inv.sites.values())
    assert not out.exists()


def test_a_row_that_contradicts_the_yaml_names_row_and_file_line(tmp_path: Path, small_inventory: Path) -> None:
    rows = list(csv.reader(io.StringIO(export_csv(load_inventory(small_inventory)))))
    header = rows[0]
    rows[1][header.index("name")] = "Pusat Data Lain"
    csv_file = tmp_path / "x.csv"
    with csv_file.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    out = small_inventory / "imported.yaml"
    with pytest.raises(ImportInvalid) as exc:
        import_sheet(csv_file, small_inventory, out)
    assert "x.csv row 2, column name (B): site 'dc' is already in the inventory at inventory/sites.yaml:" \
        in str(exc.value)
    assert "with other name" in str(exc.value)
    assert not out.exists()


def test_geojson_points_and_lines(small_inventory: Path) -> None:
    gj = export_geojson(load_inventory(small_inventory))
    points = {f["properties"]["id"]: f for f in gj["features"] if f["geometry"]["type"] == "Point"}
    lines = {f["properties"]["id"]: f for f in gj["features"] if f["geometry"]["type"] == "LineString"}
    assert "desa-b3" not in points  # no coordinates
    assert points["desa-a1"]["geometry"]["coordinates"] == [109.6, -0.2]  # GeoJSON is lon, lat
    assert points["desa-a2"]["properties"]["status"] == "down"
    assert points["desa-b1"]["properties"]["medium"] == "vsat"
    assert lines["vsat-desa-b1"]["geometry"]["coordinates"][0] == [109.3712, -0.071]
    assert len(points) == 8 and len(lines) == 8
