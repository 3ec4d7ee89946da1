"""ICMP probes: several echo requests per target per cycle (VSAT needs loss and jitter).

:class:`Prober` is the seam; :class:`IcmplibProber` uses icmplib, unprivileged
when ``net.ipv4.ping_group_range`` admits our group, else raw sockets as root.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from netops.errors import NetopsError


@dataclass(frozen=True)
class ProbeResult:
    address: str
    sent: int
    received: int
    rtt_min: float | None = None
    """seconds; None when nothing came back."""
    rtt_avg: float | None = None
    rtt_max: float | None = None
    jitter: float | None = None

    @property
    def loss(self) -> float:
        return 1.0 - self.received / self.sent if self.sent else 1.0

    @property
    def up(self) -> bool:
        return self.received > 0


def summarise(address: str, sent: int, rtts: list[float]) -> ProbeResult:
    """RTTs (seconds) of the replies that came back -> min/avg/max and jitter.

    Jitter is the mean absolute difference between consecutive RTTs (RFC 3550's
    idea without the smoothing), the figure VSAT operators quote.
    """
    if not rtts:
        return ProbeResult(address, sent, 0)
    diffs = [abs(b - a) for a, b in zip(rtts, rtts[1:], strict=False)]
    return ProbeResult(
        address, sent, len(rtts), min(rtts), sum(rtts) / len(rtts), max(rtts),
        sum(diffs) / len(diffs) if diffs else 0.0,
    )


class Prober(Protocol):
    async def probe(self, addresses: list[str], count: int, interval: float, timeout: float) -> dict[str, ProbeResult]:
        ...


def unprivileged_ping_allowed() -> bool:
    """net.ipv4.ping_group_range admits one of our groups: ICMP datagram sockets work."""
    try:
        lo, hi = (int(x) for x in Path("/proc/sys/net/ipv4/ping_group_range").read_text().split())
    except (OSError, ValueError):
        return False
    return any(lo <= g <= hi for g in {os.getgid(), *os.getgroups()})


class IcmplibProber:
    def __init__(self, privileged: bool | None = None, concurrency: int = 256):
        if privileged is None:
            if unprivileged_ping_allowed():
                privileged = False
            elif os.geteuid() == 0:
                privileged = True
            else:
                raise NetopsError(
                    "ICMP probes need either root or net.ipv4.ping_group_range covering your group: "
                    "run 'sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"' or run netops monitor as root"
                )
        self.privileged = privileged
        self.concurrency = concurrency

    async def probe(self, addresses: list[str], count: int, interval: float, timeout: float) -> dict[str, ProbeResult]:
        from icmplib import async_multiping

        unique = sorted(set(addresses))
        if not unique:
            return {}
        hosts = await async_multiping(
            unique, count=count, interval=interval, timeout=timeout,
            concurrent_tasks=self.concurrency, privileged=self.privileged,
        )
        return {h.address: summarise(h.address, h.packets_sent, [r / 1000.0 for r in h.rtts]) for h in hosts}


def parse_fping(output: str, count: int) -> dict[str, ProbeResult]:
    """fping -C output (``addr : 0.05 - 0.07``, ms, ``-`` for a lost probe) -> results."""
    out: dict[str, ProbeResult] = {}
    for line in output.splitlines():
        addr, sep, rest = line.partition(" : ")
        if not sep:
            continue
        fields = rest.split()
        if not fields or not all(f == "-" or f.replace(".", "", 1).isdigit() for f in fields):
            continue
        rtts = [float(f) / 1000.0 for f in fields if f != "-"]
        out[addr.strip()] = summarise(addr.strip(), max(count, len(fields)), rtts)
    return out


def default_prober() -> Prober:
    return FpingProber() if shutil.which("fping") else IcmplibProber()


class FpingProber:
    def __init__(self, binary: str | None = None, host_interval_ms: int = 1):
        found = binary or shutil.which("fping")
        if not found:
            raise NetopsError("fping not found: install the Debian package fping (scripts/bootstrap does)")
        self.binary = found
        self.host_interval_ms = host_interval_ms

    async def probe(self, addresses: list[str], count: int, interval: float, timeout: float) -> dict[str, ProbeResult]:
        unique = sorted(set(addresses))
        if not unique:
            return {}
        # -p is the per-target period; fping needs it >= the timeout for -C to count every probe.
        period = max(int(interval * 1000), 10)
        cmd = [self.binary, "-C", str(count), "-q", "-p", str(period), "-t", str(int(timeout * 1000)),
               "-i", str(self.host_interval_ms), "-f", "-"]
        proc = await asyncio.create_subprocess_exec(
            *cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        _, err = await proc.communicate(("\n".join(unique) + "\n").encode())
        results = parse_fping(err.decode("utf-8", "replace"), count)
        if not results and proc.returncode not in (0, 1):
            raise NetopsError(f"fping failed (exit {proc.returncode}): {err.decode(errors='replace').strip()[:300]}")
        return results
