"""CSV, XLSX and GeoJSON: the inventory as planners and GIS tools see it.

The CSV has one row per (site, uplink): a site with an active VSAT link and a
planned fiber has two rows, a site with no link one row with empty link columns.
Devices are not in the CSV (they are the engineers' part of the inventory), but
the device and interface ends of links are, so export then import gives back the
same sites and links.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from netops.inventory.models import Inventory, Link, Site, Tier

SITE_FIELDS = ["id", "name", "tier", "code", "kecamatan", "lat", "lon", "parent", "belongs_to", "category", "address"]
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


