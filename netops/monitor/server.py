"""The exporter's HTTP side: ``/metrics``, snmp_exporter-style ``/snmp``, TLS and basic auth.

HTTP runs in a thread and reads the poller's current snapshot (a reference
swapped whole by the poll loop), so a scrape never waits on the network.
TLS and basic auth follow the exporter-toolkit web-config file:

    tls_server_config: {cert_file: server.crt, key_file: server.key}
    basic_auth_users: {prometheus: <bcrypt hash>}
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from netops.errors import BadInput, NetopsError
from netops.monitor.collector import (
    ChangesOutsideCollector,
    PendingRecoveryCollector,
    Renderer,
    render_target,
    rendered,
)
from netops.monitor.snapshot import Snapshot

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class WebConfigError(NetopsError):
    exit_code = 2


@dataclass
class WebConfig:
    cert_file: Path | None = None
    key_file: Path | None = None
    users: dict[str, bytes] = field(default_factory=dict)
    _ok: dict[tuple[str, bytes], bool] = field(default_factory=dict, repr=False)

    def check(self, header: str | None) -> bool:
        """Basic auth against bcrypt hashes; results cached by a keyed digest, bcrypt is slow by design."""
        if not self.users:
            return True
        if not header or not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        hashed = self.users.get(user)
        if hashed is None:
            return False
        key = (user, hmac.new(hashed, password.encode("utf-8"), hashlib.sha256).digest())
        if key not in self._ok:
            import bcrypt

            try:
                self._ok[key] = bcrypt.checkpw(password.encode("utf-8"), hashed)
            except ValueError:
                self._ok[key] = False
        return self._ok[key]


def load_web_config(path: Path) -> WebConfig:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise WebConfigError(f"{path}: cannot read web config ({exc})") from None
    if not isinstance(raw, dict):
        raise WebConfigError(f"{path}: a web config is a mapping (tls_server_config, basic_auth_users)")
    unknown = set(raw) - {"tls_server_config", "basic_auth_users", "http_server_config"}
    if unknown:
        raise WebConfigError(f"{path}: unknown keys {sorted(unknown)}; use tls_server_config and basic_auth_users")
    cfg = WebConfig()
    tls = raw.get("tls_server_config") or {}
    if tls:
        if not tls.get("cert_file") or not tls.get("key_file"):
            raise WebConfigError(f"{path}: tls_server_config needs cert_file and key_file")
        base = path.parent
        cfg.cert_file = base / str(tls["cert_file"])
        cfg.key_file = base / str(tls["key_file"])
        for f in (cfg.cert_file, cfg.key_file):
            if not f.is_file():
                raise WebConfigError(f"{path}: {f} not found")
    for user, hashed in (raw.get("basic_auth_users") or {}).items():
        h = str(hashed)
        if not h.startswith(("$2a$", "$2b$", "$2y$")):
            raise WebConfigError(f"{path}: basic_auth_users.{user}: store a bcrypt hash, never a password "
                                 "(python -c 'import bcrypt,getpass; print(bcrypt.hashpw(getpass.getpass().encode(), "
                                 "bcrypt.gensalt()).decode())')")
        cfg.users[str(user)] = h.encode("utf-8")
    return cfg


def parse_listen(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise BadInput(f"--listen {text!r}: write ADDRESS:PORT, e.g. 127.0.0.1:9750")
    return host.strip("[]") or "127.0.0.1", int(port)


INDEX = b"""<html><head><title>netops monitor</title></head><body>
<h1>netops monitor</h1><p><a href="/metrics">/metrics</a> - every device of this shard</p>
<p>/snmp?target=DEVICE-or-ADDRESS&amp;module=if_mib - one device, snmp_exporter style</p></body></html>
"""


class _Server(ThreadingHTTPServer):
    """One thread per connection, and everything slow happens in that thread.

    The listening loop only accepts: the TLS handshake and every read run in the
    connection's own thread under ``conn_timeout``, so a client that connects and never
    starts its handshake (or sends its request a byte at a time) holds one thread, never
    the other scrapes. http.server's own TLS setup (a wrapped listening socket)
    handshakes inside ``accept()``, in the serving loop itself."""

    daemon_threads = True
    request_queue_size = 128  # the default 5 refuses connections under 50 concurrent scrapes

    def __init__(self, listen: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 tls: ssl.SSLContext | None, conn_timeout: float):
        self.tls = tls
        self.conn_timeout = conn_timeout
        super().__init__(listen, handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(self.conn_timeout)
        conn = request
        try:
            if self.tls is not None:
                conn = self.tls.wrap_socket(request, server_side=True)  # handshake here, bounded by the timeout
            self.RequestHandlerClass(conn, client_address, self)  # type: ignore[arg-type]
        finally:
            if conn is not request:
                conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that times out, drops or fails its handshake is its own problem: no traceback."""


