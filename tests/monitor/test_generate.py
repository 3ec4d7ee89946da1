"""Generated Prometheus/Grafana config: promtool checks it, unit-tests the alerts, every panel query parses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from netops.inventory import load_inventory
from netops.monitor.collector import netops_families
from netops.monitor.generate import MARK, expand_grafana_vars, generate, panel_queries
from netops.monitor.snapshot import Snapshot
from tests.conftest import ROOT, need_binary

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
    assert r.returncode == 0 and "SUCCESS: 9 rules found" in r.stdout, r.stdout + r.stderr
    cfg = yaml.safe_load((generated / "prometheus" / "prometheus.yml").read_text())
    (job,) = cfg["scrape_configs"]
    assert job["scrape_interval"] == "1m" and job["scrape_timeout"] == "10s"


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
    for fam in netops_families(Snapshot()):
        base = fam.name
        names |= {base, f"{base}_total", f"{base}_bucket", f"{base}_sum", f"{base}_count"}
    return names


def test_every_dashboard_panel_query_parses_and_names_real_series(generated: Path, tmp_path: Path) -> None:
    dashboards = {f.name: json.loads(f.read_text()) for f in (generated / "grafana" / "dashboards").glob("*.json")}
    assert set(dashboards) == {"netops-overview.json", "netops-link.json", "netops-vsat.json", "netops-poller.json"}
    assert len({d["uid"] for d in dashboards.values()}) == 4
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
    loc = geo["options"]["layers"][0]["location"]
    assert loc == {"mode": "coords", "latitude": "lat", "longitude": "lon"}
    assert dash["title"].startswith("Kabupaten Kubu Raya")
    prov = yaml.safe_load((generated / "grafana" / "provisioning" / "datasources" / "netops.yml").read_text())
    assert prov["datasources"][0]["uid"] == geo["datasource"]["uid"]
