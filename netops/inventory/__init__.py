"""The inventory: sites, links and devices of a regency intranet, validated."""

from netops.inventory.loader import Inventory, InventoryInvalid, Location, Problem, load_inventory
from netops.inventory.models import Device, Link, LinkEnd, LinkStatus, Medium, Role, Site, Tier
from netops.inventory.query import parse_where, select

__all__ = [
    "Device", "Inventory", "InventoryInvalid", "Link", "LinkEnd", "LinkStatus", "Location",
    "Medium", "Problem", "Role", "Site", "Tier", "load_inventory", "parse_where", "select",
]
