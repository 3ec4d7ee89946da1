"""Masking secrets and dropping volatile lines, per platform."""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.config.mask import clean, mask_line
from netops.platforms import get_platform
from netops.secrets import TOKEN, secret_token

FIX = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.mark.parametrize(("platform", "line", "secret"), [
    ("mikrotik_routeros", "/user add name=op group=full password=Operator#1", "Operator#1"),
    ("mikrotik_routeros", '/interface wireless security-profiles set [ find ] wpa2-pre-shared-key="a b c"', "a b c"),
    ("mikrotik_routeros", "/snmp community add name=s3cretcomm addresses=10.0.0.0/8", "s3cretcomm"),
    ("mikrotik_routeros", "/snmp community add name=u security=private authentication-password=AK "
                          "encryption-password=PK", "AK"),
    ("mikrotik_routeros", "/interface ipsec peer add secret=IpsecPSK", "IpsecPSK"),
    ("cisco_ios", "username netops privilege 15 secret 9 $9$abc", "$9$abc"),
    ("cisco_ios", "enable password 7 0822455D0A16", "0822455D0A16"),
    ("cisco_ios", "snmp-server community Pub1ic RO", "Pub1ic"),
    ("cisco_ios", "snmp-server user netops NETOPS v3 auth sha AK1 priv aes 128 PK1", "PK1"),
    ("cisco_ios", "snmp-server user netops NETOPS v3 auth sha AK1 priv aes 128 PK1", "AK1"),
    ("cisco_ios", " pre-shared-key address 10.1.1.1 key IKEpsk", "IKEpsk"),
    ("huawei_vrp", " local-user admin password irreversible-cipher $1c$xyz", "$1c$xyz"),
    ("huawei_vrp", "snmp-agent community read cipher %^%#abc%^%#", "%^%#abc%^%#"),
    ("huawei_vrp", "snmp-agent usm-user v3 netops authentication-mode sha cipher AKV", "AKV"),
    ("frr", "password zebraPw", "zebraPw"),
    ("frr", " neighbor 10.0.0.1 password BgpPw", "BgpPw"),
])
def test_pattern_masks(platform: str, line: str, secret: str) -> None:
    masked = mask_line(get_platform(platform), line)
    assert secret not in masked and TOKEN.search(masked)


def test_v3_user_name_is_not_masked() -> None:
    line = "/snmp community add name=netops security=private authentication-password=x"
    assert "name=netops" in mask_line(get_platform("mikrotik_routeros"), line)


def test_known_values_masked_anywhere() -> None:
    assert mask_line(get_platform("frr"), "description key is hunter2-x", ["hunter2-x"]) == \
        "description key is " + secret_token("hunter2-x")


@pytest.mark.parametrize(("platform", "fixture", "volatile"), [
    ("mikrotik_routeros", "mikrotik_routeros/desa-a1-r1.export.rsc", ["by RouterOS", "software id", "serial number"]),
    ("cisco_ios", "cisco_ios/core-01.running.txt", ["Last configuration change", "NVRAM config", "Current configuration",
                                                    "ntp clock-period"]),
    ("huawei_vrp", "huawei_vrp/bappeda-r1.current.txt", ["Software Version", "Last configuration was"]),
    ("frr", "frr/kec-b-r1.running.txt", ["frr version", "Building configuration"]),
])
def test_clean_drops_volatile_lines_and_is_stable(platform: str, fixture: str, volatile: list[str]) -> None:
    p = get_platform(platform)
    text = (FIX / fixture).read_text()
    out = clean(p, text)
    for v in volatile:
        assert v in text and v not in out
    assert clean(p, out) == out  # cleaning a backup again changes nothing
    # a later read with only the timestamp changed gives the identical backup
    later = text.replace("2024-05-14 09:12:55", "2024-06-01 00:00:01").replace("08:44:03", "23:59:59")
    assert clean(p, later) == out
