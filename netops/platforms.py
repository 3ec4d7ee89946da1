"""The platform table: the one place that knows how platforms differ.

Everything else asks this table (netmiko device type, napalm driver, template
folder, SNMP profiles, how to save and roll back); nothing else branches on a
platform name.
"""

from __future__ import annotations

from dataclasses import dataclass

from netops.errors import UnknownPlatform


@dataclass(frozen=True)
class Platform:
    name: str
    description: str
    netmiko: str | None
    """netmiko device_type; None for devices netops never logs into."""
    napalm: str | None
    """napalm driver name, where an installed driver supports the platform."""
    templates: str | None
    """folder under templates/; None if netops does not manage its config."""
    snmp_profiles: tuple[str, ...]
    """monitors/profiles/<name>.yaml polled on devices of this platform."""
    show_config: str | None
    """command that prints the running config."""
    save: str | None
    """command that persists the running config (None: changes are persistent)."""
    rollback: str
    """how a failed change is undone: scheduled-revert, napalm, backup-restore or none."""

    @property
    def managed(self) -> bool:
        """True when netops renders and pushes configuration to this platform."""
        return self.netmiko is not None and self.templates is not None


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform(
            name="mikrotik_routeros",
            description="MikroTik RouterOS (desa, kecamatan and OPD routers)",
            netmiko="mikrotik_routeros",
            napalm=None,  # napalm-ros is a community driver, not a dependency
            templates="mikrotik_routeros",
            snmp_profiles=("system", "if_mib", "mikrotik_health"),
            show_config="/export terse",
            save=None,
            rollback="scheduled-revert",
        ),
        Platform(
            name="cisco_ios",
            description="Cisco IOS / IOS-XE (core and distribution)",
            netmiko="cisco_ios",
            napalm="ios",
            templates="cisco_ios",
            snmp_profiles=("system", "if_mib"),
            show_config="show running-config",
            save="write memory",
            rollback="napalm",
        ),
        Platform(
            name="huawei_vrp",
            description="Huawei VRP (AR/NE routers at some OPD)",
            netmiko="huawei",
            napalm=None,  # napalm-huawei-vrp is a community driver, not a dependency
            templates="huawei_vrp",
            snmp_profiles=("system", "if_mib"),
            show_config="display current-configuration",
            save="save",
            rollback="backup-restore",
        ),
        Platform(
            name="frr",
            description="FRRouting on Linux, managed through vtysh",
            netmiko="cisco_ios",  # vtysh speaks an IOS-like CLI
            napalm=None,  # napalm's ios getters do not work against vtysh
            templates="frr",
            snmp_profiles=("system", "if_mib"),
            show_config="show running-config",
            save="write memory",
            rollback="backup-restore",
        ),
        Platform(
            name="linux",
            description="Linux server (probes, jump hosts)",
            netmiko="linux",
            napalm=None,
            templates=None,
            snmp_profiles=("system", "if_mib"),
            show_config=None,
            save=None,
            rollback="none",
        ),
        Platform(
            name="vsat_modem",
            description="VSAT modem (Telkom Mangoesky terminal): monitored only",
            netmiko=None,
            napalm=None,
            templates=None,
            snmp_profiles=("system",),
            show_config=None,
            save=None,
            rollback="none",
        ),
    )
}


def get_platform(name: str) -> Platform:
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UnknownPlatform(
            f"unknown platform {name!r}: use one of {', '.join(sorted(PLATFORMS))}"
        ) from None
