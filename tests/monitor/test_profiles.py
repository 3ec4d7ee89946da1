"""Profiles: the shipped ones load, every platform's profiles exist, bad files name the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.monitor.profiles import ProfileError, load_profile, load_profiles, profiles_for
from netops.platforms import PLATFORMS
from tests.conftest import ROOT

SHIPPED = ROOT / "monitors" / "profiles"


def test_shipped_profiles_cover_every_platform() -> None:
    profiles = load_profiles(SHIPPED)
    assert {"system", "if_mib", "mikrotik_health"} <= set(profiles)
    for name in PLATFORMS:
        assert profiles_for(name, profiles)
    if_mib = profiles["if_mib"]
    (table,) = if_mib.tables
    assert table.index == "ifIndex" and set(table.labels) == {"ifName", "ifDescr", "ifAlias"}
    names = {m.name: m.type for m in table.metrics}
    for n in ("ifHCInOctets", "ifHCOutOctets"):
        assert names[n] == "counter64"
    for n in ("ifInErrors", "ifOutErrors", "ifInDiscards", "ifOutDiscards"):
        assert names[n] == "counter32"
    assert {"ifOperStatus", "ifAdminStatus", "ifHighSpeed"} <= set(names)
    health = profiles["mikrotik_health"]
    assert {m.name for m in health.scalars} >= {"mtxrHlTemperature", "mtxrHlVoltage"}


@pytest.mark.parametrize("text,message", [
    ("name: bad\nscalars: [{name: x, oid: not-an-oid}]\n", "not a dotted numeric OID"),
    ("name: bad\nscalars: [{name: 9x, oid: 1.3.6}]\n", "not a valid Prometheus name"),
    ("name: bad\nscalars: [{name: x, oid: 1.3.6, type: float}]\n", "type 'float'"),
    ("name: other\n", "must match the file name"),
    ("name: bad\ntables: [{name: t, index: i, metrics: [{name: a, oid: 1.3}], interface: {in_octets: zz}}]\n",
     "interface.in_octets"),
])
def test_bad_profile_names_file_and_problem(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(ProfileError) as exc:
        load_profile(f)
    assert str(f) in str(exc.value) and message in str(exc.value)


def test_platform_without_profile_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "system.yaml").write_text((SHIPPED / "system.yaml").read_text())
    with pytest.raises(ProfileError, match="if_mib"):
        profiles_for("cisco_ios", load_profiles(tmp_path))
