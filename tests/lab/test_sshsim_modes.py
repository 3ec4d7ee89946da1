"""The indented simulators' modes as the real CLIs behave, fed line by line in this process
(no sockets; tests/lab/test_sshsim.py reaches the same sessions over SSH).

IOS: nested sub-modes (router bgp → address-family, key chain → key, policy-map → class),
``exit`` one level up, a line the open modes do not know going up to the parent modes, a
banner typed over several lines (no prompt until the delimiter), defaults shown as
``no …``. VRP: a ``cipher`` value stored encrypted with a new salt each time.
"""

from __future__ import annotations

import re
from pathlib import Path

from netops.lab.sshsim import IndentedSession, SimDevice


def _session(platform: str, tmp_path: Path) -> IndentedSession:
    iface = "GigabitEthernet1/0/1" if platform == "cisco_ios" else "GigabitEthernet0/0/1"
    dev = SimDevice({"name": "r1", "platform": platform, "username": "netops", "password": "pw",
                     "interfaces": [{"name": iface}]}, tmp_path)
    sess = IndentedSession(dev)
    sess.handle("configure terminal" if platform == "cisco_ios" else "system-view")
    return sess


def _typed(sess: IndentedSession, lines: list[str]) -> list[str]:
    """The prompt after each line (the device's answer must be empty)."""
    prompts = []
    for line in lines:
        out, _ = sess.handle(line)
        assert not out.strip(), (line, out)
        prompts.append(sess.prompt())
    return prompts


def test_ios_nested_modes_exit_one_level_at_a_time(tmp_path: Path) -> None:
    sess = _session("cisco_ios", tmp_path)
    prompts = _typed(sess, ["router bgp 65000", "neighbor 10.20.9.2 remote-as 65101", "address-family ipv4",
                            "neighbor 10.20.9.2 activate", "exit", "address-family ipv4 vrf PEMDA",
                            "redistribute connected", "exit-address-family", "exit"])
    assert prompts == ["r1(config-router)#", "r1(config-router)#", "r1(config-router-af)#", "r1(config-router-af)#",
                       "r1(config-router)#", "r1(config-router-af)#", "r1(config-router-af)#", "r1(config-router)#",
                       "r1(config)#"]
    shown = sess.cfg.render()
    assert ("router bgp 65000\n neighbor 10.20.9.2 remote-as 65101\n !\n address-family ipv4\n"
            "  neighbor 10.20.9.2 activate\n exit-address-family\n !\n address-family ipv4 vrf PEMDA\n"
            "  redistribute connected\n exit-address-family\n!\n") in shown


def test_ios_key_chain_and_policy_map_classes(tmp_path: Path) -> None:
    sess = _session("cisco_ios", tmp_path)
    prompts = _typed(sess, ["key chain OSPF-KEYS", "key 1", "key-string Kunci-Satu", "key 2",
                            "key-string Kunci-Dua", "policy-map QOS-OUT", "class VOICE", "priority percent 30",
                            "class class-default", "fair-queue", "end"])
    assert prompts[:5] == ["r1(config-keychain)#", "r1(config-keychain-key)#", "r1(config-keychain-key)#",
                           "r1(config-keychain-key)#", "r1(config-keychain-key)#"]
    assert prompts[5:7] == ["r1(config-pmap)#", "r1(config-pmap-c)#"] and prompts[-1] == "r1#"
    shown = sess.cfg.render()
    assert "key chain OSPF-KEYS\n key 1\n  key-string Kunci-Satu\n key 2\n  key-string Kunci-Dua\n!" in shown
    assert ("policy-map QOS-OUT\n class VOICE\n  priority percent 30\n class class-default\n  fair-queue\n!"
            in shown)


def test_ios_a_line_no_open_mode_knows_goes_up_to_the_parent_modes(tmp_path: Path) -> None:
    sess = _session("cisco_ios", tmp_path)
    prompts = _typed(sess, ["router bgp 65000", "address-family ipv4", "network 10.20.0.0 mask 255.255.255.0",
                            "ip access-list standard SNMP-RO", "permit 10.20.0.21", "hostname core-07"])
    assert prompts[3:] == ["r1(config-nacl)#", "r1(config-nacl)#", "core-07(config)#"]
    shown = sess.cfg.render()
    assert "ip access-list standard SNMP-RO\n 10 permit 10.20.0.21\n" in shown
    assert re.search(r"^hostname core-07$", shown, re.MULTILINE)
    assert "  network 10.20.0.0 mask 255.255.255.0\n exit-address-family" in shown
    out, _ = sess.handle("frobnicate now")  # known nowhere: the error, and the mode stays
    assert "% Invalid input" in out and sess.prompt() == "core-07(config)#"


def test_ios_banner_typed_over_lines_ends_at_its_delimiter(tmp_path: Path) -> None:
    sess = _session("cisco_ios", tmp_path)
    out, _ = sess.handle("banner motd #")
    assert out == "Enter TEXT message.  End with the character '#'.\n" and sess.pending  # no prompt meanwhile
    for line in ("Perangkat milik Pemerintah Kabupaten Sambas.", "  Akses tanpa izin dilarang."):
        assert sess.handle(line) == ("", False) and sess.pending
    assert sess.handle("#") == ("", False) and not sess.pending
    assert sess.prompt() == "r1(config)#"
    assert ("banner motd ^C\nPerangkat milik Pemerintah Kabupaten Sambas.\n  Akses tanpa izin dilarang.\n^C\n"
            in sess.cfg.render())
    sess.handle("banner motd %Satu baris.%")  # one line: replaces the banner
    assert "banner motd ^CSatu baris.^C\n" in sess.cfg.render() and "Perangkat" not in sess.cfg.render()


def test_ios_defaults_turned_off_show_as_no_lines(tmp_path: Path) -> None:
    sess = _session("cisco_ios", tmp_path)
    _typed(sess, ["no ip http server", "no ntp server 10.9.9.9"])
    shown = sess.cfg.render()
    assert re.search(r"^no ip http server$", shown, re.MULTILINE) and "ntp server" not in shown
    _typed(sess, ["ip http server"])
    assert "no ip http server" not in sess.cfg.render()


def test_vrp_cipher_values_are_stored_encrypted_with_a_new_salt(tmp_path: Path) -> None:
    sess = _session("huawei_vrp", tmp_path)
    _typed(sess, ["aaa", "local-user op password cipher Rahasia-1", "quit"])
    first = re.findall(r"local-user op password cipher (\S+)", sess.cfg.render())
    _typed(sess, ["aaa", "local-user op password cipher Rahasia-1", "quit"])
    second = re.findall(r"local-user op password cipher (\S+)", sess.cfg.render())
    assert len(first) == len(second) == 1 and first != second  # replaced, salted anew
    assert all(re.fullmatch(r"%\^%#[^%\s]{40}%\^%#", c) for c in first + second)
    assert "Rahasia" not in sess.cfg.render()
    _typed(sess, ["snmp-agent community read cipher %^%#AlreadyCipherText0123456789abcdefghijkl%^%#"])
    assert "cipher %^%#AlreadyCipherText0123456789abcdefghijkl%^%#" in sess.cfg.render()  # kept as typed
