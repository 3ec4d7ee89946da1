"""The config engine on the corpus of realistic device configs (tests/fixtures/<platform>/corpus/).

Each config has a sidecar NAME.secrets.yaml listing every secret value in it; its first
line says which documented behaviour it represents.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from netops.config.diff import plan, restore_plan
from netops.config.mask import clean, mask
from netops.config.offline import compare_files
from netops.platforms import get_platform
from netops.secrets import TOKEN, secret_token

FIX = Path(__file__).resolve().parent.parent / "fixtures"
CORPUS = sorted(p for p in FIX.glob("*/corpus/*") if not p.name.endswith(".secrets.yaml"))
IDS = [p.name for p in CORPUS]


def _platform(path: Path):  # noqa: ANN202 - the Platform of a corpus file
    return get_platform(path.parent.parent.name)


def _secrets(path: Path) -> list[str]:
    side = path.with_name(path.name.rsplit(".", 1)[0] + ".secrets.yaml")
    return [str(s) for s in yaml.safe_load(side.read_text())["secrets"]]


def _forms(secret: str) -> set[str]:
    """The value as listed and as it reads once RouterOS's escapes are undone."""
    return {secret, secret.replace('\\"', '"')}


def test_corpus_covers_every_platform_version() -> None:
    prefixes = {"ros6", "ros7", "ios15", "iosxe17", "vrp5", "vrp8", "frr"}
    for prefix in prefixes:
        assert sum(1 for p in CORPUS if p.name.startswith(prefix)) >= 3, prefix
    for p in CORPUS:
        first = p.read_text().splitlines()[0]
        assert "netops corpus:" in first and re.search(r"\b(?:shows?|documents?)\b", first), p.name  # says what it represents
        assert _secrets(p), p.name


@pytest.mark.parametrize("path", CORPUS, ids=IDS)
def test_no_secret_survives_masking_and_masking_is_idempotent(path: Path) -> None:
    p, text = _platform(path), path.read_text()
    masked, stored = mask(p, text), clean(p, text)
    for secret in _secrets(path):
        for form in _forms(secret):
            assert form not in masked and form not in stored, f"{path.name}: {form!r} survives"
    assert mask(p, masked) == masked
    assert clean(p, stored) == stored
    # CRLF line endings mask the same
    assert clean(p, text.replace("\n", "\r\n")) == stored


MINIMAL = {"cisco_ios": "hostname d\n", "frr": "hostname d\n", "huawei_vrp": "sysname d\n",
           "mikrotik_routeros": "/system identity set name=d\n"}


@pytest.mark.parametrize("path", CORPUS, ids=IDS)
def test_no_secret_in_what_compare_writes(path: Path, tmp_path: Path) -> None:
    """Pushing the whole config onto a bare device and back: the diff, the commands and the
    restore commands (``config compare --json``) name no secret of the corpus file."""
    p = _platform(path)
    bare = tmp_path / "bare.txt"
    bare.write_text(MINIMAL[p.name])
    written = json.dumps(compare_files(bare, path, p).as_dict()) + json.dumps(compare_files(path, bare, p).as_dict())
    for secret in _secrets(path):
        for form in _forms(secret):
            assert form not in written and json.dumps(form)[1:-1] not in written, f"{path.name}: {form!r} written"


@pytest.mark.parametrize("path", CORPUS, ids=IDS)
def test_compare_with_itself_is_empty(path: Path) -> None:
    p, text = _platform(path), path.read_text()
    assert plan("d", p, text, text).empty
    assert plan("d", p, text, clean(p, text)).empty
    back = restore_plan("d", p, text, clean(p, text))
    assert back.empty and not back.commands


@pytest.mark.parametrize(("name", "kept"), [
    ("ios15-kec-isr.txt", [" key 1", " key 2", "key chain OSPF-KEYS", "encr aes 256", "hash sha256",
                           "cryptographic-algorithm hmac-sha-256", "authentication pre-share"]),
    ("iosxe17-core-c9300.txt", [" key 10", "key chain BGP-KEYS"]),
    ("iosxe17-edge-isr4331.txt", ["snmp-server host 10.20.0.21 version 3 priv netops", "encryption aes-cbc-256"]),
    ("vrp8-ne40e.txt", ["key-id 1 cipher", "securityname netops v3 privacy", "authentication-mode hmac-sha256"]),
    ("vrp5-ar2220.txt", ["authentication-mode aaa", "authentication-type password"]),
    ("ros7-opd-ccr2004.rsc", ["enc-algorithm=aes-256", "hash-algorithm=sha256", "auth-method=pre-shared-key"]),
    ("frr10-dc-evpn.txt", ["key 10", "message-digest-key 5 md5"]),
])
def test_non_secrets_are_never_masked(name: str, kept: list[str]) -> None:
    path = next(p for p in CORPUS if p.name == name)
    masked = mask(_platform(path), path.read_text())
    for text in kept:
        assert text in masked


