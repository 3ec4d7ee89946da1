"""CSV and GeoJSON: the inventory as planners and GIS tools see it.

The CSV has one row per (site, uplink): a site with an active VSAT link and a
planned fiber has two rows, a site with no link one row with empty link columns.
Devices are not in the CSV (they are the engineers' part of the inventory), but
the device and interface ends of links are, so export then import gives back the
same sites and links.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from netops.errors import NetopsError
from netops.inventory.loader import Inventory, load_inventory
from netops.inventory.models import Link, Site, Tier
from netops.inventory.yamlsrc import dump_sections

SITE_FIELDS = ["id", "name", "tier", "code", "kecamatan", "lat", "lon", "parent"]
SITE_COLUMNS = ["site_id", *SITE_FIELDS[1:]]
LINK_COLUMNS = ["link_id", "medium", "provider", "circuit_id", "bandwidth_mbps", "sla", "status", "since",
                "a_site", "a_device", "a_interface", "b_device", "b_interface"]
COLUMNS = SITE_COLUMNS + LINK_COLUMNS


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "value"):
        return str(value.value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _site_cells(site: Site) -> list[str]:
    return [_fmt(getattr(site, f)) for f in SITE_FIELDS]


def _link_cells(link: Link) -> list[str]:
    return [_fmt(v) for v in (link.id, link.medium, link.provider, link.circuit_id, link.bandwidth_mbps, link.sla,
                               link.status, link.since, link.a.site, link.a.device, link.a.interface,
                               link.b.device, link.b.interface)]


def export_csv(inv: Inventory, sites: list[Site] | None = None) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for site in sites if sites is not None else inv.sites.values():
        ups = [link for link in inv.links_by_site.get(site.id, []) if link.b.site == site.id]
        if not ups:
            w.writerow(_site_cells(site) + [""] * len(LINK_COLUMNS))
        for link in sorted(ups, key=lambda lk: lk.id):
            w.writerow(_site_cells(site) + _link_cells(link))
    return buf.getvalue()


def export_geojson(inv: Inventory, sites: list[Site] | None = None) -> dict[str, Any]:
    """Sites as points and links as lines, WGS84 (what QGIS opens directly)."""
    chosen = sites if sites is not None else list(inv.sites.values())
    ids = {s.id for s in chosen}
    features: list[dict[str, Any]] = []
    for site in chosen:
        if site.lat is None or site.lon is None:
            continue
        ups = inv.uplinks(site.id)
        best = ups[0] if ups else None
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [site.lon, site.lat]},
            "properties": {
                "kind": "site", "id": site.id, "name": site.name, "tier": site.tier.value, "code": site.code,
                "kecamatan": site.kecamatan, "parent": site.parent,
                "medium": best.medium.value if best else None,
                "provider": best.provider if best else None,
                "status": best.status.value if best else ("hub" if site.tier is Tier.datacenter else "unconnected"),
                "belongs_to": site.belongs_to, "category": site.category,
            },
        })
    for link in inv.links.values():
        a, b = inv.sites[link.a.site], inv.sites[link.b.site]
        if link.b.site not in ids or None in (a.lat, a.lon, b.lat, b.lon) or a.id == b.id:
            continue
        features.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[a.lon, a.lat], [b.lon, b.lat]]},
            "properties": {
                "kind": "link", "id": link.id, "medium": link.medium.value, "provider": link.provider,
                "status": link.status.value, "circuit_id": link.circuit_id, "bandwidth_mbps": link.bandwidth_mbps,
                "sla": link.sla, "a_site": a.id, "b_site": b.id,
            },
        })
    return {"type": "FeatureCollection", "features": features}


class ImportInvalid(NetopsError):
    exit_code = 2


def _blank_to_none(row: dict[str, str], cols: list[str]) -> dict[str, Any]:
    return {c: (row.get(c) or "").strip() or None for c in cols}


def _row_errors(exc: ValidationError, fname: str, rownum: int, colmap: dict[str, str]) -> list[str]:
    out = []
    for err in exc.errors():
        loc = ".".join(map(str, err["loc"]))
        col = colmap.get(loc, loc)
        msg = err["msg"].removeprefix("Value error, ")
        out.append(f"{fname} row {rownum}, column {col}: {msg} (got {err.get('input')!r})")
    return out


def parse_csv(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Rows → site and link records (as YAML-ready dicts); every bad row is reported by number."""
    fname = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportInvalid(f"cannot read {fname}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("site_id", "name", "tier") if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportInvalid(f"{fname} row 1: missing column(s) {', '.join(missing)}; "
                            f"the header must hold {', '.join(COLUMNS)}")
    unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
    errors: list[str] = [f"{fname} row 1: unknown column {c!r}; valid columns are {', '.join(COLUMNS)}"
                         for c in unknown]
    sites: dict[str, tuple[int, dict[str, Any]]] = {}
    links: dict[str, tuple[int, dict[str, Any]]] = {}
    site_colmap = {"id": "site_id"}
    link_colmap = {"id": "link_id", "a.site": "a_site", "a.device": "a_device", "a.interface": "a_interface",
                   "b.site": "site_id", "b.device": "b_device", "b.interface": "b_interface"}
    for rownum, row in enumerate(reader, start=2):
        cells = _blank_to_none(row, COLUMNS)
        site_rec = {field: cells[col] for field, col in zip(SITE_FIELDS, SITE_COLUMNS, strict=True)}
        try:
            site = Site.model_validate(site_rec)
        except ValidationError as exc:
            errors += _row_errors(exc, fname, rownum, site_colmap)
            continue
        clean = _record(site)
        if site.id in sites and sites[site.id][1] != clean:
            errors.append(f"{fname} row {rownum}: site {site.id!r} differs from row {sites[site.id][0]}; "
                          "rows of one site must agree on its columns")
        sites.setdefault(site.id, (rownum, clean))
        if cells["link_id"] is None:
            if any(cells[c] for c in LINK_COLUMNS):
                errors.append(f"{fname} row {rownum}, column link_id: link columns are filled but link_id is empty")
            continue
        link_rec = {
            "id": cells["link_id"], "medium": cells["medium"], "provider": cells["provider"],
            "circuit_id": cells["circuit_id"], "bandwidth_mbps": cells["bandwidth_mbps"], "sla": cells["sla"],
            "status": cells["status"] or "active", "since": cells["since"],
            "a": {"site": cells["a_site"], "device": cells["a_device"], "interface": cells["a_interface"]},
            "b": {"site": site.id, "device": cells["b_device"], "interface": cells["b_interface"]},
        }
        try:
            link = Link.model_validate(link_rec)
        except ValidationError as exc:
            errors += _row_errors(exc, fname, rownum, link_colmap)
            continue
        if link.id in links:
            errors.append(f"{fname} row {rownum}, column link_id: link {link.id!r} is also on row {links[link.id][0]}")
            continue
        links[link.id] = (rownum, _record(link))
    if errors:
        raise ImportInvalid(f"{len(errors)} bad row(s) in {fname}; nothing was written:\n  " + "\n  ".join(errors))
    return [r for _, r in sites.values()], [r for _, r in links.values()]


