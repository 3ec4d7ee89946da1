"""Fault tests on the lab (snmpsim agents, VSAT delay/loss via NFQUEUE + nft): a dead device and a
30%-loss VSAT link give correct series, and neither stalls the poll cycle nor a scrape.

The lab's counters follow the clock: row 1 of every device wraps its 32-bit octet counters about
90 s after the lab starts, which test_lab_counter32_wrap waits for. Agent restarts (and wraps on
demand) are exercised through real snmpd agents the test controls (test_poller.py).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest

from netops.inventory import load_inventory
from netops.monitor.collector import SnapshotCollector
from netops.monitor.poller import Poller, PollerConfig
from netops.monitor.server import Exporter
from tests.conftest import SMALL_INVENTORY, need, need_binary
from tests.monitor.promserver import http_get
from tests.monitor.test_poller import value

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lab(tmp_path_factory):

    need(os.geteuid() == 0, "the lab needs root (nftables, NFQUEUE)")
    need_binary("fping")
    try:
        from netops.lab import Lab
    except ImportError:  # pragma: no cover - the lab package is part of the repo
        need(False, "netops.lab is not available")
    workdir = tmp_path_factory.mktemp("lab")
    lab = Lab(SMALL_INVENTORY, workdir, where=["platform!=frr"], base="127.120.0.0",
              vsat_delay_ms=300, vsat_loss_pct=0.0, owner_pid=os.getpid())
    lab.up()
    lab.started_at = time.monotonic()  # the lab's 32-bit octet counters of row 1 wrap ~90 s after start
    yield lab
    lab.down()


def poller_for(lab, **kw) -> Poller:
    cfg = PollerConfig(probe_count=kw.pop("probe_count", 10), probe_interval=0.05, probe_timeout=2.0, **kw)
    return Poller(load_inventory(lab.inventory_path), cfg)


def test_dead_device_gives_down_series_without_stalling_cycle_or_scrape(lab) -> None:
    poller = poller_for(lab)
    exporter = Exporter(lambda: poller.snapshot, ("127.0.0.1", 0)).start()
    url = f"http://127.0.0.1:{exporter.address[1]}/metrics"
    latencies: list[float] = []
    done = threading.Event()

    def scrape() -> None:
        while not done.is_set():
            t = time.monotonic()
            assert http_get(url, timeout=5)[0] == 200
            latencies.append(time.monotonic() - t)
            time.sleep(0.1)

    try:
        asyncio.run(poller.poll_once())  # a good cycle first: the dead device had a last success
        lab.impair("desa-a1-r1", down=True)
        scraper = threading.Thread(target=scrape)
        scraper.start()
        try:
            snap = asyncio.run(poller.poll_once())
        finally:
            done.set()
            scraper.join()
        dead = snap.polls["desa-a1-r1"]
        assert not dead.ok and dead.reason == "timeout", dead.error
        assert "desa-a1-r1" in dead.error
        assert snap.probes["desa-a1-r1"].loss == 1.0
        assert value(poller, "netops_device_up", device="desa-a1-r1") == 0
        assert value(poller, "netops_link_up", link="fo-desa-a1") == 0
        assert value(poller, "netops_link_loss_ratio", link="fo-desa-a1") == 1.0
        assert value(poller, "netops_link_rtt_seconds", link="fo-desa-a1") is None
        assert value(poller, "ifHCInOctets", device="desa-a1-r1") is None
        assert value(poller, "netops_device_last_success_timestamp_seconds", device="desa-a1-r1") < time.time() - 1
        assert value(poller, "netops_poll_errors_total", device="desa-a1-r1", reason="timeout") == 1
        # everything else answered, each in its usual time
        for name, p in snap.polls.items():
            if name != "desa-a1-r1":
                assert p.ok, p.error
                assert p.duration < dead.duration
        assert value(poller, "netops_link_up", link="fo-kec-a") == 1
        # no stall: the cycle is bounded by the dead device's own SNMP budget, scrapes never wait
        budget = 2.0 * 2 + 2.0 + 3 * 2.0 * 2  # timeout x tries, then the v3 liveness check
        assert snap.cycle_duration < budget + 5
        assert latencies and max(latencies) < 1.0, latencies

        lab.impair("desa-a1-r1", down=False)
        snap = asyncio.run(poller.poll_once())
        assert snap.polls["desa-a1-r1"].ok
        assert value(poller, "netops_link_up", link="fo-desa-a1") == 1
    finally:
        lab.impair("desa-a1-r1", down=False)
        exporter.stop()
        poller.close()


def test_vsat_link_with_30_percent_loss(lab) -> None:
    poller = poller_for(lab, probe_count=20, where=["site=desa-b1", "name!=desa-b1-vsat"])
    lab.impair("desa-b1", loss_pct=30)
    try:
        losses, rtts, cycles = [], [], []
        for _ in range(3):
            snap = asyncio.run(poller.poll_once())
            cycles.append(snap.cycle_duration)
            ls = snap.links["vsat-desa-b1"]
            assert ls.labels["medium"] == "vsat"
            losses.append(ls.probe.loss)
            if ls.probe.rtt_avg is not None:
                rtts.append(ls.probe.rtt_avg)
            assert value(poller, "netops_link_up", link="vsat-desa-b1") == (1 if ls.probe.received else 0)
            poll = snap.polls["desa-b1-r1"]
            assert poll.ok or poll.reason in ("timeout", "deadline"), poll.error
        mean_loss = sum(losses) / len(losses)
        # 60 probes at 30% each way-independent loss: the measured ratio lands well inside 10..55%
        assert 0.10 <= mean_loss <= 0.55, losses
        assert rtts and all(0.45 <= r <= 1.2 for r in rtts), rtts  # ~600 ms satellite round trip
        assert value(poller, "netops_link_jitter_seconds", link="vsat-desa-b1") is not None
        assert max(cycles) < poller._deadline(poller.devices[0]) + 10  # bounded, never stalls
    finally:
        lab.impair("desa-b1", loss_pct=0)
        poller.close()


def test_v3_through_the_lab_with_its_generated_keys(lab) -> None:
    """The lab's own v3 user (file: refs into its workdir); no secret reaches the series or errors."""
    poller = poller_for(lab, where=["kecamatan=A"])
    try:
        snap = asyncio.run(poller.poll_once())
    finally:
        poller.close()
    assert snap.polls and all(p.ok for p in snap.polls.values()), [p.error for p in snap.polls.values()]
    text = "\n".join(str(s) for fam in SnapshotCollector(lambda: snap).collect() for s in fam.samples)
    for secret in lab.secrets.values():
        assert secret not in text


