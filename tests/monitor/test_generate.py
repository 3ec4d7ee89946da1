"""Generated Prometheus/Grafana config: promtool checks it, unit-tests the alerts, every panel query parses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from netops.cli.monitor import config_state_families
from netops.inventory import load_inventory
from netops.monitor.alertmanager import duration_s
from netops.monitor.collector import netops_families
from netops.monitor.generate import MARK, STATE_GROUP, WINDOWS_GROUP, Thresholds, alert_rules, generate
from netops.monitor.snapshot import Snapshot
from tests.conftest import ROOT, need_binary
from tests.support.grafana import expand_grafana_vars, panel_queries

PROMTOOL_TESTS = Path(__file__).resolve().parent / "promtool"


def promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    need_binary("promtool")
    return subprocess.run(["promtool", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "monitors"
    generate(load_inventory(ROOT / "inventory"), out)
    return out


def test_committed_output_is_what_generate_writes_for_the_sample_inventory(generated: Path) -> None:
    for f in sorted(p for p in generated.rglob("*") if p.is_file()):
        rel = f.relative_to(generated)
        committed = ROOT / "monitors" / rel
        assert committed.is_file(), f"monitors/{rel} missing: run 'netops monitor generate --out monitors'"
        assert committed.read_text() == f.read_text(), f"monitors/{rel} is stale: re-run netops monitor generate"


def test_every_file_is_marked_generated(generated: Path) -> None:
    for f in generated.rglob("*"):
        if f.suffix in (".yml", ".yaml"):
            assert f.read_text().startswith(f"# {MARK}")
        elif f.suffix == ".json":
            assert json.loads(f.read_text())["description"] == MARK


def test_promtool_check_config_and_rules(generated: Path) -> None:
    r = promtool("check", "config", str(generated / "prometheus" / "prometheus.yml"))
    assert r.returncode == 0, r.stdout + r.stderr
    r = promtool("check", "rules", str(generated / "prometheus" / "rules" / "netops-alerts.yml"))
    assert r.returncode == 0 and "SUCCESS: 23 rules found" in r.stdout, r.stdout + r.stderr
    r = promtool("check", "rules", str(generated / "prometheus" / "rules" / "netops-topology.yml"))
    assert r.returncode == 0, r.stdout + r.stderr
    cfg = yaml.safe_load((generated / "prometheus" / "prometheus.yml").read_text())
    job, services = cfg["scrape_configs"]
    assert job["scrape_interval"] == "1m" and job["scrape_timeout"] == "10s"
    assert services["job_name"] == "netops-services" and len(services["static_configs"]) == 6
    assert cfg["rule_files"] == ["rules/netops-alerts.yml", "rules/netops-topology.yml"]
    assert cfg["alerting"] == {"alertmanagers": [{"static_configs": [{"targets": ["127.0.0.1:9093"]}]}]}


PAGING_STATES = {"NetopsLinkDown", "NetopsLinkUnreachableUpstream", "NetopsDeviceDown",
                 "NetopsDeviceUnreachableUpstream", "NetopsProviderOutage", "NetopsServiceDown", "NetopsPollerStale"}


@pytest.mark.parametrize(("interval", "state", "windows"),
                         [(60, "5s", "15s"), (2, "500ms", "500ms"), (45, "5s", "11250ms"), (1, "250ms", "250ms")])
def test_states_that_page_are_evaluated_every_few_seconds_windows_every_quarter_interval(
        interval: int, state: str, windows: str) -> None:
    """A cut waits for its first evaluation less than the state group's step (5 s at the defaults), not a
    quarter interval; the state group holds instant expressions only, the windows stay at a quarter interval."""
    groups = {g["name"]: g for g in alert_rules(Thresholds(interval_s=interval))["groups"]}
    assert [groups[STATE_GROUP]["interval"], groups[WINDOWS_GROUP]["interval"]] == [state, windows]
    step = duration_s(state)
    assert interval / step == pytest.approx(round(interval / step), abs=0.01)  # the same phases every scrape
    rules = groups[STATE_GROUP]["rules"]
    assert {r["alert"] for r in rules if "alert" in r} == PAGING_STATES
    assert not any(re.search(r"\[\w+\]", r["expr"]) for r in rules)  # no range selector
    assert all((duration_s(r["for"]) / step).is_integer() for r in rules if "for" in r)
    assert not PAGING_STATES & {r["alert"] for r in groups[WINDOWS_GROUP]["rules"]}


def test_topology_rules_name_each_kecamatan_uplink_and_the_desa_behind_it(generated: Path) -> None:
    inv = load_inventory(ROOT / "inventory")
    rules = yaml.safe_load((generated / "prometheus" / "rules" / "netops-topology.yml").read_text())
    info = {r["labels"]["link"]: r for r in rules["groups"][0]["rules"] if r["record"] == "netops:link:info"}
    kec = info["fo-kec-sungai-raya"]
    behind = [s.name for s in inv.sites.values() if s.tier.value == "desa" and any(
        lk.b.site == s.id and lk.a.site == "kec-sungai-raya" and lk.status.value in ("active", "down")
        for lk in inv.links.values())]
    assert len(behind) > 10
    assert kec["expr"] == f"vector({len(behind)})" and sorted(kec["labels"]["desa_behind"].split(", ")) == sorted(behind)
    assert kec["labels"]["circuit_id"] == inv.links["fo-kec-sungai-raya"].circuit_id
    paths = {(r["labels"]["link"], r["labels"]["upstream"]) for r in rules["groups"][0]["rules"]
             if r["record"] == "netops:link_path:info"}
    for lk in inv.links.values():
        if lk.a.site == "kec-sungai-raya" and lk.status.value == "active":
            assert (lk.id, "fo-kec-sungai-raya") in paths
        if lk.medium.value == "vsat":  # VSAT starts at the data center: nothing above it but the provider
            assert not any(link == lk.id for link, _ in paths)


def test_scrape_timeout_grows_with_the_shard_and_stays_within_the_interval() -> None:
    from netops.monitor.generate import Thresholds, scrape_timeout_s

    th = Thresholds(interval_s=60)
    assert scrape_timeout_s(219, th) == 10                       # the sample regency: the floor
    big = scrape_timeout_s(20_000, th)
    assert 10 < big <= 60 and big > scrape_timeout_s(12_000, th)  # a bigger shard needs longer
    assert scrape_timeout_s(10**6, th) == 60                     # never past the interval (Prometheus refuses)


def test_sharded_and_hashmod_configs_are_valid(tmp_path: Path) -> None:
    inv = load_inventory(ROOT / "tests" / "fixtures" / "inventory" / "small")
    generate(inv, tmp_path, shards=3, exporters=["10.0.0.1:9750", "10.0.0.2:9750", "10.0.0.3:9750"], hashmod=2)
    for m in range(2):
        f = tmp_path / "prometheus" / f"prometheus-{m}.yml"
        r = promtool("check", "config", str(f))
        assert r.returncode == 0, r.stdout + r.stderr
        job = yaml.safe_load(f.read_text())["scrape_configs"][0]
        assert [c["labels"]["shard"] for c in job["static_configs"]] == ["0/3", "1/3", "2/3"]
        assert job["relabel_configs"][0]["action"] == "hashmod" and job["relabel_configs"][1]["regex"] == str(m)


def test_promtool_unit_tests_for_the_alert_rules(generated: Path, tmp_path: Path) -> None:
    shutil.copy(generated / "prometheus" / "rules" / "netops-alerts.yml", tmp_path / "netops-alerts.yml")
    shutil.copy(PROMTOOL_TESTS / "alerts_test.yml", tmp_path / "alerts_test.yml")
    r = promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
    assert r.returncode == 0 and "SUCCESS" in r.stdout, r.stdout + r.stderr


def test_alert_unit_tests_can_fail(generated: Path, tmp_path: Path) -> None:
    """A stricter threshold in the rules must break the unit tests: they check something."""
    rules = (generated / "prometheus" / "rules" / "netops-alerts.yml").read_text()
    (tmp_path / "netops-alerts.yml").write_text(rules.replace("netops_link_utilisation_ratio > 0.8",
                                                              "netops_link_utilisation_ratio > 0.4"))
    shutil.copy(PROMTOOL_TESTS / "alerts_test.yml", tmp_path / "alerts_test.yml")
    r = promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)
    assert r.returncode != 0 and "NetopsLinkUtilisationHigh" in r.stdout + r.stderr


def _known_series() -> set[str]:
    names = {"up", "time", "vector"}
    for fam in [*netops_families(Snapshot()), *(f for c in config_state_families(Path("/nonexistent")) for f in c.collect())]:
        base = fam.name
        names |= {base, f"{base}_total", f"{base}_bucket", f"{base}_sum", f"{base}_count"}
    return names


def test_every_dashboard_panel_query_parses_and_names_real_series(generated: Path, tmp_path: Path) -> None:
    dashboards = {f.name: json.loads(f.read_text()) for f in (generated / "grafana" / "dashboards").glob("*.json")}
    assert set(dashboards) == {"netops-overview.json", "netops-link.json", "netops-vsat.json", "netops-poller.json",
                               "netops-wall.json"}
    assert len({d["uid"] for d in dashboards.values()}) == 5
    rules, known = [], _known_series()
    for name, dash in dashboards.items():
        for panel in dash["panels"]:
            g = panel["gridPos"]
            assert g["x"] + g["w"] <= 24, (name, panel["title"])
        for title, expr in panel_queries(dash):
            rules.append({"record": f"netops:panel_{len(rules)}", "expr": expand_grafana_vars(expr)})
            for metric in re.findall(r"\b(netops_\w+|up)\b(?=\s*[{\[)]|\s*$|\s*[=<>!])", expr):
                assert metric in known, f"{name}: {title}: unknown series {metric}"
    f = tmp_path / "panels.rules.yml"
    f.write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))
    r = promtool("check", "rules", str(f))
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"SUCCESS: {len(rules)} rules found" in r.stdout
    # the parse check itself catches a broken query
    f.write_text(yaml.safe_dump({"groups": [{"name": "p", "rules": [{"record": "x", "expr": "sum by (a (b)"}]}]}))
    assert promtool("check", "rules", str(f)).returncode != 0


def test_overview_has_a_geomap_from_site_coordinates(generated: Path) -> None:
    dash = json.loads((generated / "grafana" / "dashboards" / "netops-overview.json").read_text())
    (geo,) = [p for p in dash["panels"] if p["type"] == "geomap"]
    assert "netops_site_info" in geo["targets"][0]["expr"]
    (markers,) = [layer for layer in geo["options"]["layers"] if layer["type"] == "markers"]
    loc = markers["location"]
    assert loc == {"mode": "coords", "latitude": "lat", "longitude": "lon"}
    assert dash["title"].startswith("Kabupaten Kubu Raya")
    prov = yaml.safe_load((generated / "grafana" / "provisioning" / "datasources" / "netops.yml").read_text())
    assert prov["datasources"][0]["uid"] == geo["datasource"]["uid"]
    assert prov["datasources"][0]["jsonData"]["timeInterval"] == "60s"  # follows --interval


def test_blackbox_exporter_accepts_the_generated_modules(generated: Path) -> None:
    bb = need_binary("prometheus-blackbox-exporter")
    r = subprocess.run([bb, f"--config.file={generated / 'blackbox' / 'blackbox.yml'}", "--config.check"],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "Config file is ok" in r.stdout + r.stderr, r.stdout + r.stderr
    mods = yaml.safe_load((generated / "blackbox" / "blackbox.yml").read_text())["modules"]
    assert mods["netops_portal"]["http"]["fail_if_body_not_matches_regexp"] == ["Kubu Raya"]
    assert mods["netops_dns_primary"]["dns"]["query_name"] == "kuburayakab.go.id"


def test_map_needs_no_internet_and_the_provisioning_matches_the_options(tmp_path: Path) -> None:
    inv = load_inventory(ROOT / "inventory")
    generate(inv, tmp_path, th=Thresholds(interval_s=30), grafana_dashboards_path="/srv/grafana/netops")
    dash = json.loads((tmp_path / "grafana" / "dashboards" / "netops-overview.json").read_text())
    (geo,) = [p for p in dash["panels"] if p["type"] == "geomap"]
    layers = geo["options"]["layers"]
    assert layers[0]["type"] == "geojson" and layers[0]["config"]["src"] == "public/maps/netops-boundaries.geojson"
    shipped = json.loads((tmp_path / "grafana" / "public" / "maps" / "netops-boundaries.geojson").read_text())
    names = {f["properties"]["nama"] for f in shipped["features"]}
    assert "Kabupaten Kubu Raya" in names and {s.kecamatan for s in inv.sites.values() if s.kecamatan} & names
    assert geo["options"]["basemap"]["type"] == "default"  # = grafana.ini's [geomap] default, generated offline
    ini = (tmp_path / "grafana" / "geomap.ini").read_text()
    assert "[geomap]" in ini and '"url": ""' in ini and "enable_custom_baselayers = false" in ini
    prov = yaml.safe_load((tmp_path / "grafana" / "provisioning" / "dashboards" / "netops.yml").read_text())
    assert prov["providers"][0]["options"]["path"] == "/srv/grafana/netops"
    ds = yaml.safe_load((tmp_path / "grafana" / "provisioning" / "datasources" / "netops.yml").read_text())
    assert ds["datasources"][0]["jsonData"]["timeInterval"] == "30s"
    # status timelines start on one kecamatan / one link, not every row at once
    vsat = json.loads((tmp_path / "grafana" / "dashboards" / "netops-vsat.json").read_text())
    assert vsat["templating"]["list"][0]["includeAll"] is False
    # traffic that falls back to the near end says so in its legend
    link = json.loads((tmp_path / "grafana" / "dashboards" / "netops-link.json").read_text())
    traffic = next(p for p in link["panels"] if p["title"].startswith("Traffic"))
    assert "near end" in traffic["title"] and "{{end}} end" in traffic["targets"][0]["legendFormat"]
    # an alert list, and a wall dashboard for the video wall
    assert any("ALERTS{" in t["expr"] for p in dash["panels"] for t in p.get("targets", []))
    assert any(p["type"] == "alertlist" for p in dash["panels"])
    wall = json.loads((tmp_path / "grafana" / "dashboards" / "netops-wall.json").read_text())
    assert {p["type"] for p in wall["panels"]} >= {"geomap", "stat", "table", "bargauge"}
    assert all(p["options"]["text"]["valueSize"] >= 48 for p in wall["panels"] if p["type"] == "stat")


# overview panels that do not follow the kecamatan filter, and why
REGENCY_WIDE = {
    "Alerts firing now (root causes first)": "every alert, root causes first (Alertmanager routes by kecamatan)",
    "Services up": "e-government services are the data center's", "TLS certificate expires in": "services",
    "Response time": "services",
}


def test_the_overview_kecamatan_filter_applies_to_every_panel_with_kecamatan_series(generated: Path) -> None:
    """A panel that ignores the filter shows the regency's figure under a kecamatan's name (the critical rule
    violations once did: their series had no kecamatan label)."""
    dash = json.loads((generated / "grafana" / "dashboards" / "netops-overview.json").read_text())
    unfiltered = {p["title"] for p in dash["panels"] for t in p.get("targets", []) if "$kecamatan" not in t["expr"]}
    assert unfiltered == set(REGENCY_WIDE)
    # the series carry the label (tests/monitor/test_exporter.py serves them from a real audit file)
    exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", [])]
    assert any('netops_config_rule_violations{severity="critical",kecamatan=~"$kecamatan"}' in e for e in exprs)


def test_backups_older_than_2_days_follow_the_kecamatan_filter(generated: Path, tmp_path: Path) -> None:
    """The backup age has only a device label: the panel takes each device's kecamatan from its poll series.
    promtool evaluates the generated expression for one kecamatan, for all, and for one with no router."""
    dash = json.loads((generated / "grafana" / "dashboards" / "netops-overview.json").read_text())
    (expr,) = [t["expr"] for p in dash["panels"] if p["title"] == "Backups older than 2 days" for t in p["targets"]]
    series = [('netops_config_backup_age_seconds{device="a"}', "300000"),  # 3.5 days: old
              ('netops_config_backup_age_seconds{device="b"}', "300000"),
              ('netops_config_backup_age_seconds{device="c"}', "100"),
              ('netops_device_up{device="a",kecamatan="Kubu"}', "1"),
              ('netops_device_up{device="b",kecamatan="Batu Ampar"}', "0"),
              ('netops_device_up{device="c",kecamatan="Kubu"}', "1")]
    cases = {"Kubu": 1, ".*": 2, "Rasau Jaya": 0}
    (tmp_path / "panel_test.yml").write_text(yaml.safe_dump({
        "rule_files": [], "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": [{"series": s, "values": v} for s, v in series],
                   "promql_expr_test": [{"expr": expr.replace("$kecamatan", k), "eval_time": "0m",
                                         "exp_samples": [{"labels": "{}", "value": n}]} for k, n in cases.items()]}],
    }))
    r = promtool("test", "rules", "panel_test.yml", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
