"""The config engine and the field's libraries on the corpus (tests/fixtures/*/corpus/).

Prints, per tool: how many of the corpus's listed secrets survive masking, and, for the
device semantics netops needs, whether each tool's remediation gets the case right.
Needs the libraries under test: pip install hier-config netconan (netutils ships with netops).
Run: .venv/bin/python bench/config_corpus.py
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("NETOPS_MASK_KEY_FILE", str(Path(tempfile.mkdtemp()) / "mask.key"))

from netops.config.diff import plan, restore_plan  # noqa: E402
from netops.config.mask import mask  # noqa: E402
from netops.platforms import get_platform  # noqa: E402

CORPUS = sorted(p for p in (ROOT / "tests/fixtures").glob("*/corpus/*") if not p.name.endswith(".yaml"))


def secrets_of(path: Path) -> list[str]:
    side = path.with_name(path.name.rsplit(".", 1)[0] + ".secrets.yaml")
    return [str(s).replace('\\"', '"') for s in yaml.safe_load(side.read_text())["secrets"]]


def survivors(masker, paths: list[Path]) -> tuple[int, int, float]:  # noqa: ANN001
    total = left = 0
    start = time.perf_counter()
    for path in paths:
        out = masker(path)
        for s in secrets_of(path):
            total += 1
            left += s in out or s.replace('"', '\\"') in out
    return left, total, time.perf_counter() - start


def netops_mask(path: Path) -> str:
    return mask(get_platform(path.parent.parent.name), path.read_text())


def netutils_mask(path: Path) -> str:
    from netutils.config.clean import sanitize_config
    from netutils.constants import _PROVIDED_SANITIZE_FILTERS  # the filters netutils ships (none by default)
    return sanitize_config(path.read_text(), _PROVIDED_SANITIZE_FILTERS)


def netconan_mask(path: Path) -> str:
    from netconan.default_reserved_words import default_reserved_words
    from netconan.sensitive_item_removal import generate_default_sensitive_item_regexes, replace_matching_item
    regexes = generate_default_sensitive_item_regexes()
    lookup: dict[str, str] = {}
    return "\n".join(replace_matching_item(regexes, line, lookup, "salt", default_reserved_words)
                     for line in path.read_text().splitlines())


def masking() -> None:
    print("## masking: corpus secrets that survive (fewer is better)")
    groups = {"RouterOS": "mikrotik_routeros", "IOS/IOS-XE": "cisco_ios", "VRP": "huawei_vrp", "FRR": "frr"}
    tools = {"netops mask": netops_mask, "netutils sanitize_config (its provided filters)": netutils_mask,
             "netconan (default regexes)": netconan_mask}
    print("| tool | " + " | ".join(groups) + " | all | time |")
    print("|---|" + "---|" * (len(groups) + 2))
    for name, fn in tools.items():
        cells, left_all, total_all, secs = [], 0, 0, 0.0
        for plat in groups.values():
            left, total, t = survivors(fn, [p for p in CORPUS if p.parent.parent.name == plat])
            cells.append(f"{left}/{total}")
            left_all, total_all, secs = left_all + left, total_all + total, secs + t
        print(f"| {name} | " + " | ".join(cells) + f" | {left_all}/{total_all} ({100 * left_all / total_all:.0f}%) "
              f"| {secs * 1000:.0f} ms |")


def hier(platform: str, running: str, intended: str) -> tuple[list[str], list[str]]:
    from hier_config import Platform, WorkflowRemediation, get_hconfig
    hp = {"cisco_ios": Platform.CISCO_IOS, "huawei_vrp": Platform.HUAWEI_VRP, "frr": Platform.CISCO_IOS}[platform]
    wf = WorkflowRemediation(get_hconfig(hp, running), get_hconfig(hp, intended))
    return ([line for line in str(wf.remediation_config).splitlines() if line.strip()],
            [line for line in str(wf.rollback_config).splitlines() if line.strip()])


def case(name: str) -> str:
    return next(p for p in CORPUS if p.name == name).read_text()


def semantics() -> None:
    print("\n## device semantics: does the remediation do what the device needs? (commands shown)")
    cases = []
    a = case("ios15-access-2960.txt")
    cases.append(("trunk list +VLAN 30 (IOS)", "cisco_ios", a,
                  a.replace(" switchport trunk allowed vlan 10,20,99\n", " switchport trunk allowed vlan 10,20,30,99\n"),
                  lambda cmds: "switchport trunk allowed vlan add 30" in cmds
                  and not any(c.strip().startswith("no switchport trunk") for c in cmds)))
    v = case("vrp5-s5720.txt")
    cases.append(("vlan batch -VLAN 20 (VRP)", "huawei_vrp", v, v.replace("vlan batch 10 20 99", "vlan batch 10 99"),
                  lambda cmds: any(c.strip() == "undo vlan batch 20" for c in cmds)
                  and not any("undo vlan batch 10" in c for c in cmds)))
    f = case("frr10-dc-evpn.txt")
    cases.append(("VRF removed (FRR)", "frr", f, f.replace("vrf BLUE\n vni 2000\nexit-vrf\n!\n", ""),
                  lambda cmds: not any("no exit" in c for c in cmds) and any(c.strip() == "no vrf BLUE" for c in cmds)))
    x = case("iosxe17-core-c9300.txt")
    unnumbered = "\n".join(ln if not (ln.startswith(" ") and ln.split()[0].isdigit()) else " " + ln.split(None, 1)[1]
                           for ln in x.splitlines()) + "\n"
    cases.append(("ACL shown with sequence numbers (IOS-XE)", "cisco_ios", x, unnumbered, lambda cmds: not cmds))
    lines = x.splitlines()
    i = lines.index(" 10 permit tcp 10.10.10.0 0.0.0.255 host 10.10.5.20 eq 443")
    moved = lines[:i] + lines[i + 1:i + 4] + [lines[i]] + lines[i + 4:]
    cases.append(("ACL entry moved (IOS-XE)", "cisco_ios", x, "\n".join(moved) + "\n", lambda cmds: bool(cmds)))
    cases.append(("SNMPv3 user IOS never shows", "cisco_ios", x,
                  x + "snmp-server user netops NETOPS v3 auth sha K1 priv aes 128 K2\n", lambda cmds: not cmds))
    cases.append(("banner '^C' vs '#' delimiter (IOS)", "cisco_ios", x,
                  x.replace("banner motd ^C\n", "banner motd #\n").replace("dicatat.\n^C\n", "dicatat.\n#\n"),
                  lambda cmds: not cmds))
    print("| case | netops | hier_config |")
    print("|---|---|---|")
    ok_n = ok_h = 0
    for name, plat, run, want, good in cases:
        ours = plan("d", get_platform(plat), run, want).commands
        back = restore_plan("d", get_platform(plat), want, run).commands if "removed" in name else []
        ours_all = ours + back if "removed" in name else ours
        if "removed" in name:  # the case is the way back: restore from 'run' to the config without it
            ours_all = restore_plan("d", get_platform(plat), run, want).commands
        try:
            rem, _ = hier(plat, run, want)
        except Exception as exc:  # noqa: BLE001
            rem = [f"error: {exc}"]
        n, h = good(ours_all), good(rem)
        ok_n, ok_h = ok_n + n, ok_h + h
        print(f"| {name} | {'right' if n else 'WRONG'}: {'; '.join(c.strip() for c in ours_all)[:70]} "
              f"| {'right' if h else 'WRONG'}: {'; '.join(c.strip() for c in rem)[:70]} |")
    print(f"| **right** | {ok_n}/{len(cases)} | {ok_h}/{len(cases)} |")


def self_compare() -> None:
    print("\n## compare(x, x) and timing over the corpus")
    total = empty_n = empty_h = errors = 0
    tn = th = 0.0
    for path in CORPUS:
        plat = path.parent.parent.name
        text = path.read_text()
        t0 = time.perf_counter()
        empty_n += plan("d", get_platform(plat), text, text).empty
        tn += time.perf_counter() - t0
        if plat != "mikrotik_routeros":
            t0 = time.perf_counter()
            try:
                rem, _ = hier(plat, text, text)
            except Exception:  # noqa: BLE001 - a config it cannot load
                rem, errors = ["error"], errors + 1
            th += time.perf_counter() - t0
            empty_h += not rem
            total += 1
    print(f"netops: {empty_n}/{len(CORPUS)} empty in {tn * 1000:.0f} ms; hier_config (indented configs only, "
          f"no RouterOS driver): {empty_h}/{total} empty ({errors} could not be loaded) in {th * 1000:.0f} ms")


def routeros_parsing() -> None:
    from netutils.config.parser import RouterOSConfigParser

    from netops.config.mask import logical_lines
    print("\n## RouterOS exports: commands left split over '\\' + newline (fewer is better)")
    ros = [p for p in CORPUS if p.parent.parent.name == "mikrotik_routeros"]
    split_nu = sum(sum(1 for line in RouterOSConfigParser(p.read_text()).config_lines
                       if line.config_line.rstrip().endswith("\\")) for p in ros)
    split_no = sum(sum(1 for line in logical_lines(get_platform("mikrotik_routeros"), p.read_text())
                       if line.rstrip().endswith("\\")) for p in ros)
    print(f"netutils RouterOSConfigParser: {split_nu}; netops (routeros dialect): {split_no}")


if __name__ == "__main__":
    logging.disable(logging.WARNING)  # netconan warns once per line it drops
    masking()
    semantics()
    self_compare()
    routeros_parsing()