class Exporter:
    """Serves the snapshot returned by ``get`` until :meth:`stop`."""

    def __init__(self, get: Callable[[], Snapshot], listen: tuple[str, int], web: WebConfig | None = None,
                 journal_repo: Path | None = None, conn_timeout: float = 10.0):
        self.get = get
        self.web = web or WebConfig()
        self._renderer, self._render_lock = Renderer(), threading.Lock()
        self._pending = PendingRecoveryCollector(journal_repo) if journal_repo is not None else None
        self._changes = ChangesOutsideCollector(journal_repo) if journal_repo is not None else None
        exporter = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "netops-monitor"
            timeout = conn_timeout  # every read of a request (StreamRequestHandler.setup)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet by default
                pass

            def _send(self, code: int, body: bytes | bytearray, ctype: str = "text/plain; charset=utf-8",
                      encoding: str | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                if encoding:
                    self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(len(body)))
                if code == 401:
                    self.send_header("WWW-Authenticate", 'Basic realm="netops"')
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if not exporter.web.check(self.headers.get("Authorization")):
                    self._send(401, b"Unauthorized\n")
                    return
                url = urlsplit(self.path)
                snap = exporter.get()
                if url.path == "/metrics":
                    self._send(200, *exporter.metrics_body(snap, self.headers.get("Accept-Encoding", "")))
                elif url.path == "/snmp":
                    q = parse_qs(url.query)
                    target = (q.get("target") or [""])[0]
                    modules = [m for v in q.get("module", ["if_mib"]) for m in v.split(",") if m]
                    if not target:
                        self._send(400, b"'target' parameter must be specified\n")
                        return
                    bad = [m for m in modules if m not in snap.profiles]
                    if bad:
                        self._send(400, f"Unknown module '{bad[0]}'\n".encode())
                        return
                    dev = snap.find_device(target)
                    if dev is None:
                        self._send(404, f"target {target!r} is not polled by this exporter (shard "
                                        f"{snap.shard[0]}/{snap.shard[1]})\n".encode())
                        return
                    self._send(200, render_target(snap, dev, modules), CONTENT_TYPE)
                elif url.path in ("/", ""):
                    self._send(200, INDEX, "text/html; charset=utf-8")
                elif url.path == "/-/healthy":
                    self._send(200, b"OK\n")
                else:
                    self._send(404, b"Not found\n")

        tls = None
        if self.web.cert_file and self.web.key_file:
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.minimum_version = ssl.TLSVersion.TLSv1_2
            tls.load_cert_chain(str(self.web.cert_file), str(self.web.key_file))
        try:
            self.httpd = _Server(listen, Handler, tls, conn_timeout)
        except OSError as exc:
            raise NetopsError(f"cannot listen on {listen[0]}:{listen[1]}: {exc.strerror}; "
                              "choose another --listen address or port") from None
        host, port = self.httpd.server_address[:2]
        self.address: tuple[str, int] = (str(host), int(port))
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="netops-exporter", daemon=True)

    def metrics_body(self, snap: Snapshot, accept_encoding: str) -> tuple[bytes | bytearray, str, str | None]:
        """``/metrics``: the snapshot's body rendered once per poll cycle (gzip made once too), never per scrape."""
        body = rendered(snap, self._renderer, self._render_lock)
        # the change journal is local state, read when it changed: its few lines follow the cached body
        extra = self._pending.exposition() if self._pending is not None else b""
        extra += self._changes.exposition() if self._changes is not None else b""
        if "gzip" in accept_encoding:  # a second gzip member: gzip readers decode concatenated members
            return body.gzipped() + (gzip.compress(extra, 1) if extra else b""), CONTENT_TYPE, "gzip"
        return body.body + extra, CONTENT_TYPE, None

    def start(self) -> Exporter:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
