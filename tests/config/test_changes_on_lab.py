"""Changes outside netops and syslog-triggered backups, on the lab over real SSH.

One lab of the small inventory's simulated routers (base 127.151.0.0, no FRR) whose
routers send their config-change syslog lines to a listener the module starts; the
alerting receivers are real loopback servers: an HTTP server (webhook, and a stand-in for
the Telegram Bot API, which a test cannot reach) and a minimal SMTP server
(tests/support/receivers.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from netmiko import ConnectHandler

from netops.cli.monitor import config_state_families
from netops.config import jobs
from netops.config.backup import BackupRepo, Operator
from netops.config.render import TemplateSet
from netops.inventory import load_inventory
from netops.monitor.syslog import ConfigChangeLog, SyslogListener
from netops.platforms import get_platform
from tests.conftest import ROOT, SMALL_INVENTORY, need, need_binary
from tests.support.receivers import HttpRecorder, SmtpRecorder

BASE = "127.151.0.0"
HAND_SECRET = "HandTyped-C0mmunity-77"
BOT_TOKEN = "123456:TEST-bot-token-Zq9"
pytestmark = pytest.mark.slow


class Env:
    """The module's lab, receivers and syslog listener."""

    def __init__(self, lab, web: HttpRecorder, smtp: SmtpRecorder, listener: SyslogListener,  # type: ignore[no-untyped-def]
                 syslog_repo: BackupRepo, armed: threading.Event, tmp: Path):
        self.lab, self.web, self.smtp, self.listener = lab, web, smtp, listener
        self.syslog_repo, self.armed, self.tmp = syslog_repo, armed, tmp

    @property
    def inv(self):  # type: ignore[no-untyped-def]
        return load_inventory(self.lab.inventory_path)

    def secrets(self) -> list[str]:
        return [v for v in self.lab.secrets.values() if v] + [HAND_SECRET, BOT_TOKEN]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    need(os.geteuid() == 0, "the lab needs root")
    need_binary("git")
    from netops.lab import Lab

    tmp = tmp_path_factory.mktemp("changes")
    web, smtp = HttpRecorder(), SmtpRecorder()
    armed = threading.Event()  # the listener backs up only inside the syslog test
    syslog_repo = BackupRepo(tmp / "syslog-backups")
    inventories: list = []

    def inventory():  # type: ignore[no-untyped-def]
        if not inventories:
            inventories.append(load_inventory(tmp / "lab" / "inventory"))
        return inventories[0]

    def backup(event: ConfigChangeLog) -> None:
        if armed.is_set():
            jobs.backup(inventory(), [event.device], syslog_repo, workers=1, cause=event.cause)

    listener = SyslogListener(("127.0.0.1", 0), inventory, backup, debounce=1.0).start()
    lab = Lab(SMALL_INVENTORY, tmp / "lab", where=["platform!=frr", "platform!=vsat_modem"], base=BASE,
              vsat_delay_ms=0, vsat_loss_pct=0.0, syslog=f"127.0.0.1:{listener.address[1]}", owner_pid=os.getpid())
    (tmp / "bot-token").write_text(BOT_TOKEN + "\n")
    try:
        lab.up()
        with (lab.inventory_path / "alerting.yaml").open("w") as f:
            yaml.safe_dump({"alerting": {
                "default_receiver": "helpdesk-webhook",
                "smtp": {"smarthost": f"127.0.0.1:{smtp.port}", "sender": "netops@example.go.id",
                         "require_tls": False},
                "receivers": [{"name": "helpdesk-webhook", "webhook": {"url": f"{web.url}/hook"}},
                              {"name": "noc-email", "email": {"to": "noc@example.go.id"}},
                              {"name": "noc-telegram", "telegram": {"bot_token": f"file:{tmp / 'bot-token'}",
                                                                    "chat_id": -100123}}],
                "routes": [{"receiver": "noc-email"}, {"receiver": "noc-telegram", "kecamatan": "A"}]}}, f)
        os.environ["NETOPS_TELEGRAM_API"] = f"{web.url}/telegram"
        yield Env(lab, web, smtp, listener, syslog_repo, armed, tmp)
    finally:
        os.environ.pop("NETOPS_TELEGRAM_API", None)
        listener.stop()
        lab.down()
        web.close()
        smtp.close()


