"""Kelurahan beside desa, public institutions with their OPD: an inventory generated from wilayah data
whose list holds kelurahan, through validate, tree, filters, Nornir groups, reports and GeoJSON."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netops.cli import app
from netops.inventory import Tier, load_inventory, village_tier_of_code
from netops.inventory.exchange import export_geojson
from netops.inventory.nornir_plugin import build_nornir_inventory
from netops.report import ReportOptions, build_report, write_report

ROOT = Path(__file__).resolve().parents[2]
WILAYAH = ROOT / "tests" / "fixtures" / "wilayah"  # the reference rows the sample inventory is made from
KELURAHAN = {"61.12.01.2002", "61.12.01.2003", "61.12.01.2004"}  # made kelurahan for this test (codes 1xxx)

INSTITUTIONS = """\
# Related public institutions, each with the OPD or kecamatan it belongs to.
sites:
  - id: puskesmas-sungai-raya
    name: Puskesmas Sungai Raya
    tier: institution
    category: puskesmas
    belongs_to: opd-dinkes
    kecamatan: Sungai Raya
    parent: kec-sungai-raya
    lat: -0.1
    lon: 109.4
  - id: smpn-1-sungai-raya
    name: SMP Negeri 1 Sungai Raya
    tier: institution
    category: sekolah
    belongs_to: kec-sungai-raya
    parent: kec-sungai-raya
links:
  - id: fo-puskesmas-sungai-raya
    medium: fiber
    provider: Icon Plus
    status: active
    a: {site: kec-sungai-raya}
    b: {site: puskesmas-sungai-raya}
