"""One filter syntax for every command: ``--where key=value``.

``key=value`` matches case-insensitively (``*`` and ``?`` are wildcards),
``key!=value`` excludes, and several ``--where`` must all hold. A key that holds
several values (a device on two links has two media) matches if any value does.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from netops.errors import FilterError
from netops.inventory.models import Device, Inventory, Link, Site


@dataclass(frozen=True)
class Condition:
    key: str
    pattern: str
    negate: bool = False

    def matches(self, value: Any) -> bool:
        values = value if isinstance(value, (list, tuple, set)) else [value]
        pat = self.pattern.casefold()
        hit = any(v is not None and fnmatch.fnmatchcase(str(v).casefold(), pat) for v in values)
        return hit != self.negate


def parse_where(exprs: Iterable[str] | None) -> list[Condition]:
    conds = []
    for expr in exprs or []:
        if "!=" in expr:
            key, _, value = expr.partition("!=")
            negate = True
        elif "=" in expr:
            key, _, value = expr.partition("=")
            negate = False
        else:
            raise FilterError(f"--where {expr!r}: write key=value or key!=value, e.g. --where tier=desa")
        key = key.strip().lower()
        if not key:
            raise FilterError(f"--where {expr!r}: the key is empty")
        conds.append(Condition(key, value.strip().strip('"').strip("'"), negate))
    return conds


def site_facts(inv: Inventory, site: Site) -> dict[str, Any]:
    ups = inv.uplinks(site.id)
    return {
        "site": site.id,
        "name": site.name,
        "tier": site.tier.value,
        "kecamatan": site.kecamatan,
        "code": site.code,
        "parent": site.parent,
        "medium": [link.medium.value for link in ups],
        "provider": [link.provider for link in ups],
        "status": [link.status.value for link in ups],
        "link": [link.id for link in ups],
    }


def device_facts(inv: Inventory, dev: Device) -> dict[str, Any]:
    facts = site_facts(inv, inv.sites[dev.site])
    links = inv.links_by_device.get(dev.name, [])
    if links:  # a device's own links say more than its site's uplink
        facts["medium"] = sorted({link.medium.value for link in links})
        facts["provider"] = sorted({link.provider for link in links})
        facts["status"] = sorted({link.status.value for link in links})
        facts["link"] = [link.id for link in links]
    facts.update(
        name=dev.name,
        device=dev.name,
        platform=dev.platform,
        role=dev.role.value,
        mgmt=str(dev.mgmt),
        model=dev.model,
        monitor=dev.monitor,
    )
    return facts


def link_facts(inv: Inventory, link: Link) -> dict[str, Any]:
    site = inv.sites[link.b.site]
    return {
        "link": link.id,
        "name": link.id,
        "medium": link.medium.value,
        "provider": link.provider,
        "status": link.status.value,
        "circuit": link.circuit_id,
        "site": [link.a.site, link.b.site],
        "device": [d for d in (link.a.device, link.b.device) if d],
        "tier": site.tier.value,
        "kecamatan": site.kecamatan,
    }


FACTS: dict[str, Callable[[Inventory, Any], dict[str, Any]]] = {
    "devices": device_facts, "sites": site_facts, "links": link_facts}


def select(inv: Inventory, kind: str, where: Iterable[str] | list[Condition] | None) -> list[Any]:
    """Records of ``kind`` (devices, sites, links) that satisfy every condition."""
    conds = [w for w in where or [] if isinstance(w, Condition)] or parse_where(
        [w for w in where or [] if isinstance(w, str)]
    )
    tables: dict[str, dict[str, Any]] = {"devices": inv.devices, "sites": inv.sites, "links": inv.links}
    records = tables[kind]
    facts_of = FACTS[kind]
    out = []
    for rec in records.values():
        facts = facts_of(inv, rec)
        for cond in conds:
            if cond.key not in facts:
                raise FilterError(
                    f"--where {cond.key}=…: {kind} have no {cond.key!r}; use one of {', '.join(sorted(facts))}"
                )
        if all(cond.matches(facts[cond.key]) for cond in conds):
            out.append(rec)
    return out
