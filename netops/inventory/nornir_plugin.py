"""Nornir inventory plugin: hosts are devices, groups are tiers, kecamatan, media…

Registered as ``NetopsInventory`` under the ``nornir.plugins.inventory`` entry
point, so users' own scripts can do::

    nr = InitNornir(inventory={"plugin": "NetopsInventory",
                               "options": {"path": "inventory", "where": ["tier=desa"]}})

Passwords stay references until a connection opens (:class:`NetopsHost`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Group,
    Groups,
    Host,
    Hosts,
    ParentGroups,
)
from nornir.core.inventory import Inventory as NornirInventory

from netops.inventory.loader import load_inventory
from netops.inventory.models import Inventory
from netops.inventory.query import device_facts, select
from netops.platforms import PLATFORMS
from netops.secrets import SecretRef

GROUP_KEYS = ("tier", "kecamatan", "medium", "provider", "platform", "role")


class NetopsHost(Host):
    """A host whose password is resolved from its reference only when read."""

    __slots__ = ("password_ref",)

    def __init__(self, *args: Any, password_ref: SecretRef | None = None, **kwargs: Any) -> None:
        self.password_ref = password_ref
        super().__init__(*args, **kwargs)

    def __getattribute__(self, name: str) -> Any:
        if name == "password":
            ref = object.__getattribute__(self, "password_ref")
            if ref is not None:
                return ref.resolve()
        return super().__getattribute__(name)


def group_name(key: str, value: str) -> str:
    return f"{key}:{value}"


def host_data(inv: Inventory, name: str) -> dict[str, Any]:
    """What a template or task needs to know about a device besides its connection."""
    dev = inv.devices[name]
    site = inv.sites[dev.site]
    links = inv.links_by_device.get(name, [])
    return {
        "device": dev.model_dump(mode="json"),
        "site": site.model_dump(mode="json"),
        "links": [link.model_dump(mode="json") for link in links],
        "uplinks": [link.model_dump(mode="json") for link in inv.uplinks(site.id) if link.b.device == name],
        "regency": inv.regency.model_dump(mode="json", exclude={"default_credentials", "default_snmp"}),
        "facts": device_facts(inv, dev),
    }


def build_nornir_inventory(inv: Inventory, where: list[str] | None = None) -> NornirInventory:
    defaults = Defaults()
    groups = Groups()
    hosts = Hosts()
    for dev in select(inv, "devices", where):
        platform = PLATFORMS[dev.platform]
        facts = device_facts(inv, dev)
        host_groups = []
        for key in GROUP_KEYS:
            values = facts[key] if isinstance(facts[key], list) else [facts[key]]
            for value in values:
                if value is None:
                    continue
                gname = group_name(key, value)
                if gname not in groups:
                    groups[gname] = Group(name=gname, data={key: value}, defaults=defaults)
                host_groups.append(groups[gname])
        creds = inv.credentials_for(dev)
        conn_opts = {}
        if platform.netmiko:
            conn_opts["netmiko"] = ConnectionOptions(platform=platform.netmiko, extras={})
        if platform.napalm:
            conn_opts["napalm"] = ConnectionOptions(platform=platform.napalm, extras={})
        host = NetopsHost(
            name=dev.name,
            hostname=str(dev.mgmt),
            port=dev.port,
            username=creds.username if creds else None,
            platform=dev.platform,
            groups=ParentGroups(host_groups),
            data=host_data(inv, dev.name),
            connection_options=conn_opts,
            defaults=defaults,
            password_ref=creds.password if creds else None,
        )
        hosts[dev.name] = host
    return NornirInventory(hosts=hosts, groups=groups, defaults=defaults)


class NetopsInventory:
    """The plugin class Nornir instantiates with the ``options`` of its config."""

    def __init__(self, path: str | Path = "inventory", where: list[str] | None = None,
                 inventory: Inventory | None = None) -> None:
        self.path = Path(path)
        self.where = list(where or [])
        self.inventory = inventory

    def load(self) -> NornirInventory:
        inv = self.inventory or load_inventory(self.path)
        return build_nornir_inventory(inv, self.where)

