"""Generated Alertmanager config: amtool checks it, the templates render, secrets stay out, bad input is refused.

Telegram's API cannot be reached from here: the generated ``telegram_configs`` are checked by
``amtool check-config`` and by rendering the Telegram template with amtool; delivery itself is
tested with the webhook receiver in test_alerting.py.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from netops.inventory import load_inventory
from netops.monitor.generate import generate
from tests.conftest import ROOT, need_binary

NETOPS = [sys.executable, "-m", "netops"]


def amtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    need_binary("amtool")
    return subprocess.run(["amtool", *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("am") / "monitors"
    generate(load_inventory(ROOT / "inventory"), out)
    return out


def test_amtool_check_config_passes_on_the_generated_config(sample: Path) -> None:
    r = amtool("check-config", str(sample / "alertmanager" / "alertmanager.yml"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "3 inhibit rules" in r.stdout and "4 receivers" in r.stdout and "1 templates" in r.stdout
    cfg = yaml.safe_load((sample / "alertmanager" / "alertmanager.yml").read_text())
    kinds = {r["name"]: next(k for k in r if k.endswith("_configs")) for r in cfg["receivers"]}
    assert kinds == {"noc-email": "email_configs", "noc-telegram": "telegram_configs",
                     "helpdesk-webhook": "webhook_configs", "vsat-provider-desk": "email_configs"}
    assert cfg["global"]["smtp_auth_password_file"] == "/etc/netops/smtp-password"
    # maintenance: a weekly window and a one-off window across midnight, in the regency's time zone
    intervals = {t["name"]: t["time_intervals"] for t in cfg["time_intervals"]}
    assert intervals["maintenance-kec-batu-ampar-power"] == [
        {"weekdays": ["sunday"], "times": [{"start_time": "06:00", "end_time": "10:00"}],
         "location": "Asia/Pontianak"}]
    assert [(s["days_of_month"], s["times"]) for s in intervals["maintenance-icon-plus-backbone-upgrade"]] == [
        (["20"], [{"start_time": "22:00", "end_time": "24:00"}]),
        (["21"], [{"start_time": "00:00", "end_time": "02:00"}])]
    muted = [r for r in cfg["route"]["routes"] if r.get("mute_time_intervals")]
    assert [(r["matchers"], r["mute_time_intervals"]) for r in muted] == [
        (['provider="Icon Plus"'], ["maintenance-icon-plus-backbone-upgrade"]),
        (['kecamatan="Batu Ampar"'], ["maintenance-kec-batu-ampar-power"])]


def test_amtool_routes_alerts_to_the_receivers_the_inventory_names(sample: Path) -> None:
    conf = str(sample / "alertmanager" / "alertmanager.yml")

    def route(*labels: str) -> str:
        r = amtool("config", "routes", "test", f"--config.file={conf}", *labels)
        assert r.returncode == 0, r.stdout + r.stderr
        return r.stdout.strip()

    assert route("severity=critical", "provider=Telkom Mangoesky", "kecamatan=Kubu") == \
        "noc-telegram,helpdesk-webhook,vsat-provider-desk"
    assert route("severity=warning", "kecamatan=Kubu") == "helpdesk-webhook"


@pytest.mark.parametrize("lang,firing,summary,behind", [
    ("id", "GANGGUAN", "Link fo-kec-kubu (fiber, Icon Plus) ke kec-kubu putus",
     "2 desa di belakangnya: Kantor Desa Air Putih"),
    ("en", "FIRING", "Link fo-kec-kubu (fiber, Icon Plus) to kec-kubu is down",
     "2 desa behind it: Kantor Desa Air Putih")])
def test_telegram_and_email_templates_render_with_amtool(sample: Path, tmp_path: Path, lang: str, firing: str,
                                                         summary: str, behind: str) -> None:
    data = {"receiver": "noc-telegram", "status": "firing", "alerts": [{
        "status": "firing",
        "labels": {"alertname": "NetopsLinkDown", "link": "fo-kec-kubu", "site": "kec-kubu", "kecamatan": "Kubu",
                   "medium": "fiber", "provider": "Icon Plus", "root_link": "fo-kec-kubu"},
        "annotations": {"summary": "Link fo-kec-kubu (fiber, Icon Plus) to kec-kubu is down",
                        "circuit_id": "SAMPLE-ICON-KR-0003", "desa_behind_count": "2",
                        "desa_behind": "Kantor Desa Air Putih, Kantor Desa Dabung"},
        "startsAt": "2026-12-01T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z"}],
        "groupLabels": {}, "commonLabels": {"alertname": "NetopsLinkDown", "kecamatan": "Kubu",
                                            "root_link": "fo-kec-kubu"},
        "commonAnnotations": {}, "externalURL": "http://127.0.0.1:9093"}
    (tmp_path / "data.json").write_text(json.dumps(data))
    glob = str(sample / "alertmanager" / "templates" / "netops.tmpl")
    r = amtool("template", "render", f"--template.glob={glob}", f"--template.data={tmp_path / 'data.json'}",
               f'--template.text={{{{ template "netops.{lang}.telegram" . }}}}')
    assert r.returncode == 0, r.stderr
    text = r.stdout
    assert text.startswith(f"<b>{firing}</b> NetopsLinkDown"), text
    for part in (summary, "kec-kubu", "Kubu", "fiber", "Icon Plus", "SAMPLE-ICON-KR-0003", "2026-12-01 10:00",
                 behind):
        assert part in text, (part, text)
    # the resolved message says for how long
    data["status"] = data["alerts"][0]["status"] = "resolved"  # type: ignore[index]
    data["alerts"][0]["endsAt"] = "2026-12-01T10:47:30Z"  # type: ignore[index]
    (tmp_path / "data.json").write_text(json.dumps(data))
    r = amtool("template", "render", f"--template.glob={glob}", f"--template.data={tmp_path / 'data.json'}",
               f'--template.text={{{{ template "netops.{lang}.text" . }}}}')
    assert r.returncode == 0 and "47m30s" in r.stdout and summary in r.stdout, r.stdout + r.stderr
    assert ("PULIH" if lang == "id" else "RESOLVED") in amtool(
        "template", "render", f"--template.glob={glob}", f"--template.data={tmp_path / 'data.json'}",
        f'--template.text={{{{ template "netops.{lang}.subject" . }}}}').stdout


def test_every_generated_alert_has_an_indonesian_summary(sample: Path) -> None:
    """The Indonesian templates name every alert netops generates in Bahasa Indonesia (else they would fall
    back to the rule's English summary)."""
    from netops.monitor.alertmanager import SUMMARY_ID

    rules = yaml.safe_load((sample / "prometheus" / "rules" / "netops-alerts.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert alerts == set(SUMMARY_ID)


def test_secrets_never_land_in_generated_files_unless_asked(tmp_path: Path) -> None:
    inv = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", inv)
    token, smtp = "123456:AAF-telegram-TOKEN-x9", "smtp-PASSWORD-77"
    (tmp_path / "token").write_text(token)
    text = (inv / "alerting.yaml").read_text()
    text = text.replace("file:/etc/netops/telegram-bot-token", f"file:{tmp_path / 'token'}")
    (inv / "alerting.yaml").write_text(text.replace("file:/etc/netops/smtp-password", "env:TEST_SMTP_PASSWORD"))
    env = {"TEST_SMTP_PASSWORD": smtp, "PATH": "/usr/bin:/bin"}
    out = tmp_path / "out"
    r = subprocess.run([*NETOPS, "-i", str(inv), "monitor", "generate", "--out", str(out)], capture_output=True,
                       text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "--resolve-secrets" in r.stderr and token not in r.stderr + r.stdout
    for f in out.rglob("*"):
        if f.is_file():
            assert token not in f.read_text() and smtp not in f.read_text(), f
    assert amtool("check-config", str(out / "alertmanager" / "alertmanager.yml")).returncode == 0

    r = subprocess.run([*NETOPS, "-i", str(inv), "monitor", "generate", "--out", str(out), "--resolve-secrets"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    conf = out / "alertmanager" / "alertmanager.yml"
    assert token in conf.read_text() and stat.S_IMODE(conf.stat().st_mode) == 0o600
    secret = out / "alertmanager" / "secrets" / "smtp-password"
    assert secret.read_text().strip() == smtp and stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert token not in r.stdout + r.stderr and smtp not in r.stdout + r.stderr
    assert amtool("check-config", str(conf), cwd=out / "alertmanager").returncode == 0


BAD = {
    "unknown receiver": ("routes:\n    - {receiver: noc-telegram, severity: critical}",
                         "routes:\n    - {receiver: on-call-pager, severity: critical}",
                         "alerting.routes[0].receiver: receiver 'on-call-pager' is not defined"),
    "window ends before it starts": ("end: 2026-12-21T02:00:00+07:00", "end: 2026-12-19T02:00:00+07:00",
                                     "ends (2026-12-19T02:00:00+07:00) before it starts"),
    "plain telegram token": ("bot_token: file:/etc/netops/telegram-bot-token", "bot_token: 123456:AAF-plainTOKEN",
                             "alerting.receivers.1.telegram.bot_token: secrets are written as references"),
    # a provider outage seen one cycle apart on its links would be two notifications (60 s default interval)
    "group_wait shorter than the poll interval": ("  repeat_interval: 4h", "  repeat_interval: 4h\n  group_wait: 30s",
                                                  "alerting.group_wait 30s is shorter than 1.5 poll intervals (90s"),
    "webhook url not a url": ('url: "http://10.112.0.20:8080/alerts"', 'url: "helpdesk alerts"',
                              "alerting.receivers.2.webhook.url: String should match pattern"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_alerting_input_names_file_and_line_and_generates_nothing(tmp_path: Path, case: str) -> None:
    old, new, message = BAD[case]
    inv = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", inv)
    text = (ROOT / "inventory" / "alerting.yaml").read_text()
    assert old in text
    (inv / "alerting.yaml").write_text(text.replace(old, new))
    line = next(i for i, ln in enumerate(text.replace(old, new).splitlines(), 1) if new.splitlines()[-1] in ln)
    out = tmp_path / "out"
    r = subprocess.run([*NETOPS, "-i", str(inv), "monitor", "generate", "--out", str(out)], capture_output=True,
                       text=True)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"alerting.yaml:{line}" in r.stderr and message in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and "plainTOKEN" not in r.stderr
    assert not out.exists()
