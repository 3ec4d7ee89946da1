"""Alerting end to end on the lab: 'netops lab up' (base 127.153.0.0), 'netops monitor serve' polling it over
SNMP and ICMP, the configuration 'netops monitor generate' writes run by a real Prometheus and a real
Alertmanager, a loopback webhook receiver recording every notification. Faults are cut with
'netops lab impair LINK --down', as an engineer would.

Timings are short (2 s poll/scrape/evaluation, for: 4s, group_wait 3s; tests/monitor/labstack.py), the
shape is the production one. Waits are on conditions (a notification arrived, Alertmanager shows an
alert), never on time; how long things took is printed, not asserted (bench/alert_latency.py measures).
Telegram's API cannot be reached from here: its receiver is checked with amtool in test_alertmanager.py.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netops.inventory import load_inventory
from netops.report import ReportOptions, build_report, write_report
from tests.conftest import need, need_binary
from tests.monitor.labstack import MAINTENANCE_KECAMATAN, VSAT_LINKS, LabStack, lab_stack, netops
from tests.support.grafana import expand_grafana_vars

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabStack]:
    need(os.geteuid() == 0, "the lab needs root (nftables, NFQUEUE)")
    for tool in ("fping", "nft", "iptables", "prometheus", "prometheus-alertmanager"):
        need_binary(tool)
    with lab_stack(tmp_path_factory.mktemp("alertlab")) as st:
        yield st


@pytest.fixture(autouse=True)
def mended(stack: LabStack) -> Iterator[None]:
    """After each test, whatever it left cut is mended (a failed test must not fail the next ones)."""
    yield
    left = [n for n, imp in stack.lab.status()["impairments"].items() if imp.get("down")]
    if left:
        stack.impair(*left, down=False)
        stack.wait_quiet()


def _alerts(message: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted((a["labels"]["alertname"], a["labels"].get("root_link", ""), a["status"])
                  for a in message["alerts"])


def _new(stack: LabStack, before: int, n: int) -> list[dict[str, Any]]:
    """Wait for ``n`` notifications after the first ``before``; return those."""
    return stack.receiver.wait(before + n, timeout=180)[before:]


# Targets that may be empty on this lab, and why
MAY_BE_EMPTY = {
    ("netops-overview.json", "Alerts firing now (root causes first)", "B"): "nothing behind a desa",
    ("netops-vsat.json", "Modems answering (share)", "A"): "no modem in this inventory",
    ("netops-poller.json", "Errors by reason", "A"): "healthy: no SNMP error yet",
    ("netops-poller.json", "Devices not polled successfully for over 5 minutes", "A"): "none for that long",
    ("netops-wall.json", "Links down now, with root cause", "B"): "nothing cut off behind a desa",
    # no 'netops config audit' has run for this stack (tests/monitor/test_exporter.py and
    # tests/config/test_audit_on_lab.py serve a real one)
    ("netops-overview.json", "Routers compliant (share)", "A"): "no config audit here",
    ("netops-overview.json", "Compliant by kecamatan (routers compliant / audited)", "A"): "no config audit here",
    ("netops-overview.json", "Rule violations now", "A"): "no config audit here",
}
BROKEN_WITH_ONE_DESA_DOWN = {"Links up (share)", "Links down (root causes)", "Links up", "Faults (root causes)",
                             "SNMP polls failing"}


def colour(panel: dict[str, Any], value: float) -> str:
    d = panel["fieldConfig"]["defaults"]
    for m in d.get("mappings", []):
        hit = m["options"].get(str(int(value))) if value == int(value) else None
        if hit and hit.get("color"):
            return hit["color"]
    steps = d["thresholds"]["steps"]
    chosen = steps[0]["color"]
    for s in steps[1:]:
        if value >= s["value"]:
            chosen = s["color"]
    return chosen


def _colours(dashboards: dict[str, Any], results: dict[tuple[str, str, str], list[dict[str, Any]]]
             ) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(dashboard, panel) -> [(series label, colour)] for every stat and bar gauge."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for name, dash in dashboards.items():
        for p in dash["panels"]:
            if p["type"] not in ("stat", "bargauge", "gauge"):
                continue
            assert "thresholds" in p["fieldConfig"]["defaults"], f"{name}: {p['title']} has no thresholds"
            for t in p["targets"]:
                for r in results[(name, p["title"], t["refId"])]:
                    m = r["metric"]
                    label = m.get("link") or m.get("kecamatan") or m.get("shard") or ""
                    out.setdefault((name, p["title"]), []).append((label, colour(p, float(r["value"][1]))))
    return out


def _evaluate(stack: LabStack, dashboards: dict[str, Any]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    """Every target of every panel, with Grafana's variables replaced; a panel's range is the stack's quiet life."""
    since = f"{max(10, int(time.time() - stack.quiet_at))}s"
    return {(name, p["title"], t["refId"]): stack.prom.query(expand_grafana_vars(t["expr"].replace("$__range", since)))
            for name, dash in dashboards.items() for p in dash["panels"] for t in p.get("targets", [])}


