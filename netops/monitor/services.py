"""Generated service checks: blackbox_exporter modules, the Prometheus job that drives them, rules, a dashboard.

One module per service (its own expected status, body and CA), so a check says exactly what the
inventory says; the scrape job passes each target and module as URL parameters, the way
blackbox_exporter's documentation does it.
"""

from __future__ import annotations

from typing import Any

from netops.inventory import Inventory
from netops.inventory.services import Service

JOB = "netops-services"
CERT_DAYS = 21


def module_name(svc: Service) -> str:
    return f"netops_{svc.id.replace('-', '_')}"


def _module(svc: Service, timeout_s: int) -> dict[str, Any]:
    timeout = f"{timeout_s}s"
    if svc.http is not None:
        http: dict[str, Any] = {"valid_status_codes": svc.http.status, "preferred_ip_protocol": "ip4",
                                "follow_redirects": True}
        if svc.http.body:
            http["fail_if_body_not_matches_regexp"] = [svc.http.body]
        if svc.http.ca_file:
            http["tls_config"] = {"ca_file": svc.http.ca_file}
        return {"prober": "http", "timeout": timeout, "http": http}
    if svc.tcp is not None:
        return {"prober": "tcp", "timeout": timeout, "tcp": {"preferred_ip_protocol": "ip4"}}
    assert svc.dns is not None
    return {"prober": "dns", "timeout": timeout,
            "dns": {"query_name": svc.dns.name, "query_type": svc.dns.type, "preferred_ip_protocol": "ip4",
                    "valid_rcodes": ["NOERROR"]}}


def _target(svc: Service) -> str:
    if svc.http is not None:
        return str(svc.http.url)
    if svc.tcp is not None:
        return f"{svc.tcp.host}:{svc.tcp.port}"
    assert svc.dns is not None
    return svc.dns.server


def blackbox_config(inv: Inventory, timeout_s: int = 10) -> dict[str, Any]:
    return {"modules": {module_name(s): _module(s, timeout_s)
                        for s in sorted(inv.services.values(), key=lambda s: s.id)}}


def scrape_job(inv: Inventory, blackbox: str, interval: str, timeout: str) -> dict[str, Any]:
    statics = []
    for s in sorted(inv.services.values(), key=lambda s: s.id):
        site = inv.sites[s.site]
        statics.append({"targets": [_target(s)], "labels": {
            "service": s.id, "name": s.name, "kind": s.kind, "owner": s.owner, "site": s.site,
            "kecamatan": site.kecamatan or "", "__param_module": module_name(s)}})
    return {
        "job_name": JOB, "metrics_path": "/probe", "scrape_interval": interval, "scrape_timeout": timeout,
        "static_configs": statics,
        "relabel_configs": [
            {"source_labels": ["__address__"], "target_label": "__param_target"},
            {"source_labels": ["__param_target"], "target_label": "instance"},
            {"target_label": "__address__", "replacement": blackbox},
        ],
    }


def service_down_alert(down_for: str) -> dict[str, Any]:
    return {"alert": "NetopsServiceDown", "expr": f'probe_success{{job="{JOB}"}} == 0', "for": down_for,
            "labels": {"severity": "critical"},
            "annotations": {"summary": "Service {{ $labels.name }} ({{ $labels.instance }}) fails its check",
                            "description": "The {{ $labels.kind }} check has failed for " + down_for
                                           + " (owner: {{ $labels.owner }}, hosted at {{ $labels.site }})."}}


def service_cert_alert() -> dict[str, Any]:
    return {"alert": "NetopsServiceCertExpiring",
            "expr": f'probe_ssl_earliest_cert_expiry{{job="{JOB}"}} - time() < {CERT_DAYS} * 86400',
            "labels": {"severity": "warning"},
            "annotations": {"summary": "The TLS certificate of {{ $labels.name }} expires in "
                                       "{{ $value | humanizeDuration }}",
                            "description": f"Less than {CERT_DAYS} days left: renew it before citizens see a "
                                           "browser warning (owner: {{ $labels.owner }})."}}


def services_dashboard_panels(layout: Any, target: Any) -> list[dict[str, Any]]:
    """A row of service panels, for whatever dashboard hosts it."""
    sel = f'job="{JOB}"'
    green_up = {"defaults": {"mappings": [{"type": "value", "options": {
        "0": {"text": "DOWN", "color": "red"}, "1": {"text": "UP", "color": "green"}}}],
        "thresholds": {"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "green", "value": 1}]},
        "color": {"mode": "thresholds"}}, "overrides": []}
    cert = {"defaults": {"unit": "s", "thresholds": {"mode": "absolute", "steps": [
        {"color": "red", "value": None}, {"color": "orange", "value": CERT_DAYS * 86400},
        {"color": "green", "value": 2 * CERT_DAYS * 86400}]}, "color": {"mode": "thresholds"}}, "overrides": []}
    return [
        layout.row("E-government services"),
        layout.panel("Services up", "stat", [target(f"probe_success{{{sel}}}", "{{name}}", instant=True)], 12, 6,
                     extra={"fieldConfig": green_up, "options": {"colorMode": "background", "graphMode": "none"}}),
        layout.panel("TLS certificate expires in", "bargauge",
                     [target(f"probe_ssl_earliest_cert_expiry{{{sel}}} - time()", "{{name}}", instant=True)], 12, 6,
                     extra={"fieldConfig": cert, "options": {"orientation": "horizontal", "displayMode": "basic"}}),
        layout.panel("Response time", "timeseries",
                     [target(f"probe_duration_seconds{{{sel}}}", "{{name}}")], 24, 6, unit="s"),
    ]
