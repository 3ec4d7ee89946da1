"""Administrative boundaries under every map: regency outline, kecamatan and desa polygons.

Read from a GeoJSON FeatureCollection (RFC 7946: WGS84, [lon, lat]) whose features carry a
Kemendagri ``kode`` and a ``level`` (kabupaten, kecamatan, desa or kelurahan; derived from the
length of ``kode`` when missing). Maps are drawn offline from these polygons: no tile server.
Geometry work (validity, point in polygon, centroids, simplification) is shapely's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from netops.inventory import Site
from netops.report.prom import ReportError

LEVELS = ("kabupaten", "kecamatan", "desa")
"""Drawing order, outermost first; kelurahan are drawn as desa."""
_LEVEL_BY_CODE_LENGTH = {5: "kabupaten", 8: "kecamatan", 13: "desa"}


@dataclass(frozen=True)
class Area:
    kode: str
    nama: str
    level: str
    geom: Polygon | MultiPolygon


@dataclass
class Boundaries:
    path: Path
    areas: list[Area]
    attribution: str = ""
    """The file's top-level "attribution" member: the source and licence to print under the map."""

    def level(self, level: str) -> list[Area]:
        return [a for a in self.areas if a.level == level]

    def desa_by_code(self) -> dict[str, Area]:
        return {a.kode: a for a in self.areas if a.level == "desa"}

    def outline(self) -> BaseGeometry:
        """The regency outline if the file has one, else the union of every polygon."""
        top = self.level("kabupaten") or self.areas
        return shapely.union_all([a.geom for a in top])


def _fail(path: Path, where: str, what: str) -> ReportError:
    return ReportError(f"boundaries {path}{where}: {what}")