def test_every_dashboard_panel_returns_data_and_colours_healthy_green_and_one_dead_desa_red(stack: LabStack) -> None:
    """Runs first: the lab has been healthy all its life."""
    dashboards = {f.name: json.loads(f.read_text()) for f in (stack.out / "grafana" / "dashboards").glob("*.json")}
    assert set(dashboards) >= {"netops-overview.json", "netops-wall.json"}
    assert stack.prom.wait_for("netops_link_utilisation_ratio", timeout=60)  # two SNMP polls made rates
    healthy = _colours(dashboards, _evaluate(stack, dashboards))
    for (name, title), values in healthy.items():
        assert values and all(c in ("green", "blue") for _, c in values), (name, title, values)

    before = len(stack.receiver.messages)
    stack.impair("desa-dabung", down=True)  # one desa goes down
    try:
        _one_desa_down(stack, dashboards)
        # delivered while the desa is down: restored sooner, the alert could resolve inside group_wait
        # and Alertmanager then sends nothing at all
        firing = _new(stack, before, 1)[0]
    finally:
        stack.impair("desa-dabung", down=False)
    resolved = _new(stack, before + 1, 1)[0]
    assert (_alerts(firing), _alerts(resolved)) == ([("NetopsLinkDown", "fo-desa-dabung", "firing")],
                                                    [("NetopsLinkDown", "fo-desa-dabung", "resolved")])
    stack.wait_quiet()


def _one_desa_down(stack: LabStack, dashboards: dict[str, Any]) -> None:
    assert stack.prom.wait_for('ALERTS{alertname="NetopsLinkDown",alertstate="firing",link="fo-desa-dabung"}',
                               timeout=120)
    results = _evaluate(stack, dashboards)
    for key, res in results.items():
        if key not in MAY_BE_EMPTY:
            assert res, f"{key} returns no data"
        for r in res:
            v = float(r["value"][1])
            assert v == v or key[1] == "Device poll duration (p50 / p90 / p99)", key  # NaN: no poll yet
    for (name, title), values in _colours(dashboards, results).items():
        if title in BROKEN_WITH_ONE_DESA_DOWN:
            assert all(c == "red" for _, c in values), (name, title, values)
        elif title in ("Status by kecamatan (links up / total)", "Kecamatan"):
            assert dict(values)["Kubu"] == "red" and dict(values)["Batu Ampar"] == "green", values
        else:  # the dead desa's own figures turn (sizes stay neutral blue); everything else stays green
            assert all(c in ("green", "blue") for label, c in values if label != "fo-desa-dabung"), \
                (name, title, values)
            assert all(c in ("red", "orange", "blue") for label, c in values if label == "fo-desa-dabung"), \
                (name, title, values)
    (down,) = results[("netops-overview.json", "Links down now", "A")]
    assert down["metric"]["link"] == "fo-desa-dabung" and down["value"][1] == "0"
    geo = next(p for p in dashboards["netops-overview.json"]["panels"] if p["type"] == "geomap")
    sites = {r["metric"]["site"]: r["value"][1] for r in results[("netops-overview.json", geo["title"], "A")]}
    assert sites["desa-dabung"] == "0" and sites["desa-air-putih"] == "1" and sites["dc"] == "-1"
    assert colour(geo, -1) == "text" and colour(geo, 0) == "red" and colour(geo, 1) == "green"
    assert geo["options"]["layers"][0]["type"] == "geojson"  # the offline boundary layer comes first
    # the far end is silent: the traffic figures of its link come from the near end, and say so
    (src,) = stack.prom.query('netops_link_traffic_source_info{link="fo-desa-dabung"}')
    assert src["metric"]["end"] == "near", src


