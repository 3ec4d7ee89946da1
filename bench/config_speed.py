#!/usr/bin/env python3
"""Config jobs with the default options, as a user runs them: wall time and round trips.

Usage (root, under the lab lock):
  flock /tmp/netops-lab.lock .venv/bin/python bench/config_speed.py [--before REV] [--generated 1000]

For each code under test ("before": a git revision exported to a temporary directory, run
through PYTHONPATH; "after": this tree) a fresh lab of the sample inventory (base
127.155.0.0, VSAT 300 ms each way + 1 % loss) takes `netops config diff`,
`netops config backup` and `netops config push --commit`, each the CLI with its default
options in its own process. The SSH simulator's session log (netops.lab.sshsim_ctl) gives
each device's round trips per phase; printed per platform and medium (median, max).
With --generated N: a lab of N generated routers (bench/gen_inventory.py, a third behind
VSAT; base 127.156.0.0) takes push --commit and backup with this tree's code; peak memory
of the netops process is recorded.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from netops.inventory import load_inventory  # noqa: E402
from netops.lab import Lab  # noqa: E402
from netops.lab.sshsim_ctl import PHASES, round_trips, session_log  # noqa: E402
from netops.platforms import get_platform  # noqa: E402


def cli(code: Path | None, inv: Path, args: list[str], cwd: Path) -> tuple[float, int, float, str]:
    """(wall s, exit code, peak RSS MB of the netops process, last output line)."""
    env = dict(os.environ, NETOPS_INVENTORY=str(inv))
    if code is not None:
        env["PYTHONPATH"] = str(code)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = r0.ru_maxrss
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "netops", *args], env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = [0]

    def watch() -> None:  # the process's own peak (VmHWM), read until it exits
        while proc.poll() is None:
            try:
                for ln in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                    if ln.startswith("VmHWM:"):
                        peak[0] = max(peak[0], int(ln.split()[1]))
            except OSError:
                pass
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stdout, stderr = proc.communicate()
    wall = time.monotonic() - t0
    watcher.join()
    p = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss = r1.ru_maxrss
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    lines = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.strip()]
    tail = " | ".join(ln for ln in lines if "devices:" in ln or "error" in ln.lower())[-300:]
    del rss, before
    return wall, p.returncode, peak[0] / 1024, f"CPU {cpu:.1f} s; " + (tail or (lines[-1] if lines else ""))


def trips(lab: Lab, since: int, inv_path: Path) -> tuple[dict[str, dict[str, list[int]]], int]:
    """Per platform/medium group: phase -> per-device counts, from the simulator's session log."""
    inv = load_inventory(inv_path)
    # a session is written when the simulator sees it close; netops has exited, so every close
    # is on its way (behind VSAT 300 ms late, more if the FIN is lost): a bench may wait for it
    time.sleep(3)
    sessions, end = session_log(lab.workdir, since)
    per_dev: dict[str, list[dict]] = defaultdict(list)
    for s in sessions:
        per_dev[s["device"]].append(s)
    groups: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for name, ss in per_dev.items():
        dev = inv.devices[name]
        medium = "vsat" if any(lk.medium.value == "vsat" for lk in inv.uplinks(dev.site)[:1]) else "terrestrial"
        rt = round_trips(ss, get_platform(dev.platform))
        g = groups[f"{dev.platform}/{medium}"]
        g["devices"].append(1)
        g["sessions"].append(len(ss))
        for ph in PHASES:
            g[ph].append(rt.get(ph, 0))
        g["total"].append(sum(rt.values()))
    return groups, end


def show_trips(groups: dict[str, dict[str, list[int]]]) -> None:
    for key in sorted(groups):
        g = groups[key]
        cells = [f"{ph} {statistics.median(g[ph]):g}/{max(g[ph])}" for ph in (*PHASES, "total") if max(g[ph])]
        print(f"    {key} ({len(g['devices'])} devices, {statistics.median(g['sessions']):g} logins): "
              + ", ".join(cells) + "   [median/max round trips]")


def run_code(label: str, code: Path | None, inventory: Path, base: str, work: Path, jobs: list[str],
             vsat_delay: float, vsat_loss: float) -> dict[str, float]:
    lab = Lab(inventory, work / f"lab-{label}", base=base, vsat_delay_ms=vsat_delay, vsat_loss_pct=vsat_loss)
    out: dict[str, float] = {}
    with lab:
        inv_path = lab.inventory_path
        inv = load_inventory(inv_path)
        routers = [n for n, d in inv.devices.items() if get_platform(d.platform).managed]
        vsat = sum(1 for n in routers if any(lk.medium.value == "vsat" for lk in inv.uplinks(inv.devices[n].site)[:1]))
        print(f"[{label}] lab: {len(routers)} routers, {vsat} behind VSAT; load average {os.getloadavg()}")
        _, since = session_log(lab.workdir)
        for job in jobs:
            args = {"diff": ["config", "diff"], "backup": ["config", "backup", "--repo", str(work / f"bk-{label}")],
                    "push": ["config", "push", "--commit", "--repo", str(work / f"bk-{label}")]}[job]
            wall, rc, rss, tail = cli(code, inv_path, args, work)
            out[job] = wall
            out[f"{job}-rss"] = rss
            print(f"  [{label}] netops {' '.join(args[:3])}: {wall:.1f} s wall, exit {rc}, peak RSS {rss:.0f} MB; {tail}")
            groups, since = trips(lab, since, inv_path)
            show_trips(groups)
        print(f"[{label}] load average after: {os.getloadavg()}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", default="", help="git revision of the 'before' code (default: none)")
    ap.add_argument("--generated", type=int, default=0, help="also run N generated routers (after only)")
    ap.add_argument("--generated-before", action="store_true", help="run the generated lab with --before too")
    ap.add_argument("--vsat-delay", type=float, default=300)
    ap.add_argument("--vsat-loss", type=float, default=1.0)
    ap.add_argument("--skip-sample", action="store_true")
    ap.add_argument("--no-after", action="store_true", help="only the --before code")
    args = ap.parse_args()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "netops"],
                                capture_output=True, text=True).stdout.strip())
    print(flush=True)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}; after = {head}{' + uncommitted' if dirty else ''}; "
          f"VSAT {args.vsat_delay:g} ms each way, {args.vsat_loss:g} % loss")
    with tempfile.TemporaryDirectory(prefix="netops-bench-speed-") as tmp:
        work = Path(tmp)
        codes: list[tuple[str, Path | None]] = []
        if args.before:
            src = work / "before"
            src.mkdir()
            arch = subprocess.run(["git", "-C", str(ROOT), "archive", args.before, "netops", "templates"],
                                  capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(src)], input=arch.stdout, check=True)
            codes.append((f"before {args.before}", src))
        if not args.no_after:
            codes.append((f"after {head}", None))
        results: dict[str, dict[str, float]] = {}
        if not args.skip_sample:
            for label, code in codes:
                results[label] = run_code(label.split()[0], code, ROOT / "inventory", "127.155.0.0", work,
                                          ["diff", "backup", "push"], args.vsat_delay, args.vsat_loss)
        if args.generated:
            sys.path.insert(0, str(ROOT / "bench"))
            from gen_inventory import generate
            gen = work / "generated"
            # routers: one per desa plus one per kecamatan (20 desa each)
            generate(gen, int(args.generated * 20 / 21))
            for label, code in (codes if args.generated_before else codes[-1:]):
                results[f"{label} generated"] = run_code(f"{label.split()[0]}-gen", code, gen, "127.156.0.0", work,
                                                         ["backup", "push"], args.vsat_delay, args.vsat_loss)
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
