"""The command center on the lab: a small regency started with 'netops lab up' (SNMP agents, SSH
simulators, VSAT delay), 'netops monitor serve' polling it, the Prometheus and Alertmanager
configuration 'netops monitor generate' writes, run by a real Prometheus and a real Alertmanager,
and a loopback webhook receiver recording what Alertmanager sends. Faults are made the way an
engineer makes them: 'netops lab impair LINK --down' cuts a link and everything behind it.

Used by tests/monitor/test_alerting_lab.py and bench/alert_latency.py (both need root).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from netops.lab import Lab
from tests.monitor.amserver import Alertmanager, Receiver, alertmanager
from tests.monitor.promserver import Prometheus, free_tcp_port, prometheus_from
from tests.support.exporter import start_serve, wait_metrics

BASE = "127.153.0.0"
NETOPS = [sys.executable, "-m", "netops"]

# site, name, tier, kecamatan, parent, uplink (link id, medium, a-end site, a-end interface, b-end interface)
FIBER, VSAT = ("fiber", "Icon Plus"), ("vsat", "Telkom Mangoesky")
SITES: list[tuple[str, str, str, str, str | None, tuple[str, tuple[str, str], str, str, str] | None]] = [
    ("dc", "Pusat Data", "datacenter", "Sungai Raya", None, None),
    ("kec-kubu", "Kantor Camat Kubu", "kecamatan", "Kubu", "dc", ("fo-kec-kubu", FIBER, "dc", "Gi0/1", "sfp1")),
    ("desa-dabung", "Kantor Desa Dabung", "desa", "Kubu", "kec-kubu",
     ("fo-desa-dabung", FIBER, "kec-kubu", "ether2", "ether1")),
    ("desa-air-putih", "Kantor Desa Air Putih", "desa", "Kubu", "kec-kubu",
     ("fo-desa-air-putih", FIBER, "kec-kubu", "ether3", "ether1")),
    ("desa-olak-olak", "Kantor Desa Olak Olak Kubu", "desa", "Kubu", "kec-kubu",
     ("vsat-desa-olak-olak", VSAT, "dc", "Gi0/4", "ether1")),
    ("kec-batu-ampar", "Kantor Camat Batu Ampar", "kecamatan", "Batu Ampar", "dc",
     ("fo-kec-batu-ampar", FIBER, "dc", "Gi0/2", "sfp1")),
    ("desa-padang-tikar", "Kantor Desa Padang Tikar", "desa", "Batu Ampar", "kec-batu-ampar",
     ("vsat-desa-padang-tikar", VSAT, "dc", "Gi0/5", "ether1")),
    ("desa-teluk-nibung", "Kantor Desa Teluk Nibung", "desa", "Batu Ampar", "kec-batu-ampar",
     ("vsat-desa-teluk-nibung", VSAT, "dc", "Gi0/6", "ether1")),
    ("kec-sungai-kakap", "Kantor Camat Sungai Kakap", "kecamatan", "Sungai Kakap", "dc",
     ("fo-kec-sungai-kakap", FIBER, "dc", "Gi0/3", "sfp1")),
    ("desa-jeruju", "Kantor Desa Jeruju Besar", "desa", "Sungai Kakap", "kec-sungai-kakap",
     ("fo-desa-jeruju", FIBER, "kec-sungai-kakap", "ether2", "ether1")),
]
VSAT_LINKS = [s[5][0] for s in SITES if s[5] and s[5][1] == VSAT]
MAINTENANCE_KECAMATAN = "Sungai Kakap"


@dataclass(frozen=True)
class Timing:
    """Short timings so the test runs in seconds; the shape is the production one."""

    interval: int = 2
    """poll = scrape = evaluation interval, seconds."""
    down_for: str = "4s"
    group_wait: str = "3s"
    """Longer than one poll interval: a provider-wide cut seen one cycle later on some of its links still
    inhibits their own alerts."""
    group_interval: str = "2s"
    probes: int = 2


def router(n: int, site: str, interfaces: list[str], platform: str = "mikrotik_routeros",
           role: str = "access") -> dict[str, Any]:
    return {"name": f"{site}-r1", "site": site, "platform": platform, "role": role, "mgmt": f"10.112.{n}.1",
            "interfaces": interfaces}


def write_source_inventory(root: Path) -> Path:
    """Three kecamatan: Kubu (fiber uplink, two fiber desa, one VSAT desa), Batu Ampar (two VSAT desa),
    Sungai Kakap (under planned maintenance while the stack runs); one data center."""
    sites, links, devices = [], [], []
    ifaces: dict[str, list[str]] = {"dc": []}
    for sid, name, tier, kec, parent, up in SITES:
        site: dict[str, Any] = {"id": sid, "name": name, "tier": tier, "kecamatan": kec,
                                "lat": -0.2 - len(sites) / 20, "lon": 109.4 + len(sites) / 20}
        if parent:
            site["parent"] = parent
        sites.append(site)
        ifaces.setdefault(sid, [])
        if up:
            lid, (medium, provider), a_site, a_if, b_if = up
            ifaces[a_site].append(a_if)
            ifaces[sid].append(b_if)
            links.append({"id": lid, "medium": medium, "provider": provider, "circuit_id": f"UJI-{lid.upper()}",
                          "bandwidth_mbps": 4 if medium == "vsat" else 50, "sla": 98.0 if medium == "vsat" else 99.5,
                          "a": {"site": a_site, "device": f"{a_site}-r1", "interface": a_if},
                          "b": {"site": sid, "device": f"{sid}-r1", "interface": b_if}})
    for n, (sid, _, tier, *_) in enumerate(SITES):
        if tier == "datacenter":
            devices.append(router(n, sid, sorted(ifaces[sid]), platform="cisco_ios", role="core"))
        else:
            devices.append(router(n, sid, sorted(ifaces[sid]), role="distribution" if tier == "kecamatan" else "access"))
    inv = {
        "regency": {"name": "Kabupaten Uji", "code": "61.12", "domain": "uji.go.id",
                    "default_credentials": "routers", "default_snmp": "v2c"},
        "credentials": {"routers": {"username": "netops", "password": "env:LABSTACK_ROUTER_PASSWORD"}},
        # a dead device's SNMP poll gives up after 1 s: the lab's VSAT round trip is 0.6 s
        "snmp": {"v2c": {"version": "2c", "community": "env:LABSTACK_COMMUNITY", "timeout": 1.0, "retries": 0}},
        "sites": sites, "links": links, "devices": devices,
    }
    d = root / "source"
    d.mkdir(parents=True, exist_ok=True)
    (d / "inventory.yaml").write_text(yaml.safe_dump(inv, sort_keys=False))
    return d


def write_alerting(inv_dir: Path, hook_url: str, t: Timing) -> None:
    """The command center's alerting and a maintenance window over kecamatan Sungai Kakap that is on now."""
    now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    (inv_dir / "alerting.yaml").write_text(yaml.safe_dump({
        "alerting": {"default_receiver": "noc-hook", "group_wait": t.group_wait, "group_interval": t.group_interval,
                     "repeat_interval": "1h", "timezone": "Asia/Pontianak",
                     "receivers": [{"name": "noc-hook", "webhook": {"url": hook_url}}]},
        "maintenance": [{"id": "kakap-ganti-ont", "reason": "Penggantian ONT kantor camat",
                         "kecamatan": MAINTENANCE_KECAMATAN,
                         "start": (now - dt.timedelta(hours=1)).isoformat(),
                         "end": (now + dt.timedelta(hours=3)).isoformat()}],
    }, sort_keys=False))


