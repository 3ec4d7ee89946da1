"""Alerting end to end: 'netops monitor serve' (real ICMP to loopback devices, nft cuts them off), the
generated rules in a real Prometheus, the generated config in a real Alertmanager, a loopback webhook
receiver recording what it is sent.

Short timings (1 s polls and evaluations, for: 3s, group_wait 1s) keep it fast; the shape is the
production one. Telegram's API cannot be reached from here: its receiver is checked by
'amtool check-config' and a template render in test_alertmanager.py, not by delivery.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from netops.inventory import load_inventory
from netops.monitor.generate import Thresholds, generate
from tests.conftest import need, need_binary
from tests.monitor.agents import NftImpair, nft_available
from tests.monitor.amserver import Alertmanager, Receiver, alertmanager
from tests.monitor.conftest import addr
from tests.monitor.promserver import free_tcp_port, prometheus_from
from tests.monitor.test_exporter import start_serve, wait_metrics

pytestmark = pytest.mark.slow

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


def write_alerting_inventory(root: Path, hook_url: str, maintenance: list[dict[str, Any]] | None = None) -> Path:
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
                     "repeat_interval": "1h", "receivers": [{"name": "hook", "webhook": {"url": hook_url}}]},
        "maintenance": maintenance or [],
    }
    d = root / "inventory"
    d.mkdir(parents=True, exist_ok=True)
    (d / "inventory.yaml").write_text(yaml.safe_dump(inv, sort_keys=False))
    return d


class Stack:
    def __init__(self, am: Alertmanager, receiver: Receiver, nft: NftImpair):
        self.am, self.receiver, self.nft = am, receiver, nft

    def cut(self, *sites: str) -> float:
        at = time.time()
        for sid in sites:
            n = next(t[0] for t in TOPOLOGY if t[1] == sid)
            self.nft.drop(addr(n))
        return at


@pytest.fixture
def stack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Stack]:
    need_binary("fping")
    need_binary("prometheus")
    need(nft_available(), "needs root and nft to cut simulated sites off")
    maintenance = getattr(request, "param", None)
    receiver = Receiver()
    nft = NftImpair()
    proc = None
    try:
        inv_dir = write_alerting_inventory(tmp_path, receiver.url, maintenance)
        exporter_port, am_port = free_tcp_port(), free_tcp_port()
        out = tmp_path / "monitors"
        generate(load_inventory(inv_dir), out, exporters=[f"127.0.0.1:{exporter_port}"],
                 alertmanagers=[f"127.0.0.1:{am_port}"], th=FAST)
        proc = start_serve(inv_dir, exporter_port, "1", "2")
        wait_metrics(f"http://127.0.0.1:{exporter_port}/metrics", "netops_link_up{", proc)
        with alertmanager(tmp_path / "am", out / "alertmanager" / "alertmanager.yml", am_port) as am, \
                prometheus_from(out / "prometheus" / "prometheus.yml", tmp_path / "prom") as prom:
            assert prom.wait_for('netops:link_state{link="fo-desa-a1"} == 1'), "rules never saw the links up"
            yield Stack(am, receiver, nft)
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


def _alerts(message: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((a["labels"]["alertname"], a["labels"].get("root_link", ""), a["status"])
                  for a in message["alerts"])


def test_kecamatan_uplink_cut_gives_one_notification_naming_the_desa_behind(stack: Stack) -> None:
    cut_at = stack.cut("kec-a", "desa-a1", "desa-a2")  # the fiber to kecamatan A is cut: all three go dark
    (first,) = stack.receiver.wait(1)
    first_at = stack.receiver.arrived[0]
    assert first["status"] == "firing"
    assert _alerts(first) == [("NetopsLinkDown", "fo-kec-a", "firing")], json.dumps(first, indent=1)
    alert = first["alerts"][0]
    assert alert["labels"]["link"] == "fo-kec-a" and alert["labels"]["kecamatan"] == "Kubu"
    ann = alert["annotations"]
    assert ann["desa_behind_count"] == "2"
    assert ann["desa_behind"] == "Kantor Desa A Dua, Kantor Desa A Satu"
    assert ann["circuit_id"] == "TEST-FO-KEC-A"
    assert "2 link(s) behind it down with it" in ann["description"], ann

    # the consequences reached Alertmanager and are held back by the root alert (its API says so)
    def inhibited(alerts: list[dict[str, Any]]) -> bool:
        down = [a for a in alerts if a["labels"].get("cause") == "unreachable_upstream"]
        return len(down) == 5 and all(a["status"]["state"] == "suppressed" and a["status"]["inhibitedBy"]
                                      for a in down)

    alerts = stack.am.wait_until(inhibited)
    assert inhibited(alerts), json.dumps(alerts, indent=1)
    root = next(a for a in alerts if a["labels"]["alertname"] == "NetopsLinkDown")
    assert root["status"]["state"] == "active"
    below = sorted((a["labels"]["alertname"], a["labels"].get("link") or a["labels"]["device"])
                   for a in alerts if a["labels"].get("cause") == "unreachable_upstream")
    assert below == [("NetopsDeviceUnreachableUpstream", "desa-a1-r1"),
                     ("NetopsDeviceUnreachableUpstream", "desa-a2-r1"),
                     ("NetopsDeviceUnreachableUpstream", "kec-a-r1"),
                     ("NetopsLinkUnreachableUpstream", "fo-desa-a1"),
                     ("NetopsLinkUnreachableUpstream", "fo-desa-a2")]
    assert all(a["status"]["inhibitedBy"] == [root["fingerprint"]] for a in alerts
               if a["labels"].get("cause") == "unreachable_upstream")

    stack.nft.clear()  # repaired
    messages = stack.receiver.wait(2)
    assert [m["status"] for m in messages] == ["firing", "resolved"], [_alerts(m) for m in messages]
    assert _alerts(messages[1]) == [("NetopsLinkDown", "fo-kec-a", "resolved")]
    print(f"\ncut -> notification: {first_at - cut_at:.1f} s (for: {FAST.link_down_for}, group_wait 1s, "
          f"poll/scrape/evaluation {FAST.interval_s} s)")


def test_provider_wide_vsat_outage_is_one_provider_notification(stack: Stack) -> None:
    stack.cut("desa-v1", "desa-v2", "desa-v3")  # the VSAT hub fails: every VSAT site at once
    (first,) = stack.receiver.wait(1)
    assert _alerts(first) == [("NetopsProviderOutage", "provider:Telkom Mangoesky", "firing")], first
    assert first["alerts"][0]["labels"]["provider"] == "Telkom Mangoesky"
    assert "vsat-desa-v1" in first["alerts"][0]["annotations"]["description"]

    def held(alerts: list[dict[str, Any]]) -> bool:
        links = [a for a in alerts if a["labels"]["alertname"] == "NetopsLinkDown"]
        return len(links) == 3 and all(a["status"]["state"] == "suppressed" for a in links)

    alerts = stack.am.wait_until(held)
    assert held(alerts), json.dumps(alerts, indent=1)
    stack.nft.clear()
    messages = stack.receiver.wait(2)
    assert [_alerts(m) for m in messages] == [
        [("NetopsProviderOutage", "provider:Telkom Mangoesky", "firing")],
        [("NetopsProviderOutage", "provider:Telkom Mangoesky", "resolved")]]


@pytest.mark.parametrize("stack", [[{"id": "kubu-works", "kecamatan": "Kubu",
                                      "weekly": {"days": ["monday", "tuesday", "wednesday", "thursday", "friday",
                                                          "saturday", "sunday"],
                                                 "start": "00:00", "end": "24:00"}}]], indirect=True)
def test_maintenance_window_mutes_its_kecamatan_only(stack: Stack) -> None:
    # kecamatan Kubu is under maintenance all week; Batu Ampar's uplink is the control
    stack.cut("kec-a", "desa-a1", "desa-a2", "desa-v3")
    stack.am.wait_until(lambda alerts: any(a["labels"].get("link") == "fo-kec-a" for a in alerts))
    stack.cut("kec-b")
    (first,) = stack.receiver.wait(1)
    assert _alerts(first) == [("NetopsLinkDown", "fo-kec-b", "firing")], first
    alerts = stack.am.wait_until(lambda alerts: any(a["labels"].get("link") == "fo-kec-b" for a in alerts))
    muted = {a["labels"].get("link") or a["labels"].get("device") for a in alerts
             if a["labels"].get("kecamatan") == "Kubu" and a["labels"]["alertname"] == "NetopsLinkDown"}
    assert muted == {"fo-kec-a", "vsat-desa-v3"}
    assert all(m["alerts"][0]["labels"]["kecamatan"] != "Kubu" for m in stack.receiver.messages)
