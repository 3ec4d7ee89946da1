"""The cached ``/metrics`` body: the same samples prometheus-client renders, rendered once per cycle."""

from __future__ import annotations

import asyncio
import gzip
import math
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from netops.inventory import load_inventory
from netops.monitor.collector import Renderer, SnapshotCollector, go_float, render_metrics
from netops.monitor.poller import Poller, PollerConfig
from netops.monitor.server import Exporter
from netops.monitor.snapshot import Snapshot
from netops.snmp.client import FastSnmpClient
from tests.monitor.agents import Interface
from tests.monitor.conftest import addr, write_inventory
from tests.monitor.test_poller import LINKS, FixedProber, core, desa


def library_render(snap: Snapshot) -> bytes:
    """What prometheus-client renders for the snapshot (the reference)."""
    reg = CollectorRegistry(auto_describe=False)
    reg.register(SnapshotCollector(lambda: snap))
    return render_metrics(reg, snap.profiles.values())


def parsed(body: bytes) -> list[tuple[str, str, str, tuple[tuple[str, str], ...], float]]:
    out = []
    for fam in text_string_to_metric_families(body.decode("utf-8")):
        for s in fam.samples:
            out.append((fam.name, fam.type, s.name, tuple(sorted(s.labels.items())), s.value))
    return out


def same_samples(ours: bytes, ref: bytes) -> None:
    a, b = parsed(ours), parsed(ref)
    assert len(a) == len(b) and a, (len(a), len(b))
    for x, y in zip(a, b, strict=True):
        assert x[:4] == y[:4]
        assert x[4] == y[4] or (math.isnan(x[4]) and math.isnan(y[4])), (x, y)


def test_go_float_matches_prometheus_client() -> None:
    from prometheus_client.utils import floatToGoString

    for v in (0.0, -0.0, 1.0, 5000.0, 999999.0, 1e6, 1234567.0, 123456789.25, 2.0**64, 1e16, 1e-7, -1234567.0,
              0.1, math.inf, -math.inf, math.nan, 3):
        assert go_float(v) == floatToGoString(v), v


def test_cached_body_is_what_prometheus_client_renders(tmp_path: Path, agent_factory) -> None:
    """Real agent replies (labels with quotes, backslashes, UTF-8), then a changed alias and the rate series."""
    eth1 = Interface(1, "ether1", alias='Kantor "Desa" A\\B – ü', in_octets=123456789012, out_octets=7,
                     speed_mbps=100)
    agent = agent_factory([addr(31), addr(32)], [eth1, Interface(2, "ether2", oper=2, hc=False,
                                                                 in_octets=2**32 - 1)])
    inv = load_inventory(write_inventory(tmp_path, agent, [core(31, "v2c"), desa("desa-a-r1", "desa-a", 32)],
                                         LINKS))
    poller = Poller(inv, PollerConfig(render=True), prober=FixedProber())
    try:
        snap = asyncio.run(poller.poll_once())
        assert all(p.ok for p in snap.polls.values()), [p.error for p in snap.polls.values()]
        assert snap.rendered is not None
        assert snap.rendered.body == library_render(snap)
        same_samples(snap.rendered.body, library_render(snap))
        assert 'ifAlias="Kantor \\"Desa\\" A\\\\B – ü"' in snap.rendered.body.decode()
        assert "netops_interface_in_bps" not in snap.rendered.body.decode()  # off by default
        assert snap.rendered.samples == len(parsed(snap.rendered.body))

        eth1.alias = "renamed uplink"
        eth1.in_octets += 10_000
        agent.write_interfaces()
        poller.config.rate_series = True  # the option turned on: the cached label text must not go stale
        snap2 = asyncio.run(poller.poll_once())
        body = snap2.rendered.body if snap2.rendered else b""
        assert body == library_render(snap2)
        same_samples(body, library_render(snap2))
        assert 'ifAlias="renamed uplink"' in body.decode() and 'Kantor \\"Desa' not in body.decode()
        assert "netops_interface_in_bps{" in body.decode()
        assert gzip.decompress(snap2.rendered.gzipped()) == body  # type: ignore[union-attr]
    finally:
        poller.close()


def test_empty_and_failed_snapshots_render_like_the_library() -> None:
    r = Renderer()
    snap = Snapshot(profiles=Poller(load_inventory(Path(__file__).resolve().parents[1] / "fixtures/inventory/small"),
                                    PollerConfig()).profiles)
    assert r.render(snap).body == library_render(snap)
    flipped = replace(snap, rate_series=True, cycles=3)
    assert r.render(flipped).body == library_render(flipped)


class GatedClient(FastSnmpClient):
    """The real fast client; a walk of ``hold`` waits for the test (a poll cycle caught half way)."""

    def __init__(self, hold: str) -> None:
        super().__init__()
        self.hold = hold
        self.gate: asyncio.Event | None = None
        self.entered: asyncio.Event | None = None

    async def walk(self, target, columns, max_repetitions=25):
        out = await super().walk(target, columns, max_repetitions)
        if self.gate is not None and self.entered is not None and target.host == self.hold:
            self.entered.set()
            await self.gate.wait()
        return out