def netops(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([*NETOPS, *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"netops {' '.join(args)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r


class LabStack:
    def __init__(self, lab: Lab, prom: Prometheus, am: Alertmanager, receiver: Receiver, out: Path,
                 timing: Timing, started: float):
        self.lab, self.prom, self.am, self.receiver, self.out = lab, prom, am, receiver, out
        self.timing, self.started = timing, started
        self.quiet_at = started
        """When every link was first seen up (dashboards judge availability from then on)."""

    @property
    def inventory(self) -> Path:
        return self.lab.inventory_path

    def impair(self, *targets: str, down: bool) -> float:
        """'netops lab impair TARGET... --down/--up'; returns when the lab's rules changed (time.time())."""
        netops("lab", "impair", *targets, "--down" if down else "--up", "--workdir", str(self.lab.workdir))
        return time.time()

    def wait_quiet(self, timeout: float = 120.0) -> None:
        """Every link up in Prometheus and no alert left in Alertmanager (resolved ones are not listed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (len(self.prom.query("netops:link_state == 1")) == len(SITES) - 1
                    and not self.prom.query('ALERTS{alertstate="firing"}') and not self.am.alerts()):
                return
            time.sleep(0.5)
        raise AssertionError(f"the stack never went quiet: {self.prom.query('netops:link_state != 1')} "
                             f"{[a['labels'] for a in self.am.alerts()]}")


@contextmanager
def lab_stack(tmp: Path, timing: Timing | None = None) -> Iterator[LabStack]:
    t = timing or Timing()
    receiver = Receiver()
    source = write_source_inventory(tmp)
    write_alerting(source, receiver.url, t)
    lab = Lab(source, tmp / "lab", base=BASE, vsat_delay_ms=300, vsat_loss_pct=0.0, vsat_jitter_ms=10,
              owner_pid=os.getpid())
    proc = None
    try:
        started = time.time()
        lab.up()
        inv = lab.inventory_path  # the lab's copy keeps the alerting and maintenance sections
        exporter_port, am_port = free_tcp_port(), free_tcp_port()
        out = tmp / "monitors"
        netops("-i", str(inv), "monitor", "generate", "--out", str(out), "--interval", str(t.interval),
               "--down-for", t.down_for, "--exporter", f"127.0.0.1:{exporter_port}",
               "--alertmanager", f"127.0.0.1:{am_port}")
        proc = start_serve(inv, exporter_port, str(t.interval), str(t.probes))
        wait_metrics(f"http://127.0.0.1:{exporter_port}/metrics", "netops_link_up{", proc, timeout=60)
        with alertmanager(tmp / "am", out / "alertmanager" / "alertmanager.yml", am_port) as am, \
                prometheus_from(out / "prometheus" / "prometheus.yml", tmp / "prom") as prom:
            stack = LabStack(lab, prom, am, receiver, out, t, started)
            stack.wait_quiet()
            stack.quiet_at = time.time()
            yield stack
    finally:
        receiver.close()
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        lab.down()