def test_words_in_descriptions_are_not_secrets() -> None:
    for platform in ("cisco_ios", "frr"):
        line = " description reset password untuk akun operator"
        assert mask(get_platform(platform), line) == line


def test_volatile_lines_and_continuations() -> None:
    def stored(name: str) -> str:
        path = next(p for p in CORPUS if p.name == name)
        return clean(_platform(path), path.read_text())

    assert "No configuration change" not in stored("ios15-access-2960.txt")
    ne = stored("vrp8-ne40e.txt")
    assert not re.search(r"^!(?:CfgFileCrc|MKHash|Last configuration)", ne, re.MULTILINE)
    assert not re.search(r"^\d{4}-\d\d-\d\d ", stored("vrp5-ar2220.txt"), re.MULTILINE)
    ros = stored("ros7-kec-rb5009.rsc")
    assert "managed by CAPsMAN" not in ros and "channel: " not in ros
    assert "poe-out status" not in stored("ros7-desa-hapax.rsc")
    # '\' + newline: one logical line per command, under its menu path
    crs = stored("ros6-opd-crs.rsc")
    assert not any(line.endswith("\\") for line in crs.splitlines())
    assert '/system script add dont-require-permissions=no name=notify-link owner=admin policy=read,write,test ' \
           'source="/tool fetch url=\\"https://api.telegram.org/bot' + secret_token(
               "7140223344:AAHq9Zk2Lm-Wx3sTelegramTok3nOpd") + "/sendMessage" in crs


# -- generated edits: pairs (a, b) and what compare / restore do between them ----------------

def _corpus(name: str) -> tuple[object, str]:
    path = next(p for p in CORPUS if p.name == name)
    return _platform(path), path.read_text()


def test_rotated_secret_is_a_change_that_reveals_neither_value() -> None:
    p, a = _corpus("ios15-kec-isr.txt")
    b = a.replace("KecIsrComm15", "Rotated-Comm-2025")
    pl = plan("d", p, a, b)  # type: ignore[arg-type]
    out = pl.unified() + "\n".join(str(c) for c in pl.changes)
    assert not pl.empty and "KecIsrComm15" not in out and "Rotated-Comm-2025" not in out
    assert secret_token("KecIsrComm15") in out and secret_token("Rotated-Comm-2025") in out
    assert "snmp-server community Rotated-Comm-2025 RO 10" in pl.commands  # the device gets the new value
    assert "snmp-server host 10.20.0.21 version 2c Rotated-Comm-2025" in pl.commands
    assert "no snmp-server community KecIsrComm15 RO 10" in pl.commands  # the old one is revoked
    # back to the masked backup: the old value is unknown, so nothing about it is sent
    back = restore_plan("d", p, b, clean(p, a))  # type: ignore[arg-type]
    assert not any("community" in c for c in back.commands) and back.skipped


def test_trunk_list_changes_by_its_difference() -> None:
    p, a = _corpus("ios15-access-2960.txt")
    b = a.replace(" switchport trunk allowed vlan 10,20,99\n", " switchport trunk allowed vlan 10,20,30,99\n")
    fwd = plan("d", p, a, b)  # type: ignore[arg-type]
    assert fwd.commands == ["interface GigabitEthernet1/0/48", "switchport trunk allowed vlan add 30", "exit"]
    back = restore_plan("d", p, b, a)  # type: ignore[arg-type]
    assert back.commands == ["interface GigabitEthernet1/0/48", "switchport trunk allowed vlan remove 30", "exit"]
    # a list wrapped over 'add' lines is one set
    wrapped = plan("d", p, a, a.replace(",280,290,300", ""))  # type: ignore[arg-type]
    assert wrapped.empty


