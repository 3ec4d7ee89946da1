"""The poller against real snmpd agents over real UDP sockets (v2c and v3 authPriv)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from netops.inventory import load_inventory
from netops.monitor.collector import SnapshotCollector
from netops.monitor.poller import Poller, PollerConfig
from tests.monitor.agents import Interface
from tests.monitor.conftest import addr, write_inventory

LINKS = [
    {"id": "fo-desa-a", "medium": "fiber", "provider": "Icon Plus", "bandwidth_mbps": 20, "sla": 99.5,
     "a": {"site": "dc"},
     "b": {"site": "desa-a", "device": "desa-a-r1", "interface": "ether1"}},
]


def core(n: int = 1, snmp: str = "v3") -> dict:
    return {"name": "core-01", "site": "dc", "platform": "cisco_ios", "role": "core", "mgmt": addr(n), "snmp": snmp}


def desa(name: str, site: str, n: int, snmp: str = "v2c") -> dict:
    return {"name": name, "site": site, "platform": "mikrotik_routeros", "role": "access", "mgmt": addr(n),
            "snmp": snmp}


class FixedProber:
    """ICMP is not under test here (see test_faults/test_icmp); every target answers at 1 ms."""

    async def probe(self, addresses, count, interval, timeout):
        from netops.monitor.icmp import summarise
        return {a: summarise(a, count, [0.001] * count) for a in addresses}


@pytest.fixture(params=["pysnmp", "fast"])
def engine(request) -> str:
    """Both SnmpClient implementations behind the seam: pysnmp 7 and the lean codec of netops.snmp."""
    return request.param


def run(poller: Poller):
    return asyncio.run(poller.poll_once())


def samples(poller: Poller) -> dict[tuple[str, tuple], float]:
    out = {}
    for fam in SnapshotCollector(lambda: poller.snapshot).collect():
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(poller: Poller, name: str, **labels: str) -> float | None:
    for (n, lab), v in samples(poller).items():
        if n == name and all(dict(lab).get(k) == val for k, val in labels.items()):
            return v
    return None


def test_v2c_and_v3_authpriv_poll_gives_if_mib_series(tmp_path: Path, agent_factory, engine) -> None:
    agent = agent_factory([addr(1), addr(2)], [Interface(1, "ether1", alias="uplink Icon Plus", in_octets=123456789,
                                                         out_octets=987654321, speed_mbps=100),
                                               Interface(2, "ether2", oper=2)])
    inv = load_inventory(write_inventory(tmp_path, agent, [core(1, "v3"), desa("desa-a-r1", "desa-a", 2)], LINKS))
    poller = Poller(inv, PollerConfig(engine=engine), prober=FixedProber())
    try:
        snap = run(poller)
    finally:
        poller.close()
    assert {n: p.ok for n, p in snap.polls.items()} == {"core-01": True, "desa-a-r1": True}, \
        [p.error for p in snap.polls.values()]
    for dev in ("core-01", "desa-a-r1"):
        assert value(poller, "ifHCInOctets", device=dev, ifIndex="1", ifName="ether1", ifDescr="ether1",
                     ifAlias="uplink Icon Plus") == 123456789
        assert value(poller, "ifHCOutOctets", device=dev, ifIndex="1") == 987654321
        assert value(poller, "ifOperStatus", device=dev, ifIndex="2") == 2
        assert value(poller, "ifHighSpeed", device=dev, ifIndex="1") == 100
        assert value(poller, "sysUpTime", device=dev) > 0
        assert value(poller, "netops_device_snmp_up", device=dev) == 1
    # the MikroTik health OIDs are absent on this agent: left out, not an error
    assert value(poller, "mtxrHlTemperature", device="desa-a-r1") is None
    assert value(poller, "netops_link_up", link="fo-desa-a", site="desa-a", kecamatan="Kubu", tier="desa",
                 medium="fiber", provider="Icon Plus") == 1
    assert value(poller, "netops_link_sla_target_ratio", link="fo-desa-a") == pytest.approx(0.995)
    assert value(poller, "netops_link_bandwidth_bps", link="fo-desa-a") == 20e6
    # several columns per GETBULK: two 2-row tables need far fewer than one request per column
    assert snap.polls["core-01"].varbinds >= 2 * 14


@pytest.mark.parametrize("profile,detail", [("v3-wrongauth", "authentication failed"),
                                            ("v3-wrongpriv", "wrong priv key")])
def test_wrong_v3_keys_give_a_clear_error_counted_by_reason(tmp_path: Path, agent_factory, engine, profile,
                                                             detail) -> None:
    agent = agent_factory([addr(3), addr(4)])
    devices = [core(3, profile), desa("desa-a-r1", "desa-a", 4, "v3")]
    inv = load_inventory(write_inventory(tmp_path, agent, devices, LINKS))
    poller = Poller(inv, PollerConfig(engine=engine), prober=FixedProber())
    try:
        snap = run(poller)
        snap = run(poller)
    finally:
        poller.close()
    bad = snap.polls["core-01"]
    assert not bad.ok and bad.reason == "auth"
    assert "core-01" in bad.error and addr(3) in bad.error and "check the SNMP credentials" in bad.error
    assert detail in bad.error
    assert snap.polls["desa-a-r1"].ok  # the good device is unaffected
    assert value(poller, "netops_poll_errors_total", device="core-01", reason="auth") == 2
    for secret in (agent.auth_key, agent.priv_key, "definitely-wrong-key"):
        assert secret not in bad.error


def test_dead_device_never_delays_the_others(tmp_path: Path, agent_factory, engine) -> None:
    agent = agent_factory([addr(5)])
    devices = [desa("desa-a-r1", "desa-a", 5), desa("desa-b-r1", "desa-b", 99, "v2c-slow")]  # nothing on .99
    inv = load_inventory(write_inventory(tmp_path, agent, devices, LINKS))
    poller = Poller(inv, PollerConfig(engine=engine), prober=FixedProber())
    try:
        snap = run(poller)
    finally:
        poller.close()
    dead, alive = snap.polls["desa-b-r1"], snap.polls["desa-a-r1"]
    assert dead.reason == "timeout" and "desa-b-r1" in dead.error and "check the SNMP credentials" in dead.error
    assert dead.duration >= 3.9  # 2 s x 2 tries
    # not queued behind the dead device: done before its first 2 s timeout fires (a busy machine
    # stretches a sub-second poll, never past that)
    assert alive.ok and alive.duration < 2.0
    assert value(poller, "netops_device_snmp_up", device="desa-b-r1") == 0
    assert value(poller, "ifHCInOctets", device="desa-b-r1") is None  # no stale interface series
    assert value(poller, "netops_device_last_success_timestamp_seconds", device="desa-b-r1") is None
    assert value(poller, "netops_device_last_success_timestamp_seconds", device="desa-a-r1") == \
        pytest.approx(time.time(), abs=30)


def test_counter32_wrap_is_unwrapped_and_agent_restart_resets_the_baseline(tmp_path: Path, agent_factory, engine) -> None:
    """Through the real agent: a 32-bit counter wrap gives the true rate, a restart gives no rate (no spike)."""
    eth = Interface(1, "ether1", in_octets=2**32 - 1000, out_octets=5000, hc=False, speed_mbps=100)
    agent = agent_factory([addr(6)], [eth])
    inv = load_inventory(write_inventory(tmp_path, agent, [desa("desa-a-r1", "desa-a", 6)], LINKS))
    poller = Poller(inv, PollerConfig(engine=engine, rate_series=True), prober=FixedProber())
    try:
        s1 = run(poller)
        assert s1.polls["desa-a-r1"].ok and s1.rates["desa-a-r1"]["1"].in_bps is None  # no baseline yet
        eth.in_octets += 250_000  # wraps past 2**32
        eth.out_octets += 1_000_000
        agent.write_interfaces()
        time.sleep(1.0)
        s2 = run(poller)
        elapsed = s2.polls["desa-a-r1"].at - s1.polls["desa-a-r1"].at
        r = s2.rates["desa-a-r1"]["1"]
        assert r.in_bps == pytest.approx(250_000 * 8 / elapsed)
        assert r.out_bps == pytest.approx(1_000_000 * 8 / elapsed)
        assert value(poller, "ifInOctets", device="desa-a-r1", ifIndex="1") == (2**32 - 1000 + 250_000) % 2**32
        assert value(poller, "netops_link_utilisation_ratio", link="fo-desa-a") == \
            pytest.approx(max(r.in_bps, r.out_bps) / 20e6)

        # agent restart: counters start again near zero, sysUpTime goes back
        eth.in_octets, eth.out_octets = 10, 20
        agent.restart()
        s3 = run(poller)
        assert s3.polls["desa-a-r1"].ok
        assert s3.polls["desa-a-r1"].uptime < s2.polls["desa-a-r1"].uptime
        r3 = s3.rates["desa-a-r1"]["1"]
        assert r3.in_bps is None and r3.out_bps is None  # a new baseline, never a spike
        assert value(poller, "netops_interface_in_bps", device="desa-a-r1") is None
        assert value(poller, "netops_link_utilisation_ratio", link="fo-desa-a") is None

        eth.in_octets += 4000
        agent.write_interfaces()
        time.sleep(0.5)
        s4 = run(poller)
        r4 = s4.rates["desa-a-r1"]["1"]
        assert r4.in_bps == pytest.approx(4000 * 8 / (s4.polls["desa-a-r1"].at - s3.polls["desa-a-r1"].at))
        assert r4.out_bps == 0
    finally:
        poller.close()


def test_counter64_reset_without_uptime_change_gives_no_rate(tmp_path: Path, agent_factory, engine) -> None:
    """A Counter64 that goes down was cleared (a 2**64 wrap does not happen): no rate, no spike."""
    eth = Interface(1, "ether1", in_octets=10**12, out_octets=10**12)
    agent = agent_factory([addr(7)], [eth])
    inv = load_inventory(write_inventory(tmp_path, agent, [desa("desa-a-r1", "desa-a", 7)], LINKS))
    poller = Poller(inv, PollerConfig(engine=engine), prober=FixedProber())
    try:
        run(poller)
        eth.in_octets, eth.out_octets = 100, 10**12 + 800
        agent.write_interfaces()
        time.sleep(0.3)
        s2 = run(poller)
    finally:
        poller.close()
    r = s2.rates["desa-a-r1"]["1"]
    assert r.in_bps is None
    assert r.out_bps is not None and r.out_bps > 0


def test_reload_keeps_the_baselines_of_devices_that_stay(tmp_path: Path, agent_factory) -> None:
    agent = agent_factory([addr(5), addr(6), addr(7)], [Interface(1, "ether1", in_octets=1000, out_octets=1000,
                                                                  speed_mbps=100)])
    first = load_inventory(write_inventory(tmp_path / "a", agent, [core(5, "v2c"), desa("desa-a-r1", "desa-a", 6)],
                                           LINKS))
    second = load_inventory(write_inventory(tmp_path / "b", agent, [core(5, "v2c"), desa("desa-b-r1", "desa-b", 7)],
                                            []))

    async def scenario(poller: Poller):
        await poller.poll_once()
        added, removed = await poller.reload(second)
        after_reload = await poller.poll_once()
        await poller.reload(None, "broken.yaml:3: YAML syntax error")
        return added, removed, after_reload, poller.snapshot

    poller = Poller(first, PollerConfig(rate_series=True), prober=FixedProber())  # rates of every interface
    try:
        added, removed, snap, refused = asyncio.run(scenario(poller))
    finally:
        poller.close()
    assert (added, removed) == ({"desa-b-r1"}, {"desa-a-r1"})
    assert set(snap.devices) == {"core-01", "desa-b-r1"} and not snap.links
    assert snap.rates["core-01"]["1"].in_bps == 0.0      # its baseline from before the reload gave a rate at once
    assert snap.rates["desa-b-r1"]["1"].in_bps is None   # a new device needs two polls, as always
    assert snap.inventory_ok and snap.inventory_loaded_at > 0
    assert not refused.inventory_ok and set(refused.devices) == {"core-01", "desa-b-r1"}
    assert value(poller, "netops_inventory_reload_success", shard="0/1") == 0