def scrape(url: str, gz: bool = False) -> bytes:
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gz else {})
    with urllib.request.urlopen(req, timeout=30) as r:
        data = r.read()
        return gzip.decompress(data) if r.headers.get("Content-Encoding") == "gzip" else data


def test_a_scrape_during_a_cycle_gets_the_previous_complete_cycle(tmp_path: Path, agent_factory) -> None:
    agent = agent_factory([addr(41), addr(42)], [Interface(1, "ether1", in_octets=1000, out_octets=1000)])
    inv = load_inventory(write_inventory(tmp_path, agent, [core(41, "v2c"), desa("desa-a-r1", "desa-a", 42)],
                                         LINKS))
    client = GatedClient(hold=addr(42))
    poller = Poller(inv, PollerConfig(render=True), client=client, prober=FixedProber())
    exporter = Exporter(lambda: poller.snapshot, ("127.0.0.1", 0)).start()
    url = f"http://127.0.0.1:{exporter.address[1]}/metrics"

    async def scenario() -> tuple[bytes, bytes, bytes, bytes, bytes]:
        loop = asyncio.get_running_loop()
        await poller.poll_once()
        first = await loop.run_in_executor(None, scrape, url)
        client.gate, client.entered = asyncio.Event(), asyncio.Event()
        cycle = asyncio.create_task(poller.poll_once())
        await asyncio.wait_for(client.entered.wait(), 60)  # core-01 polled, desa-a-r1 half way
        during = await loop.run_in_executor(None, scrape, url)
        during_gz = await loop.run_in_executor(None, scrape, url, True)
        client.gate.set()
        await cycle
        after = await loop.run_in_executor(None, scrape, url)
        after_gz = await loop.run_in_executor(None, scrape, url, True)
        return first, during, during_gz, after, after_gz

    try:
        first, during, during_gz, after, after_gz = asyncio.run(scenario())
    finally:
        exporter.stop()
        poller.close()
    assert b'netops_poll_cycles_total{shard="0/1"} 1.0' in first
    assert during == first and during_gz == first  # the previous complete cycle, byte for byte
    assert b'netops_poll_cycles_total{shard="0/1"} 2.0' in after and after_gz == after
    for body in (first, after):
        for dev in ("core-01", "desa-a-r1"):
            assert f'ifHCInOctets{{device="{dev}",'.encode() in body


@pytest.mark.parametrize("on", [False, True])
def test_rate_series_only_when_chosen(tmp_path: Path, agent_factory, on: bool) -> None:
    agent = agent_factory([addr(51)], [Interface(1, "ether1", in_octets=1000, out_octets=1000, speed_mbps=100)])
    inv = load_inventory(write_inventory(tmp_path, agent, [desa("desa-a-r1", "desa-a", 51)], LINKS))
    poller = Poller(inv, PollerConfig(render=True, rate_series=on), prober=FixedProber())
    try:
        asyncio.run(poller.poll_once())
        snap = asyncio.run(poller.poll_once())
    finally:
        poller.close()
    body = snap.rendered.body.decode() if snap.rendered else ""
    assert ('netops_interface_in_bps{device="desa-a-r1"' in body) is on
    assert 'netops_link_in_bps{' in body  # link traffic is always there


def test_every_kind_of_value_renders_like_the_library() -> None:
    """Whole and scaled values around the formatting edges (1e6, 2**53, Counter64 near its top)."""
    from netops.monitor.profiles import load_profiles
    from netops.monitor.snapshot import build_device_poll
    from tests.conftest import ROOT

    profiles = load_profiles(ROOT / "monitors" / "profiles")
    use = [profiles["system"], profiles["if_mib"], profiles["mikrotik_health"]]
    edges = [0, 1, 7, 999_999, 1_000_000, 1_000_001, 10**7, 123_456_789_000, 2**53 - 1, 2**53, 2**53 + 1,
             10**16, 10**16 + 2, 2**64 - 1]
    polls = {}
    for d, base in enumerate(edges):
        scalars = {m.oid: base for p in use for m in p.scalars}
        columns: dict[str, dict[str, int | str]] = {}
        for p in use:
            for t in p.tables:
                for k, m in enumerate(t.metrics):
                    columns[m.oid] = {str(i): edges[(d + k + i) % len(edges)] for i in range(1, 4)}
                for col in t.labels.values():
                    columns[col] = {str(i): f"port {i}" for i in range(1, 4)}
        polls[f"dev{d}"] = build_device_poll(f"dev{d}", use, scalars, columns, at=0.0, wall=0.0, duration=0.1)  # type: ignore[arg-type]
    snap = Snapshot(polls=polls, profiles={p.name: p for p in use})
    body = Renderer().render(snap).body
    assert body == library_render(snap)
    same_samples(body, library_render(snap))
