"""Secrets the device shows encrypted: a rotation reaches the device through the record of
what netops last pushed (netops.config.pushed), and without a record the line stays "not
verifiable".

Offline: comparisons with and without a record (IOS type 9, VRP ``cipher``). On the lab's
VRP simulator (only the SSH simulator, base 127.161.0.0, no root), which stores a
``cipher`` value encrypted with a new salt each time as VRP does: a ``local-user`` password
rotated in a template is pushed, verified, and the next comparison is clean.
"""

from __future__ import annotations

import json
import multiprocessing
import stat
from pathlib import Path
from typing import Any

import pytest

from netops.config import jobs
from netops.config.backup import BackupRepo
from netops.config.diff import plan
from netops.config.pushed import FILENAME, PushedSecrets
from netops.config.render import TemplateSet
from netops.inventory import load_inventory
from netops.platforms import get_platform
from tests.conftest import SMALL_INVENTORY
from tests.support import sshsim

VRP = get_platform("huawei_vrp")
IOS = get_platform("cisco_ios")
VRP_RUNNING = """sysname bappeda-r1
#
aaa
 local-user op-lokal password cipher %^%#J5N@,w+Jd4K~W:}>b8T0*#+gQe}X&LZn6vZ'F=YM%^%#
 local-user op-lokal privilege level 3
#
return
"""
IOS_RUNNING = """hostname core-01
enable secret 9 $9$nhEmQVczB7dqsE$X.fbgmbUbZaKUbqq0wY0WAlgsS8L4U1tWYUv8MAFuIU
username op privilege 15 secret 9 $9$Vmb1tGR2nEn1uk$9ba1wfbbEoqLsvMqa0hvsmr5XIvDYkJz7w0v3CXfS2s
end
"""


def _vrp_intended(password: str) -> str:
    return f"aaa\n local-user op-lokal password cipher {password}\n local-user op-lokal privilege level 3\n"


def test_without_a_record_an_encrypted_secret_is_not_verifiable() -> None:
    p = plan("r", VRP, VRP_RUNNING, _vrp_intended("Rahasia-Lama-1"))
    assert p.empty and not p.commands
    assert len(p.unverifiable) == 1 and "local-user op-lokal password cipher <secret:" in p.unverifiable[0]
    assert "Rahasia-Lama-1" not in " ".join(p.unverifiable)
    assert [o.key for o in p.opaque] == ["aaa / local-user op-lokal password <secret>"]
    assert "not verifiable" in jobs.unverifiable_note(p)


def test_a_recorded_value_makes_a_rotation_a_change_and_the_same_value_clean(tmp_path: Path) -> None:
    record = PushedSecrets(tmp_path)
    record.record("r", plan("r", VRP, VRP_RUNNING, _vrp_intended("Rahasia-Lama-1")))  # as after a verified push
    record.save()
    pushed = PushedSecrets(tmp_path).of("r")  # as the next job reads it
    same = plan("r", VRP, VRP_RUNNING, _vrp_intended("Rahasia-Lama-1"), pushed=pushed)
    assert same.empty and not same.unverifiable
    rotated = plan("r", VRP, VRP_RUNNING, _vrp_intended("Rahasia-Baru-2"), pushed=pushed)
    assert len(rotated.changes) == 1 and not rotated.unverifiable
    # VRP changes an existing user's password in place; its only undo ('undo local-user NAME') deletes the user
    assert rotated.commands == ["aaa", "local-user op-lokal password cipher Rahasia-Baru-2", "quit"]
    shown = rotated.unified()
    assert "\n- local-user op-lokal password cipher <secret:" in shown and "Rahasia" not in shown
    # the device shows another ciphertext than the one recorded (set outside netops): unprovable again
    other = VRP_RUNNING.replace("J5N@", "Q7x!")
    again = plan("r", VRP, other, _vrp_intended("Rahasia-Baru-2"), pushed=pushed)
    assert again.empty and len(again.unverifiable) == 1
    # the record holds tokens only, readable by its owner only
    text = (tmp_path / FILENAME).read_text()
    assert "Rahasia" not in text and "%^%#" not in text and "<secret:" in text
    assert stat.S_IMODE((tmp_path / FILENAME).stat().st_mode) == 0o600
    assert json.loads(text)["r"]