def test_vlan_batch_changes_by_its_difference() -> None:
    p, a = _corpus("vrp5-s5720.txt")
    b = a.replace("vlan batch 10 20 99 101 to 110", "vlan batch 10 20 30 99 101 to 110")
    assert plan("d", p, a, b).commands == ["vlan batch 30"]  # type: ignore[arg-type]
    back = restore_plan("d", p, b, a)  # type: ignore[arg-type]
    assert back.commands == ["undo vlan batch 30"]  # never 'undo vlan batch 2 99' of what stays
    assert plan("d", p, a, a.replace("101 to 110", "101 102 103 104 105 106 107 108 109 110")).empty  # type: ignore[arg-type]


def test_section_exits_are_never_negated() -> None:
    p, a = _corpus("frr10-dc-evpn.txt")
    without_blue = a.replace("vrf BLUE\n vni 2000\nexit-vrf\n!\n", "")
    back = restore_plan("d", p, a, without_blue)  # type: ignore[arg-type]
    assert back.commands == ["no vrf BLUE"]
    fwd = restore_plan("d", p, without_blue, a)  # type: ignore[arg-type]
    assert not any(c.startswith("no exit") for c in fwd.commands) and "vrf BLUE" in fwd.commands


def test_firewall_rule_moved_is_planned_as_a_move() -> None:
    p, a = _corpus("ros7-kec-rb5009.rsc")
    lines = clean(p, a).splitlines()  # type: ignore[arg-type]
    i = next(n for n, ln in enumerate(lines) if "src-address-list=mgmt" in ln)
    b_lines = list(lines)
    b_lines[i], b_lines[i + 1] = b_lines[i + 1], b_lines[i]  # swap two filter rules
    b = "\n".join(b_lines) + "\n"
    fwd = plan("d", p, a, b)  # type: ignore[arg-type]
    assert len(fwd.changes) == 1 and fwd.changes[0].moved
    assert fwd.commands == ["/ip firewall filter move [ find action=accept chain=input src-address-list=mgmt ] "
                            "destination=[ find action=drop chain=input in-interface-list=WAN ]"]
    assert plan("d", p, fwd.proposed, b).empty  # type: ignore[arg-type]


def test_ios_display_forms() -> None:
    p, a = _corpus("iosxe17-core-c9300.txt")
    # what netops renders: no sequence numbers, the banner with another delimiter, an SNMPv3 user
    intended = ("ip access-list extended PEMDES-IN\n permit tcp 10.10.10.0 0.0.0.255 host 10.10.5.20 eq 443\n"
                " permit udp 10.10.10.0 0.0.0.255 host 10.20.0.53 eq domain\n"
                " deny   ip 10.10.10.0 0.0.0.255 10.10.20.0 0.0.0.255 log\n permit ip any any\n"
                "banner motd #\n*** core-01 Diskominfo Kabupaten Sambas ***\nSemua akses dicatat.\n#\n"
                "snmp-server user netops NETOPS v3 auth sha AuthKey-1 priv aes 128 PrivKey-1\n")
    pl = plan("d", p, a, intended)  # type: ignore[arg-type]
    assert pl.empty and pl.unverifiable and "AuthKey-1" not in "".join(pl.unverifiable)
    # entries reordered: the ACL is rebuilt, whole
    swapped = intended.replace(" permit tcp 10.10.10.0 0.0.0.255 host 10.10.5.20 eq 443\n", "").replace(
        " permit ip any any\n", " permit ip any any\n permit tcp 10.10.10.0 0.0.0.255 host 10.10.5.20 eq 443\n")
    pl = plan("d", p, a, swapped)  # type: ignore[arg-type]
    assert pl.commands[:2] == ["no ip access-list extended PEMDES-IN", "ip access-list extended PEMDES-IN"]
    assert "snmp-server user netops NETOPS v3 auth sha AuthKey-1 priv aes 128 PrivKey-1" in pl.commands
    # a banner line edited is a change, sent with its delimiters
    edited = plan("d", p, a, intended.replace("Semua akses", "Seluruh akses"))  # type: ignore[arg-type]
    assert [c.new for c in edited.changes if c.new and "banner" in c.new]
    assert "banner motd #" in edited.commands and "#" in edited.commands


