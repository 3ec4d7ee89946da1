"""A real Alertmanager for tests (temp storage, loopback port, no cluster) and a loopback webhook receiver."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.conftest import need_binary
from tests.monitor.promserver import free_tcp_port, http_get, ready_daemon


class Receiver:
    """Records every notification Alertmanager POSTs (webhook JSON), in arrival order."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.arrived: list[float] = []
        self._cond = threading.Condition()
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with received._cond:
                    received.messages.append(json.loads(body))
                    received.arrived.append(time.time())
                    received._cond.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait(self, n: int, timeout: float = 90.0) -> list[dict[str, Any]]:
        """Block until at least ``n`` notifications arrived; return them all."""
        with self._cond:
            self._cond.wait_for(lambda: len(self.messages) >= n, timeout)
            return list(self.messages)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Alertmanager:
    def __init__(self, url: str):
        self.url = url

    def alerts(self, **filters: str) -> list[dict[str, Any]]:
        q = "&".join(f"{k}={v}" for k, v in filters.items())
        code, body = http_get(f"{self.url}/api/v2/alerts?{q}")
        assert code == 200, body
        return json.loads(body)

    def request(self, method: str, path: str, data: Any = None) -> Any:
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     data=json.dumps(data).encode() if data is not None else None,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            text = r.read().decode()
            return json.loads(text) if text.strip() else None

    def wait_until(self, check: Any, timeout: float = 90.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            alerts = self.alerts()
            if check(alerts) or time.monotonic() > deadline:
                return alerts
            time.sleep(0.3)


@contextmanager
def alertmanager(workdir: Path, config: Path, port: int | None = None) -> Iterator[Alertmanager]:
    binary = need_binary("prometheus-alertmanager")
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_tcp_port()
    with ready_daemon([binary, f"--config.file={config}", f"--storage.path={workdir / 'data'}",
                       f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"],
                      workdir / "alertmanager.log", f"http://127.0.0.1:{port}") as url:
        yield Alertmanager(url)
