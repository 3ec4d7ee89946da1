"""Headless Chromium driven over the DevTools protocol: load a page, record every request and
console message, take a screenshot. The browser gets a throw-away profile, no network
features, and its debugging port on loopback; the caller cleans up via the context manager.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

from netops.report.render.pdf import chromium_args


@dataclass
class PageLoad:
    requests: list[str] = field(default_factory=list)
    console: list[tuple[str, str]] = field(default_factory=list)
    """(level, text) of console messages, log entries and uncaught exceptions."""
    failed: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [text for level, text in self.console if level in ("error", "assert", "exception")]


class Browser:
    def __init__(self, binary: str):
        self.binary = binary

    def __enter__(self) -> Browser:
        self._tmp = tempfile.TemporaryDirectory(prefix="netops-chromium-")
        args = chromium_args(self.binary, str(Path(self._tmp.name) / "profile")) + [
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", "about:blank"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = None
        deadline = time.monotonic() + 60
        assert self.proc.stderr is not None
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                if self.proc.poll() is not None:
                    break
                continue
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                url = m.group(1)
                break
        if url is None:
            self.__exit__(None, None, None)
            raise RuntimeError("Chromium did not open its DevTools port")
        self._stack = ExitStack()
        self.ws = self._stack.enter_context(connect(url, max_size=None, open_timeout=30))
        self._id = 0
        self.events: list[dict[str, Any]] = []
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if hasattr(self, "_stack"):
                self._stack.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self._tmp.cleanup()

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 60) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                self.events.append(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                return

    def load(self, url: str, screenshot: Path | None = None, width: int = 1280,
             script: str | None = None) -> tuple[PageLoad, Any]:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        deadline = time.monotonic() + 60
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not finish loading")
            self.drain(0.2)
        self.drain(1.0)  # late requests and console messages
        result = None
        if script is not None:
            result = self.send("Runtime.evaluate", {"expression": script, "returnByValue": True},
                               session=session)["result"].get("value")
        if screenshot is not None:
            metrics = self.send("Page.getLayoutMetrics", session=session)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = self.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": min(size["height"], 6000), "scale": 1}},
                session=session)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        self.drain(0.3)
        page = PageLoad()
        for e in self.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Network.requestWillBeSent":
                page.requests.append(p["request"]["url"])
            elif method == "Network.loadingFailed":
                page.failed.append(f"{p.get('errorText')} {p.get('blockedReason', '')}".strip())
            elif method == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                page.console.append((p.get("type", ""), text))
            elif method == "Log.entryAdded":
                entry = p["entry"]
                page.console.append((entry.get("level", ""), f"{entry.get('source')}: {entry.get('text')} "
                                                              f"{entry.get('url', '')}"))
            elif method == "Runtime.exceptionThrown":
                page.console.append(("exception", json.dumps(p.get("exceptionDetails", {}))[:500]))
        self.send("Target.closeTarget", {"targetId": target})
        return page, result
