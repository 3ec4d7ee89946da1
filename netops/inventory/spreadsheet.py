"""Planners' spreadsheets into inventory YAML: CSV as Excel really writes it, and .xlsx.

An Indonesian Excel saves "CSV" with ``;`` between cells and decimal commas, in Windows-1252
unless told "CSV UTF-8"; it leaves blank rows at the end. All of that is read. Every problem
names the spreadsheet row and column (also checks across rows and conflicts with the YAML
already in the inventory, which are named by file:line), and nothing is written unless the
whole inventory validates with the new rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from netops.errors import BadInput
from netops.inventory.exchange import COLUMNS, LINK_COLUMNS, SITE_COLUMNS, SITE_FIELDS
from netops.inventory.loader import KECAMATAN_TIERS, InventoryInvalid, InventoryNotFound, load_inventory, scan_inventory
from netops.inventory.models import Link, Site
from netops.inventory.yamlsrc import dump_sections

REQUIRED = ("site_id", "name", "tier")
EXTRA = "\x00extra"
"""Key of the cells beyond the header in a row (never a column name)."""
NUMERIC = ("lat", "lon", "bandwidth_mbps", "sla")
SAVE_AS_UTF8 = "save it from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)' or as .xlsx"
SITE_COLMAP = {"id": "site_id"}
LINK_COLMAP = {"id": "link_id", "a.site": "a_site", "a.device": "a_device", "a.interface": "a_interface",
               "b.site": "site_id", "b.device": "b_device", "b.interface": "b_interface"}


class ImportInvalid(BadInput):
    """The spreadsheet cannot become inventory; nothing was written."""


@dataclass
class Sheet:
    """A spreadsheet read as text cells: header, then (row number, cells by column) for non-blank rows."""

    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str | None]]]
    header_row: int = 1
    warnings: list[str] = field(default_factory=list)

    def letter(self, column: str) -> str:
        """The spreadsheet letter of a column (A, B, … AA), as Excel shows it."""
        try:
            n = self.header.index(column) + 1
        except ValueError:
            return "?"
        out = ""
        while n:
            n, r = divmod(n - 1, 26)
            out = chr(65 + r) + out
        return out

    def at(self, row: int, column: str | None = None) -> str:
        if column is None:
            return f"{self.name} row {row}"
        return f"{self.name} row {row}, column {column} ({self.letter(column)})"


# -- reading -------------------------------------------------------------------------------------

def read_sheet(path: Path) -> Sheet:
    """Read a .csv or .xlsx file into text cells; refuse what cannot be read, saying how to save it."""
    if path.is_dir() or not path.exists():
        raise ImportInvalid(f"{path}: no such file; give the spreadsheet (.csv or .xlsx) to import")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportInvalid(f"{path}: old Excel 97-2003 format (.xls) cannot be read; {SAVE_AS_UTF8}")
    if suffix in (".xlsx", ".xlsm"):
        grid, warnings = _read_xlsx(path), list[str]()
    else:
        grid, warnings = _read_csv(path)
    return _to_sheet(path.name, grid, warnings)


def _read_xlsx(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    import openpyxl  # imported here: only an .xlsx import pays for it
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise ImportInvalid(f"{path}: cannot be read as an Excel workbook ({exc.__class__.__name__}); "
                            f"{SAVE_AS_UTF8}") from None
    ws = wb.worksheets[0]

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        try:
            for n, values in enumerate(ws.iter_rows(values_only=True), start=1):
                yield n, [_xlsx_cell(v) for v in values]
        finally:
            wb.close()

    return rows()


def _xlsx_cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_csv(path: Path) -> tuple[Iterator[tuple[int, list[str | None]]], list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportInvalid(f"{path}: cannot read: {exc.strerror}; check the path and its permissions") from None
    warnings: list[str] = []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportInvalid(f"{path}: UTF-16 text (Excel's 'Unicode Text'), not CSV; {SAVE_AS_UTF8}")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        row = raw.count(b"\n", 0, exc.start) + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportInvalid(f"{path} row {row}: not UTF-8 and not Windows-1252 text (byte "
                                f"0x{raw[exc.start]:02x}); {SAVE_AS_UTF8}") from None
        warnings.append(f"{path.name} row {row}: not UTF-8 (first at byte 0x{raw[exc.start]:02x}); read as "
                        f"Windows-1252, Excel's 'CSV (Comma delimited)'. Check accented names; to be sure, "
                        f"{SAVE_AS_UTF8}")
    if "\x00" in text:
        raise ImportInvalid(f"{path}: holds NUL bytes, so it is not a text CSV; {SAVE_AS_UTF8}")
    lines = text.splitlines(keepends=True)
    first = next((ln for ln in lines if ln.strip()), "")
    delimiter = _delimiter(first)

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for cells in reader:
                yield reader.line_num, [c if c != "" else None for c in cells]
        except csv.Error as exc:
            raise ImportInvalid(f"{path} row {reader.line_num}: {exc}; check the quotes on that row") from None

    return rows(), warnings


def _delimiter(header_line: str) -> str:
    """The separator that splits the header into the most known column names (',' ';' or tab)."""
    best, score = ",", -1
    for d in (",", ";", "\t"):
        names = [_norm(c) for c in header_line.strip().split(d)]
        n = sum(1 for c in names if c in COLUMNS)
        if n > score:
            best, score = d, n
    return best


def _norm(name: str | None) -> str:
    return (name or "").strip().strip('"').lstrip("\ufeff").strip().lower().replace(" ", "_")


def _to_sheet(name: str, grid: Iterator[tuple[int, list[str | None]]], warnings: list[str]) -> Sheet:
    header: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, dict[str, str | None]]] = []
    for n, cells in grid:
        if not any(c is not None and c.strip() for c in cells):
            continue  # blank rows (Excel leaves them at the end) are not data
        if header is None:
            header = [_norm(c) for c in cells]
            while header and not header[-1]:
                header.pop()
            header_row = n
            continue
        extra = [c for c in cells[len(header):] if c is not None and c.strip()]
        row: dict[str, str | None] = {}
        for i, col in enumerate(header):
            cell = cells[i] if i < len(cells) else None
            if col:
                row[col] = (cell.strip() or None) if cell is not None else None
        if extra:
            row[EXTRA] = ", ".join(extra)
        rows.append((n, row))
    if header is None:
        raise ImportInvalid(f"{name}: no header row and no data; the first row must hold {', '.join(COLUMNS)}")
    return Sheet(name, header, rows, header_row, warnings)


# -- rows into records ---------------------------------------------------------------------------

@dataclass
class SheetRows:
    sheet: Sheet
    sites: dict[str, tuple[int, Site]]
    links: dict[str, tuple[int, Link]]
    errors: list[str]


def _number(text: str | None) -> str | None:
    """Decimal commas (-0,0710 or 1.234,5) as Excel writes them under an Indonesian locale."""
    if text is None:
        return None
    t = text.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+,\d+", t):
        return t.replace(".", "").replace(",", ".")
    if re.fullmatch(r"[-+]?\d*,\d+", t):
        return t.replace(",", ".")
    return t


def _explain(err: dict[str, Any]) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    value = err.get("input")
    if err["type"] == "missing" or value is None:
        return "required; fill it in"
    if err["type"] == "enum":
        return f"{value!r} is not allowed: {msg.removeprefix('Input should be ')}"
    return f"{msg} (got {value!r})"


def parse_rows(sheet: Sheet) -> SheetRows:
    """Rows → Site and Link models; every bad cell reported as row and column, rows checked against each other."""
    errors: list[str] = []
    missing = [c for c in REQUIRED if c not in sheet.header]
    if missing:
        raise ImportInvalid(f"{sheet.at(sheet.header_row)}: missing column(s) {', '.join(missing)}; the header "
                            f"must hold {', '.join(COLUMNS)} (found {', '.join(c for c in sheet.header if c)})")
    for col in sheet.header:
        if col and col not in COLUMNS:
            errors.append(f"{sheet.at(sheet.header_row, col)}: unknown column {col!r}; valid columns are "
                          f"{', '.join(COLUMNS)}")
    dup = sorted({c for c in sheet.header if c and sheet.header.count(c) > 1})
    for col in dup:
        errors.append(f"{sheet.at(sheet.header_row, col)}: column {col!r} appears twice; keep one")
    sites: dict[str, tuple[int, Site]] = {}
    links: dict[str, tuple[int, Link]] = {}
    codes: dict[str, tuple[int, str]] = {}

    def bad(exc: ValidationError, n: int, colmap: dict[str, str]) -> None:
        for err in exc.errors():
            loc = ".".join(map(str, err["loc"]))
            col = colmap.get(loc, loc)
            errors.append(f"{sheet.at(n, col)}: {_explain(dict(err))}")

    for n, cells in sheet.rows:
        extra = cells.get(EXTRA)
        if extra:
            errors.append(f"{sheet.at(n)}: more cells than header columns ({extra!r}); "
                          "a separator inside a name? quote that cell")
        c = {col: cells.get(col) for col in COLUMNS}
        for col in NUMERIC:
            c[col] = _number(c[col])
        site_rec = {f: c[col] for f, col in zip(SITE_FIELDS, SITE_COLUMNS, strict=True)}
        try:
            site = Site.model_validate(site_rec)
        except ValidationError as exc:
            bad(exc, n, SITE_COLMAP)
            continue
        first = sites.get(site.id)
        if first is not None and first[1] != site:
            diff = [col for f, col in zip(SITE_FIELDS, SITE_COLUMNS, strict=True)
                    if getattr(site, f) != getattr(first[1], f)]
            errors.append(f"{sheet.at(n, diff[0])}: site {site.id!r} differs from row {first[0]} in "
                          f"{', '.join(diff)}; rows of one site must agree on its columns")
        if first is None:
            sites[site.id] = (n, site)
            if site.code and site.tier in KECAMATAN_TIERS:
                if site.code in codes:
                    errors.append(f"{sheet.at(n, 'code')}: Kemendagri code {site.code} is also site "
                                  f"{codes[site.code][1]!r} on row {codes[site.code][0]}; codes are unique")
                codes.setdefault(site.code, (n, site.id))
        if c["link_id"] is None:
            filled = [col for col in LINK_COLUMNS if c[col]]
            if filled:
                errors.append(f"{sheet.at(n, 'link_id')}: link columns ({', '.join(filled)}) are filled but "
                              "link_id is empty; give the link an id or clear them")
            continue
        link_rec = {
            "id": c["link_id"], "medium": c["medium"], "provider": c["provider"],
            "circuit_id": c["circuit_id"], "bandwidth_mbps": c["bandwidth_mbps"], "sla": c["sla"],
            "status": c["status"] or "active", "since": c["since"],
            "a": {"site": c["a_site"], "device": c["a_device"], "interface": c["a_interface"]},
            "b": {"site": site.id, "device": c["b_device"], "interface": c["b_interface"]},
        }
        try:
            link = Link.model_validate(link_rec)
        except ValidationError as exc:
            bad(exc, n, LINK_COLMAP)
            continue
        if link.id in links:
            errors.append(f"{sheet.at(n, 'link_id')}: link {link.id!r} is also on row {links[link.id][0]}; "
                          "link ids are unique")
            continue
        links[link.id] = (n, link)
    return SheetRows(sheet, sites, links, errors)


# -- import --------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    written: Path | None
    sites: int
    links: int
    unchanged_sites: int
    unchanged_links: int
    warnings: list[str]


def _differs(a: BaseModel, b: BaseModel) -> list[str]:
    return [f for f in type(a).model_fields if getattr(a, f) != getattr(b, f)]


def _record(model: BaseModel) -> dict[str, Any]:
    data = model.model_dump(mode="json", exclude_none=True)
    for end in ("a", "b"):
        if isinstance(data.get(end), dict):
            data[end] = {k: v for k, v in data[end].items() if v is not None}
    return data


def import_sheet(sheet_path: Path, inventory_root: Path, out: Path, *, force: bool = False) -> ImportResult:
    """Write the spreadsheet's new sites and links to ``out`` after checking the whole inventory with them.

    Rows identical to what the inventory already holds are left out (an export imports back);
    rows that contradict it are errors naming the row and the YAML file:line. Nothing is written
    when any row is bad, when the result would not validate, or when ``out`` exists without ``force``.
    """
    if out.exists() and not force:
        raise ImportInvalid(f"{out} exists; pass --force to overwrite it or choose another --out")
    sheet = read_sheet(sheet_path)
    parsed = parse_rows(sheet)
    errors = parsed.errors
    try:
        existing = scan_inventory(inventory_root) if inventory_root.exists() else None
    except InventoryNotFound:
        existing = None
    ex_sites: dict[str, Site] = existing.records["sites"] if existing else {}  # type: ignore[assignment]
    ex_links: dict[str, Link] = existing.records["links"] if existing else {}  # type: ignore[assignment]
    ex_devices = existing.records["devices"] if existing else {}
    out_rel = _rel_in(out, inventory_root)

    def where(kind: str, key: str) -> str:
        loc = existing.sources.get((kind, key)) if existing else None
        return str(loc) if loc else "the inventory"

    def in_out_file(kind: str, key: str) -> bool:
        loc = existing.sources.get((kind, key)) if existing else None
        return force and loc is not None and out_rel is not None and loc.file.endswith(out_rel)

    new_sites: dict[str, tuple[int, Site]] = {}
    new_links: dict[str, tuple[int, Link]] = {}
    same = {"sites": 0, "links": 0}

    def already(kind: str, key: str, n: int, record: BaseModel, old: BaseModel | None,
                column: Callable[[str], str]) -> bool:
        """The row is in the inventory already: the same record (counted), or another one (an
        error naming the row's cell of the first field that differs)."""
        if old is None or in_out_file(kind, key):
            return False
        if old == record:
            same[kind] += 1
            return True
        diff = _differs(record, old)
        noun = kind.removesuffix("s")
        errors.append(f"{sheet.at(n, column(diff[0]))}: {noun} {key!r} is already in the inventory at "
                      f"{where(kind, key)} with other {', '.join(diff)}; edit it there, or give this row "
                      f"another {noun}_id")
        return True

    ex_codes = {s.code: sid for sid, s in ex_sites.items() if s.code and s.tier in KECAMATAN_TIERS}
    for sid, (n, site) in parsed.sites.items():
        if already("sites", sid, n, site, ex_sites.get(sid),
                   lambda f: SITE_COLUMNS[SITE_FIELDS.index(f)] if f in SITE_FIELDS else "site_id"):
            continue
        if existing and sid in existing.invalid["sites"]:
            errors.append(f"{sheet.at(n, 'site_id')}: site {sid!r} is already at {where('sites', sid)} (which "
                          "has errors of its own); fix it there or use another site_id")
            continue
        other = ex_codes.get(site.code) if site.code and site.tier in KECAMATAN_TIERS else None
        if other is not None and other != sid and not in_out_file("sites", other):
            errors.append(f"{sheet.at(n, 'code')}: Kemendagri code {site.code} is already site {other!r} at "
                          f"{where('sites', other)}; codes are unique")
        new_sites[sid] = (n, site)
    known_sites = set(ex_sites) | set(parsed.sites) | (existing.invalid["sites"] if existing else set())
    for n, site in parsed.sites.values():
        for f in ("parent", "belongs_to"):
            ref = getattr(site, f)
            if ref is not None and ref not in known_sites:
                errors.append(f"{sheet.at(n, f)}: site {ref!r} is neither a row of this sheet nor in the "
                              "inventory; use an existing site_id")
    for lid, (n, link) in parsed.links.items():
        if already("links", lid, n, link, ex_links.get(lid),
                   lambda f: {"id": "link_id", "a": "a_site", "b": "site_id"}.get(f, f)):
            continue
        if link.a.site not in known_sites:
            errors.append(f"{sheet.at(n, 'a_site')}: site {link.a.site!r} is neither a row of this sheet nor in "
                          "the inventory; use an existing site_id")
        for end, col in ((link.a, "a_device"), (link.b, "b_device")):
            if end.device is not None and end.device not in ex_devices:
                errors.append(f"{sheet.at(n, col)}: device {end.device!r} is not in the inventory; devices are "
                              "added in YAML by the engineers, leave the cell empty until then")
        new_links[lid] = (n, link)
    if errors:
        raise ImportInvalid(_summary(sheet, errors))
    if not new_sites and not new_links:
        return ImportResult(None, 0, 0, same["sites"], same["links"], sheet.warnings)
    text = dump_sections(f"# Imported from {sheet_path.name} by 'netops inventory import'.\n",
                         [("sites", [_record(s) for _, s in new_sites.values()]),
                          ("links", [_record(lk) for _, lk in new_links.values()])])
    _trial(text, inventory_root, out, sheet, new_sites, new_links)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return ImportResult(out, len(new_sites), len(new_links), same["sites"], same["links"], sheet.warnings)


_ROW = re.compile(r" row (\d+)")


def _summary(sheet: Sheet, errors: list[str]) -> str:
    """All problems, in the order of the rows they name (those naming none first)."""
    n = len(errors)
    errors = sorted(errors, key=lambda e: int(m.group(1)) if (m := _ROW.search(e)) else 0)
    return (f"{n} problem{'s' if n != 1 else ''} in {sheet.name}; nothing was written. Fix the cells named "
            "below and import again:\n  " + "\n  ".join(errors))


def _rel_in(path: Path, root: Path) -> str | None:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except (ValueError, OSError):
        return None


TRIAL_DIR = "~import"
"""Where the new file sits in the trial copy: read last, so a clash is reported on the imported row."""


def _trial(text: str, inventory_root: Path, out: Path, sheet: Sheet,
           sites: dict[str, tuple[int, Site]], links: dict[str, tuple[int, Link]]) -> None:
    """Validate the whole inventory with the new file in a copy; problems in it come back as rows."""
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / (inventory_root.name or "inventory")
        if inventory_root.is_dir():
            shutil.copytree(inventory_root, trial, symlinks=True)
            rel = _rel_in(out, inventory_root)
            if rel is not None and (trial / rel).exists():
                (trial / rel).unlink()  # --force: the file being replaced is not part of the result
        else:
            trial.mkdir()
            if inventory_root.is_file():
                shutil.copy(inventory_root, trial / inventory_root.name)
        target = trial / TRIAL_DIR / out.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        try:
            load_inventory(trial)
        except InventoryInvalid as exc:
            new_file = f"{trial.name}/{TRIAL_DIR}/{out.name}"
            rows = _line_rows(text, sites, links)
            raise ImportInvalid(_summary(sheet, [_as_row(p, new_file, sheet, sites, links, rows)
                                                 for p in exc.errors])) from None


def _line_rows(text: str, sites: dict[str, tuple[int, Site]], links: dict[str, tuple[int, Link]]) -> list[
        tuple[int, int]]:
    """(first line, sheet row) of every record in the generated YAML."""
    out: list[tuple[int, int]] = []
    table: dict[str, Any] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if line in ("sites:", "links:"):
            table = sites if line == "sites:" else links
        elif line.startswith("  - id: "):
            key = yaml_unquote(line[len("  - id: "):])
            if key in table:
                out.append((n, table[key][0]))
    return out


def yaml_unquote(text: str) -> str:
    t = text.strip()
    return t[1:-1] if len(t) >= 2 and t[0] == t[-1] and t[0] in "'\"" else t


_FIELD = re.compile(r"^(sites|links)\[([^\]]+)\](?:\.(.+))?$")


def _as_row(p: Any, new_file: str, sheet: Sheet, sites: dict[str, tuple[int, Site]],
            links: dict[str, tuple[int, Link]], rows: list[tuple[int, int]]) -> str:
    """A loader problem about an imported record, told as its spreadsheet row and column."""

    def row_of(match: re.Match[str]) -> str:
        line = int(match.group(1) or 0)
        row = next((r for start, r in reversed(rows) if start <= line), None)
        return f"{sheet.name} row {row}" if row is not None else sheet.name

    message = re.sub(re.escape(new_file) + r"(?::(\d+))?", row_of, p.message)
    m = _FIELD.match(p.field)
    if m:
        kind, key, sub = m.groups()
        table = sites if kind == "sites" else links
        if key in table and p.where.file == new_file:
            colmap = SITE_COLMAP if kind == "sites" else LINK_COLMAP
            col = colmap.get(sub or "id", sub or "id")
            col = col if col in COLUMNS else ("site_id" if kind == "sites" else "link_id")
            return f"{sheet.at(table[key][0], col)}: {message}"
    return f"{p.where}: {p.field + ': ' if p.field else ''}{message}"
