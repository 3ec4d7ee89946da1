"""Snapshot building from SNMP replies recorded from a real agent (tests/fixtures/mikrotik_routeros/snmp)."""

from __future__ import annotations

import json

import pytest

from netops.inventory import load_inventory
from netops.monitor.icmp import summarise
from netops.monitor.profiles import load_profiles, profiles_for
from netops.monitor.snapshot import (
    build_device_poll,
    interface_rates,
    link_probe_devices,
    link_state,
    shard_of,
    summary_rows,
)
from tests.conftest import ROOT, SMALL_INVENTORY

REC = ROOT / "tests" / "fixtures" / "mikrotik_routeros" / "snmp"
PROFILES = profiles_for("mikrotik_routeros", load_profiles(ROOT / "monitors" / "profiles"))


def recorded(name: str):
    raw = json.loads((REC / f"{name}.json").read_text())
    return build_device_poll("desa-a1-r1", PROFILES, raw["scalars"], raw["columns"], at=raw["at"], wall=0.0,
                             duration=0.1)


def test_rows_get_if_mib_labels_and_values() -> None:
    p = recorded("poll1")
    rows = p.tables["ifTable"]
    assert set(rows) == {"1", "2", "3"}
    assert rows["1"].labels == {"ifName": "ether1", "ifDescr": "ether1", "ifAlias": "Icon Plus TEST-ICON-0004"}
    assert rows["3"].values["ifOperStatus"] == 2
    assert "ifHCInOctets" not in rows["1"].values  # this interface has 32-bit counters only
    assert rows["2"].values["ifHCInOctets"] == 10**15
    assert p.uptime == 191
    assert "hrProcessorTable" in p.tables  # snmpd fills hrProcessorLoad only after its first CPU sample


def test_wrap_gives_the_true_rate_from_recorded_polls() -> None:
    p1, p2 = recorded("poll1"), recorded("poll2")
    elapsed = p2.at - p1.at
    rates = interface_rates(p1, p2, PROFILES)
    assert rates["1"].in_bps == pytest.approx(250_000 * 8 / elapsed)  # ifInOctets wrapped past 2**32
    assert rates["1"].out_bps == pytest.approx(1_000_000 * 8 / elapsed)
    assert rates["2"].in_bps == pytest.approx(125_000_000 * 8 / elapsed)  # HC counter preferred
    assert rates["2"].out_bps == 0
    assert rates["2"].speed_bps == 1e9
    assert rates["1"].name == "ether1"


def test_restart_from_recorded_polls_gives_no_rate() -> None:
    p2, p3 = recorded("poll2"), recorded("poll3")
    assert p3.uptime < p2.uptime
    rates = interface_rates(p2, p3, PROFILES)
    assert all(r.in_bps is None and r.out_bps is None for r in rates.values())


def test_link_state_and_summary_from_probes_and_rates() -> None:
    inv = load_inventory(SMALL_INVENTORY)
    link = inv.links["vsat-desa-b1"]
    assert [d.name for d in link_probe_devices(inv, link)] == ["desa-b1-r1", "desa-b1-vsat"]
    probes = {"desa-b1-r1": summarise("10.20.15.11", 5, []),  # router silent
              "desa-b1-vsat": summarise("10.20.15.151", 5, [0.61, 0.63, 0.60])}
    p1, p2 = recorded("poll1"), recorded("poll2")
    rates = {"desa-b1-r1": interface_rates(p1, p2, PROFILES)}
    ls = link_state(inv, link, probes, rates)
    assert ls.up is True and ls.probe_device == "desa-b1-vsat"  # the modem still answers
    assert ls.probe.loss == pytest.approx(0.4)
    assert ls.probe.rtt_avg == pytest.approx(0.6133, abs=1e-3)
    assert ls.probe.jitter == pytest.approx(0.025)
    assert ls.interface == "desa-b1-r1:ether1"
    assert ls.utilisation == pytest.approx(max(ls.in_bps, ls.out_bps) / 4e6)
    assert ls.labels == {"link": "vsat-desa-b1", "site": "desa-b1", "kecamatan": "B", "tier": "desa",
                         "medium": "vsat", "provider": "Telkom Mangoesky"}
    down = link_state(inv, link, {"desa-b1-r1": summarise("x", 5, []), "desa-b1-vsat": summarise("y", 5, [])}, {})
    assert down.up is False and down.probe.loss == 1.0