def test_encrypted_secret_on_device_matches_the_plain_intended_value() -> None:
    p, a = _corpus("ios15-kec-isr.txt")
    assert plan("d", p, a, "enable secret Some-Plain-Pw\n").empty  # type: ignore[arg-type]
    vrp, v = _corpus("vrp5-s5720.txt")
    assert plan("d", vrp, v, "snmp-agent community read cipher Plain-Comm\n").empty  # type: ignore[arg-type]


# -- Hypothesis: variations keep the properties -----------------------------------------------

SECRET_TEXT = st.text(alphabet=st.sampled_from("abcXYZ019 !#'\"-_."), min_size=6, max_size=24).filter(
    lambda s: s.strip() == s and len(set(s)) > 3 and not s.isdigit())


@settings(max_examples=60, deadline=None)
@given(secret=SECRET_TEXT)
def test_ios_passwords_with_spaces_and_quotes_are_masked(secret: str) -> None:
    p = get_platform("cisco_ios")
    text = f"username op privilege 15 password 0 {secret}\nline vty 0 4\n password {secret}\n"
    masked = mask(p, text)
    assert secret not in masked and mask(p, masked) == masked and plan("d", p, text, text).empty


@settings(max_examples=60, deadline=None)
@given(secret=SECRET_TEXT)
def test_routeros_quoted_secrets_are_masked(secret: str) -> None:
    p = get_platform("mikrotik_routeros")
    quoted = '"' + secret.replace("\\", "\\\\").replace('"', '\\"') + '"'
    text = (f"/ppp secret add name=x password={quoted} service=l2tp\n"
            f"/interface wifi security add name=s passphrase={quoted}\n")
    masked = mask(p, text)
    assert secret not in masked and quoted not in masked and mask(p, masked) == masked
    assert plan("d", p, text, text).empty


@settings(max_examples=30, deadline=None)
@given(order=st.permutations(range(6)))
def test_reordered_sections_compare_equal(order: list[int]) -> None:
    p, a = _corpus("frr8-kec-bgp.txt")
    blocks = clean(p, a).split("\n!\n")  # type: ignore[arg-type]
    head, body = blocks[:2], blocks[2:8]
    shuffled = "\n!\n".join(head + [body[i] for i in order] + blocks[8:])
    assert plan("d", p, a, shuffled).empty  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "sep"), [("iosxe17-core-c9300.txt", "\n!\n"), ("ios15-kec-isr.txt", "\n!\n"),
                                         ("vrp5-s5720.txt", "\n#\n"), ("vrp8-ne40e.txt", "\n#\n")])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_reordered_sections_of_indented_configs(name: str, sep: str, data: st.DataObject) -> None:
    """Top-level sections in another order: nothing to push, nothing to restore, and the
    masked text still holds no secret (section order carries no meaning on IOS and VRP)."""
    path = next(p for p in CORPUS if p.name == name)
    p, a = _platform(path), path.read_text()
    blocks = a.split(sep)
    middle = blocks[1:-1]
    order = data.draw(st.permutations(range(len(middle))))
    shuffled = sep.join(blocks[:1] + [middle[i] for i in order] + blocks[-1:])
    assert plan("d", p, a, shuffled).empty and plan("d", p, shuffled, a).empty
    assert restore_plan("d", p, shuffled, clean(p, a)).empty
    masked = mask(p, shuffled)
    assert mask(p, masked) == masked and not any(s in masked for s in _secrets(path))


@settings(max_examples=40, deadline=None)
@given(have=st.sets(st.integers(2, 40), min_size=1, max_size=12), want=st.sets(st.integers(2, 40), min_size=1,
                                                                                  max_size=12))
def test_vrp_vlan_batch_members_as_sets(have: set[int], want: set[int]) -> None:
    p = get_platform("huawei_vrp")
    run = "#\nvlan batch " + " ".join(map(str, sorted(have))) + "\n#\nreturn\n"
    intended = "vlan batch " + " ".join(map(str, sorted(want))) + "\n"
    cmds = plan("d", p, run, intended).commands
    added = {int(x) for c in cmds if c.startswith("vlan batch ") for x in c.split()[2:] if x.isdigit()}
    removed = {int(x) for c in cmds if c.startswith("undo vlan batch ") for x in c.split()[3:] if x.isdigit()}
    spans = [c for c in cmds if " to " in c]
    for c in spans:  # ranges written 'a to b' cover every member between
        words = c.split()
        for i, w in enumerate(words):
            if w == "to":
                (added if c.startswith("vlan") else removed).update(range(int(words[i - 1]), int(words[i + 1]) + 1))
    assert added == want - have and removed == have - want
    assert not any(TOKEN.search(c) for c in cmds)


