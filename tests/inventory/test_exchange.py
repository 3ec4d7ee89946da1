"""CSV and GeoJSON: export → import gives back the same sites and links."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
import yaml

from netops.inventory import InventoryInvalid, load_inventory
from netops.inventory.exchange import ImportInvalid, export_csv, export_geojson, import_csv


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
    n_sites, n_links = import_csv(csv_file, target, out)
    assert (n_sites, n_links) == (len(original.sites), len(original.links))

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
        import_csv(bad, small_inventory, out)
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
        import_csv(csv_file, small_inventory, out)
    assert out.read_text() == before


def test_import_that_would_break_the_inventory_writes_nothing(tmp_path: Path, small_inventory: Path) -> None:
    # Importing the same sites again next to the originals duplicates every id.
    csv_file = tmp_path / "x.csv"
    csv_file.write_text(export_csv(load_inventory(small_inventory)))
    out = small_inventory / "imported.yaml"
    with pytest.raises(InventoryInvalid) as exc:
        import_csv(csv_file, small_inventory, out)
    assert any("duplicate id 'dc'" in str(e) for e in exc.value.errors)
    assert any("inventory/imported.yaml:" in str(e) for e in exc.value.errors)
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