def _hand(env: Env, device: str, lines: list[str]) -> None:
    """A change typed by hand over the device's SSH, not through netops."""
    inv = env.inv
    dev = inv.devices[device]
    cred = inv.credentials_for(dev)
    assert cred is not None
    with ConnectHandler(device_type=get_platform(dev.platform).netmiko, host=str(dev.mgmt), port=dev.port,
                        username=cred.username, password=cred.password.resolve(), timeout=20) as c:
        out = c.send_config_set(lines)
    assert "error" not in out.lower() and "invalid" not in out.lower(), out


def _netops(env: Env, *args: str) -> subprocess.CompletedProcess[str]:
    e = dict(os.environ, NETOPS_INVENTORY=str(env.lab.inventory_path))
    return subprocess.run([sys.executable, "-m", "netops", *args], capture_output=True, text=True, env=e,
                          cwd=ROOT, timeout=120)


def _leaks(env: Env, text: str) -> list[str]:
    return [s for s in env.secrets() if s in text]


def test_a_hand_change_is_one_masked_notification_per_receiver(env: Env) -> None:
    repo = env.tmp / "backups"
    first = _netops(env, "config", "backup", "--where", "name=kec-a-r1", "--repo", str(repo))
    assert first.returncode == 0, first.stdout + first.stderr
    env.web.clear()
    router_pw = env.inv.credentials["routers"].password.resolve()
    _hand(env, "kec-a-r1", [f"/snmp community add name={HAND_SECRET} addresses=10.0.0.0/8",
                            f'/interface wireguard add name=wg-hand listen-port=13231 private-key="{router_pw}"',
                            "/ip firewall address-list add list=hand-made address=10.77.0.0/16"])
    out = _netops(env, "config", "backup", "--where", "name=kec-a-r1", "--repo", str(repo),
                  "--author", "budi", "--reason", "TIKET-42 nightly")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "changed outside netops: kec-a-r1" in out.stdout
    assert not _leaks(env, out.stdout + out.stderr)

    hooks = env.web.wait_for("/hook", 1, timeout=30)
    assert len(hooks) == 1, [h.body for h in hooks]
    body = hooks[0].json()
    assert body["device"] == "kec-a-r1" and body["kind"] == "config_change_outside_netops"
    assert "list=hand-made" in body["diff"] and "<secret:" in body["diff"]
    assert not _leaks(env, hooks[0].body)
    assert len(env.smtp.mails) == 1 and "kec-a-r1" in env.smtp.mails[0].data
    assert not _leaks(env, env.smtp.mails[0].data)
    telegram = env.web.at("/telegram")
    assert len(telegram) == 1 and telegram[0].path == f"/telegram/bot{BOT_TOKEN}/sendMessage"
    assert "kec-a-r1" in telegram[0].json()["text"] and not _leaks(env, telegram[0].body)

    log = subprocess.run(["git", "-C", str(repo), "log", "-1", "--format=%an%n%B"], capture_output=True,
                         text=True, check=True).stdout
    assert log.startswith("budi\n")
    assert "changes outside netops (1): kec-a-r1" in log and "Reason: TIKET-42 nightly" in log
    assert "list=hand-made" in log and not _leaks(env, log)
    metrics = b"".join(f.exposition() for f in config_state_families(repo)).decode()
    assert 'netops_config_changes_outside_total{device="kec-a-r1"} 1.0' in metrics
    # nothing changed since: the next backup finds nothing and tells no one
    again = _netops(env, "config", "backup", "--where", "name=kec-a-r1", "--repo", str(repo))
    assert again.returncode == 0 and "outside" not in again.stdout
    assert len(env.web.at("/hook")) == 1


