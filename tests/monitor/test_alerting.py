"""'netops maintenance' refusing bad input before it reaches Alertmanager.

The end-to-end alerting scenarios (a kecamatan uplink cut, a provider-wide VSAT outage, a maintenance
window, an ad-hoc silence) run on the lab: test_alerting_lab.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_maintenance_add_refuses_what_the_inventory_does_not_know(tmp_path: Path) -> None:
    from tests.monitor.labstack import Timing, write_alerting, write_source_inventory

    src = write_source_inventory(tmp_path)  # the lab test's regency, no lab needed here
    write_alerting(src, "http://127.0.0.1:9/", Timing())
    inv = str(src)
    r = netops("-i", inv, "maintenance", "add", "--kecamatan", "Kubu Raya", "--duration", "1h", "--comment", "x",
               "--alertmanager", "http://127.0.0.1:9")
    assert r.returncode == 2 and "'Kubu Raya' is not a kecamatan" in r.stderr, r.stderr
    r = netops("-i", inv, "maintenance", "add", "--site", "kec-kubu", "--start", "2026-12-20T22:00+07:00",
               "--until", "2026-12-20T21:00+07:00", "--comment", "x", "--alertmanager", "http://127.0.0.1:9")
    assert r.returncode == 2 and "before it starts" in r.stderr, r.stderr
    r = netops("-i", inv, "maintenance", "list", "--alertmanager", "http://127.0.0.1:9")
    assert r.returncode == 3 and "cannot be reached" in r.stderr and "Traceback" not in r.stderr


def netops(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "netops", *args], capture_output=True, text=True)