def load(path: Path) -> Boundaries:
    """Parse and check a boundaries file; every problem names the file and the feature."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(path, "", f"cannot read it ({exc.strerror}); give a GeoJSON file with --boundaries "
                              "or fix regency.boundaries") from None
    except UnicodeDecodeError:
        raise _fail(path, "", "not UTF-8 text; GeoJSON is UTF-8 JSON") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _fail(path, f":{exc.lineno}:{exc.colno}", f"not GeoJSON ({exc.msg}); give a GeoJSON "
                    "FeatureCollection of Polygon/MultiPolygon features") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise _fail(path, "", "not a GeoJSON FeatureCollection (top-level \"type\": \"FeatureCollection\" with "
                              "\"features\": [...])")
    areas = []
    for n, feat in enumerate(doc["features"], 1):
        areas.append(_area(path, n, feat))
    if not areas:
        raise _fail(path, "", "holds no features")
    return Boundaries(path, areas, str(doc.get("attribution") or ""))


def _area(path: Path, n: int, feat: Any) -> Area:
    props = feat.get("properties") if isinstance(feat, dict) else None
    props = props if isinstance(props, dict) else {}
    kode = str(props.get("kode") or props.get("code") or "")
    where = f", feature {n}" + (f" ({kode})" if kode else "")
    geo = feat.get("geometry") if isinstance(feat, dict) else None
    if not isinstance(geo, dict) or geo.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geo.get("type") if isinstance(geo, dict) else type(geo).__name__
        raise _fail(path, where, f"geometry is {kind}, expected Polygon or MultiPolygon")
    _check_axes(path, where, geo["coordinates"])
    try:
        geom = shape(geo)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException) as exc:
        raise _fail(path, where, f"unreadable polygon ({exc})") from None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        if not isinstance(geom, (Polygon, MultiPolygon)):
            geom = MultiPolygon([g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)])
    level = str(props.get("level") or _LEVEL_BY_CODE_LENGTH.get(len(kode), "")).lower()
    if level == "kelurahan":
        level = "desa"
    if level not in LEVELS:
        raise _fail(path, where, "no level: give properties.level (kabupaten, kecamatan, desa, kelurahan) "
                                 "or a Kemendagri kode such as 61.12.05.2001")
    assert isinstance(geom, (Polygon, MultiPolygon))
    return Area(kode, str(props.get("nama") or props.get("name") or kode), level, geom)


def _check_axes(path: Path, where: str, coords: Any) -> None:
    try:
        arr = np.fromiter(_flatten(coords), dtype=float).reshape(-1, 2)
    except (ValueError, TypeError):
        raise _fail(path, where, "coordinates are not [lon, lat] number pairs") from None
    if len(arr) == 0:
        raise _fail(path, where, "empty polygon")
    bad_lat = np.abs(arr[:, 1]) > 90
    if bad_lat.any():
        lon, lat = arr[bad_lat][0]
        swapped = " (the pairs look like [lat, lon]; GeoJSON wants [lon, lat]: swap them)" if abs(lon) <= 90 else ""
        raise _fail(path, where, f"latitude {lat:g} is outside -90..90{swapped}")
    if (np.abs(arr[:, 0]) > 180).any():
        raise _fail(path, where, "longitude outside -180..180")


def _flatten(coords: Any) -> Iterable[float]:
    if isinstance(coords, (int, float)):
        yield float(coords)
        return
    for c in coords:
        yield from _flatten(c)


def check_sites(b: Boundaries, sites: Iterable[Site]) -> int:
    """How many sites with coordinates lie outside the boundaries (refused if the axes look swapped)."""
    pts = np.array([(s.lon, s.lat) for s in sites if s.lat is not None and s.lon is not None], dtype=float)
    if len(pts) == 0:
        return 0
    outline = b.outline()
    shapely.prepare(outline)
    inside = int(shapely.contains_xy(outline, pts[:, 0], pts[:, 1]).sum())
    if inside < len(pts) / 2:
        swapped = int(shapely.contains_xy(outline, pts[:, 1], pts[:, 0]).sum())
        if swapped > len(pts) / 2:
            raise _fail(b.path, "", f"{len(pts) - inside} of {len(pts)} sites fall outside the polygons but "
                                    f"{swapped} fall inside them with latitude and longitude exchanged: the file "
                                    "gives [lat, lon]; GeoJSON wants [lon, lat]. Swap the pairs")
    # A site on a border or a few metres off the coast still counts as in (≈ 500 m tolerance).
    near = shapely.dwithin(outline, shapely.points(pts), 0.005)
    return int(len(pts) - near.sum())


def place(b: Boundaries, sites: Iterable[Site]) -> dict[str, tuple[float, float]]:
    """(lat, lon) for sites without coordinates whose code names a desa polygon: its centroid."""
    desa = b.desa_by_code()
    out = {}
    for s in sites:
        if (s.lat is None or s.lon is None) and s.code and s.code in desa:
            c = desa[s.code].geom.centroid
            out[s.id] = (float(c.y), float(c.x))
    return out


def rings(geom: Polygon | MultiPolygon, tolerance: float) -> list[list[tuple[float, float]]]:
    """Exterior and interior rings, simplified to ``tolerance`` degrees (topology kept), for drawing."""
    g = geom.simplify(tolerance, preserve_topology=True) if tolerance > 0 else geom
    polys = [g] if isinstance(g, Polygon) else list(getattr(g, "geoms", []))
    out = []
    for p in polys:
        if not isinstance(p, Polygon) or p.is_empty:
            continue
        for ring in (p.exterior, *p.interiors):
            out.append([(round(x, 5), round(y, 5)) for x, y in ring.coords])
    return out


def simplify_file(src: Path, dst: Path, tolerance: float, note: str, attribution: str) -> tuple[int, int]:
    """Write a simplified copy of a boundaries file (for shipping); returns (vertices before, after)."""
    b = load(src)
    doc = json.loads(src.read_text(encoding="utf-8"))
    before = after = 0
    feats = []
    for feat, area in zip(doc["features"], b.areas, strict=True):
        g = area.geom.simplify(tolerance, preserve_topology=True)
        before += shapely.get_num_coordinates(area.geom)
        after += shapely.get_num_coordinates(g)
        geom = json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-5)))
        feats.append({"type": "Feature", "properties": feat.get("properties", {}), "geometry": geom})
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in feats]
    head = json.dumps({"type": "FeatureCollection", "generated": note, "attribution": attribution},
                      ensure_ascii=False)[:-1]
    dst.write_text(head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
    return before, after
