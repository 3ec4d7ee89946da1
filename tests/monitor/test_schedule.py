"""When a cycle runs and how long its probes may wait: the parts of a cut's way to a notification that the
poller decides (bench/alert_latency.py measures the whole way on the lab)."""

from __future__ import annotations

import asyncio

import pytest

from netops.inventory import load_inventory
from netops.monitor.icmp import ProbeResult
from netops.monitor.poller import Poller, PollerConfig, next_cycle_start
from tests.conftest import SMALL_INVENTORY


def test_the_next_cycle_ends_just_before_the_next_scrape() -> None:
    # Prometheus scrapes at x.7 of a 10 s interval; a cycle with dead devices takes up to 2.5 s
    nxt = next_cycle_start(now=103.0, last_start=101.0, last_scrape=100.7, interval=10, budget=2.5)
    assert nxt == pytest.approx(108.2) and nxt + 2.5 == pytest.approx(110.7)
    # steady state: one start per interval
    assert next_cycle_start(111.0, nxt, 110.7, 10, 2.5) == pytest.approx(118.2)
    # never sooner than half an interval after the previous start: the scrape just before would be 104
    assert next_cycle_start(101.5, 101.0, 104.0, 10, 2.0) == pytest.approx(112.0)


def test_without_scrapes_or_room_the_cycles_keep_the_interval() -> None:
    assert next_cycle_start(103.0, 101.0, None, 10, 2.0) == 111.0
    assert next_cycle_start(103.0, 101.0, 100.7, 10, 12.0) == 111.0


class Recording:
    def __init__(self) -> None:
        self.calls: list[tuple[list[str], float]] = []

    async def probe(self, addresses: list[str], count: int, interval: float, timeout: float
                    ) -> dict[str, ProbeResult]:
        self.calls.append((sorted(addresses), timeout))
        return {a: ProbeResult(a, count, 0) for a in addresses}


@pytest.mark.parametrize("interval,near,far", [(60.0, 0.5, 2.0), (2.0, 0.5, 1.0)])
def test_probes_wait_long_only_behind_vsat_and_never_past_half_the_interval(interval: float, near: float,
                                                                          far: float) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    prober = Recording()
    poller = Poller(inv, PollerConfig(interval=interval, probe_count=2, probe_interval=0.2), prober=prober)
    results = asyncio.run(poller._probe())
    behind_vsat = sorted(str(inv.devices[n].mgmt) for n in ("desa-b1-r1", "desa-b1-vsat", "desa-b2-r1"))
    calls = dict((t, a) for a, t in prober.calls)
    assert calls[far] == behind_vsat
    assert set(calls[near]) == {str(d.mgmt) for d in inv.devices.values()} - set(behind_vsat)
    assert len(results) == len(inv.devices)
    assert poller.cycle_budget() >= 0.2 + far  # the probes' span and the long timeout


def test_each_part_of_an_aligned_cycle_starts_so_that_its_worst_case_ends_with_the_cycle(
        secrets_env: dict[str, str]) -> None:
    """The near probes (span + 0.5 s) wait while the far probes (span + 2 s) and the SNMP timeouts run: a fiber
    cut is sampled as late as its own probe time allows, not at the start of the longest part."""
    inv = load_inventory(SMALL_INVENTORY)
    poller = Poller(inv, PollerConfig(interval=60, probe_count=5, probe_interval=0.2), prober=Recording())
    asyncio.run(poller._prepare([d for d in poller.devices if d.monitor == "snmp"]))
    parts, offsets = poller.part_budgets(), poller.start_offsets()
    snmp = max(t.timeout * (t.retries + 1) for t in poller._targets.values())
    assert parts == pytest.approx({"near probes": 0.8 + 0.5, "far probes": 0.8 + 2.0, "snmp": snmp})
    assert poller.cycle_budget() == max(parts.values())
    assert {name: offsets[name] + parts[name] for name in parts} == pytest.approx(
        dict.fromkeys(parts, poller.cycle_budget()))
    assert min(offsets.values()) == 0.0


def test_a_shard_whose_polls_queue_keeps_its_probes_at_the_end_of_the_cycle(secrets_env: dict[str, str]) -> None:
    """Polls that took longer than one target's timeout (queued behind the concurrency limit) set the SNMP
    part's length, so the probes still start just before the cycle's end."""
    poller = Poller(load_inventory(SMALL_INVENTORY), PollerConfig(interval=60, probe_count=5, probe_interval=0.2),
                    prober=Recording())
    asyncio.run(poller._prepare([d for d in poller.devices if d.monitor == "snmp"]))
    poller._snmp_took = [30.0, 12.0]
    assert poller.part_budgets()["snmp"] == 30.0
    assert poller.start_offsets()["near probes"] == pytest.approx(30.0 - 1.3)
    poller._snmp_took = [200.0]
    assert poller.part_budgets()["snmp"] == 48.0  # never past the device deadline (80 % of the interval)


def test_the_margin_before_the_scrape_is_what_publishing_costs_not_a_share_of_the_interval(
        secrets_env: dict[str, str]) -> None:
    """At a 60 s interval the margin was 3 s (5 %) for a render of milliseconds; now it is twice the longest of
    the last five tails (build, render, parts late), at least the floor for the scheduler's jitter."""
    from netops.monitor.poller import ALIGN_MARGIN_FLOOR

    poller = Poller(load_inventory(SMALL_INVENTORY), PollerConfig(interval=60, probe_count=5, probe_interval=0.2),
                    prober=Recording())
    assert poller.align_margin() == ALIGN_MARGIN_FLOOR
    poller._tails = [0.02, 0.6, 0.1]
    assert poller.align_margin() == pytest.approx(1.2)
    poller._tails = [*poller._tails, 0.01, 0.01, 0.01, 0.01, 0.01][-5:]  # the slow render left the window
    assert poller.align_margin() == ALIGN_MARGIN_FLOOR
