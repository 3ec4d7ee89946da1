"""A small client for Prometheus's HTTP query API, and the period/time syntax reports use.

Every query a report runs goes through :class:`PromClient`, which records it, so the
report can list the exact PromQL and evaluation time behind each figure.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from netops.errors import NetopsError


class ReportError(NetopsError):
    """Bad report options (period, time, format)."""

    exit_code = 2


class PrometheusUnavailable(NetopsError):
    """Prometheus could not be reached or refused a query; reports still carry the inventory part."""

    exit_code = 3


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "y": 365 * 86400}
_DURATION = re.compile(r"^(\d+)([smhdwy])$")


def parse_duration(text: str) -> int:
    """``30d`` → seconds. One number and one unit, as PromQL writes it, so the query shows it unchanged."""
    m = _DURATION.match(text.strip())
    if not m or int(m.group(1)) == 0:
        raise ReportError(f"period {text!r}: write a number and a unit (s, m, h, d, w, y), e.g. 30d or 12h")
    return int(m.group(1)) * _UNITS[m.group(2)]


def parse_time(text: str | None) -> float:
    """Evaluation time: unix seconds or ISO 8601 (UTC when no zone is given); None means now."""
    if text is None or text == "now":
        return dt.datetime.now(dt.UTC).timestamp()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReportError(f"--at {text!r}: write unix seconds or ISO 8601, e.g. 2026-11-01T00:00:00Z") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.timestamp()


@dataclass(frozen=True)
class QueryRecord:
    expr: str
    time: float
    purpose: str


@dataclass
class PromClient:
    url: str
    timeout: float = 30.0
    log: list[QueryRecord] = field(default_factory=list)

    def _get(self, path: str, params: dict[str, str]) -> Any:
        full = self.url.rstrip("/") + path + "?" + urllib.parse.urlencode(params)
        req = urllib.request.Request(full, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 (user-given URL)
                body = json.load(resp)
        except urllib.error.HTTPError as exc:
            try:
                detail = json.load(exc).get("error", "")
            except Exception:  # noqa: BLE001 - any unreadable error body
                detail = ""
            raise PrometheusUnavailable(
                f"Prometheus at {self.url} answered HTTP {exc.code} to {params.get('query', path)!r}: {detail}"
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PrometheusUnavailable(
                f"Prometheus at {self.url} is not reachable ({reason}); check --prometheus and that it runs"
            ) from None
        if body.get("status") != "success":
            raise PrometheusUnavailable(f"Prometheus at {self.url} refused {params}: {body.get('error')}")
        return body["data"]

    def check(self) -> str:
        """Reachable and ready? Returns the Prometheus version (or '?')."""
        try:
            data = self._get("/api/v1/status/buildinfo", {})
            return str(data.get("version", "?"))
        except PrometheusUnavailable as exc:
            if "HTTP 404" in str(exc):  # older servers without buildinfo still answer queries
                return "?"
            raise

    def query(self, expr: str, time: float, purpose: str = "") -> list[dict[str, Any]]:
        """Instant query: a list of ``{"metric": labels, "value": float}``."""
        self.log.append(QueryRecord(expr, time, purpose))
        data = self._get("/api/v1/query", {"query": expr, "time": f"{time:.3f}"})
        if data.get("resultType") == "scalar":
            return [{"metric": {}, "value": float(data["result"][1])}]
        if data.get("resultType") != "vector":
            raise PrometheusUnavailable(f"{expr!r}: expected an instant vector, got {data.get('resultType')}")
        return [{"metric": r["metric"], "value": float(r["value"][1])} for r in data["result"]]

    def query_raw(self, expr: str, time: float, purpose: str = "") -> list[dict[str, Any]]:
        """Instant query of a range selector: raw samples ``{"metric", "values": [(t, v), ...]}``."""
        self.log.append(QueryRecord(expr, time, purpose))
        data = self._get("/api/v1/query", {"query": expr, "time": f"{time:.3f}"})
        return [{"metric": r["metric"], "values": [(float(t), float(v)) for t, v in r["values"]]}
                for r in data.get("result", [])]

    def query_range(self, expr: str, start: float, end: float, step: float,
                    purpose: str = "") -> list[dict[str, Any]]:
        """Range query: ``{"metric", "values": [(t, v), ...]}`` per series."""
        self.log.append(QueryRecord(f"{expr}  (range {start:.0f}..{end:.0f}, step {step:g}s)", end, purpose))
        data = self._get("/api/v1/query_range",
                         {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"})
        return [{"metric": r["metric"], "values": [(float(t), float(v)) for t, v in r["values"]]}
                for r in data.get("result", [])]