def test_a_push_through_netops_then_a_backup_notifies_no_one(env: Env) -> None:
    repo = BackupRepo(env.tmp / "push-backups")
    inv = env.inv
    names = ["desa-a1-r1", "core-01"]
    jobs.backup(inv, names, repo)
    env.web.clear()
    env.smtp.mails.clear()
    pushed = jobs.push(inv, names, repo, jobs.PushOptions(commit=True, canary=1,
                                                          operator=Operator("sari", "TIKET-7 baseline")))
    assert pushed.ok, [(r.device, r.status, r.message) for r in pushed.results]
    assert {r.status for r in pushed.results} == {jobs.Status.APPLIED}
    assert not pushed.outside
    report, _ = jobs.backup(inv, names, repo)
    assert report.ok and not report.outside and not report.notify_errors
    assert env.web.at("/hook") == [] and env.smtp.mails == []
    authors = subprocess.run(["git", "-C", str(repo.path), "log", "-2", "--format=%an|%s"], capture_output=True,
                             text=True, check=True).stdout.splitlines()
    assert authors[0].startswith("sari|after push:"), authors


LOGGED_CHANGE = {"mikrotik_routeros": "/ip dns set servers=10.99.0.53", "cisco_ios": "ntp server 10.99.0.53",
                 "huawei_vrp": "ntp-service unicast-server 10.99.0.53"}


@pytest.mark.parametrize("device", ["desa-a2-r1", "core-01", "bappeda-r1"])
def test_a_logged_config_change_triggers_a_backup(env: Env, device: str) -> None:
    inv = env.inv
    jobs.backup(inv, [device], env.syslog_repo, notify_changes=False)
    before = env.syslog_repo.history(device)
    env.armed.set()
    try:
        _hand(env, device, [LOGGED_CHANGE[inv.devices[device].platform]])
        deadline = time.monotonic() + 30
        while len(env.syslog_repo.history(device)) == len(before) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        env.armed.clear()
    revs = env.syslog_repo.history(device)
    assert len(revs) == len(before) + 1, "no backup within 30 s of the logged change"
    user = inv.credentials_for(inv.devices[device]).username  # type: ignore[union-attr]
    assert f"syslog: config changed by {user} at " in revs[0].message
    assert "10.99.0.53" in env.syslog_repo.show(device)


def test_a_rollback_through_netops_is_its_own_change(env: Env) -> None:
    """Push, then roll back to the backup before it: the rollback's commit is the new reference, so
    the next backup finds nothing, although the device differs from the after-push backup."""
    repo = BackupRepo(env.tmp / "rollback-backups")
    inv = env.inv
    name = "desa-b2-r1"
    templates = env.tmp / "templates"  # one harmless line, so the rollback has one item to remove
    shutil.copytree(ROOT / "templates", templates, dirs_exist_ok=True)
    (templates / "mikrotik_routeros" / "probe.j2").write_text(
        "/ip firewall address-list add list=netops-probe address=10.99.0.0/16\n")
    pushed = jobs.push(inv, [name], repo, jobs.PushOptions(commit=True, canary=1), features=("probe",),
                       templates=TemplateSet(templates))
    assert pushed.ok and pushed.backup_commit and pushed.after_commit
    env.web.clear()
    res, _ = jobs.rollback(inv, name, repo, pushed.backup_commit, commit=True,
                           operator=Operator("sari", "TIKET-8 undo probe"))
    assert res.status is jobs.Status.APPLIED, res.message
    assert "netops-probe" not in repo.show(name)
    assert repo.show(name) != repo.show(name, pushed.after_commit)
    head = repo.history(name)[0]
    assert head.message == f"rollback {name} to {pushed.backup_commit}"
    report, _ = jobs.backup(inv, [name], repo)
    assert report.ok and not report.outside
    assert env.web.at("/hook") == []
