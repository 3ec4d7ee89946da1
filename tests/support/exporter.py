"""``netops monitor serve`` as a user starts it, and waiting until its ``/metrics`` shows a series.

Used by the exporter tests, the alerting lab stack (tests/monitor/labstack.py, bench/alert_latency.py) and the
facts tests that read ``netops_device_info`` from a served lab.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

NETOPS = [sys.executable, "-m", "netops"]
ROOT = Path(__file__).resolve().parents[2]


def start_serve(inv: Path, port: int, interval: str, count: str) -> subprocess.Popen[str]:
    """``netops monitor serve`` on a loopback port; the caller stops it."""
    return subprocess.Popen(
        [*NETOPS, "-i", str(inv), "monitor", "serve", "--listen", f"127.0.0.1:{port}", "--interval", interval,
         "--count", count],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )


def wait_metrics(url: str, needle: str, proc: subprocess.Popen[str], timeout: float = 30.0) -> str:
    """The ``/metrics`` body once it contains ``needle``; fails at once if the exporter exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                body = r.read().decode("utf-8")
                if r.status == 200 and needle in body:
                    return body
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"{needle} never appeared at {url}")