# -- versions of one device: the corpus holds a later version of one device per syntax --------
VERSIONS = {
    "iosxe17-core-c9300": (
        ["vlan 30", "name CCTV", "exit", "interface TenGigabitEthernet1/1/1", "switchport trunk allowed vlan add 30",
         "exit", "no snmp-server community CoreXe17-RO RO SNMP-RO",
         "snmp-server community CoreXe17-RO-24 RO SNMP-RO",
         # IOS shows the delimiter as ^C; typed, '^' is the delimiter
         "banner motd ^", "*** core-01 Diskominfo Kabupaten Sambas ***", "Semua akses dicatat dan diaudit.", "^"],
        ["interface TenGigabitEthernet1/1/1", "switchport trunk allowed vlan remove 30", "exit",
         "no snmp-server community CoreXe17-RO-24 RO SNMP-RO", "snmp-server community CoreXe17-RO RO SNMP-RO",
         "banner motd ^", "*** core-01 Diskominfo Kabupaten Sambas ***", "Semua akses dicatat.", "^",
         "no vlan 30"]),
    "vrp5-s5720": (
        ["vlan batch 30", "interface GigabitEthernet0/0/24", "port trunk allow-pass vlan 30", "quit"],
        ["undo vlan batch 30", "interface GigabitEthernet0/0/24", "undo port trunk allow-pass vlan 30", "quit"]),
    "ros7-kec-rb5009": (
        ["/interface vlan add interface=bridge-lan name=vlan30-cctv vlan-id=30",
         # a v2c community is named by its secret: the rotation renames it (the old one goes)
         "/snmp community set [ find name=KecRb5009-Comm ] addresses=10.20.0.0/16 name=KecRb5009-Comm24",
         "/ip firewall filter move [ find action=accept chain=input src-address-list=mgmt ] "
         "destination=[ find action=drop chain=input in-interface-list=WAN ]"],
        ["/snmp community set [ find name=KecRb5009-Comm24 ] addresses=10.20.0.0/16 name=KecRb5009-Comm",
         "/ip firewall filter move [ find action=accept chain=input dst-port=13231 protocol=udp ] "
         "destination=[ find action=drop chain=input in-interface-list=WAN ]",
         "/interface vlan remove [ find interface=bridge-lan name=vlan30-cctv vlan-id=30 ]"]),
    "frr8-kec-bgp": (
        ["router bgp 65108", "no neighbor 10.20.9.25 password Frr8BgpNbr",
         "neighbor 10.20.9.25 password Frr8BgpNbr-24", "exit", "ip prefix-list PL-OUT seq 10 permit 10.31.80.0/24"],
        ["router bgp 65108", "no neighbor 10.20.9.25 password Frr8BgpNbr-24",
         "neighbor 10.20.9.25 password Frr8BgpNbr", "exit", "no ip prefix-list PL-OUT seq 10 permit 10.31.80.0/24"]),
}


@pytest.mark.parametrize("stem", sorted(VERSIONS))
def test_versions_of_one_device_plan_the_difference_and_restore_it(stem: str) -> None:
    v1 = next(p for p in CORPUS if p.name.rsplit(".", 1)[0] == stem)
    v2 = v1.with_name(f"{stem}-v2{v1.suffix}")
    p, a, b = _platform(v1), v1.read_text(), v2.read_text()
    forward, backward = VERSIONS[stem]
    fwd = plan("d", p, a, b)
    assert fwd.commands == forward
    # the restore starts from the raw config read before the change: rotated secrets go back too
    back = restore_plan("d", p, b, a)
    assert back.commands == backward and not back.skipped
    # what is shown never reveals either version's secrets
    shown = fwd.unified() + back.unified()
    for secret in _secrets(v1) + _secrets(v2):
        assert secret not in shown, secret
    if p.name != "huawei_vrp":  # the VRP version rotates nothing (see its first line)
        assert TOKEN.search(fwd.unified())  # the rotation shows as a change of tokens
    assert plan("d", p, b, b).empty and plan("d", p, a, a).empty