def test_kecamatan_uplink_cut_is_one_notification_naming_the_uplink_and_the_desa_behind(stack: LabStack) -> None:
    before = len(stack.receiver.messages)
    cut_at = stack.impair("fo-kec-kubu", down=True)  # the fiber to Kubu's office: it and the desa behind go dark
    (first,) = _new(stack, before, 1)
    took = stack.receiver.arrived[before] - cut_at
    assert first["status"] == "firing"
    assert _alerts(first) == [("NetopsLinkDown", "fo-kec-kubu", "firing")], json.dumps(first, indent=1)
    alert = first["alerts"][0]
    assert (alert["labels"]["link"], alert["labels"]["kecamatan"], alert["labels"]["site"]) == (
        "fo-kec-kubu", "Kubu", "kec-kubu")
    ann = alert["annotations"]
    # the VSAT desa of the kecamatan does not hang off the fiber: it is not behind the cut
    assert (ann["desa_behind_count"], ann["desa_behind"]) == ("2", "Kantor Desa Air Putih, Kantor Desa Dabung")
    assert ann["circuit_id"] == "UJI-FO-KEC-KUBU"
    assert "2 link(s) behind it down with it" in ann["description"], ann

    # what follows from the cut reached Alertmanager and is held back by the root alert (its API says so)
    def inhibited(alerts: list[dict[str, Any]]) -> bool:
        below = [a for a in alerts if a["labels"].get("cause") == "unreachable_upstream"]
        return len(below) == 5 and all(a["status"]["state"] == "suppressed" for a in below)

    alerts = stack.am.wait_until(inhibited, timeout=120)
    assert inhibited(alerts), json.dumps(alerts, indent=1)
    root = next(a for a in alerts if a["labels"]["alertname"] == "NetopsLinkDown")
    assert root["status"]["state"] == "active"
    below = sorted((a["labels"]["alertname"], a["labels"].get("link") or a["labels"]["device"])
                   for a in alerts if a["labels"].get("cause") == "unreachable_upstream")
    assert below == [("NetopsDeviceUnreachableUpstream", "desa-air-putih-r1"),
                     ("NetopsDeviceUnreachableUpstream", "desa-dabung-r1"),
                     ("NetopsDeviceUnreachableUpstream", "kec-kubu-r1"),
                     ("NetopsLinkUnreachableUpstream", "fo-desa-air-putih"),
                     ("NetopsLinkUnreachableUpstream", "fo-desa-dabung")]
    assert all(a["status"]["inhibitedBy"] == [root["fingerprint"]] for a in alerts
               if a["labels"].get("cause") == "unreachable_upstream")

    fixed_at = stack.impair("fo-kec-kubu", down=False)
    (resolved,) = _new(stack, before + 1, 1)
    assert _alerts(resolved) == [("NetopsLinkDown", "fo-kec-kubu", "resolved")], json.dumps(resolved, indent=1)
    stack.wait_quiet()
    assert len(stack.receiver.messages) == before + 2, [_alerts(m) for m in stack.receiver.messages[before:]]
    print(f"\ncut -> notification {took:.1f} s, repair -> resolved "
          f"{stack.receiver.arrived[before + 1] - fixed_at:.1f} s ({stack.timing})")


def test_provider_wide_vsat_outage_is_one_provider_notification(stack: LabStack) -> None:
    before = len(stack.receiver.messages)
    stack.impair(*VSAT_LINKS, down=True)  # the VSAT hub fails: every VSAT link of the lab at once
    (first,) = _new(stack, before, 1)
    assert _alerts(first) == [("NetopsProviderOutage", "provider:Telkom Mangoesky", "firing")], \
        json.dumps(first, indent=1)
    ann = first["alerts"][0]["annotations"]
    assert all(link in ann["description"] for link in VSAT_LINKS), ann

    def held(alerts: list[dict[str, Any]]) -> bool:
        links = [a for a in alerts if a["labels"]["alertname"] == "NetopsLinkDown"]
        return len(links) == 3 and all(a["status"]["state"] == "suppressed" for a in links)

    alerts = stack.am.wait_until(held, timeout=120)
    assert held(alerts), json.dumps(alerts, indent=1)
    assert sorted(a["labels"]["link"] for a in alerts if a["labels"]["alertname"] == "NetopsLinkDown") == \
        sorted(VSAT_LINKS)
    stack.impair(*VSAT_LINKS, down=False)
    (resolved,) = _new(stack, before + 1, 1)
    assert _alerts(resolved) == [("NetopsProviderOutage", "provider:Telkom Mangoesky", "resolved")]
    stack.wait_quiet()
    assert len(stack.receiver.messages) == before + 2, [_alerts(m) for m in stack.receiver.messages[before:]]


