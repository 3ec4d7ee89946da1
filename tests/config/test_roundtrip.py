"""compare(a, b) pushed onto a simulated device holding a yields b; restore brings a back.

The simulators run in this process (no sockets): the same device models the lab serves
over SSH (tests/config/test_push_on_lab.py pushes through them end to end), fed line by line as
netops sends them.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netops.config.dialects import dialect_for
from netops.config.diff import plan, restore_plan
from netops.config.mask import mask as mask_config
from netops.lab.sshsim import IndentedSession, RosSession, SimDevice
from netops.platforms import get_platform
from netops.secrets import TOKEN


def _device(platform: str, tmp: Path, setup: list[str]) -> tuple[SimDevice, Any]:
    iface = {"cisco_ios": "GigabitEthernet1/0/1", "huawei_vrp": "GigabitEthernet0/0/1"}.get(platform, "ether1")
    dev = SimDevice({"name": "sim-r1", "platform": platform, "username": "netops", "password": "pw",
                     "interfaces": [{"name": iface}]}, tmp)
    sess = RosSession(dev, "netops") if platform == "mikrotik_routeros" else IndentedSession(dev)
    _send(platform, sess, setup)
    return dev, sess


def _send(platform: str, sess: Any, commands: list[str]) -> None:
    p = get_platform(platform)
    if p.dialect != "routeros":
        sess.handle("configure terminal" if p.negate == "no " else "system-view")
    for c in commands:
        out, _ = sess.handle(c)
        assert not out.strip() or out.startswith("Enter"), (c, out)
    if p.config_exit:
        sess.handle(p.config_exit)


def _show(dev: SimDevice) -> str:
    return dev.config.export(terse=True) if dev.platform == "mikrotik_routeros" else dev.config.render()


def _round_trip(platform: str, dev: SimDevice, sess: Any, b: str) -> None:
    p = get_platform(platform)
    a = _show(dev)
    fwd = plan("sim-r1", p, a, b)
    _send(platform, sess, fwd.commands)
    assert plan("sim-r1", p, _show(dev), b).empty, (fwd.commands, _show(dev))
    back = restore_plan("sim-r1", p, _show(dev), a)
    _send(platform, sess, back.commands)
    assert restore_plan("sim-r1", p, _show(dev), a).empty and plan("sim-r1", p, _show(dev), a).empty, \
        (back.commands, _show(dev))


IOS_SETUP = ["interface GigabitEthernet1/0/1", "switchport trunk allowed vlan 10,20,99", "exit",
             "ip access-list standard NETOPS-MGMT", "permit 10.20.0.0 0.0.255.255", "permit 10.30.0.0 0.0.255.255",
             "deny any log", "exit", "banner motd ^Akses hanya untuk petugas.^",
             "snmp-server user netops NETOPS v3 auth sha AuthK-1 priv aes 128 PrivK-1"]


@settings(max_examples=15, deadline=None)
@given(vlans=st.sets(st.integers(2, 60), min_size=1, max_size=8), swap=st.booleans(), banner=st.booleans())
def test_ios_trunk_acl_banner(tmp_path_factory: Any, vlans: set[int], swap: bool, banner: bool) -> None:
    dev, sess = _device("cisco_ios", tmp_path_factory.mktemp("ios"), IOS_SETUP)
    a = _show(dev)
    assert "^CAkses hanya untuk petugas.^C" in a and "snmp-server user" not in a and " 10 permit" in a
    b = a.replace("allowed vlan 10,20,99", "allowed vlan " + ",".join(map(str, sorted(vlans))))
    if swap:
        b = b.replace(" 10 permit 10.20.0.0 0.0.255.255\n 20 permit 10.30.0.0 0.0.255.255",
                      " 10 permit 10.30.0.0 0.0.255.255\n 20 permit 10.20.0.0 0.0.255.255")
    if banner:
        b = b.replace("banner motd ^CAkses hanya untuk petugas.^C", "banner motd ^Akses dicatat.^")
    _round_trip("cisco_ios", dev, sess, b)


@settings(max_examples=15, deadline=None)
@given(batch=st.sets(st.integers(2, 60), min_size=1, max_size=8), trunk=st.sets(st.integers(2, 60), min_size=1,
                                                                                   max_size=8))
def test_vrp_vlan_batch_and_trunk(tmp_path_factory: Any, batch: set[int], trunk: set[int]) -> None:
    dev, sess = _device("huawei_vrp", tmp_path_factory.mktemp("vrp"), [
        "vlan batch 10 20 99", "interface GigabitEthernet0/0/1", "port link-type trunk",
        "port trunk allow-pass vlan 10 20", "quit"])
    a = _show(dev)
    b = a.replace("vlan batch 10 20 99", "vlan batch " + " ".join(map(str, sorted(batch)))).replace(
        "allow-pass vlan 10 20", "allow-pass vlan " + " ".join(map(str, sorted(trunk))))
    _round_trip("huawei_vrp", dev, sess, b)


RULES = ["/ip firewall filter add chain=input action=accept connection-state=established,related",
         "/ip firewall filter add chain=input action=accept src-address-list=mgmt",
         "/ip firewall filter add chain=input action=accept protocol=icmp",
         "/ip firewall filter add chain=input action=drop in-interface=ether1"]


@settings(max_examples=15, deadline=None)
@given(order=st.permutations(range(4)), dns=st.sampled_from(["10.20.0.53", "10.20.0.54"]))
def test_routeros_firewall_order_and_settings(tmp_path_factory: Any, order: list[int], dns: str) -> None:
    async def scenario() -> None:
        dev, sess = _device("mikrotik_routeros", tmp_path_factory.mktemp("ros"),
                            RULES + ["/ip dns set servers=10.20.0.53"])
        a = _show(dev)
        lines = a.splitlines()
        idx = [i for i, ln in enumerate(lines) if ln.startswith("/ip firewall filter add")]
        b_lines = list(lines)
        for slot, i in zip(idx, order, strict=True):
            b_lines[slot] = lines[idx[i]]
        b = "\n".join(b_lines).replace("servers=10.20.0.53", f"servers={dns}") + "\n"
        _round_trip("mikrotik_routeros", dev, sess, b)

    asyncio.run(scenario())


CORPUS = Path(__file__).resolve().parents[1] / "fixtures"
NOT_MODELLED = {
    # constructs the simulators do not model, cut from the corpus before loading it
    "huawei_vrp": (r"^(?:radius-server|hwtacacs-server) template [^\n]*\n(?: [^\n]*\n)*#\n",  # AAA server templates
                   r"^ undo port trunk allow-pass vlan 1\n"),  # VRP shows VLAN 1 taken off a trunk this way
    # RouterOS 7.13 wifi, BGP templates, a BGP connection (its '.as=' shorthand for remote.as), and
    # the default 'public' community the simulator does not have
    "mikrotik_routeros": (r"^/interface wifi.*\n", r"^/routing bgp (?:template|connection) .*\n",
                          r"^/snmp community set \[ find default=yes \].*\n"),
    # the simulator shows its own version and boot markers, as a device shows its own
    "cisco_ios": (r"^version .*\n", r"^boot-(?:start|end)-marker\n"),
}


@pytest.mark.parametrize("platform, stem", [("huawei_vrp", "vrp5-s5720.txt"),
                                            ("mikrotik_routeros", "ros7-kec-rb5009.rsc"),
                                            ("cisco_ios", "ios15-kec-isr.txt"),
                                            ("cisco_ios", "iosxe17-core-c9300.txt")])
def test_corpus_versions_loaded_whole(tmp_path: Path, platform: str, stem: str) -> None:
    """A corpus config loaded whole (less what the simulator does not model), then its later
    version (a VLAN added and trunked; a community rotated, a rule moved) and back."""
    p = get_platform(platform)

    def load(name: str) -> str:
        text = "\n".join(p.dialect == "routeros" and dialect_for(p).logical(p, (CORPUS / platform / "corpus" / name)
                                                                                 .read_text())
                         or (CORPUS / platform / "corpus" / name).read_text().splitlines()) + "\n"
        for rx in NOT_MODELLED[platform]:
            text = re.sub(rx, "", text, flags=re.MULTILINE)
        return text

    a_text, b_text = load(stem), load(stem.replace(".", "-v2.", 1))
    dev, sess = _device(platform, tmp_path, [])
    _send(platform, sess, plan("sim-r1", p, _show(dev), a_text).commands)
    assert plan("sim-r1", p, _show(dev), a_text).empty, plan("sim-r1", p, _show(dev), a_text).commands
    a = _show(dev)
    fwd = plan("sim-r1", p, a, b_text)
    assert fwd.commands
    _send(platform, sess, fwd.commands)
    assert plan("sim-r1", p, _show(dev), b_text).empty, (fwd.commands, _show(dev))
    back = restore_plan("sim-r1", p, _show(dev), a)
    _send(platform, sess, back.commands)
    assert plan("sim-r1", p, _show(dev), a).empty and restore_plan("sim-r1", p, _show(dev), a).empty, back.commands


# secrets with spaces and quotes (as tests/config/test_corpus.py masks them) reach the device and back
SECRET = st.text(alphabet=st.sampled_from("abcXYZ019 !#'\"-_."), min_size=6, max_size=20).filter(
    lambda s: s.strip() == s and "  " not in s and len(set(s)) > 3 and not s.isdigit())


@settings(max_examples=10, deadline=None)
@given(old=SECRET, new=SECRET)
def test_ios_password_with_spaces_and_quotes_rotated(tmp_path_factory: Any, old: str, new: str) -> None:
    dev, sess = _device("cisco_ios", tmp_path_factory.mktemp("iospw"),
                        [f"username operator privilege 15 password 0 {old}", "line vty 0 4", f"password {old}", "exit"])
    a = _show(dev)
    assert old not in mask_config(get_platform("cisco_ios"), a)
    b = a.replace(f"password 0 {old}\n", f"password 0 {new}\n").replace(f" password {old}\n", f" password {new}\n")
    if b != a:
        fwd = plan("sim-r1", get_platform("cisco_ios"), a, b)
        assert fwd.changes and old not in fwd.unified() and new not in fwd.unified()
    _round_trip("cisco_ios", dev, sess, b)


@settings(max_examples=10, deadline=None)
@given(old=SECRET, new=SECRET)
def test_routeros_script_credential_with_spaces_and_quotes_rotated(tmp_path_factory: Any, old: str, new: str) -> None:
    def shown(secret: str) -> str:
        # as the export shows it: quoted in the script, the script quoted in the export
        inner = secret.replace("\\", "\\\\").replace('"', '\\"')
        return inner.replace("\\", "\\\\").replace('"', '\\"')

    def source(secret: str) -> str:
        return ('/system script add name=kirim-cadangan source=":local pass \\"' + shown(secret)
                + '\\"\\r\\n:log info \\"cadangan\\""')

    async def scenario() -> None:
        dev, sess = _device("mikrotik_routeros", tmp_path_factory.mktemp("rospw"), [source(old)])
        a = _show(dev)
        assert "kirim-cadangan" in a and shown(old) in a
        masked = mask_config(get_platform("mikrotik_routeros"), a)
        assert shown(old) not in masked and ":local pass <secret:" in masked
        rest = TOKEN.sub("", masked.split("kirim-cadangan", 1)[1])  # no piece of the value either
        assert not any(len(w) > 2 and w in rest for w in old.split())
        b = a.replace(source(old).split(" source=", 1)[1], source(new).split(" source=", 1)[1])
        _round_trip("mikrotik_routeros", dev, sess, b)

    asyncio.run(scenario())
