"""A real Prometheus with known history (the report tests' and the report CLI's): promtool builds TSDB
blocks, Prometheus serves them on 127.160.x; one server for the whole session."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import need_binary
from tests.report import history

PROM_HOST = "127.160.0.1"  # the report tests' own loopback address


@dataclass
class PromServer:
    url: str
    end: int
    storage: Path


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/-/ready", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def prom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PromServer]:
    promtool = need_binary("promtool")
    prometheus = need_binary("prometheus")
    work = tmp_path_factory.mktemp("prom")
    end = history.end_time()
    src = history.write(work / "history.om", end)
    storage = work / "data"
    storage.mkdir()
    subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(src), str(storage)],
                   check=True, capture_output=True, timeout=300)
    (work / "prometheus.yml").write_text("global:\n  scrape_interval: 1m\n")
    log = (work / "prometheus.log").open("w")
    proc = None
    for _attempt in range(5):  # a port taken between choosing and binding: choose again
        port = free_port(PROM_HOST)
        url = f"http://{PROM_HOST}:{port}"
        proc = subprocess.Popen(
            [prometheus, f"--config.file={work / 'prometheus.yml'}", f"--storage.tsdb.path={storage}",
             "--storage.tsdb.retention.time=3650d", f"--web.listen-address={PROM_HOST}:{port}"],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and not _ready(url):
            time.sleep(0.2)
        if proc.poll() is None and _ready(url):
            break
        proc.kill()
        proc.wait()
        proc = None
    if proc is None:
        pytest.fail(f"Prometheus did not start; see {work / 'prometheus.log'}")
    try:
        yield PromServer(url, end, storage)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def query(url: str, expr: str, at: float) -> list[dict]:
    q = urllib.parse.urlencode({"query": expr, "time": str(at)})
    with urllib.request.urlopen(f"{url}/api/v1/query?{q}", timeout=30) as resp:
        return json.load(resp)["data"]["result"]

