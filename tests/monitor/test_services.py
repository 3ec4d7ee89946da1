"""Service checks end to end: a real blackbox_exporter with the generated modules, a real Prometheus with the
generated job and rules, local HTTP/HTTPS servers standing in for the regency's applications."""

from __future__ import annotations

import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from netops.inventory import load_inventory
from netops.monitor.generate import Thresholds, generate
from tests.conftest import need_binary
from tests.monitor.promserver import Prometheus, free_tcp_port, http_get, prometheus_from

pytestmark = pytest.mark.slow


class Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = b"<html><title>Portal Kabupaten Uji</title></html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def serve(port: int, context: ssl.SSLContext | None = None) -> Iterator[None]:
    srv = ThreadingHTTPServer(("127.0.0.1", port), Page)
    if context is not None:
        srv.socket = context.wrap_socket(srv.socket, server_side=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield
    finally:
        srv.shutdown()
        srv.server_close()


def firing(prom: Prometheus, alert: str) -> set[str]:
    return {r["metric"]["service"] for r in prom.query(f'ALERTS{{alertname="{alert}",alertstate="firing"}}')}


def wait(check: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.3)


def test_service_checks_fire_and_resolve_and_an_expiring_certificate_alerts(tmp_path: Path) -> None:
    need_binary("prometheus")
    bb_bin = need_binary("prometheus-blackbox-exporter")
    need_binary("openssl")
    cert, key = tmp_path / "portal.crt", tmp_path / "portal.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "10", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    http_port, https_port, bb_port = free_tcp_port(), free_tcp_port(), free_tcp_port()
    inv_dir = tmp_path / "inventory"
    inv_dir.mkdir()
    (inv_dir / "inventory.yaml").write_text(yaml.safe_dump({
        "regency": {"name": "Kabupaten Uji", "code": "61.12", "domain": "uji.go.id"},
        "sites": [{"id": "dc", "name": "Pusat Data", "tier": "datacenter", "lat": -0.07, "lon": 109.37}],
        "services": [
            {"id": "portal", "name": "Portal", "site": "dc", "owner": "Diskominfo",
             "http": {"url": f"http://127.0.0.1:{http_port}/", "body": "Portal Kabupaten"}},
            {"id": "portal-wrong-page", "name": "Portal (expects another page)", "site": "dc", "owner": "Diskominfo",
             "http": {"url": f"http://127.0.0.1:{http_port}/", "body": "Sistem Informasi Desa"}},
            {"id": "portal-tls", "name": "Portal HTTPS", "site": "dc", "owner": "Diskominfo",
             "http": {"url": f"https://127.0.0.1:{https_port}/", "ca_file": str(cert)}},
            {"id": "portal-tcp", "name": "Portal port", "site": "dc", "owner": "Diskominfo",
             "tcp": {"host": "127.0.0.1", "port": http_port}},
        ]}))
    out = tmp_path / "monitors"
    generate(load_inventory(inv_dir), out, exporters=[f"127.0.0.1:{free_tcp_port()}"], alertmanagers=[],
             blackbox=f"127.0.0.1:{bb_port}", th=Thresholds(interval_s=1, service_down_for="2s"))
    dash = (out / "grafana" / "dashboards" / "netops-overview.json").read_text()
    assert '"title": "E-government services"' in dash

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    log = (tmp_path / "blackbox.log").open("w")
    bb = subprocess.Popen([bb_bin, f"--config.file={out / 'blackbox' / 'blackbox.yml'}",
                           f"--web.listen-address=127.0.0.1:{bb_port}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait(lambda: _ready(f"http://127.0.0.1:{bb_port}/-/healthy")), (tmp_path / "blackbox.log").read_text()
        with serve(https_port, ctx), prometheus_from(out / "prometheus" / "prometheus.yml", tmp_path / "prom") as prom:
            with serve(http_port):
                ok = wait(lambda: {r["metric"]["service"] for r in prom.query(
                    'probe_success{job="netops-services"} == 1')} >= {"portal", "portal-tls", "portal-tcp"})
                assert ok, prom.query('probe_success{job="netops-services"}')
                assert wait(lambda: firing(prom, "NetopsServiceDown") == {"portal-wrong-page"}), \
                    firing(prom, "NetopsServiceDown")
                assert wait(lambda: firing(prom, "NetopsServiceCertExpiring") == {"portal-tls"})
                (exp,) = prom.query('probe_ssl_earliest_cert_expiry{service="portal-tls"} - time()')
                assert 9 * 86400 < float(exp["value"][1]) <= 10 * 86400
            # the application stops: its HTTP and TCP checks fail and alert
            assert wait(lambda: firing(prom, "NetopsServiceDown") ==
                        {"portal", "portal-tcp", "portal-wrong-page"}), firing(prom, "NetopsServiceDown")
            with serve(http_port):  # back: the alerts resolve
                assert wait(lambda: firing(prom, "NetopsServiceDown") == {"portal-wrong-page"})
    finally:
        bb.terminate()
        bb.wait(10)
        log.close()


def _ready(url: str) -> bool:
    try:
        return http_get(url, timeout=1)[0] == 200
    except OSError:
        return False


def test_bad_service_url_names_file_and_line(tmp_path: Path) -> None:
    inv = tmp_path / "inventory"
    inv.mkdir()
    (inv / "a.yaml").write_text(
        "regency: {name: Kabupaten Uji, code: '61.12', domain: uji.go.id}\n"
        "sites:\n  - {id: dc, name: Pusat Data, tier: datacenter, lat: -0.07, lon: 109.37}\n"
        "services:\n  - id: portal\n    name: Portal\n    site: dc\n    owner: Diskominfo\n"
        "    http:\n      url: portal kabupaten\n")
    r = subprocess.run([sys.executable, "-m", "netops", "-i", str(inv), "monitor", "generate", "--out",
                        str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 2 and "a.yaml:10" in r.stderr and "services[portal].http.url" in r.stderr, r.stderr
    assert not (tmp_path / "o").exists()

