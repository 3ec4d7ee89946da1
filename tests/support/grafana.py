"""Dashboards as the tests read them: every panel's PromQL, with Grafana's variables replaced so that
Prometheus can evaluate it."""

from __future__ import annotations

import re
from typing import Any


def panel_queries(dashboard: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title, PromQL) for every target of every panel."""
    return [(p["title"], t["expr"]) for p in dashboard.get("panels", []) for t in p.get("targets", [])]


GRAFANA_VARS = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "6h"}


def expand_grafana_vars(expr: str) -> str:
    """Grafana's built-in and template variables replaced by values PromQL accepts."""
    for k, v in GRAFANA_VARS.items():
        expr = expr.replace(k, v)
    return re.sub(r"\$\{?[A-Za-z_]\w*\}?", ".*", expr)
