"""Secrets for the small inventory's references (fake values; the tests grep they never leak)."""

from __future__ import annotations

import pytest

SECRETS = {
    "TEST_ROUTER_PASSWORD": "rtr-Pw-7f3a9",
    "TEST_SNMP_AUTH": "snmpAuth-K3y-1b2c",
    "TEST_SNMP_PRIV": "snmpPriv-K3y-9d8e",
    "TEST_SNMP_COMMUNITY": "c0mmunity-x41",
}


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    return SECRETS
