"""A real Prometheus server for tests: temp config and storage, a free loopback port."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml


def free_tcp_port(host: str = "127.0.0.1") -> int:
    s = socket.socket()
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(url: str, timeout: float = 10.0, headers: dict[str, str] | None = None, context: Any = None
             ) -> tuple[int, str]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


class Prometheus:
    def __init__(self, url: str):
        self.url = url

    def api(self, path: str, **params: str) -> dict[str, Any]:
        code, body = http_get(f"{self.url}{path}?{urllib.parse.urlencode(params)}")
        data = json.loads(body)
        data["http_status"] = code
        return data

    def query(self, expr: str) -> list[dict[str, Any]]:
        data = self.api("/api/v1/query", query=expr)
        if data.get("status") != "success":
            raise AssertionError(f"query {expr!r} failed: {data.get('error')}")
        return data["data"]["result"]

    def wait_for(self, expr: str, timeout: float = 60.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            result = self.query(expr)
            if result or time.monotonic() > deadline:
                return result
            time.sleep(0.5)


@contextmanager
def prometheus(workdir: Path, scrape_configs: list[dict[str, Any]], rule_files: list[str] | None = None,
               interval: str = "1s") -> Iterator[Prometheus]:
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = {"global": {"scrape_interval": interval, "evaluation_interval": interval},
           "scrape_configs": scrape_configs}
    if rule_files:
        cfg["rule_files"] = rule_files
    conf = workdir / "prometheus.yml"
    conf.write_text(yaml.safe_dump(cfg))
    with prometheus_from(conf, workdir) as prom:
        yield prom


@contextmanager
def prometheus_from(conf: Path, workdir: Path) -> Iterator[Prometheus]:
    """Prometheus on a free loopback port with a given config file (e.g. one 'monitor generate' wrote)."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_tcp_port()
    with ready_daemon(["prometheus", f"--config.file={conf}", f"--storage.tsdb.path={workdir / 'data'}",
                       f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                      workdir / "prometheus.log", f"http://127.0.0.1:{port}") as url:
        yield Prometheus(url)


@contextmanager
def ready_daemon(cmd: list[str], logfile: Path, url: str, timeout: float = 30) -> Iterator[str]:
    """Start a Prometheus-family daemon, wait for its /-/ready, stop it afterwards; yields its URL."""
    name = Path(cmd[0]).name
    log = logfile.open("w")
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if http_get(f"{url}/-/ready", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start: {logfile.read_text()[-800:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
