"""The inventory: sites, links and devices of a regency intranet, validated."""

from netops.inventory.loader import InventoryInvalid, Location, Problem, load_inventory
from netops.inventory.models import (
    OWNER_TIERS,
    VILLAGE_TIERS,
    Device,
    Inventory,
    Link,
    LinkEnd,
    LinkStatus,
    Medium,
    Role,
    Site,
    Tier,
    village_tier_of_code,
)
from netops.inventory.query import parse_where, select

__all__ = [
    "Device", "Inventory", "InventoryInvalid", "Link", "LinkEnd", "LinkStatus", "Location",
    "Medium", "OWNER_TIERS", "Problem", "Role", "Site", "Tier", "VILLAGE_TIERS", "load_inventory",
    "village_tier_of_code", "parse_where", "select",
]
