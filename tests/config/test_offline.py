"""netops config mask / compare: config files on their own, bad input included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from netops.cli import app
from netops.config.offline import ConfigFileError, compare_files, mask_file
from netops.platforms import get_platform

FIX = Path(__file__).resolve().parent.parent / "fixtures"
runner = CliRunner()


def test_mask_prints_the_config_without_its_secrets() -> None:
    path = FIX / "huawei_vrp/corpus/vrp5-ar2220.txt"
    res = runner.invoke(app, ["config", "mask", "--platform", "huawei_vrp", str(path)])
    assert res.exit_code == 0, res.output
    assert "sysname bappeda-r2" in res.output and "Vrp5TrapComm" not in res.output
    data = json.loads(runner.invoke(app, ["config", "mask", "-p", "huawei_vrp", str(path), "--json"]).output)
    assert data["masked"] == mask_file(path, get_platform("huawei_vrp"))


def test_compare_prints_diff_commands_and_restore(tmp_path: Path) -> None:
    running = FIX / "mikrotik_routeros/corpus/ros6-kec-ccr.rsc"
    intended = tmp_path / "intended.rsc"
    intended.write_text(running.read_text().replace("trap-community=KecTrapComm6", "trap-community=Rotated-Trap9")
                        .replace("/ip firewall filter add action=drop chain=input in-interface=ether1\n", "")
                        + "/ip firewall filter add action=drop chain=input in-interface=ether1\n")
    res = runner.invoke(app, ["config", "compare", "-p", "mikrotik_routeros", str(running), str(intended), "--json"])
    assert res.exit_code == 1, res.output  # they differ
    data = json.loads(res.output)
    for secret in ("KecTrapComm6", "Rotated-Trap9", "KecCcrComm6"):
        assert secret not in res.output
    assert any(c.startswith("/snmp set ") and "trap-community=<secret:" in c for c in data["commands"])
    # a rollback restores from the masked backup: the old secret cannot be sent, and says so
    assert any(c.startswith("/snmp set ") for c in data["not_restorable"])
    assert any(" move " in c for c in data["commands"]) is False  # the rule was moved to the end, as the last one
    same = runner.invoke(app, ["config", "compare", "-p", "mikrotik_routeros", str(running), str(running)])
    assert same.exit_code == 0 and "no difference" in same.output


def test_compare_order_matters_for_firewall_rules(tmp_path: Path) -> None:
    running = FIX / "mikrotik_routeros/corpus/ros6-kec-ccr.rsc"
    lines = running.read_text().splitlines(keepends=True)
    i = next(n for n, ln in enumerate(lines) if "protocol=ospf" in ln)
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    swapped = tmp_path / "swapped.rsc"
    swapped.write_text("".join(lines))
    cmp = compare_files(running, swapped, get_platform("mikrotik_routeros"))
    assert any(" move " in c for c in cmp.commands) and any(" move " in c for c in cmp.restore)


@pytest.mark.parametrize(("content", "platform", "expect"), [
    (b"", "cisco_ios", "is empty"),
    (b"   \n\n", "frr", "is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "cisco_ios", "binary data at byte"),
    (b"hostname r1\ninterface eth0\n", "huawei_vrp", ":1: looks like IOS or FRR"),
    (b"#\nsysname r1\n#\nreturn\n", "cisco_ios", ":2: looks like Huawei VRP"),
    (b"/system identity set name=r1\n", "frr", ":1: looks like a RouterOS export"),
    (b"hostname r1\n", "mikrotik_routeros", ":1: not a RouterOS command"),
    (b"hostname r1\n", "linux", "does not manage its config"),
])
def test_bad_input_is_a_clear_error(tmp_path: Path, content: bytes, platform: str, expect: str) -> None:
    path = tmp_path / "cfg.txt"
    path.write_bytes(content)
    with pytest.raises(ConfigFileError, match=expect):
        mask_file(path, get_platform(platform))
    res = runner.invoke(app, ["config", "mask", "-p", platform, str(path)])
    assert res.exit_code == 2 and expect.split(":")[-1].strip() in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["config", "compare", "-p", platform, str(path), str(path)])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_crlf_and_missing_files(tmp_path: Path) -> None:
    src = FIX / "cisco_ios/corpus/ios15-kec-isr.txt"
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(src.read_bytes().replace(b"\n", b"\r\n"))
    p = get_platform("cisco_ios")
    assert mask_file(crlf, p) == mask_file(src, p)
    assert compare_files(src, crlf, p).empty
    res = runner.invoke(app, ["config", "mask", "-p", "cisco_ios", str(tmp_path / "nope.txt")])
    assert res.exit_code == 2 and "cannot read" in res.output
