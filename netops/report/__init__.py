"""Reports for planners: coverage from the inventory, uptime/SLA from Prometheus, fiber plans."""

from netops.report.api import FORMATS, KINDS, ReportOptions, build_report, parse_formats, write_report
from netops.report.prom import PromClient, PrometheusUnavailable, ReportError, parse_duration, parse_time

__all__ = [
    "FORMATS", "KINDS", "PromClient", "PrometheusUnavailable", "ReportError", "ReportOptions", "build_report",
    "parse_duration", "parse_formats", "parse_time", "write_report",
]
