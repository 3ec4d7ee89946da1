"""The CLI tests use the fixtures of the packages they drive (snmpd agents and nft impairments of the monitor tests)."""

from tests.monitor.conftest import agent_factory, nft  # noqa: F401
