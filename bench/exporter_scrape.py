"""Scrape latency of the exporter's HTTP side with 0 and 10 idle connections held open,
TLS off and on (the case one idle client used to freeze: a handshake never started).

The snapshot holds 200 devices with 48 interfaces each (what one shard serves); each
setting is scraped 200 times in a row. Prints one line per setting: median, p95, max
and failures. Needs openssl (a throw-away self-signed certificate).

    .venv/bin/python bench/exporter_scrape.py
"""

from __future__ import annotations

import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from netops.monitor.server import Exporter, load_web_config  # noqa: E402
from netops.monitor.snapshot import InterfaceRate, Snapshot  # noqa: E402

SCRAPES = 200


def snapshot() -> Snapshot:
    snap = Snapshot()
    for d in range(200):
        name = f"desa-{d:03d}-r1"
        snap.devices[name] = {"device": name, "site": f"desa-{d:03d}", "kecamatan": "Bench", "tier": "desa",
                              "platform": "mikrotik_routeros", "role": "access"}
        snap.rates[name] = {str(i): InterfaceRate(name=f"ether{i}", in_bps=1e6 + i, out_bps=2e6 + i, speed_bps=1e9)
                            for i in range(1, 49)}
    return snap


def run(tls: bool, idle: int, workdir: Path) -> str:
    web, ctx = None, None
    if tls:
        cert, key = workdir / "s.crt", workdir / "s.key"
        if not cert.exists():
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                            "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                            "-out", str(cert)], check=True, capture_output=True)
        (workdir / "web.yml").write_text("tls_server_config: {cert_file: s.crt, key_file: s.key}\n")
        web = load_web_config(workdir / "web.yml")
        ctx = ssl.create_default_context(cafile=str(cert))
    snap = snapshot()
    exporter = Exporter(lambda: snap, ("127.0.0.1", 0), web).start()
    port = exporter.address[1]
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/metrics"
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(idle)]
    times, failed, size = [], 0, 0
    try:
        for _ in range(SCRAPES):
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=5, context=ctx) as r:
                    size = len(r.read())
                times.append(time.perf_counter() - t0)
            except OSError:
                failed += 1
    finally:
        for s in held:
            s.close()
        exporter.stop()
    times.sort()
    ms = [t * 1000 for t in times] or [float("nan")]
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (f"tls={'on ' if tls else 'off'} idle={idle:>2}: median {statistics.median(ms):6.1f} ms, p95 {p95:6.1f} ms,"
            f" max {ms[-1]:6.1f} ms, failed {failed}/{SCRAPES}, body {size / 1e6:.2f} MB")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for tls in (False, True):
            for idle in (0, 10):
                print(run(tls, idle, Path(tmp)), flush=True)


if __name__ == "__main__":
    main()
