"""Text typed over several lines: an IOS ``banner motd #`` takes its text on the next lines and
shows no prompt until the closing delimiter, so a push that waited for a prompt per line would
time out or see the text refused as commands. netops sends such a block in one write
(``Platform.text_input``).

Only the SSH simulator runs (base 127.165.0.0, loopback, no root): the IOS core-01 of the small
inventory, whose banner input behaves as IOS ("Enter TEXT message", no prompt until the delimiter).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.config import jobs
from netops.config.backup import BackupRepo
from netops.config.render import TemplateSet
from netops.inventory import load_inventory
from tests.conftest import SMALL_INVENTORY
from tests.support import sshsim

BASE = "127.165.0.0"
BANNER = "banner motd #\nHanya untuk petugas Diskominfo Kubu Raya.\nSemua akses dicatat.\n#\n"


@pytest.fixture(scope="module")
def ios_lab(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with sshsim.running(SMALL_INVENTORY, tmp_path_factory.mktemp("textinput"), BASE, where=["name=core-01"]) as path:
        yield path


@pytest.mark.slow
def test_a_multi_line_banner_is_pushed_verified_and_then_clean(ios_lab: Path, tmp_path: Path) -> None:
    inv = load_inventory(ios_lab)
    root = tmp_path / "templates"
    (root / "cisco_ios").mkdir(parents=True)
    (root / "cisco_ios" / "local.j2").write_text(BANNER)
    tset, repo = TemplateSet(root), BackupRepo(tmp_path / "backups")

    report = jobs.push(inv, ["core-01"], repo, jobs.PushOptions(commit=True, canary=0),
                       features=("local",), templates=tset)
    res = report.results[0]
    assert res.status is jobs.Status.APPLIED, (res.message, res.rollback)
    shown = repo.show("core-01")
    assert "Hanya untuk petugas Diskominfo Kubu Raya.\nSemua akses dicatat." in shown  # both lines, as typed
    again, _ = jobs.diff(inv, ["core-01"], ("local",), tset)
    assert again.results[0].status is jobs.Status.UNCHANGED, again.results[0].diff
