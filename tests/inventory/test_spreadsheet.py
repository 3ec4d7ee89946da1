"""Planners' spreadsheets as Indonesian Excel writes them: ';' and decimal commas, Windows-1252,
BOMs, blank rows, .xlsx; every problem as row and column."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from netops.cli import app
from netops.inventory import load_inventory
from netops.inventory.exchange import COLUMNS, export_csv
from netops.inventory.spreadsheet import ImportInvalid, import_sheet
from tests.inventory.test_exchange import strip_sections

NUMERIC = {"lat", "lon", "sla", "bandwidth_mbps"}


@pytest.fixture
def stripped(tmp_path: Path, small_inventory: Path) -> tuple[Path, list[list[str]]]:
    """The small inventory without sites and links, and its export as rows to import back."""
    rows = list(csv.reader(io.StringIO(export_csv(load_inventory(small_inventory)))))
    target = tmp_path / "inv"
    shutil.copytree(small_inventory, target)
    strip_sections(target)
    return target, rows


def _excel_id(rows: list[list[str]]) -> list[list[str]]:
    """As Excel under an Indonesian locale saves: decimal commas."""
    header = rows[0]
    out = [header]
    for r in rows[1:]:
        out.append([v.replace(".", ",") if header[i] in NUMERIC else v for i, v in enumerate(r)])
    return out


def _write_csv(path: Path, rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8",
               blank_tail: bool = False) -> Path:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = buf.getvalue()
    if blank_tail:
        text += delimiter * (len(rows[0]) - 1) + "\r\n" + "\r\n" + delimiter * 3 + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("variant", ["semicolon-cp1252", "semicolon-utf8-bom", "comma-utf8", "xlsx"])
def test_indonesian_spreadsheets_import(stripped, small_inventory: Path, tmp_path: Path, variant: str):
    target, rows = stripped
    header = rows[0]
    rows[3][header.index("name")] = "Kantor Desa Seí Ambawang"
    if variant == "xlsx":
        src = tmp_path / "sites.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(header)
        for r in rows[1:]:
            cells: list[object] = []
            for col, v in zip(header, r, strict=True):
                if col in NUMERIC and v:
                    cells.append(float(v))
                elif col == "since" and v:
                    cells.append(dt.datetime.fromisoformat(v))  # Excel turns dates into date cells
                else:
                    cells.append(v or None)
            ws.append(cells)
        ws.append([None] * len(header))  # blank rows at the end
        wb.save(src)
    elif variant == "semicolon-cp1252":
        src = _write_csv(tmp_path / "sites.csv", _excel_id(rows), delimiter=";", encoding="cp1252", blank_tail=True)
    elif variant == "semicolon-utf8-bom":
        src = _write_csv(tmp_path / "sites.csv", _excel_id(rows), delimiter=";", encoding="utf-8-sig",
                         blank_tail=True)
    else:
        src = _write_csv(tmp_path / "sites.csv", rows, blank_tail=True)
    res = import_sheet(src, target, target / "imported.yaml")
    if variant == "semicolon-cp1252":
        assert len(res.warnings) == 1 and "row 4" in res.warnings[0] and "Windows-1252" in res.warnings[0]
    else:
        assert res.warnings == []
    again = load_inventory(target)
    original = load_inventory(small_inventory)
    renamed = rows[3][header.index("site_id")]
    assert again.sites[renamed].name == "Kantor Desa Seí Ambawang"
    assert {k: v for k, v in again.sites.items() if k != renamed} == \
        {k: v for k, v in original.sites.items() if k != renamed}
    assert again.links == original.links


def test_undecodable_csv_is_refused_with_row_and_advice(stripped, tmp_path: Path):
    target, rows = stripped
    src = tmp_path / "sites.csv"
    text = "\r\n".join(",".join(r) for r in rows).encode("utf-8")
    lines = text.split(b"\r\n")
    lines[4] = lines[4].replace(b"Kantor", b"Kan\x81tor", 1)
    src.write_bytes(b"\r\n".join(lines))
    with pytest.raises(ImportInvalid) as exc:
        import_sheet(src, target, target / "imported.yaml")
    msg = str(exc.value)
    assert "sites.csv row 5: not UTF-8 and not Windows-1252" in msg and "CSV UTF-8" in msg
    assert not (target / "imported.yaml").exists()


def test_every_problem_names_row_and_column(stripped, tmp_path: Path):
    target, rows = stripped
    h = rows[0]
    rows[2][h.index("name")] = ""                          # empty name
    rows[3][h.index("parent")] = "kec-nowhere"             # parent neither in sheet nor inventory
    rows[4][h.index("link_id")] = rows[5][h.index("link_id")]   # duplicate link id (row 6 then row 5? see below)
    rows[6][h.index("b_device")] = "ghost-r1"              # device not in the inventory
    rows[7][h.index("lat")] = "utara"
    out = target / "imported.yaml"
    with pytest.raises(ImportInvalid) as exc:
        import_sheet(_write_csv(tmp_path / "s.csv", rows), target, out)
    msg = str(exc.value)
    assert "s.csv row 3, column name (B): required; fill it in" in msg and "None" not in msg
    assert "s.csv row 4, column parent (H): site 'kec-nowhere' is neither a row of this sheet nor in the inventory" \
        in msg
    assert "s.csv row 6, column link_id (L): link " in msg and "is also on row 5" in msg
    assert "s.csv row 7, column b_device (" in msg and "device 'ghost-r1' is not in the inventory" in msg
    assert "s.csv row 8, column lat (F)" in msg
    assert "nothing was written" in msg and not out.exists()


def test_problems_found_by_the_whole_inventory_check_come_back_as_rows(stripped, tmp_path: Path):
    target, rows = stripped
    h = rows[0]
    # two links on the same upstream interface: only the full validation sees it
    first = next(i for i, r in enumerate(rows) if i > 0 and r[h.index("a_interface")])
    second = next(i for i, r in enumerate(rows) if i > first and r[h.index("a_device")] == rows[first][h.index(
        "a_device")] and r[h.index("a_interface")])
    rows[second][h.index("a_interface")] = rows[first][h.index("a_interface")]
    out = target / "imported.yaml"
    with pytest.raises(ImportInvalid) as exc:
        import_sheet(_write_csv(tmp_path / "s.csv", rows), target, out)
    msg = str(exc.value)
    assert f"s.csv row {second + 1}, column a_interface (" in msg and "already carries link" in msg
    assert not out.exists()


def test_cli_export_writes_a_bom_and_import_reads_it_back(stripped, small_inventory: Path, tmp_path: Path):
    target, _ = stripped
    out = tmp_path / "export.csv"
    r = CliRunner().invoke(app, ["--inventory", str(small_inventory), "inventory", "export", "--out", str(out)])
    assert r.exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data[3:].decode().split("\n")[0] == ",".join(COLUMNS)
    r = CliRunner().invoke(app, ["--inventory", str(target), "inventory", "import", str(out)])
    assert r.exit_code == 0, r.output
    assert load_inventory(target).sites == load_inventory(small_inventory).sites


def test_template_imports_into_the_sample(tmp_path: Path, sample_inventory: Path):
    """The template shipped for planners is valid as it stands."""
    template = Path(__file__).resolve().parents[2] / "docs" / "templates" / "sites-template.csv"
    inv = tmp_path / "inv"
    shutil.copytree(sample_inventory, inv)
    res = import_sheet(template, inv, inv / "imported.yaml")
    assert res.sites >= 2 and res.links >= 1
    again = load_inventory(inv)
    assert any(s.tier.value == "kelurahan" for s in again.sites.values())
    assert any(s.tier.value == "institution" for s in again.sites.values())