def test_maintenance_window_mutes_its_kecamatan_and_the_uptime_report_shows_both_sla_figures(
        stack: LabStack, tmp_path: Path) -> None:
    before = len(stack.receiver.messages)
    # kecamatan Sungai Kakap is under planned maintenance (inventory window, on now); its uplink is cut
    stack.impair("fo-kec-sungai-kakap", down=True)
    stack.am.wait_until(lambda alerts: any(a["labels"].get("link") == "fo-kec-sungai-kakap"
                                           and a["labels"]["alertname"] == "NetopsLinkDown" for a in alerts))
    # the control: Batu Ampar's uplink is cut only now, so its notification comes after Sungai Kakap's
    # would have (its alert had been in Alertmanager longer than group_wait by then)
    stack.impair("fo-kec-batu-ampar", down=True)
    (first,) = _new(stack, before, 1)
    assert _alerts(first) == [("NetopsLinkDown", "fo-kec-batu-ampar", "firing")], json.dumps(first, indent=1)
    # Alertmanager 0.25's API does not show time-interval muting: the receiver is where it shows
    stack.impair("fo-kec-sungai-kakap", "fo-kec-batu-ampar", down=False)
    (resolved,) = _new(stack, before + 1, 1)
    assert _alerts(resolved) == [("NetopsLinkDown", "fo-kec-batu-ampar", "resolved")]
    stack.wait_quiet()
    sent = [a["labels"].get("kecamatan") for m in stack.receiver.messages[before:] for a in m["alerts"]]
    assert MAINTENANCE_KECAMATAN not in sent and len(stack.receiver.messages) == before + 2, sent

    # the uptime report over the stack's life: the window, and both availability figures of the muted uplink
    inv = load_inventory(stack.inventory)
    period = f"{int(time.time() - stack.started) + 60}s"
    report = build_report(inv, "uptime", ReportOptions(period=period, prometheus=stack.prom.url,
                                                       interval_s=stack.timing.interval, lang="en"))
    assert report.exit_code == 0, report.alerts
    tables = {t.id: t for t in report.tables()}
    links = {r["link"]: r for r in tables["uptime_links"].rows}
    kakap, batu = links["fo-kec-sungai-kakap"], links["fo-kec-batu-ampar"]
    assert kakap["availability"] < 1 and kakap["availability_sla"] == pytest.approx(1.0), kakap
    assert kakap["maintenance_min"] > 0 and kakap["breach"] is False
    assert batu["availability"] < 1 and batu["availability_sla"] == batu["availability"] and \
        batu["maintenance_min"] == 0, batu
    (window,) = tables["uptime_maintenance"].rows
    assert window["window"] == "kakap-ganti-ont" and window["links"] == 2 and window["down_min"] > 0, window
    md = next(p for p in write_report(report, ["md"], tmp_path) if p.suffix == ".md").read_text()
    assert "Planned maintenance in the period" in md and "Availability as the SLA counts it" in md
    assert "kakap-ganti-ont" in md


def test_an_adhoc_silence_mutes_one_link_until_it_is_ended(stack: LabStack) -> None:
    """'netops maintenance add' (an Alertmanager silence with author and comment), 'list', then 'end'."""
    inv, am = str(stack.inventory), ["--alertmanager", stack.am.url]
    r = netops("-i", inv, "--json", "maintenance", "add", "--link", "vsat-desa-padang-tikar", "--duration", "2h",
               "--author", "budi", "--comment", "ganti LNB (tiket 4711)", *am)
    silence = json.loads(r.stdout)["id"]
    listed = json.loads(netops("-i", inv, "--json", "maintenance", "list", *am).stdout)
    (s,) = listed["silences"]
    assert (s["id"], s["author"], s["comment"]) == (silence, "budi", "ganti LNB (tiket 4711)")
    assert [p["id"] for p in listed["planned"]] == ["kakap-ganti-ont"]
    before = len(stack.receiver.messages)
    stack.impair("vsat-desa-padang-tikar", down=True)
    alerts = stack.am.wait_until(lambda alerts: any(a["labels"].get("link") == "vsat-desa-padang-tikar"
                                                    and a["status"]["silencedBy"] for a in alerts))
    (root,) = [a for a in alerts if a["labels"]["alertname"] == "NetopsLinkDown"]
    assert (root["status"]["state"], root["status"]["silencedBy"]) == ("suppressed", [silence])
    # ending the silence lets the alert through: it was the silence that held it
    netops("-i", inv, "maintenance", "end", silence, *am)
    (first,) = _new(stack, before, 1)
    assert _alerts(first) == [("NetopsLinkDown", "vsat-desa-padang-tikar", "firing")]
    assert len(stack.receiver.messages) == before + 1
    stack.impair("vsat-desa-padang-tikar", down=False)
    _new(stack, before + 1, 1)
    stack.wait_quiet()