"""


def _wilayah_with_kelurahan(dst: Path) -> Path:
    """The real Kubu Raya lists, three Sungai Raya villages turned into kelurahan (code and jenis)."""
    dst.mkdir()
    shutil.copy(WILAYAH / "kecamatan.csv", dst / "kecamatan.csv")
    with (WILAYAH / "desa.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for r in rows:
        if r["kode"] in KELURAHAN:
            r["kode"] = r["kode"][:9] + "1" + r["kode"][10:]
            r["jenis"] = "kelurahan"
    with (dst / "desa.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerows(rows)
    return dst


@pytest.fixture(scope="module")
def kel_inv_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("kel")
    wil = _wilayah_with_kelurahan(work / "wilayah")
    out = work / "inventory"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_sample_inventory.py"), str(wil), str(out)],
                   check=True, capture_output=True, timeout=120)
    (out / "institutions.yaml").write_text(INSTITUTIONS, encoding="utf-8")
    return out


def test_code_rule():
    assert village_tier_of_code("61.12.01.1002") is Tier.kelurahan
    assert village_tier_of_code("61.12.01.2002") is Tier.desa
    assert village_tier_of_code("61.12.01") is None and village_tier_of_code(None) is None


def test_generated_inventory_with_kelurahan_validates(kel_inv_path: Path):
    inv = load_inventory(kel_inv_path)
    tiers = [s.tier for s in inv.sites.values()]
    assert tiers.count(Tier.kelurahan) == 3 and tiers.count(Tier.desa) == 120
    assert tiers.count(Tier.institution) == 2
    assert not [w for w in inv.warnings if w.field.endswith(".tier")]
    res = CliRunner().invoke(app, ["--inventory", str(kel_inv_path), "inventory", "validate"])
    assert res.exit_code == 0 and "3 kelurahan, 120 desa, 2 institution" in res.output


def test_tier_code_mismatch_is_a_warning_naming_both(kel_inv_path: Path, tmp_path: Path):
    inv_dir = tmp_path / "inv"
    shutil.copytree(kel_inv_path, inv_dir)
    f = inv_dir / "kecamatan" / "sungai-raya.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace('code: "61.12.01.2005"', 'code: "61.12.01.1005"', 1), encoding="utf-8")
    inv = load_inventory(inv_dir)
    (w,) = [w for w in inv.warnings if w.field.endswith(".tier")]
    assert "tier is desa" in w.message and "61.12.01.1005 names a kelurahan" in w.message
    assert w.where.file.endswith("sungai-raya.yaml") and w.where.line > 0


def test_institution_must_belong_to_an_opd_or_kecamatan(kel_inv_path: Path, tmp_path: Path):
    inv_dir = tmp_path / "inv"
    shutil.copytree(kel_inv_path, inv_dir)
    f = inv_dir / "institutions.yaml"
    f.write_text(f.read_text().replace("belongs_to: opd-dinkes", "belongs_to: kel-sungai-ambangah")
                 .replace("    belongs_to: kec-sungai-raya\n", ""), encoding="utf-8")
    res = CliRunner().invoke(app, ["--inventory", str(inv_dir), "inventory", "validate"])
    assert res.exit_code == 2
    assert "institutions.yaml:7: sites[puskesmas-sungai-raya].belongs_to: 'kel-sungai-ambangah' is a kelurahan" \
        in res.output
    assert "sites[smpn-1-sungai-raya]: an institution needs belongs_to" in res.output


def test_filters_tree_and_nornir_groups_know_the_tiers(kel_inv_path: Path):
    runner = CliRunner()
    res = runner.invoke(app, ["--inventory", str(kel_inv_path), "--json", "inventory", "list", "sites",
                              "--where", "tier=kelurahan"])
    assert res.exit_code == 0
    assert sorted(r["site"] for r in json.loads(res.output)) == [
        "kel-arang-limbung", "kel-kuala-dua", "kel-sungai-ambangah"]
    res = runner.invoke(app, ["--inventory", str(kel_inv_path), "--json", "inventory", "tree",
                              "--where", "kecamatan=Sungai Raya"])
    kec = next(c for c in json.loads(res.output)[0]["children"] if c["id"] == "kec-sungai-raya")
    kids = [c["tier"] for c in kec["children"]]
    # tree order: kelurahan before desa, institutions last
    assert kids[:3] == ["kelurahan"] * 3 and kids[-1] == "institution" and kids.count("desa") == 19
    res = runner.invoke(app, ["--inventory", str(kel_inv_path), "inventory", "tree", "--where", "tier=kelurahan"])
    assert "Kantor Kelurahan Sungai Ambangah" in res.output
    nr = build_nornir_inventory(load_inventory(kel_inv_path), ["tier=kelurahan"])
    assert len(nr.hosts) == 3 and "tier:kelurahan" in nr.groups
    assert all("tier:kelurahan" in [g.name for g in h.groups] for h in nr.hosts.values())


def test_geojson_names_tiers_and_the_hub(kel_inv_path: Path):
    inv = load_inventory(kel_inv_path)
    props = {f["properties"]["id"]: f["properties"] for f in export_geojson(inv)["features"]
             if f["properties"]["kind"] == "site"}
    assert props["kel-kuala-dua"]["tier"] == "kelurahan"
    assert props["puskesmas-sungai-raya"]["tier"] == "institution"
    assert props["puskesmas-sungai-raya"]["belongs_to"] == "opd-dinkes"
    assert props["dc-sungai-raya"]["status"] == "hub"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_reports_count_desa_and_kelurahan_apart_and_together(kel_inv_path: Path, tmp_path: Path, lang: str):
    inv = load_inventory(kel_inv_path)
    for kind in ("coverage", "plan"):
        report = build_report(inv, kind, ReportOptions(lang=lang))
        files = write_report(report, ["md", "csv", "geojson"], tmp_path / kind)
        kec = report.table("coverage_kecamatan" if kind == "coverage" else "plan_coverage_change")
        total = kec.total
        assert total is not None
        assert (total["desa"], total["kelurahan"], total["villages"]) == (120, 3, 123)
        sr = next(r for r in kec.rows if r["kecamatan"] == "Sungai Raya")
        assert (sr["desa"], sr["kelurahan"], sr["villages"]) == (19, 3, 22)
        md = next(f for f in files if f.suffix == ".md").read_text(encoding="utf-8")
        rule = "angka pertama 1 = kelurahan, 2 = desa" if lang == "id" else "a first digit 1 is a kelurahan, 2 a desa"
        # the rule is written under every table that counts villages
        assert md.count(rule) >= (3 if kind == "coverage" else 2)
        header = "Desa/kelurahan" if lang == "id" else "Desa/kelurahan"
        assert f"| {header} |" in md and "| Kelurahan |" in md
        geo = json.loads(next(f for f in files if f.suffix == ".geojson").read_text(encoding="utf-8"))
        tiers = {f["properties"].get("tier") for f in geo["features"]}
        assert "kelurahan" in tiers
    cov = build_report(inv, "coverage", ReportOptions(lang=lang))
    summary = cov.sections[0].text[0]
    if lang == "id":
        assert "dari 123 desa/kelurahan (120 desa, 3 kelurahan)" in summary and "lewat radio/LTE" in summary
    else:
        assert "of 123 desa/kelurahan (120 desa, 3 kelurahan)" in summary and "by radio/LTE" in summary
    detail = cov.table("desa")
    kel_rows = [r for r in detail.rows if r["site"].startswith("kel-")]
    assert len(kel_rows) == 3 and {r["tier"] for r in kel_rows} == {"Kelurahan"}


def test_kelurahan_sheet_imports_and_reports(kel_inv_path: Path, tmp_path: Path):
    """The Sungai Raya sites and links leave the YAML, come back through an Excel-style ';' sheet with
    decimal commas, and the inventory is what it was: kelurahan included."""
    import io

    import yaml

    from netops.inventory.exchange import export_csv
    from netops.inventory.spreadsheet import import_sheet

    original = load_inventory(kel_inv_path)
    inv_dir = tmp_path / "inv"
    shutil.copytree(kel_inv_path, inv_dir)
    chosen = [s for s in original.sites.values() if s.kecamatan == "Sungai Raya" and s.tier.value in
              ("kelurahan", "desa")]
    rows = list(csv.reader(io.StringIO(export_csv(original, chosen))))
    header = rows[0]
    numeric = {header.index(c) for c in ("lat", "lon", "sla", "bandwidth_mbps")}
    sheet = tmp_path / "sungai-raya.csv"
    sheet.write_bytes("\r\n".join(";".join(v.replace(".", ",") if i in numeric and n else v
                                           for i, v in enumerate(r)) for n, r in enumerate(rows)).encode("utf-8-sig"))
    f = inv_dir / "kecamatan" / "sungai-raya.yaml"
    data = yaml.safe_load(f.read_text(encoding="utf-8"))
    ids = {s.id for s in chosen}
    data["sites"] = [s for s in data["sites"] if s["id"] not in ids]
    data["links"] = [lk for lk in data["links"] if lk["b"]["site"] not in ids]
    f.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    res = import_sheet(sheet, inv_dir, inv_dir / "imported.yaml")
    assert res.sites == 22 and res.warnings == []
    again = load_inventory(inv_dir)
    assert again.sites == original.sites and again.links == original.links
    r = CliRunner().invoke(app, ["--inventory", str(inv_dir), "report", "coverage", "--lang", "en", "--format", "md",
                                 "--out", str(tmp_path / "rep")])
    assert r.exit_code == 0, r.output
    assert "of 123 desa/kelurahan (120 desa, 3 kelurahan)" in r.output
    r = CliRunner().invoke(app, ["--inventory", str(inv_dir), "inventory", "tree", "--where", "tier=kelurahan"])
    assert "Kantor Kelurahan Kuala Dua" in r.output and "imported.yaml" not in r.output


def test_metric_labels_carry_the_tier(kel_inv_path: Path):
    """Prometheus labels (what Grafana's panels and the alert texts group by) name kelurahan and institutions."""
    from netops.monitor.snapshot import device_labels, link_labels, site_info

    inv = load_inventory(kel_inv_path)
    assert link_labels(inv, inv.uplinks("kel-kuala-dua")[0])["tier"] == "kelurahan"
    assert device_labels(inv, inv.devices["kel-kuala-dua-r1"])["tier"] == "kelurahan"
    info = {s["site"]: s for s in site_info(inv, ["kel-kuala-dua", "puskesmas-sungai-raya"])}
    assert info["kel-kuala-dua"]["tier"] == "kelurahan" and info["puskesmas-sungai-raya"]["tier"] == "institution"
