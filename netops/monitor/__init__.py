"""Monitoring: SNMP and ICMP poller, snapshot, Prometheus exporter, generated config."""

from netops.monitor.poller import Poller, PollerConfig, parse_shard
from netops.monitor.snapshot import Snapshot, shard_of

__all__ = ["Poller", "PollerConfig", "Snapshot", "parse_shard", "shard_of"]
