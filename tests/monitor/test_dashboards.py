"""Dashboards that tell the truth: every generated panel's query run against a real Prometheus scraping
'netops monitor serve', healthy and with one desa down; the colours its thresholds give are asserted
from the JSON (Grafana itself cannot run here, so the JSON is what is checked)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import need, need_binary
from tests.monitor.agents import nft_available
from tests.monitor.alertstack import Stack, alerting_stack
from tests.support.grafana import expand_grafana_vars

pytestmark = pytest.mark.slow

# Targets that may be empty here, and why (the stack's routers answer ping only: no SNMP counters).
MAY_BE_EMPTY = {
    ("netops-overview.json", "Alerts firing now (root causes first)", "B"): "no downstream alert with one desa down",
    ("netops-overview.json", "Busiest links", "A"): "no SNMP traffic counters",
    ("netops-link.json", "Traffic (far end; near end while the far end is silent, see legend)", "A"): "no SNMP",
    ("netops-link.json", "Traffic (far end; near end while the far end is silent, see legend)", "B"): "no SNMP",
    ("netops-link.json", "Traffic (far end; near end while the far end is silent, see legend)", "C"):
        "the committed bandwidth is there; kept for symmetry",
    ("netops-link.json", "Utilisation (end in legend)", "A"): "no SNMP",
    ("netops-vsat.json", "Modems answering (share)", "A"): "no modem in this inventory",
    ("netops-poller.json", "Errors by reason", "A"): "no SNMP device, so no SNMP error",
    ("netops-poller.json", "Devices not polled successfully for over 5 minutes", "A"): "healthy: none",
    ("netops-wall.json", "Links down now, with root cause", "B"): "nothing cut off behind a desa",
    # no 'netops config audit' has run for this stack (tests/monitor/test_exporter.py and
    # tests/config/test_audit_on_lab.py serve a real one)
    ("netops-overview.json", "Routers compliant (share)", "A"): "no config audit here",
    ("netops-overview.json", "Compliant by kecamatan (routers compliant / audited)", "A"): "no config audit here",
    ("netops-overview.json", "Rule violations now", "A"): "no config audit here",
}
BROKEN_WITH_ONE_DESA_DOWN = {"Links up (share)", "Links down (root causes)", "Links up", "Faults (root causes)"}


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


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    need_binary("fping")
    need_binary("prometheus")
    need_binary("prometheus-alertmanager")
    need(nft_available(), "needs root and nft to cut simulated sites off")
    with alerting_stack(tmp_path) as st:
        yield st


def _evaluate(stack: Stack, dashboards: dict[str, Any]) -> dict[tuple[str, str, str], list[dict[str, Any]]]:
    out = {}
    for name, dash in dashboards.items():
        for p in dash["panels"]:
            for t in p.get("targets", []):
                out[(name, p["title"], t["refId"])] = stack.prom.query(expand_grafana_vars(t["expr"]))
    return out


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


def test_every_panel_returns_data_and_colours_healthy_green_and_broken_red(stack: Stack, tmp_path: Path) -> None:
    out = tmp_path / "monitors" / "grafana"
    dashboards = {f.name: json.loads(f.read_text()) for f in (out / "dashboards").glob("*.json")}
    assert set(dashboards) >= {"netops-overview.json", "netops-wall.json"}
    assert stack.prom.wait_for("netops_link_rtt_seconds")
    healthy = _evaluate(stack, dashboards)
    for (name, title), values in _colours(dashboards, healthy).items():
        assert values and all(c in ("green", "blue") for _, c in values), (name, title, values)

    stack.cut("desa-a1")  # one desa goes down
    assert stack.prom.wait_for('ALERTS{alertname="NetopsLinkDown",alertstate="firing",link="fo-desa-a1"}')
    results = _evaluate(stack, dashboards)
    for key, res in results.items():
        if key not in MAY_BE_EMPTY:
            assert res, f"{key} returns no data"
        for r in res:
            v = float(r["value"][1])
            # NaN only for SNMP poll-duration quantiles: these routers answer ping only
            assert v == v or key[1] == "Device poll duration (p50 / p90 / p99)", key
    colours = _colours(dashboards, results)
    for (name, title), values in colours.items():
        if title in BROKEN_WITH_ONE_DESA_DOWN:
            assert all(c == "red" for _, c in values), (name, title, values)
        elif title in ("Status by kecamatan (links up / total)", "Kecamatan"):
            assert dict(values)["Kubu"] == "red" and dict(values)["Batu Ampar"] == "green", values
        else:  # the dead desa's own figures turn (sizes stay neutral blue); everything else stays green
            assert all(c in ("green", "blue") for label, c in values if label != "fo-desa-a1"), (name, title, values)
            assert all(c in ("red", "orange", "blue") for label, c in values if label == "fo-desa-a1"), \
                (name, title, values)
    # the tables say which link is the fault
    (down,) = results[("netops-overview.json", "Links down now", "A")]
    assert down["metric"]["link"] == "fo-desa-a1" and down["value"][1] == "0"
    geo = next(p for p in dashboards["netops-overview.json"]["panels"] if p["type"] == "geomap")
    sites = {r["metric"]["site"]: r["value"][1] for r in results[("netops-overview.json", geo["title"], "A")]}
    assert sites["desa-a1"] == "0" and sites["desa-a2"] == "1" and sites["dc"] == "-1"  # dc has no uplink: shown
    assert colour(geo, -1) == "text" and colour(geo, 0) == "red" and colour(geo, 1) == "green"
