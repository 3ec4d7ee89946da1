"""The poll loop: SNMP and ICMP for every device of this shard, on a schedule.

Each device is polled in its own task under a semaphore (bounded concurrency)
and a deadline, so one dead or slow device never delays the others. A cycle
ends with a new :class:`Snapshot` swapped in whole.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from netops.errors import BadInput, NetopsError
from netops.inventory import Device, Inventory, select
from netops.inventory.models import Medium
from netops.inventory.topology import site_path
from netops.monitor.collector import Renderer
from netops.monitor.icmp import Prober, ProbeResult, default_prober
from netops.monitor.profiles import SnmpProfile, default_profiles_dir, load_profiles, profiles_for
from netops.monitor.snapshot import (
    DevicePoll,
    Histogram,
    Snapshot,
    build_device_poll,
    device_labels,
    failed_poll,
    interface_rates,
    link_owner,
    link_state,
    monitored_links,
    shard_of,
    site_info,
)
from netops.monitor.snmp import reply_bytes_by_site, rtt_prior_by_site, target_for
from netops.secrets import redact
from netops.snmp.api import SnmpClient, SnmpError, SnmpTarget, Value
from netops.snmp.client import FastSnmpClient
from netops.snmp.pysnmp_client import PysnmpClient

log = logging.getLogger("netops.monitor")
log.addHandler(logging.NullHandler())


@dataclass
class PollerConfig:
    interval: float = 60.0
    concurrency: int = 64
    shard: tuple[int, int] = (0, 1)
    where: list[str] = field(default_factory=list)
    probe_count: int = 5
    probe_interval: float = 0.2
    probe_timeout: float = 2.0
    """For devices behind VSAT or LTE (a geostationary round trip alone is ~0.6 s)."""
    near_probe_timeout: float = 0.5
    """For every other device (fiber, radio, the data center): fping's own default. A probe of a dead device
    costs its timeout at the end of the cycle, which delays the snapshot that shows the death."""
    max_repetitions: int = 25
    device_deadline: float | None = None
    """Upper bound for one device's SNMP poll; default 80% of the interval."""
    engine: str = "fast"
    """SNMP implementation: "fast" (netops.snmp: lean BER codec, ~4 µs CPU per varbind) or "pysnmp"."""
    rate_series: bool = False
    """Also export ``netops_interface_{in,out}_bps`` per interface (two more series per interface;
    Prometheus computes the same with ``rate(ifHCInOctets[..])``). Link rates are always exported."""
    render: bool = False
    """Render the ``/metrics`` body (and its gzip) at the end of each cycle (``monitor serve``), so no scrape
    pays for it."""


FAR_MEDIA = (Medium.vsat, Medium.lte)
NEAR, FAR, SNMP = "near probes", "far probes", "snmp"
"""The parts of a cycle (:meth:`Poller.part_budgets`)."""
ALIGN_MARGIN_FLOOR = 0.5
"""Seconds kept between a cycle's worst-case end and the scrape it is aligned to, at least: the scheduler's
and the scrape's jitter. With 0.1 s the first cycle to see a cut on the lab ended 0.35 s past its plan and
its snapshot missed the scrape, a whole interval lost; a late cycle widens the margin only after it."""
ALIGN_MARGIN_FACTOR = 2
"""... or this many times the longest of the last five cycles' tails (the snapshot's build and render, plus how
late the parts ended against their worst case), whichever is longer."""


def next_cycle_start(now: float, last_start: float, last_scrape: float | None, interval: float,
                     budget: float) -> float:
    """When the next cycle starts so that it ends ``budget`` seconds later, just before a scrape.

    Prometheus scrapes at a fixed phase of its interval; a snapshot published just after a scrape waits
    almost a whole interval to be read. Starting each cycle ``budget`` before the next scrape (budget =
    the longest a cycle with dead devices takes) removes that wait. Never sooner than half an interval
    after the previous start; without scrapes seen, or when a cycle cannot fit, every ``interval``."""
    planned = last_start + interval
    if last_scrape is None or budget >= interval:
        return planned
    earliest = max(now, last_start + interval / 2)
    target = last_scrape - budget
    return target + math.ceil((earliest - target) / interval) * interval


def parse_shard(text: str) -> tuple[int, int]:
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise BadInput(f"--shard {text!r}: write I/N, e.g. --shard 0/4 for the first of four") from None
    if n < 1 or not 0 <= i < n:
        raise BadInput(f"--shard {text!r}: need 0 <= I < N")
    return i, n


