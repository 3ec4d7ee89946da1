"""The platform table against the libraries and files it names: a typo there breaks a
push only on the day a device of that platform is touched."""

from __future__ import annotations

import re

import pytest
from napalm import get_network_driver
from netmiko.ssh_dispatcher import CLASS_MAPPER

from netops.errors import UnknownPlatform
from netops.platforms import PLATFORMS, get_platform
from tests.conftest import ROOT


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_every_platform_names_what_exists(name):
    p = PLATFORMS[name]
    assert p.name == name
    if p.netmiko is not None:
        assert p.netmiko in CLASS_MAPPER, f"{name}: netmiko has no device_type {p.netmiko!r}"
    if p.napalm is not None:
        driver = get_network_driver(p.napalm)  # core drivers and installed community ones (napalm_<name>)
        for getter in p.facts_getters:
            assert callable(getattr(driver, getter)), f"{name}: {p.napalm} has no {getter}"
    for profile in p.snmp_profiles:
        assert (ROOT / "monitors" / "profiles" / f"{profile}.yaml").is_file()
    for pattern in (*p.secret_patterns, *p.volatile_patterns, p.cli_error):
        re.compile(pattern)
    if p.managed:
        for feature in ("baseline", "uplink"):
            assert (ROOT / "templates" / str(p.templates) / f"{feature}.j2").is_file()
        assert p.show_config
        assert p.rollback in ("scheduled-revert", "backup-restore")
        # the device's own confirmed commit is documented, and used exactly where netops arms a revert
        assert p.device_confirm.endswith("used") == (p.rollback == "scheduled-revert"), p.device_confirm
        if p.rollback == "scheduled-revert":
            assert p.revert_arm and p.revert_confirm and p.revert_now
    else:
        assert p.rollback == "none"


def test_an_unknown_platform_is_refused_with_the_valid_names():
    with pytest.raises(UnknownPlatform, match="unknown platform 'junos'.*mikrotik_routeros"):
        get_platform("junos")


@pytest.mark.parametrize("platform,command,read_only", [
    ("mikrotik_routeros", "/ip address print", True),
    ("mikrotik_routeros", "/interface/print detail", True),
    ("mikrotik_routeros", "/export terse", True),
    ("mikrotik_routeros", "/export", True),
    ("mikrotik_routeros", "/ping 10.112.0.10 count=3", True),
    ("mikrotik_routeros", "/export file=all", False),          # writes a file on the router
    ("mikrotik_routeros", "/ip address print file=addrs", False),
    ("mikrotik_routeros", "/system reboot", False),
    ("mikrotik_routeros", "/ip address add address=10.0.0.1/24 interface=ether2", False),
    ("mikrotik_routeros", "show version", False),
    ("cisco_ios", "show ip interface brief", True),
    ("cisco_ios", "sh run", True),
    ("cisco_ios", "ping 10.112.0.10 repeat 3", True),
    ("cisco_ios", "show running-config | redirect flash:run.txt", False),
    ("cisco_ios", "reload", False),
    ("cisco_ios", "clear ip bgp *", False),
    ("cisco_ios", "configure terminal", False),
    ("frr", "show ip route", True),
    ("frr", "write memory", False),
    ("huawei_vrp", "display current-configuration", True),
    ("huawei_vrp", "dis ip int brief", True),
    ("huawei_vrp", "reboot", False),
    ("huawei_vrp", "save", False),
    # a read-only start does not make a command read-only
    ("mikrotik_routeros", "/ip address print ; /system reboot", False),
    ("mikrotik_routeros", "/export terse ;/ip address remove [find]", False),
    ("mikrotik_routeros", "/ip address print where [/ip address remove 0]", False),
    ("mikrotik_routeros", "/ip address print\n/system reboot", False),
    ("mikrotik_routeros", "/export fi=all", False),
    ("mikrotik_routeros", "/export FILE=x", False),
    ("mikrotik_routeros", ":foreach i in=[/ip address find] do={/ip address remove $i}", False),
    ("mikrotik_routeros", "/ip address print from=0", True),
    ("mikrotik_routeros", "/log print follow-only", True),
    ("cisco_ios", "show ver\nconfigure terminal", False),
    ("cisco_ios", "show run | red flash:x", False),
    ("cisco_ios", "show run | REDIRECT flash:x", False),
    ("cisco_ios", "show run | t flash:x", False),
    ("cisco_ios", "show run | include hostname", True),
    ("cisco_ios", "show run | section interface", True),
    ("cisco_ios", "SHOW VERSION", True),
    ("frr", "show running-config | append x", False),
    ("huawei_vrp", "display version\nreboot", False),
    ("huawei_vrp", "display current-configuration | include sysname", True),
])
def test_read_only_commands(platform: str, command: str, read_only: bool) -> None:
    assert get_platform(platform).is_read_only(command) is read_only
