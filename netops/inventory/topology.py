"""Upstream paths from the inventory: which links a site's traffic crosses to reach the data center.

Alerting uses them to tell a root cause from its consequences: when a kecamatan uplink
is cut, the desa behind it are *unreachable upstream*, not down themselves.

A site's path starts at its primary uplink (the best-status monitored link whose ``b`` end is
the site), continues from that link's ``a`` end, and so on to the data center; a site with no
uplink of its own hangs off its parent site. A VSAT link usually starts at the data center, so
its path is the link alone: a fault of the provider's hub shows as many of its links down at
once, which the alert rules treat as one provider event.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from netops.inventory.models import Inventory, Link, LinkStatus, Site, Tier

WATCHED = (LinkStatus.active, LinkStatus.down)
"""Links that are probed (planned and decommissioned links carry no traffic)."""


def primary_uplink(inv: Inventory, site_id: str) -> Link | None:
    return next((lk for lk in inv.uplinks(site_id) if lk.status in WATCHED), None)


def site_path(inv: Inventory, site_id: str) -> list[Link]:
    """Links from the site up to the root, nearest first (empty for the data center)."""
    path: list[Link] = []
    seen: set[str] = set()
    node: str | None = site_id
    while node is not None and node not in seen and node in inv.sites:
        seen.add(node)
        up = primary_uplink(inv, node)
        if up is not None:
            path.append(up)
            node = up.a.site
        else:
            node = inv.sites[node].parent
    return path


def link_upstream(inv: Inventory, link: Link) -> list[Link]:
    """The links above ``link`` (its ``a`` end's path), nearest first."""
    return [lk for lk in site_path(inv, link.a.site) if lk.id != link.id]


def behind(inv: Inventory, link: Link) -> list[Site]:
    """Every connected site whose path crosses ``link`` (its own far end included), by name.

    A site with neither an uplink of its own nor a device (a desa still waiting for its link) is
    not behind anything: it is offline for another reason.
    """
    out = [s for s in inv.sites.values()
           if (primary_uplink(inv, s.id) is not None or inv.devices_by_site.get(s.id))
           and any(lk.id == link.id for lk in site_path(inv, s.id))]
    return sorted(out, key=lambda s: s.name)


def desa_behind(inv: Inventory, link: Link) -> list[Site]:
    return [s for s in behind(inv, link) if s.tier is Tier.desa]


def site_tree(inv: Inventory, chosen: Iterable[Site]) -> list[dict[str, Any]]:
    """The site tree (data center -> OPD / kecamatan -> desa) of the ``chosen`` sites and every
    site on their way up to a root, each with its uplinks; siblings by tier, then name."""
    keep: set[str] = set()
    for site in chosen:
        sid: str | None = site.id
        while sid is not None and sid not in keep:
            keep.add(sid)
            sid = inv.sites[sid].parent

    def order(site: Site) -> tuple[int, str]:
        return (list(Tier).index(site.tier), site.name)

    def node(site: Site) -> dict[str, Any]:
        kids = [node(c) for c in sorted(inv.children.get(site.id, []), key=order) if c.id in keep]
        return {"id": site.id, "name": site.name, "tier": site.tier.value,
                "uplink": [{"link": u.id, "medium": u.medium.value, "status": u.status.value}
                           for u in inv.uplinks(site.id)],
                "children": kids}

    return [node(s) for s in sorted(inv.children.get(None, []), key=order) if s.id in keep]