class Poller:
    def __init__(
        self, inv: Inventory, config: PollerConfig | None = None, *, profiles: dict[str, SnmpProfile] | None = None,
        profiles_dir: Path | None = None, client: SnmpClient | None = None, prober: Prober | None = None,
    ):
        self.config = config or PollerConfig()
        self.profiles = profiles if profiles is not None else load_profiles(profiles_dir or default_profiles_dir())
        self._select(inv)
        self._client = client
        self._prober = prober
        self._baseline: dict[str, DevicePoll] = {}
        self._errors: dict[tuple[str, str], int] = {}
        self._last_success: dict[str, float] = {}
        self._hist = Histogram()
        self._cycles = 0
        self._secrets: list[str] = []
        self._targets: dict[str, SnmpTarget] = {}
        self._target_errors: dict[str, tuple[str, str]] = {}
        self._cycle_lock = asyncio.Lock()
        self._snmp_took: list[float] = []
        """How long the SNMP part of the last five cycles took."""
        self._tails: list[float] = []
        """The last five cycles' tails: from the parts' planned worst-case end to the published snapshot."""
        self._inventory_loaded_at = time.time()
        self._inventory_ok = True
        self._renderer = Renderer() if self.config.render else None
        self.snapshot = Snapshot(shard=self.config.shard, profiles=self.profiles, rate_series=self.config.rate_series,
                                 inventory_ok=True, inventory_loaded_at=self._inventory_loaded_at)

    def _select(self, inv: Inventory) -> None:
        """Take this shard's devices, links and sites from ``inv`` (at start and on reload).

        Everything is worked out before anything is assigned: a reload that fails
        here leaves the poller as it was."""
        i, n = self.config.shard
        chosen = select(inv, "devices", self.config.where) if self.config.where else list(inv.devices.values())
        devices: list[Device] = [
            d for d in chosen if d.monitor != "off" and shard_of(d.name, n) == i  # type: ignore[union-attr]
        ]
        names = {d.name for d in devices}
        links = []
        for lk in monitored_links(inv):
            owner = link_owner(inv, lk)
            if (owner.name in names) if owner is not None else (shard_of(lk.id, n) == i and not self.config.where):
                links.append(lk)
        site_ids = sorted({d.site for d in devices} if self.config.where
                          else {s for s in inv.sites if shard_of(s, n) == i})
        device_profiles = {d.name: profiles_for(d.platform, self.profiles) for d in devices}
        self.inv, self.devices, self.links, self.site_ids = inv, devices, links, site_ids
        self.device_profiles = device_profiles
        self.reply_bytes = reply_bytes_by_site(inv)
        self.rtt_prior = rtt_prior_by_site(inv)
        ends: dict[str, set[str]] = {}
        for lk in links:
            for end in (lk.a, lk.b):
                if end.device and end.interface:
                    ends.setdefault(end.device, set()).add(end.interface)
        self.link_interfaces = ends
        self.far_devices = {d.name for d in devices
                            if any(lk.medium in FAR_MEDIA for lk in site_path(inv, d.site))}
        """Devices whose way to the data center crosses VSAT or LTE: their probes get the long timeout."""
        """device -> its interfaces that carry an inventory link (the rates computed without --rate-series)."""

    async def reload(self, inv: Inventory | None, error: str | None = None) -> tuple[set[str], set[str]]:
        """Serve a new inventory without a restart (``SIGHUP``), between two cycles.

        Devices that stay keep their counter baselines, so their rates carry on
        without a gap; devices that left lose their series. ``inv=None`` records a
        failed reload: the old inventory stays in service and the exporter says so
        (``netops_inventory_reload_success 0``). Returns (added, removed) names.
        """
        async with self._cycle_lock:
            if inv is None:
                self._inventory_ok = False
                self._publish(replace(self.snapshot, inventory_ok=False, rendered=None))
                log.warning("inventory reload failed, still serving the previous one: %s", error or "")
                return set(), set()
            before = {d.name for d in self.devices}
            self._select(inv)
            after = {d.name for d in self.devices}
            for name in before - after:
                self._baseline.pop(name, None)
                self._last_success.pop(name, None)
            self._errors = {k: v for k, v in self._errors.items() if k[0] in after or not k[0]}
            self._inventory_ok, self._inventory_loaded_at = True, time.time()
            self._publish(replace(self.snapshot, inventory_ok=True, inventory_loaded_at=self._inventory_loaded_at,
                                  rendered=None))
            return after - before, before - after

    @property
    def client(self) -> SnmpClient:
        if self._client is None:
            if self.config.engine == "pysnmp":
                self._client = PysnmpClient()
            elif self.config.engine == "fast":
                self._client = FastSnmpClient()
            else:
                raise NetopsError(f"SNMP engine {self.config.engine!r}: choose 'fast' or 'pysnmp'")
        return self._client

    @property
    def prober(self) -> Prober:
        if self._prober is None:
            self._prober = default_prober()
        return self._prober

    def _deadline(self, dev: Device) -> float:
        return self._deadline_default()

    def _deadline_default(self) -> float:
        if self.config.device_deadline:
            return self.config.device_deadline
        return max(5.0, self.config.interval * 0.8)

    async def _poll_device(self, dev: Device, sem: asyncio.Semaphore) -> DevicePoll:
        async with sem:
            start = time.monotonic()

            def failed(reason: str, msg: str) -> DevicePoll:
                now = time.monotonic()
                return failed_poll(dev.name, reason, redact(msg, self._secrets), at=now, wall=time.time(),
                                   duration=now - start)

            target = self._targets.get(dev.name)
            if target is None:
                return failed(*self._target_errors.get(dev.name, ("config", f"{dev.name}: no SNMP target")))
            profiles = self.device_profiles[dev.name]
            scalar_oids = list(dict.fromkeys([m.oid for p in profiles for m in p.scalars]
                                             + [oid for p in profiles for oid in p.info_oids]))
            columns = [c for p in profiles for t in p.tables for c in t.columns]
            try:
                async with asyncio.timeout(self._deadline(dev)):
                    scalars, walked = await self._read(target, scalar_oids, columns)
            except SnmpError as exc:
                return failed(exc.reason, str(exc))
            except TimeoutError:
                return failed("deadline", f"{target.where}: SNMP poll took longer than {self._deadline(dev):g} s; "
                                          "raise --interval or lower the profile's columns")
            except Exception as exc:  # noqa: BLE001 - one device's surprise must not stop the cycle
                log.exception("poll of %s failed", dev.name)
                return failed("internal", f"{target.where}: {type(exc).__name__}: {exc}")
            now = time.monotonic()
            return build_device_poll(dev.name, profiles, scalars, walked, at=now, wall=time.time(), duration=now - start)

    async def _read(self, target: SnmpTarget, scalar_oids: list[str], columns: list[str]
                    ) -> tuple[dict[str, Value], dict[str, dict[str, Value]]]:
        """The scalars and the tables at once: one round trip fewer per cycle (~0.6 s behind VSAT); the first
        error cancels the other and is raised as itself."""
        if not scalar_oids or not columns:
            return (await self.client.get(target, scalar_oids) if scalar_oids else {},
                    await self.client.walk(target, columns, self.config.max_repetitions) if columns else {})
        try:
            async with asyncio.TaskGroup() as tg:
                got = tg.create_task(self.client.get(target, scalar_oids))
                walked = tg.create_task(self.client.walk(target, columns, self.config.max_repetitions))
        except BaseExceptionGroup as group:
            raise group.exceptions[0] from None
        return got.result(), walked.result()

    def probe_timeouts(self) -> tuple[float, float]:
        """(near, far) probe timeouts, never more than half the poll interval."""
        c = self.config
        cap = c.interval / 2
        return min(c.near_probe_timeout, c.probe_timeout, cap), min(c.probe_timeout, cap)

    def part_budgets(self) -> dict[str, float]:
        """How long each part of a cycle takes at worst, when devices are dead: the probes of the near devices
        and of those behind VSAT/LTE (their span plus their timeout: a death is known only when the timeout
        ends) and the SNMP polls (the slowest target's timeout x tries, or the longest of the last five
        cycles' polls, within the device deadline)."""
        c = self.config
        near, far = self.probe_timeouts()
        span = (c.probe_count - 1) * c.probe_interval
        parts: dict[str, float] = {}
        if any(d.name not in self.far_devices for d in self.devices):
            parts[NEAR] = span + near
        if self.far_devices:
            parts[FAR] = span + far
        snmp = max((t.timeout * (t.retries + 1) for t in self._targets.values()), default=0.0)
        if snmp:
            # a big shard's polls queue behind the concurrency limit: what the last cycles took counts too
            parts[SNMP] = min(max([snmp, *self._snmp_took]), self._deadline_default())
        return parts

    def cycle_budget(self) -> float:
        """How long a cycle may take when devices are dead: its longest part."""
        return max(self.part_budgets().values(), default=0.0)

    def start_offsets(self) -> dict[str, float]:
        """When each part of a cycle starts, in seconds after the cycle's start, so that every part's worst
        case ends at the cycle's end, just before the scrape the cycle is aligned to.

        A part that would be done early starts late instead: the probes of a fiber desa (0.7 s at worst)
        wait while a VSAT probe (2.8 s) or an SNMP timeout (4 s) runs, so the state they publish was sampled
        as late as it can be. Started together, a fiber cut sampled at the cycle's start was published
        the whole budget later; now it is published its own probe time after it was sampled."""
        parts = self.part_budgets()
        budget = max(parts.values(), default=0.0)
        return {name: budget - worst for name, worst in parts.items()}

    def align_margin(self) -> float:
        """Seconds kept between an aligned cycle's worst-case end and the scrape: what publishing measurably
        costs (twice the longest of the last five tails: build, render, parts ending late) or the floor for the
        scheduler's jitter. An absolute figure: a 5 % share of a 60 s interval kept 3 s for a render of
        milliseconds; a snapshot published after the scrape waits a whole interval, so the tail counts twice."""
        return max(ALIGN_MARGIN_FLOOR, ALIGN_MARGIN_FACTOR * max(self._tails, default=0.0))

    async def _probe(self, offsets: dict[str, float] | None = None) -> dict[str, ProbeResult]:
        """Every device's probes: one prober call per timeout class, each started ``offsets[class]`` seconds
        late (see :meth:`start_offsets`)."""
        addresses = {d.name: str(d.mgmt) for d in self.devices}
        if not addresses:
            return {}
        c = self.config
        near_t, far_t = self.probe_timeouts()
        groups = [(kind, t, [a for n, a in addresses.items() if (n in self.far_devices) == (kind == FAR)])
                  for kind, t in ((NEAR, near_t), (FAR, far_t))]

        async def probe(kind: str, timeout: float, addrs: list[str]) -> dict[str, ProbeResult]:
            delay = (offsets or {}).get(kind, 0.0)
            if delay > 0:
                await asyncio.sleep(delay)
            return await self.prober.probe(addrs, c.probe_count, c.probe_interval, timeout)

        try:
            by_addr: dict[str, ProbeResult] = {}
            for part in await asyncio.gather(*(probe(kind, t, addrs) for kind, t, addrs in groups if addrs)):
                by_addr.update(part)
        except NetopsError:
            raise
        except Exception as exc:  # noqa: BLE001
            log.error("ICMP probes failed: %s", exc)
            self._errors[("", "icmp")] = self._errors.get(("", "icmp"), 0) + 1
            return {}
        return {name: by_addr[a] for name, a in addresses.items() if a in by_addr}

    async def _prepare(self, devices: list[Device]) -> None:
        """Resolve SNMP settings and secrets (each cycle: rotated keys apply) and warm the client."""
        self._targets, self._target_errors = {}, {}
        for dev in devices:
            try:
                t = target_for(self.inv, dev, reply_bytes=self.reply_bytes, rtt_prior=self.rtt_prior)
            except NetopsError as exc:
                self._target_errors[dev.name] = (getattr(exc, "reason", "config"), str(exc))
                continue
            self._targets[dev.name] = t
            self._secrets.extend(s for s in t.secrets() if s not in self._secrets)
        prepare = getattr(self.client, "prepare", None)
        if prepare is not None:
            await prepare(list(self._targets.values()))

    async def poll_once(self, aligned: bool = False) -> Snapshot:
        """One cycle: every device's SNMP poll and the ICMP probes, concurrently. ``aligned`` (a cycle timed to
        end just before a scrape): each part starts so that its worst case ends with the cycle
        (:meth:`start_offsets`); otherwise all start at once and the cycle ends as soon as it can."""
        async with self._cycle_lock:
            return await self._cycle(aligned)

    async def _cycle(self, aligned: bool = False) -> Snapshot:
        start = time.monotonic()
        sem = asyncio.Semaphore(self.config.concurrency)
        snmp_devices = [d for d in self.devices if d.monitor == "snmp"]
        await self._prepare(snmp_devices)
        offsets = self.start_offsets() if aligned else {}
        planned_end = start + self.cycle_budget()
        probe_task = asyncio.create_task(self._probe(offsets))
        if offsets.get(SNMP, 0.0) > 0:  # the probes are the longer part: the SNMP polls start late instead
            await asyncio.sleep(offsets[SNMP])
        snmp_start = time.monotonic()
        polls = await asyncio.gather(*(self._poll_device(d, sem) for d in snmp_devices))
        self._snmp_took = [*self._snmp_took[-4:], time.monotonic() - snmp_start]
        probes = await probe_task
        parts_end = time.monotonic()
        snap = self._build(polls, probes, time.monotonic() - start)
        self._publish(snap)
        # the tail: build and render, and how much later than their worst case the parts ended (a late
        # wake-up, a slow _prepare); parts that ended early count from when they ended
        ended = time.monotonic()
        self._tails = [*self._tails[-4:], ended - min(parts_end, planned_end)]
        return snap

    def _publish(self, snap: Snapshot) -> None:
        """Swap a complete snapshot in, its ``/metrics`` body already rendered when asked:
        a scrape sees the previous cycle or this one, never a half-built one."""
        if self._renderer is not None:
            snap.rendered = self._renderer.render(snap)  # gzip included: no scrape pays for it
        self.snapshot = snap

    def _build(self, polls: list[DevicePoll], probes: dict[str, ProbeResult], cycle: float) -> Snapshot:
        now = time.time()
        rates = {}
        for poll in polls:
            self._hist.observe(poll.duration)
            if not poll.ok:
                key = (poll.device, poll.reason or "unknown")
                self._errors[key] = self._errors.get(key, 0) + 1
                log.warning("%s", poll.error)
                continue
            profiles = self.device_profiles[poll.device]
            only = None if self.config.rate_series else self.link_interfaces.get(poll.device, set())
            rates[poll.device] = interface_rates(self._baseline.get(poll.device), poll, profiles, only)
            self._baseline[poll.device] = poll
            self._last_success[poll.device] = poll.wall
        for name, p in probes.items():
            if p.up and name not in {d.name for d in self.devices if d.monitor == "snmp"}:
                self._last_success[name] = now
        self._cycles += 1
        snap = Snapshot(
            taken_at=now, cycle_duration=cycle, cycles=self._cycles, shard=self.config.shard,
            devices={d.name: device_labels(self.inv, d) for d in self.devices},
            addresses={d.name: str(d.mgmt) for d in self.devices},
            polls={p.device: p for p in polls}, probes=probes, rates=rates,
            last_success=dict(self._last_success), errors=dict(self._errors), durations=self._hist.copy(),
            sites=site_info(self.inv, self.site_ids),
            snmp_devices={d.name for d in self.devices if d.monitor == "snmp"},
            profiles=self.profiles, rate_series=self.config.rate_series,
            inventory_ok=self._inventory_ok, inventory_loaded_at=self._inventory_loaded_at,
        )
        snap.links = {lk.id: link_state(self.inv, lk, probes, rates) for lk in self.links}
        return snap

    async def run(self, stop: asyncio.Event | None = None, last_scrape: Callable[[], float | None] | None = None
                  ) -> None:
        """Poll every ``interval`` seconds, measured start to start, until ``stop`` is set.

        ``last_scrape`` (monotonic time of the latest scrape, or None) aligns the cycles to Prometheus: each
        cycle starts so that even a cycle with dead devices has published its snapshot just before the next
        scrape, instead of a random share of an interval earlier (see :func:`next_cycle_start`)."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            start = time.monotonic()
            try:
                await self.poll_once(aligned=last_scrape is not None and last_scrape() is not None)
            except NetopsError:
                raise
            except Exception:  # noqa: BLE001 - keep serving the last snapshot
                log.exception("poll cycle failed")
            now = time.monotonic()
            nxt = start + self.config.interval
            if last_scrape is not None:
                # the parts' worst case, then the tail: a cycle that overran its budget (parts late, a slow
                # render) widens the margin for the next five cycles
                budget = self.cycle_budget() + self.align_margin()
                nxt = next_cycle_start(now, start, last_scrape(), self.config.interval, budget)
            delay = max(0.0, nxt - time.monotonic())
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                pass

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
