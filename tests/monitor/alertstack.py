"""The alerting stack the tests and bench/alert_latency.py start: 'netops monitor serve' on ping-only
loopback routers, the generated rules in a real Prometheus, the generated config in a real
Alertmanager, a loopback webhook receiver; nft cuts sites off.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from netops.inventory import load_inventory
from netops.monitor.generate import Thresholds, generate
from tests.monitor.agents import NftImpair
from tests.monitor.amserver import Alertmanager, Receiver, alertmanager
from tests.monitor.conftest import addr
from tests.monitor.promserver import Prometheus, free_tcp_port, prometheus_from
from tests.monitor.test_exporter import start_serve, wait_metrics

FAST = Thresholds(interval_s=1, link_down_for="3s", device_down_for="3s", stale_cycles=60)

# address number, site, kecamatan, tier, parent, uplink (id, medium, provider, a-end site)
TOPOLOGY = [
    (1, "dc", "Sungai Raya", "datacenter", None, None),
    (2, "kec-a", "Kubu", "kecamatan", "dc", ("fo-kec-a", "fiber", "Icon Plus", "dc")),
    (3, "desa-a1", "Kubu", "desa", "kec-a", ("fo-desa-a1", "fiber", "Icon Plus", "kec-a")),
    (4, "desa-a2", "Kubu", "desa", "kec-a", ("fo-desa-a2", "fiber", "Icon Plus", "kec-a")),
    (5, "kec-b", "Batu Ampar", "kecamatan", "dc", ("fo-kec-b", "fiber", "Icon Plus", "dc")),
    (6, "desa-v1", "Batu Ampar", "desa", "kec-b", ("vsat-desa-v1", "vsat", "Telkom Mangoesky", "dc")),
    (7, "desa-v2", "Batu Ampar", "desa", "kec-b", ("vsat-desa-v2", "vsat", "Telkom Mangoesky", "dc")),
    (8, "desa-v3", "Kubu", "desa", "kec-a", ("vsat-desa-v3", "vsat", "Telkom Mangoesky", "dc")),
]
NAMES = {"desa-a1": "Kantor Desa A Satu", "desa-a2": "Kantor Desa A Dua"}


def write_alerting_inventory(root: Path, hook_url: str, maintenance: list[dict[str, Any]] | None = None,
                             timing: dict[str, str] | None = None) -> Path:
    """Ping-only routers on 127.120.x.y in the topology above; alerts go to the loopback receiver."""
    sec = root / "secrets"
    sec.mkdir(parents=True, exist_ok=True)
    (sec / "pw").write_text("router-password")
    sites, devices, links = [], [], []
    for n, sid, kec, tier, parent, up in TOPOLOGY:
        site: dict[str, Any] = {"id": sid, "name": NAMES.get(sid, f"Kantor {sid}"), "tier": tier, "kecamatan": kec,
                                "lat": -0.1 - n / 10, "lon": 109.4 + n / 10}
        if parent:
            site["parent"] = parent
        sites.append(site)
        devices.append({"name": f"{sid}-r1", "site": sid, "platform": "mikrotik_routeros",
                        "role": "core" if tier == "datacenter" else "access", "mgmt": addr(n), "monitor": "icmp"})
        if up:
            lid, medium, provider, a = up
            links.append({"id": lid, "medium": medium, "provider": provider, "circuit_id": f"TEST-{lid.upper()}",
                          "bandwidth_mbps": 10, "sla": 99.0, "a": {"site": a},
                          "b": {"site": sid, "device": f"{sid}-r1"}})
    inv = {
        "regency": {"name": "Kabupaten Uji", "code": "61.12", "domain": "uji.go.id",
                    "default_credentials": "routers"},
        "credentials": {"routers": {"username": "netops", "password": f"file:{sec / 'pw'}"}},
        "sites": sites, "devices": devices, "links": links,
        "alerting": {"language": "en", "default_receiver": "hook", "group_wait": "1s", "group_interval": "2s",
                     "repeat_interval": "1h", **(timing or {}),
                     "receivers": [{"name": "hook", "webhook": {"url": hook_url}}]},
        "maintenance": maintenance or [],
    }
    d = root / "inventory"
    d.mkdir(parents=True, exist_ok=True)
    (d / "inventory.yaml").write_text(yaml.safe_dump(inv, sort_keys=False))
    return d


class Stack:
    def __init__(self, am: Alertmanager, receiver: Receiver, nft: NftImpair, prom: Prometheus):
        self.am, self.receiver, self.nft, self.prom = am, receiver, nft, prom

    def cut(self, *sites: str) -> float:
        at = time.time()
        for sid in sites:
            n = next(t[0] for t in TOPOLOGY if t[1] == sid)
            self.nft.drop(addr(n))
        return at


@contextmanager
def alerting_stack(tmp_path: Path, maintenance: list[dict[str, Any]] | None = None, th: Thresholds = FAST,
                   timing: dict[str, str] | None = None) -> Iterator[Stack]:
    receiver = Receiver()
    nft = NftImpair()
    proc = None
    try:
        inv_dir = write_alerting_inventory(tmp_path, receiver.url, maintenance, timing)
        exporter_port, am_port = free_tcp_port(), free_tcp_port()
        out = tmp_path / "monitors"
        generate(load_inventory(inv_dir), out, exporters=[f"127.0.0.1:{exporter_port}"],
                 alertmanagers=[f"127.0.0.1:{am_port}"], th=th)
        proc = start_serve(inv_dir, exporter_port, str(th.interval_s), "2")
        wait_metrics(f"http://127.0.0.1:{exporter_port}/metrics", "netops_link_up{", proc)
        with alertmanager(tmp_path / "am", out / "alertmanager" / "alertmanager.yml", am_port) as am, \
                prometheus_from(out / "prometheus" / "prometheus.yml", tmp_path / "prom") as prom:
            assert prom.wait_for('netops:link_state{link="fo-desa-a1"} == 1'), "rules never saw the links up"
            yield Stack(am, receiver, nft, prom)
    finally:
        nft.close()
        receiver.close()
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