def _record(model: BaseModel) -> dict[str, Any]:
    data = model.model_dump(mode="json", exclude_none=True)
    for end in ("a", "b"):
        if isinstance(data.get(end), dict):
            data[end] = {k: v for k, v in data[end].items() if v is not None}
    return data


def import_csv(csv_path: Path, inventory_root: Path, out: Path, *, force: bool = False) -> tuple[int, int]:
    """Write the CSV's sites and links to ``out`` after checking the whole inventory with them.

    Nothing is written when a row is bad, when the result would not validate, or when
    ``out`` exists and ``force`` is not set.
    """
    if out.exists() and not force:
        raise ImportInvalid(f"{out} exists; pass --force to overwrite it or choose another --out")
    sites, links = parse_csv(csv_path)
    text = dump_sections(f"# Imported from {csv_path.name} by 'netops inventory import'.\n",
                         [("sites", sites), ("links", links)])
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / inventory_root.name
        if inventory_root.is_dir():
            shutil.copytree(inventory_root, trial)
        else:
            trial.mkdir()
        target = trial / out.resolve().relative_to(inventory_root.resolve()) if _inside(out, inventory_root) \
            else trial / out.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        load_inventory(trial)  # raises InventoryInvalid naming the lines of the new file
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return len(sites), len(links)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False
