"""Running vs intended on recorded configs of each platform (tests/fixtures/<platform>/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netops.config.diff import parse_flat_line, plan, restore_plan
from netops.config.render import render_device
from netops.inventory import load_inventory
from netops.platforms import get_platform
from netops.secrets import TOKEN
from tests.conftest import SMALL_INVENTORY

FIX = Path(__file__).resolve().parent.parent / "fixtures"
RECORDED = {
    "desa-a1-r1": "mikrotik_routeros/desa-a1-r1.export.rsc",
    "core-01": "cisco_ios/core-01.running.txt",
    "kec-b-r1": "frr/kec-b-r1.running.txt",
    "bappeda-r1": "huawei_vrp/bappeda-r1.current.txt",
}


def _apply_flat(running: str, commands: list[str]) -> str:
    """A tiny model of RouterOS applying set/add lines to an export (enough to close the loop)."""
    lines = running.splitlines()
    for cmd in commands:
        want = parse_flat_line(cmd)
        assert want is not None
        if want.verb == "set" and want.selector.startswith("[ find name=") and want.path == "/system/logging/action":
            lines = [ln for ln in lines if not ln.startswith("/system logging action add name=netops-syslog1")]
            lines.append("/system logging action add " + cmd.split("] ", 1)[1])
            continue
        if want.verb == "set":
            lines = [ln for ln in lines if not ((p := parse_flat_line(ln)) and p.path == want.path
                                                and p.verb == "set" and p.selector == want.selector)]
        lines.append(cmd)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("device", sorted(RECORDED))
def test_diff_shows_changes_masked_and_commands_carry_secrets(device: str, secrets_env: dict[str, str]) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    r = render_device(inv, device)
    running = (FIX / RECORDED[device]).read_text()
    p = plan(device, r.platform, running, r.text, r.secrets)
    diff = p.unified()
    assert not p.empty and diff.startswith(f"--- {device} running\n+++ {device} intended\n")
    for secret in secrets_env.values():
        assert secret not in diff
    # secrets already on the device (a PSK, a local password, a community) never show either
    for leaked in ("KantorDesa2023!", "Operator#1", "Pub1icR0", "$9$AbCdEfGhIjKl", "%^%#Xx1b2C3d4E5f6", "$1c$Abc123"):
        assert leaked not in diff and leaked not in p.proposed
    # the commands carry the real SNMP keys (the device needs them), the diff does not
    if device != "kec-b-r1":
        assert any(secrets_env["TEST_SNMP_AUTH"] in c for c in p.commands)


def test_routeros_diff_replaces_set_values_and_never_duplicates_an_add(secrets_env: dict[str, str]) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    r = render_device(inv, "desa-a1-r1")
    running = (FIX / RECORDED["desa-a1-r1"]).read_text()
    p = plan("desa-a1-r1", r.platform, running, r.text, r.secrets)
    diff = p.unified()
    assert "-/ip dns set servers=8.8.8.8\n+/ip dns set servers=10.20.0.53\n" in diff
    assert "-/system identity set name=MikroTik" in diff and "+/system identity set name=desa-a1-r1" in diff
    # the existing netops-syslog1 action is changed in place, not added a second time
    assert ("/system logging action set [ find name=netops-syslog1 ] name=netops-syslog1 target=remote "
            "remote=10.20.0.12") in p.commands
    assert not any(c.startswith("/system logging action add") for c in p.commands)
    # volatile export header is gone from the compared config
    assert "by RouterOS" not in diff and "serial number" not in diff
    # after applying the commands there is nothing left to do
    after = _apply_flat(running, p.commands)
    assert plan("desa-a1-r1", r.platform, after, r.text, r.secrets).empty


def test_ios_diff_keeps_block_context(secrets_env: dict[str, str]) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    r = render_device(inv, "core-01")
    p = plan("core-01", r.platform, (FIX / RECORDED["core-01"]).read_text(), r.text, r.secrets)
    diff = p.unified()
    assert "-hostname Router\n+hostname core-01\n" in diff
    # an ACL is an ordered list managed whole: replaced, not merged
    assert " ip access-list standard NETOPS-MGMT\n- permit 10.30.0.0 0.0.255.255\n+ permit 10.20.0.0 0.0.255.255" in diff
    i = p.commands.index("no ip access-list standard NETOPS-MGMT")
    assert p.commands[i:i + 4] == ["no ip access-list standard NETOPS-MGMT", "ip access-list standard NETOPS-MGMT",
                                   "permit 10.20.0.0 0.0.255.255", "exit"]
    i = p.commands.index("line vty 0 4")
    assert p.commands[i:i + 3] == ["line vty 0 4", "access-class NETOPS-MGMT in", "exit"]
    assert "Last configuration change" not in diff and "ntp clock-period" not in diff
    # new top-level lines go before 'end'
    assert p.proposed.rstrip().endswith("end")


def test_frr_applied_config_gives_empty_diff_and_restore_undoes_it(secrets_env: dict[str, str]) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    r = render_device(inv, "kec-b-r1")
    running = (FIX / RECORDED["kec-b-r1"]).read_text()
    p = plan("kec-b-r1", r.platform, running, r.text)
    assert p.commands == ["line vty", "access-class NETOPS-MGMT", "exit",
                          "interface eth0", "description Icon Plus TEST-ICON-0003 (fo-kec-b)", "exit"]
    assert plan("kec-b-r1", r.platform, p.proposed, r.text).empty
    back = restore_plan("kec-b-r1", r.platform, p.proposed, running)
    assert back.commands == ["interface eth0", "description old", "exit",
                             "line vty", "no access-class NETOPS-MGMT", "exit"]


def test_vrp_restore_uses_undo_and_reports_unrestorable_secret_lines(secrets_env: dict[str, str]) -> None:
    inv = load_inventory(SMALL_INVENTORY)
    r = render_device(inv, "bappeda-r1")
    running = (FIX / RECORDED["bappeda-r1"]).read_text()
    p = plan("bappeda-r1", r.platform, running, r.text, r.secrets)
    assert "sysname bappeda-r1" in p.commands and "quit" in p.commands
    assert p.proposed.rstrip().endswith("return")
    back = restore_plan("bappeda-r1", r.platform, p.proposed, running, r.secrets)
    assert "sysname Huawei" in back.commands and "undo dns resolve" in back.commands
    assert back.skipped and all(TOKEN.search(s) for s in back.skipped)
    assert not any(TOKEN.search(c) for c in back.commands)


def test_flat_parser_normalises_paths_and_quotes() -> None:
    a = parse_flat_line('/ip dns set servers=1.1.1.1 comment="a b"')
    b = parse_flat_line('/ip/dns set comment="a b" servers=1.1.1.1')
    assert a and b and a.path == b.path == "/ip/dns" and a.attr_map == b.attr_map == {"servers": "1.1.1.1",
                                                                                        "comment": "a b"}
    c = parse_flat_line("/interface set [ find name=ether1 ] comment=x")
    assert c and c.selector == "[ find name=ether1 ]" and c.verb == "set"
    assert get_platform("mikrotik_routeros").dialect == "routeros"


@pytest.mark.parametrize("running", [
    "/ip service set ssh address=10.20.0.0/16\n",
    "/ip service set [ find name=ssh ] address=10.20.0.0/16 port=22\n",
    "/ip service add name=ssh port=22 address=10.20.0.0/16\n",
])
def test_routeros_list_item_set_matches_any_export_style(running: str) -> None:
    ros = get_platform("mikrotik_routeros")
    assert plan("r", ros, running, "/ip service set ssh address=10.20.0.0/16\n").empty
    changed = plan("r", ros, running.replace("10.20.0.0/16", "0.0.0.0/0"), "/ip service set ssh address=10.20.0.0/16\n")
    assert len(changed.changes) == 1 and changed.changes[0].old is not None  # shown as a replacement
    assert changed.commands == ["/ip service set ssh address=10.20.0.0/16"]


def test_routeros_default_name_selector_matches_named_item() -> None:
    ros = get_platform("mikrotik_routeros")
    want = '/interface ethernet set [ find default-name=ether1 ] comment="Icon Plus X"\n'
    assert plan("r", ros, '/interface ethernet add name=ether1 comment="Icon Plus X"\n', want).empty
    assert plan("r", ros, '/interface ethernet set [ find default-name=ether1 ] comment="Icon Plus X"\n', want).empty
    assert not plan("r", ros, '/interface ethernet set [ find default-name=ether2 ] comment="Icon Plus X"\n',
                    want).empty


def test_vrp_top_level_lines_indented_after_separator_are_not_children() -> None:
    vrp = get_platform("huawei_vrp")
    running = ("#\n sysname r1\n#\ninterface GigabitEthernet0/0/1\n description up\n#\n ntp-service unicast-server 10.0.0.1\n"
               " dns resolve\n#\nreturn\n")
    want = "sysname r1\nntp-service unicast-server 10.0.0.1\ndns resolve\ninterface GigabitEthernet0/0/1\n description up\n"
    assert plan("r1", vrp, running, want).empty
    p = plan("r1", vrp, running, want + "dns server 10.0.0.53\n")
    assert p.commands == ["dns server 10.0.0.53"]