def test_lab_counter32_wrap_gives_the_true_rate_and_no_spike(lab) -> None:
    """Across the lab's Counter32 wrap, the unwrapped 32-bit delta agrees with the 64-bit counter."""
    poller = poller_for(lab, probe_count=1, where=["name=desa-a1-r1"])
    polls = []
    try:
        deadline = lab.started_at + 170
        while time.monotonic() < deadline:
            snap = asyncio.run(poller.poll_once())
            poll = snap.polls["desa-a1-r1"]
            assert poll.ok, poll.error
            polls.append((poll, snap.rates.get("desa-a1-r1", {}), value(poller, "netops_link_utilisation_ratio",
                                                                        link="fo-desa-a1")))
            if len(polls) >= 2 and polls[-1][0].tables["ifTable"]["1"].raw["ifInOctets"] < \
                    polls[-2][0].tables["ifTable"]["1"].raw["ifInOctets"]:
                break
            time.sleep(max(0.0, min(8.0, lab.started_at + 95 - time.monotonic())) or 4.0)
    finally:
        poller.close()
    (prev, _, _), (cur, rates, util) = polls[-2], polls[-1]
    row0, row1 = prev.tables["ifTable"]["1"], cur.tables["ifTable"]["1"]
    assert row1.raw["ifInOctets"] < row0.raw["ifInOctets"], "no Counter32 wrap seen within 170 s of lab start"
    assert cur.uptime > prev.uptime  # a wrap, not a restart
    from netops.monitor.counters import Sample, rate
    r32 = rate(Sample(row0.raw["ifInOctets"], prev.at, prev.uptime), Sample(row1.raw["ifInOctets"], cur.at,
                                                                            cur.uptime), 32)
    hc = rates["1"].in_bps
    assert r32 is not None and hc is not None
    assert r32 * 8 == pytest.approx(hc, rel=0.05)  # the same octets, counted by both counters
    assert 0 < hc < 20e6  # below the link's 20 Mbit/s: no spike
    assert util is not None and 0 < util < 1
