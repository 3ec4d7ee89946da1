"""Alerting end to end: 'netops monitor serve' (real ICMP to loopback devices, nft cuts them off), the
generated rules in a real Prometheus, the generated config in a real Alertmanager, a loopback webhook
receiver recording what it is sent.

Short timings (1 s polls and evaluations, for: 3s, group_wait 1s) keep it fast; the shape is the
production one. Telegram's API cannot be reached from here: its receiver is checked by
'amtool check-config' and a template render in test_alertmanager.py, not by delivery.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import need, need_binary
from tests.monitor.agents import nft_available
from tests.monitor.alertstack import FAST, Stack, alerting_stack

pytestmark = pytest.mark.slow


@pytest.fixture
def stack(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Stack]:
    need_binary("fping")
    need_binary("prometheus")
    need_binary("prometheus-alertmanager")
    need(nft_available(), "needs root and nft to cut simulated sites off")
    with alerting_stack(tmp_path, getattr(request, "param", None)) as st:
        yield st


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
def test_maintenance_window_and_adhoc_silence_mute_only_what_they_cover(stack: Stack, tmp_path: Path) -> None:
    # kecamatan Kubu is under planned maintenance all week (inventory window); desa V1's VSAT gets an
    # ad-hoc silence through 'netops maintenance add'; kecamatan B's uplink is the control
    inv = str(tmp_path / "inventory")
    am = ["--alertmanager", stack.am.url]
    r = netops("-i", inv, "--json", "maintenance", "add", "--link", "vsat-desa-v1", "--duration", "2h",
               "--author", "budi", "--comment", "ganti LNB (tiket 4711)", *am)
    assert r.returncode == 0, r.stderr
    silence = json.loads(r.stdout)["id"]
    stack.cut("kec-a", "desa-a1", "desa-a2", "desa-v3", "desa-v1")
    stack.am.wait_until(lambda alerts: {"fo-kec-a", "vsat-desa-v1"} <= {a["labels"].get("link") for a in alerts})
    stack.cut("kec-b")
    (first,) = stack.receiver.wait(1)
    assert _alerts(first) == [("NetopsLinkDown", "fo-kec-b", "firing")], first
    alerts = stack.am.wait_until(lambda alerts: any(a["labels"].get("link") == "fo-kec-b" for a in alerts))
    roots = {a["labels"]["link"]: a["status"] for a in alerts if a["labels"]["alertname"] == "NetopsLinkDown"}
    assert set(roots) == {"fo-kec-a", "vsat-desa-v3", "vsat-desa-v1", "fo-kec-b"}
    assert roots["vsat-desa-v1"]["silencedBy"] == [silence]
    # Alertmanager 0.25's API does not show time-interval muting: the receiver is where it shows
    assert all(m["alerts"][0]["labels"]["kecamatan"] != "Kubu" for m in stack.receiver.messages)
    assert len(stack.receiver.messages) == 1

    r = netops("-i", inv, "--json", "maintenance", "list", *am)
    listed = json.loads(r.stdout)
    assert [p["id"] for p in listed["planned"]] == ["kubu-works"]
    (s,) = listed["silences"]
    assert (s["id"], s["author"], s["comment"], s["matchers"]) == (
        silence, "budi", "ganti LNB (tiket 4711)", ['link=~"vsat\\-desa\\-v1"'])
    # ending the silence lets the alert it held through: it was the silence that muted it
    assert netops("-i", inv, "maintenance", "end", silence, *am).returncode == 0
    messages = stack.receiver.wait(2)
    assert _alerts(messages[1]) == [("NetopsLinkDown", "vsat-desa-v1", "firing")], messages[1]


def test_maintenance_add_refuses_what_the_inventory_does_not_know(tmp_path: Path) -> None:
    from tests.monitor.alertstack import write_alerting_inventory

    inv = str(write_alerting_inventory(tmp_path, "http://127.0.0.1:9/"))
    r = netops("-i", inv, "maintenance", "add", "--kecamatan", "Kubu Raya", "--duration", "1h", "--comment", "x",
               "--alertmanager", "http://127.0.0.1:9")
    assert r.returncode == 2 and "'Kubu Raya' is not a kecamatan" in r.stderr, r.stderr
    r = netops("-i", inv, "maintenance", "add", "--site", "kec-a", "--start", "2026-12-20T22:00+07:00",
               "--until", "2026-12-20T21:00+07:00", "--comment", "x", "--alertmanager", "http://127.0.0.1:9")
    assert r.returncode == 2 and "before it starts" in r.stderr, r.stderr
    r = netops("-i", inv, "maintenance", "list", "--alertmanager", "http://127.0.0.1:9")
    assert r.returncode == 3 and "cannot be reached" in r.stderr and "Traceback" not in r.stderr


def netops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "netops", *args], capture_output=True, text=True)