def test_shards_are_stable_and_cover_every_device_once() -> None:
    inv = load_inventory(ROOT / "inventory")
    names = list(inv.devices)
    owners = [[i for i in range(4) if shard_of(n, 4) == i] for n in names]
    assert all(len(o) == 1 for o in owners)
    counts = [sum(1 for o in owners if o == [i]) for i in range(4)]
    assert min(counts) > len(names) / 8  # roughly balanced


def test_resharding_moves_only_what_the_new_shard_takes() -> None:
    names = list(load_inventory(ROOT / "inventory").devices)
    moved = [n for n in names if shard_of(n, 4) != shard_of(n, 5)]
    assert all(shard_of(n, 5) == 4 for n in moved)  # nobody moves between the old shards
    assert 0.1 * len(names) < len(moved) < 0.3 * len(names)  # ~1/5, not ~4/5 as with a modulo


def test_summary_rows_are_sorted_and_rounded() -> None:
    from netops.monitor.snapshot import Snapshot
    inv = load_inventory(SMALL_INVENTORY)
    snap = Snapshot()
    probes = {"desa-a1-r1": summarise("a", 5, [0.0012] * 5)}
    snap.links = {"fo-desa-a1": link_state(inv, inv.links["fo-desa-a1"], probes, {})}
    (row,) = summary_rows(snap)
    assert row["status"] == "up" and row["rtt_ms"] == 1.2 and row["loss_pct"] == 0.0


def test_poller_shards_partition_devices_links_and_sites() -> None:
    from netops.monitor.poller import Poller, PollerConfig, parse_shard

    inv = load_inventory(ROOT / "inventory")
    pollers = [Poller(inv, PollerConfig(shard=parse_shard(f"{i}/3"))) for i in range(3)]
    devices = [d.name for p in pollers for d in p.devices]
    assert sorted(devices) == sorted(d.name for d in inv.devices.values() if d.monitor != "off")
    links = [lk.id for p in pollers for lk in p.links]
    assert len(links) == len(set(links))  # each link on exactly one shard: no duplicate series
    for p in pollers:
        names = {d.name for d in p.devices}
        for lk in p.links:
            owner = lk.b.device
            assert owner is None or owner in names  # a link goes with its far-end device
    sites = [s for p in pollers for s in p.site_ids]
    assert sorted(sites) == sorted(inv.sites)


def test_compact_table_keeps_what_the_dict_rows_kept() -> None:
    """A string where a number belongs, a row only some columns have, a negative 'counter': same as per-row dicts."""
    p = recorded("poll1")
    oids = {m.name: m.oid for prof in PROFILES for t in prof.tables for m in t.metrics}
    raw = json.loads((REC / "poll1.json").read_text())
    cols = raw["columns"]
    cols[oids["ifInErrors"]] = {"1": "n/a", "2": 5, "9": 7}  # a text value, and a row no other column has
    cols[oids["ifOutErrors"]] = {**cols.get(oids["ifOutErrors"], {}), "2": -3}
    q = build_device_poll("desa-a1-r1", PROFILES, raw["scalars"], cols, at=raw["at"], wall=0.0, duration=0.1)
    rows = q.tables["ifTable"]
    assert list(rows) == [*p.tables["ifTable"], "9"]
    assert "ifInErrors" not in rows["1"].values and rows["2"].values["ifInErrors"] == 5
    assert rows["9"].values == {"ifInErrors": 7} and rows["9"].labels["ifName"] == ""
    assert rows["2"].values["ifOutErrors"] == -3 and "ifOutErrors" not in rows["2"].raw  # no baseline from it
    assert rows["1"].labels == p.tables["ifTable"]["1"].labels
