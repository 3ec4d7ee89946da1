"""GeoJSON (WGS84) for QGIS: sites as points with their coverage state, links as lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from netops.report.model import Report


def render(report: Report) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for p in report.points:
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {"kind": "site", "id": p.id, "name": p.name, "tier": p.tier, "medium": p.medium,
                           "status": p.status, **dict(p.props)},
        })
    for ln in report.lines:
        features.append({
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [list(ln.coords[0]), list(ln.coords[1])]},
            "properties": {"kind": "route" if ln.status == "route" else "link", "id": ln.id, "medium": ln.medium,
                           "status": ln.status, **dict(ln.props)},
        })
    return {"type": "FeatureCollection", "name": f"netops-{report.kind}", "features": features}


def write(report: Report, path: Path) -> Path:
    # No indent: the C encoder is ~10x faster on a national map, and QGIS does not mind.
    path.write_text(json.dumps(render(report), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return path
