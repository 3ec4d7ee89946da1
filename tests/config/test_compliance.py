"""Security rules (compliance/*.yaml): validated like the inventory, right on real configs, and the
templates satisfy them (so a pushed router audits clean)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from netops.config.audit import AuditReport, ComplianceFinding, DeviceAudit, DeviceState
from netops.config.compliance import RulesError, check, load_rules
from netops.config.mask import clean
from netops.config.render import render_all
from netops.inventory import load_inventory
from netops.platforms import PLATFORMS, get_platform
from tests.conftest import ROOT, SMALL_INVENTORY

RULES = ROOT / "compliance"
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="module")
def rules():  # type: ignore[no-untyped-def]
    return load_rules(RULES)


def test_every_managed_platform_has_rules(rules) -> None:  # type: ignore[no-untyped-def]
    managed = {p.name for p in PLATFORMS.values() if p.templates}
    assert {r.platform for r in rules} == managed
    assert all(r.why and r.severity for r in rules)


def test_the_rendered_baseline_breaks_no_rule(rules, secrets_env) -> None:  # type: ignore[no-untyped-def]
    """What 'config push' puts on a router passes every rule of its platform."""
    inv = load_inventory(SMALL_INVENTORY)
    rendered = render_all(inv, inv.devices)
    assert {r.platform.name for r in rendered.values()} == {"cisco_ios", "huawei_vrp", "mikrotik_routeros", "frr"}
    for name, r in rendered.items():
        assert check(r.platform, r.masked, rules) == [], name


# (corpus file, rules it must break, rules it must not break), read from the files themselves
CORPUS = [
    ("cisco_ios/corpus/iosxe17-core-c9300.txt", {"ios-no-http-server", "ios-remote-syslog"},
     {"ios-vty-ssh-only", "ios-ntp", "ios-ssh-v2"}),
    ("cisco_ios/corpus/ios15-access-2960.txt", {"ios-no-admin-without-secret", "ios-vty-mgmt-acl"},
     {"ios-vty-ssh-only"}),
    ("cisco_ios/corpus/ios15-kec-isr.txt", set(), {"ios-no-admin-without-secret", "ios-vty-mgmt-acl"}),
    ("cisco_ios/corpus/iosxe17-edge-isr4331.txt", {"ios-snmp-v3-only", "ios-ntp"}, {"ios-no-http-server"}),
    ("huawei_vrp/corpus/vrp5-ar2220.txt", {"vrp-no-default-admin", "vrp-snmp-v3-only", "vrp-vty-mgmt-acl"},
     {"vrp-vty-ssh-only", "vrp-no-telnet-server"}),
    ("frr/corpus/frr8-kec-bgp.txt", {"frr-no-vty-password"}, {"frr-remote-syslog", "frr-vty-mgmt-acl"}),
    ("mikrotik_routeros/corpus/ros6-kec-ccr.rsc", {"ros-telnet-disabled", "ros-snmp-v3-only", "ros-remote-syslog"},
     set()),
    ("mikrotik_routeros/corpus/ros6-desa-hap.rsc", {"ros-telnet-disabled", "ros-www-disabled"},
     {"ros-remote-syslog", "ros-snmp-v3-only"}),
]


@pytest.mark.parametrize(("name", "broken", "kept"), CORPUS, ids=[c[0].split("/")[-1] for c in CORPUS])
def test_rules_on_real_configs_and_findings_are_masked(rules, name: str, broken: set[str],  # type: ignore[no-untyped-def]
                                                       kept: set[str]) -> None:
    path = FIXTURES / name
    platform = get_platform(name.split("/")[0])
    found = check(platform, clean(platform, path.read_text()), rules)
    ids = {v.rule.id for v in found}
    assert broken <= ids and not (kept & ids), ids
    secrets = yaml.safe_load(path.with_suffix(".secrets.yaml").read_text())
    values = [str(v) for v in secrets["secrets"]]
    shown = "\n".join(line for v in found for line in v.lines)
    for value in values:
        if len(value) >= 6:
            assert value not in shown


BAD = {
    "unknown-key": ("platform: cisco_ios\nrules:\n  - id: a\n    severity: high\n    why: w\n"
                    "    must: {line: ntp server 1.1.1.1}\n    musst: {line: x}\n", "bad.yaml:7: unknown key 'musst'"),
    "bad-regex": ("platform: frr\nrules:\n  - id: a\n    severity: low\n    why: w\n"
                  "    must_not: {regex: '^password ('}\n", "bad.yaml:6: bad regex '^password ('"),
    "unknown-platform": ("platform: junos\nrules: []\n", "bad.yaml:1: unknown platform 'junos'"),
    "unknown-file-key": ("platform: frr\nrule: []\n", "bad.yaml:2: unknown key 'rule'"),
    "bad-severity": ("platform: frr\nrules:\n  - id: a\n    severity: urgent\n    why: w\n"
                     "    must: {line: x}\n", "bad.yaml:4: severity 'urgent'"),
    "both-must": ("platform: frr\nrules:\n  - id: a\n    severity: low\n    why: w\n"
                  "    must: {line: x}\n    must_not: {line: y}\n", "bad.yaml:3: a rule has exactly one"),
    "yaml-syntax": ("platform: frr\nrules:\n  - id: [a\n", "bad.yaml:"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_rules_files_name_file_and_line(tmp_path: Path, case: str) -> None:
    text, expected = BAD[case]
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(RulesError) as err:
        load_rules(tmp_path)
    assert expected in str(err.value), str(err.value)


def test_cli_refuses_bad_rules_with_exit_2_before_reading_any_device(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ok.yaml").write_text((RULES / "frr.yaml").read_text())
    (rules / "bad.yaml").write_text(BAD["bad-regex"][0].replace("platform: frr", "platform: cisco_ios"))
    repo = tmp_path / "backups"
    done = subprocess.run([sys.executable, "-m", "netops", "-i", str(SMALL_INVENTORY), "config", "audit",
                           "--rules", str(rules), "--repo", str(repo)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "bad.yaml:6: bad regex" in done.stderr and "Traceback" not in done.stderr
    assert not repo.exists()  # nothing audited, nothing written


def test_report_percentages_per_kecamatan_and_platform(tmp_path: Path, secrets_env) -> None:  # type: ignore[no-untyped-def]
    from netops.report import write_report
    from netops.report.compliance import compliance_report

    inv = load_inventory(SMALL_INVENTORY)
    f = ComplianceFinding("desa-a1-r1", "ros-telnet-disabled", "critical", "missing", ["/ip service set telnet"], "why")
    audit = AuditReport(0.0, [
        DeviceAudit("kec-a-r1", "mikrotik_routeros", "kec-a", "A", DeviceState.COMPLIANT),
        DeviceAudit("desa-a1-r1", "mikrotik_routeros", "desa-a1", "A", DeviceState.NONCOMPLIANT, 0, [f]),
        DeviceAudit("desa-a2-r1", "mikrotik_routeros", "desa-a2", "A", DeviceState.UNREACHABLE, error="timeout"),
        DeviceAudit("kec-b-r1", "frr", "kec-b", "B", DeviceState.COMPLIANT),
    ])
    report = compliance_report(inv, audit, "en")
    kec = {r["name"]: round(r["pct"], 1) for r in report.table("kecamatan").rows}
    plat = {r["name"]: round(r["pct"], 1) for r in report.table("platform").rows}
    assert kec == {"A": 33.3, "B": 100.0} and plat == {"frr": 100.0, "mikrotik_routeros": 33.3}
    assert report.table("kecamatan").total["pct"] == 50.0
    files = write_report(compliance_report(inv, audit, "id"), ["html", "csv"], tmp_path)
    html = (tmp_path / "compliance.html").read_text()
    assert "Kepatuhan per kecamatan" in html and "/ip service set telnet" in html and len(files) >= 5


def test_an_audit_before_any_backup_leaves_a_repository_a_backup_accepts(tmp_path: Path) -> None:
    from netops.config.audit import FILENAME, read_state, write_state
    from netops.config.backup import BackupRepo

    repo = tmp_path / "backups"
    write_state(AuditReport(1.0, []), repo)
    assert read_state(repo) == {"time": 1.0, "clean": True, "devices": [], "summary": read_state(repo)["summary"]}
    commit, changed = BackupRepo(repo).store({"kec-a-r1": "/system identity set name=kec-a-r1\n"}, "backup")
    assert commit and changed == ["kec-a-r1"] and (repo / FILENAME).is_file()
