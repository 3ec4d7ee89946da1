"""Change detection without devices: what counts as outside netops, who commits, who is told."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
import yaml

from netops.config.backup import BackupRepo, Operator
from netops.config.changes import OutsideChange, commit_body, detect, record, tally
from netops.config.journal import Journal, JournalStep, Record
from netops.config.notify import receivers_for, send
from netops.inventory import load_inventory
from netops.inventory.alerting import Alerting
from tests.support.receivers import HttpRecorder, SmtpRecorder


def _repo(tmp_path: Path) -> BackupRepo:
    repo = BackupRepo(tmp_path / "backups")
    repo.store({"r1": "/ip dns set servers=10.0.0.1\n", "r2": "hostname r2\n"}, "backup: 2 of 2 devices",
               Operator("budi"))
    return repo


def test_a_difference_without_a_journal_record_is_outside(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    now = {"r1": "/ip dns set servers=10.0.0.1\n/snmp community add name=<secret:0a1b2c>\n", "r2": "hostname r2\n"}
    outside, ours = detect(repo, now, {"r1": "mikrotik_routeros", "r2": "cisco_ios"})
    assert [c.device for c in outside] == ["r1"] and ours == []
    assert outside[0].summary == "+1 -0 lines"
    assert outside[0].changed_lines() == ["+/snmp community add name=<secret:0a1b2c>"]
    body = commit_body(outside, ours)
    assert body.startswith("changes outside netops (1): r1") and "<secret:0a1b2c>" in body


def test_a_difference_netops_journalled_since_the_backup_is_its_own(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    later = time.time() + 2  # records a push wrote after the backup (git keeps whole seconds)
    Journal(repo.path).write(Record("run-1", "r1", JournalStep.BEGIN, later, platform="mikrotik_routeros"))
    Journal(repo.path).write(Record("run-1", "r1", JournalStep.PENDING, later, note="lost mid-push"))
    Journal(repo.path).write(Record("run-0", "r2", JournalStep.APPLIED, later - 3600))  # before the backup
    outside, ours = detect(repo, {"r1": "changed\n", "r2": "hostname r2 changed\n"},
                           {"r1": "mikrotik_routeros", "r2": "cisco_ios"})
    assert ours == ["r1"] and [c.device for c in outside] == ["r2"]


def test_first_backup_and_unchanged_devices_are_no_change(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    outside, ours = detect(repo, {"r1": "/ip dns set servers=10.0.0.1\n", "new-r9": "anything\n"},
                           {"r1": "mikrotik_routeros", "new-r9": "cisco_ios"})
    assert outside == [] and ours == []


def test_tally_counts_per_device_and_skips_a_torn_line(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    outside, _ = detect(repo, {"r1": "x\n", "r2": "y\n"}, {"r1": "mikrotik_routeros", "r2": "cisco_ios"})
    record(repo.path, outside)
    record(repo.path, outside[:1])
    with (repo.path / "changes.jsonl").open("a") as f:
        f.write('{"device": "r1", "ti')
    t = tally(repo.path)
    assert (t["r1"].count, t["r2"].count) == (2, 1)
    assert t["r1"].last >= t["r2"].last > 0


def test_operator_is_sudo_user_and_commits_carry_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUDO_USER", "sari")
    op = Operator.current(reason="  TIKET-9\n  ganti NTP ")
    assert op == Operator("sari", "TIKET-9 ganti NTP")
    assert Operator.current("budi <b@x>").name == "budi b@x"
    repo = BackupRepo(tmp_path / "b")
    repo.store({"r1": "a\n"}, "after push: 1 applied", op)
    log = subprocess.run(["git", "-C", str(repo.path), "log", "-1", "--format=%an|%cn%n%B"], capture_output=True,
                         text=True, check=True).stdout
    assert log.startswith("sari|netops\n") and "Operator: sari\nReason: TIKET-9 ganti NTP" in log
    assert [(r.author, r.message) for r in repo.history("r1")] == [("sari", "after push: 1 applied")]


def test_changes_go_where_a_warning_about_the_kecamatan_would() -> None:
    al = Alerting.model_validate({
        "default_receiver": "noc-email",
        "receivers": [{"name": "noc-email", "email": {"to": "noc@example.go.id"}},
                      {"name": "kec-a-desk", "webhook": {"url": "http://127.0.0.1:9/a"}},
                      {"name": "oncall", "telegram": {"bot_token": "env:X", "chat_id": 1}},
                      {"name": "vsat-desk", "email": {"to": "vsat@example.co.id"}}],
        "routes": [{"receiver": "kec-a-desk", "kecamatan": "A"}, {"receiver": "oncall", "severity": "critical"},
                   {"receiver": "vsat-desk", "provider": "Telkom Mangoesky"}, {"receiver": "noc-email"}]})
    assert [r.name for r in receivers_for(al, "A")] == ["noc-email", "kec-a-desk"]
    assert [r.name for r in receivers_for(al, "B")] == ["noc-email"]


@pytest.mark.parametrize("language,subject,body", [
    (None, "konfigurasi kec-a-r1 diubah di luar netops (+1 -0 baris)", "Ditemukan oleh backup pada"),
    ("en", "config of kec-a-r1 changed outside netops (+1 -0 lines)", "Found by the backup at"),
])
def test_change_messages_speak_the_alerting_language(small_inventory: Path, secrets_env: dict[str, str],
                                                     monkeypatch: pytest.MonkeyPatch, language: str | None,
                                                     subject: str, body: str) -> None:
    """E-mail (a loopback SMTP server) and Telegram (a loopback stand-in for the Bot API, which a test cannot
    reach) in Bahasa Indonesia unless the inventory's alerting section says en; the webhook's JSON is the same."""
    web, smtp = HttpRecorder(), SmtpRecorder()
    token = small_inventory / "bot-token"
    token.write_text("123:lang-test-token\n")
    alerting = {"default_receiver": "noc-email",
                "smtp": {"smarthost": f"127.0.0.1:{smtp.port}", "sender": "netops@example.go.id", "require_tls": False},
                "receivers": [{"name": "noc-email", "email": {"to": "noc@example.go.id"}},
                              {"name": "noc-telegram", "telegram": {"bot_token": f"file:{token}", "chat_id": 7}},
                              {"name": "hook", "webhook": {"url": f"{web.url}/hook"}}],
                "routes": [{"receiver": "noc-telegram"}, {"receiver": "hook"}]}
    if language:
        alerting["language"] = language
    (small_inventory / "alerting.yaml").write_text(yaml.safe_dump({"alerting": alerting}))
    monkeypatch.setenv("NETOPS_TELEGRAM_API", f"{web.url}/telegram")
    try:
        change = OutsideChange("kec-a-r1", "mikrotik_routeros", 1_700_000_000.0, "+/ip service set telnet disabled=no",
                               1, 0, commit="abc1234", cause="config changed by budi")
        assert send(load_inventory(small_inventory), [change]) == []
    finally:
        web.close()
        smtp.close()
    (mail,) = smtp.mails
    assert subject in mail.data and body in mail.data and "kecamatan A" in mail.data, mail.data
    (tg,) = web.at("/telegram")
    assert tg.json()["text"].startswith(f"[netops] {subject}") and body in tg.json()["text"]
    (hook,) = web.at("/hook")
    assert hook.json()["kind"] == "config_change_outside_netops" and hook.json()["summary"] == "+1 -0 lines"
