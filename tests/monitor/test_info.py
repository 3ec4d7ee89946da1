"""Info metrics (netops_device_info): text from scalar OIDs, later profiles override earlier labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.monitor.collector import info_families
from netops.monitor.profiles import ProfileError, load_profile, load_profiles, profiles_for
from netops.monitor.snapshot import Snapshot, build_device_poll
from tests.conftest import ROOT

PROFILES = load_profiles(ROOT / "monitors" / "profiles")
ROS_DESCR = "RouterOS RB4011iGS+"
IOS_DESCR = ("Cisco IOS Software [Fuji], ISR Software (X86_64_LINUX_IOSD-UNIVERSALK9-M), Version 16.9.4, "
             "RELEASE SOFTWARE (fc2)\r\nTechnical Support: http://www.cisco.com/techsupport")


def _samples(platform: str, scalars: dict[str, int | str]) -> dict[str, str]:
    profiles = profiles_for(platform, PROFILES)
    poll = build_device_poll("r1", profiles, scalars, {}, at=0.0, wall=0.0, duration=0.1)
    snap = Snapshot.__new__(Snapshot)
    snap.polls = {"r1": poll}
    fams = info_families(snap, ["r1"], PROFILES.values())
    (fam,) = [f for f in fams if f.name == "netops_device_info"]
    (sample,) = fam.samples
    assert sample.value == 1.0
    return dict(sample.labels)


def test_mikrotik_mib_overrides_what_sysdescr_says() -> None:
    labels = _samples("mikrotik_routeros", {
        "1.3.6.1.2.1.1.1.0": ROS_DESCR, "1.3.6.1.2.1.1.2.0": "1.3.6.1.4.1.14988.1",
        "1.3.6.1.4.1.14988.1.1.4.4.0": "7.11.2", "1.3.6.1.4.1.14988.1.1.7.3.0": "HE1234567",
        "1.3.6.1.4.1.14988.1.1.7.4.0": "7.10", "1.3.6.1.4.1.14988.1.1.7.8.0": "RB4011iGS+"})
    assert {k: labels[k] for k in ("model", "serial", "os_version", "firmware", "device")} == {
        "model": "RB4011iGS+", "serial": "HE1234567", "os_version": "7.11.2", "firmware": "7.10", "device": "r1"}


def test_every_device_gets_the_same_labels() -> None:
    labels = _samples("cisco_ios", {"1.3.6.1.2.1.1.1.0": IOS_DESCR, "1.3.6.1.2.1.1.2.0": "1.3.6.1.4.1.9.1.2068"})
    assert labels["os_version"] == "16.9.4" and labels["serial"] == "" and labels["firmware"] == ""
    assert labels["sys_descr"].endswith("(fc2)")  # first line only


def test_an_info_regex_needs_a_group(tmp_path: Path) -> None:
    bad = tmp_path / "x.yaml"
    bad.write_text("name: x\ninfo:\n  - name: x_info\n    labels: {v: {oid: 1.3.6.1.2.1.1.1.0, regex: 'Version'}}\n")
    with pytest.raises(ProfileError, match="needs a group"):
        load_profile(bad)
