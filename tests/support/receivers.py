"""Loopback receivers for notification tests: an HTTP server that records POSTs (webhooks, and a
stand-in for the Telegram Bot API, which cannot be reached from a test) and a minimal SMTP server.

The SMTP server is written here because Python 3.12 has no ``smtpd`` and aiosmtpd is not a
dependency: it speaks just enough of RFC 5321 (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
for ``smtplib`` to deliver a message, and records each message's envelope and text.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Posted:
    path: str
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


class HttpRecorder:
    """Records every POST; answers 200 with ``{"ok": true}``."""

    def __init__(self) -> None:
        self.posts: list[Posted] = []
        self.cond = threading.Condition()
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8")
                with rec.cond:
                    rec.posts.append(Posted(self.path, body))
                    rec.cond.notify_all()
                out = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def at(self, prefix: str) -> list[Posted]:
        with self.cond:
            return [p for p in self.posts if p.path.startswith(prefix)]

    def wait_for(self, prefix: str, count: int, timeout: float) -> list[Posted]:
        with self.cond:
            self.cond.wait_for(lambda: len([p for p in self.posts if p.path.startswith(prefix)]) >= count, timeout)
        return self.at(prefix)

    def clear(self) -> None:
        with self.cond:
            self.posts.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Mail:
    sender: str
    to: list[str]
    data: str


@dataclass
class SmtpRecorder:
    """A minimal SMTP server on 127.0.0.1 (see the module docstring)."""

    mails: list[Mail] = field(default_factory=list)

    def __post_init__(self) -> None:
        rec = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(30)
                self.say("220 localhost test SMTP")
                sender, to = "", []
                while True:
                    line = self.rfile.readline().decode("utf-8", "replace").rstrip("\r\n")
                    if not line:
                        return
                    verb = line.split(" ", 1)[0].upper()
                    if verb == "EHLO":
                        self.say("250-localhost\r\n250 8BITMIME")
                    elif verb == "HELO" or verb == "NOOP":
                        self.say("250 ok")
                    elif verb == "MAIL":
                        sender, to = line.split(":", 1)[1].strip().strip("<>").split(">")[0], []
                        self.say("250 ok")
                    elif verb == "RCPT":
                        to.append(line.split(":", 1)[1].strip().strip("<>"))
                        self.say("250 ok")
                    elif verb == "DATA":
                        self.say("354 end with <CRLF>.<CRLF>")
                        data = []
                        while True:
                            raw = self.rfile.readline().decode("utf-8", "replace")
                            if raw in (".\r\n", ".\n", ""):
                                break
                            data.append(raw[1:] if raw.startswith("..") else raw)
                        rec.mails.append(Mail(sender, to, "".join(data)))
                        self.say("250 queued")
                    elif verb == "RSET":
                        sender, to = "", []
                        self.say("250 ok")
                    elif verb == "QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("502 not implemented")

            def say(self, text: str) -> None:
                self.wfile.write(text.encode("utf-8") + b"\r\n")

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True
            address_family = socket.AF_INET

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