def test_ios_type_9_secrets_rotate_through_the_record(tmp_path: Path) -> None:
    want = "enable secret Enable-Lama-1\nusername op privilege 15 secret User-Lama-1\n"
    first = plan("c", IOS, IOS_RUNNING, want)
    assert first.empty and len(first.unverifiable) == 2
    record = PushedSecrets(tmp_path)
    record.record("c", first)  # kept in memory until saved
    assert not (tmp_path / FILENAME).exists() and record.of("c")
    rotated = plan("c", IOS, IOS_RUNNING, want.replace("User-Lama-1", "User-Baru-2"), pushed=record.of("c"))
    assert rotated.commands == ["no " + IOS_RUNNING.splitlines()[2], "username op privilege 15 secret User-Baru-2"]
    assert not rotated.unverifiable
    assert plan("c", IOS, IOS_RUNNING, want, pushed=record.of("c")).empty
    assert record.of("other-device") == {}


def test_a_damaged_record_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / FILENAME).write_text("{not json")
    with pytest.raises(jobs.ConfigError, match=FILENAME):
        PushedSecrets(tmp_path).of("r")


# -- on the lab's VRP simulator ----------------------------------------------------------------

BASE = "127.161.0.0"


@pytest.fixture(scope="module")
def vrp_lab(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    workdir = tmp_path_factory.mktemp("pushed")
    with sshsim.running(SMALL_INVENTORY, workdir, BASE, where=["name=bappeda-r1"]) as path:
        yield workdir, path


@pytest.mark.slow
def test_rotated_cipher_password_is_pushed_verified_and_then_clean(vrp_lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, inv_path = vrp_lab
    inv = load_inventory(inv_path)
    root = tmp_path / "templates"
    (root / "huawei_vrp").mkdir(parents=True)
    tpl = root / "huawei_vrp" / "local.j2"
    tset, repo, names = TemplateSet(root), BackupRepo(tmp_path / "backups"), ["bappeda-r1"]
    opts = jobs.PushOptions(commit=True, canary=0)

    def push(password: str) -> jobs.DeviceResult:
        tpl.write_text(_vrp_intended(password))
        report = jobs.push(inv, names, repo, opts, features=("local",), templates=tset)
        return report.results[0]

    def diff() -> jobs.DeviceResult:
        report, _ = jobs.diff(inv, names, ("local",), tset, repo=repo)
        return report.results[0]

    first = push("Rahasia-Lama-1")
    assert first.status is jobs.Status.APPLIED, (first.message, first.rollback)
    shown = repo.show("bappeda-r1")
    assert "local-user op-lokal password cipher <secret:" in shown and "Rahasia" not in shown
    assert diff().status is jobs.Status.UNCHANGED and not diff().message  # the record proves the value

    tpl.write_text(_vrp_intended("Rahasia-Baru-2"))
    blind, _ = jobs.diff(inv, names, ("local",), tset)  # without the record: unprovable, named
    assert blind.results[0].status is jobs.Status.UNCHANGED and "not verifiable" in blind.results[0].message
    assert diff().status is jobs.Status.WOULD_CHANGE
    ciphertext = PushedSecrets(repo.path).of("bappeda-r1")

    rotated = push("Rahasia-Baru-2")
    assert rotated.status is jobs.Status.APPLIED and rotated.changes == 1, (rotated.message, rotated.rollback)
    assert PushedSecrets(repo.path).of("bappeda-r1") != ciphertext  # the device re-encrypted the new value
    after = diff()
    assert after.status is jobs.Status.UNCHANGED and not after.message, after.diff
    assert "Rahasia" not in (repo.path / FILENAME).read_text() + repo.show("bappeda-r1")


def _save_many(repo: str, worker: int, start: Any) -> None:
    start.wait()
    for i in range(10):
        record = PushedSecrets(repo)  # a job of its own, as each 'netops config push' is
        record.record(f"r{worker}-{i}", plan("r", VRP, VRP_RUNNING, _vrp_intended("Rahasia-Lama-1")))
        record.save()


def test_pushes_ending_together_keep_each_others_records(tmp_path: Path) -> None:
    """Eight processes, ten jobs each, every job saving its device's record at once: each merges into what
    the others wrote (without the lock, one job's rename dropped another's records)."""
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(8)
    procs = [ctx.Process(target=_save_many, args=(str(tmp_path), w, start)) for w in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    saved = json.loads((tmp_path / FILENAME).read_text())
    assert sorted(saved) == sorted(f"r{w}-{i}" for w in range(8) for i in range(10))
