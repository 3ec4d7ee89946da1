#!/usr/bin/env python3
"""Time of `netops inventory import` on a 10,000-row .xlsx with 50 bad rows scattered.

Usage: .venv/bin/python bench/import_xlsx.py [ROWS] [BAD]   (default: 10000 50)

The sheet adds ROWS new desa/kelurahan offices (each with a planned VSAT link) to a copy of
the sample inventory; BAD of them, spread evenly, carry one defect each of eight kinds. Each
run is a fresh `netops` process (what a planner waits for). The run checks that every bad row
is reported by number, then times the same sheet with the bad rows fixed (the whole-inventory
check and the write included).
"""

from __future__ import annotations

import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "inventory"
NETOPS = [sys.executable, "-m", "netops"]
HEADER = ["site_id", "name", "tier", "code", "kecamatan", "lat", "lon", "parent", "link_id", "medium", "provider",
          "bandwidth_mbps", "sla", "status", "a_site"]
KECAMATAN = [("Sungai Raya", "kec-sungai-raya"), ("Kubu", "kec-kubu"), ("Batu Ampar", "kec-batu-ampar"),
             ("Terentang", "kec-terentang")]
DEFECTS = {  # column to spoil -> value
    "tier": "village", "lat": "utara", "name": None, "parent": "kec-nowhere", "medium": "pigeon",
    "sla": 150.0, "site_id": "Desa Baru", "link_id": "DUPLICATE",
}


def row(i: int) -> list[object]:
    kname, kid = KECAMATAN[i % len(KECAMATAN)]
    kel = i % 10 == 0
    sid = f"{'kel' if kel else 'desa'}-baru-{i:05d}"
    return [sid, f"Kantor {'Kelurahan' if kel else 'Desa'} Baru {i}", "kelurahan" if kel else "desa",
            f"61.12.99.{1 if kel else 2}{i % 1000:03d}" if i < 1000 else None, kname,
            -0.9 + (i % 997) / 1000, 109.2 + (i % 991) / 1000, kid, f"vsat-{sid}", "vsat", "Telkom Mangoesky",
            4, 98.0, "planned", "dc-sungai-raya"]


def write_sheet(path: Path, n: int, bad: set[int]) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("sites")
    ws.append(HEADER)
    kinds = list(DEFECTS)
    for i in range(n):
        r = row(i)
        if i in bad:
            col = kinds[sorted(bad).index(i) % len(kinds)]
            value = DEFECTS[col]
            r[HEADER.index(col)] = f"vsat-{row(0)[0]}" if value == "DUPLICATE" else value
        ws.append(r)
    for _ in range(3):
        ws.append([None] * len(HEADER))  # blank rows at the end, as Excel leaves them
    wb.save(path)


def run(inv: Path, sheet: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    r = subprocess.run([*NETOPS, "--inventory", str(inv), "inventory", "import", str(sheet), "--force"],
                       capture_output=True, text=True)
    return time.perf_counter() - t0, r


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    n_bad = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    bad = {int((k + 0.5) * n / n_bad) for k in range(n_bad)}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        inv = Path(tmp) / "inventory"
        shutil.copytree(SAMPLE, inv)
        sheet = Path(tmp) / "desa-baru.xlsx"
        t0 = time.perf_counter()
        write_sheet(sheet, n, bad)
        gen_s = time.perf_counter() - t0
        bad_s, r = run(inv, sheet)
        reported = {int(m) - 2 for m in re.findall(r"desa-baru\.xlsx row (\d+)", r.stderr)}
        missed = sorted(bad - reported)
        extra = sorted(reported - bad)
        assert r.returncode == 2, r.stderr[-2000:]
        assert not (inv / "imported.yaml").exists()
        write_sheet(sheet, n, set())
        good_s, r2 = run(inv, sheet)
        assert r2.returncode == 0, r2.stderr[-2000:]
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, openpyxl {openpyxl.__version__}; load average "
          f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    print(f"sheet: {n} rows, {n_bad} bad ({len(DEFECTS)} kinds), written in {gen_s:.1f} s")
    print(f"import with {n_bad} bad rows: {bad_s:.2f} s, exit {r.returncode}, bad rows reported "
          f"{len(bad & reported)}/{n_bad}, missed {missed or 'none'}, rows reported that were good {extra or 'none'}")
    print(f"import of the clean sheet (checked with the whole inventory, written): {good_s:.2f} s; "
          f"{r2.stdout.strip()[:160]}")
    print(f"peak RSS of the netops processes: {rss_mb:.0f} MB")
    if missed:
        raise SystemExit(f"{len(missed)} bad rows were not reported: {missed[:10]}")


if __name__ == "__main__":
    main()
