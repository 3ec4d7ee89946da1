"""Playbook files: the shipped ones load; bad ones are refused with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.config.render import TemplateSet
from netops.inventory import load_inventory
from netops.playbook import PlaybookError, find_playbook, load_playbook
from netops.playbook.run import checks_for
from tests.conftest import ROOT, SMALL_INVENTORY


@pytest.mark.parametrize("name", ["baseline", "vsat-qos", "nightly-backup"])
def test_shipped_playbooks_load(name: str) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    pb = load_playbook(find_playbook(name, ROOT / "playbooks"), inv, TemplateSet(ROOT / "templates"))
    assert pb.name == name and pb.steps
    assert "desa-b1-vsat" not in pb.devices(inv)  # modems are never configured


def test_vsat_qos_targets_only_vsat_desa_and_renders_checks() -> None:
    inv = load_inventory(SMALL_INVENTORY)
    pb = load_playbook(find_playbook("vsat-qos", ROOT / "playbooks"), inv, TemplateSet(ROOT / "templates"))
    assert pb.devices(inv) == ["desa-b1-r1", "desa-b2-r1"] and pb.rollback_on_failure
    base = load_playbook(find_playbook("baseline", ROOT / "playbooks"), inv, TemplateSet(ROOT / "templates"))
    checks = checks_for(inv, ["kec-b-r1", "desa-a1-r1"], [c for s in base.steps for c in s.checks])
    assert [c.expect for c in checks["desa-a1-r1"]] == ["name: desa-a1-r1"]
    assert [c.expect for c in checks["kec-b-r1"]] == ["access-list NETOPS-MGMT"]


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "pb.yaml"
    p.write_text(text)
    return p


@pytest.mark.parametrize(("text", "line", "message"), [
    ("name: x\ntargets: []\nsteps:\n  - backup\n  - reboot\n", 5, "unknown step 'reboot'"),
    ("name: x\ntargets: [colour=red]\nsteps:\n  - backup\n", 2, "bad target: .*no 'colour'"),
    ("name: x\ntargets: [tier=nowhere]\nsteps:\n  - backup\n", 2, "select no managed device"),
    ("name: x\nsteps:\n  - backup\n  - push: {canary: 1, speed: 9}\n", 4, "step 'push' has no option 'speed'"),
    ("name: x\nsteps:\n  - diff: {features: [firewall]}\n", 3, "template .*/firewall.j2 is missing"),
    ("name: x\nsteps:\n  - verify:\n      - {command: show, expect: '('}\n", 4, "expect is not a valid regex"),
    ("name: x\nsteps:\n  - verify:\n      - {command: show}\n", 4, "a verify check is"),
    ("name: x\nhosts: all\nsteps: [backup]\n", 2, "unknown key 'hosts'"),
    ("targets: []\nsteps: [backup]\n", 1, "'name' is required"),
    ("name: x\nsteps:\n  - backup\n  - push: {canary: 1\n  - diff\n", 6, "YAML syntax error"),
])
def test_bad_playbooks_are_refused_with_file_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    path = _write(tmp_path, text)
    with pytest.raises(PlaybookError, match=rf"{path}:{line}: .*{message}"):
        load_playbook(path, inv, TemplateSet(ROOT / "templates"))


def test_unknown_playbook_lists_known(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="known: baseline, nightly-backup, vsat-qos"):
        find_playbook("nope", ROOT / "playbooks")
