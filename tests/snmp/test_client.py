"""The monitor's SnmpClient seam: FastSnmpClient and the pysnmp client give the same values and error reasons."""

from __future__ import annotations

import asyncio

import pytest

from netops.snmp.api import SnmpError, SnmpTarget
from netops.snmp.client import FastSnmpClient, convert
from netops.snmp.pysnmp_client import PysnmpClient
from tests.snmp.conftest import V3_USER
from tests.support.snmpd import Snmpd

STATIC = ["1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.3", "1.3.6.1.2.1.2.2.1.6", "1.3.6.1.2.1.2.2.1.7",
          "1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.31.1.1.1.15", "1.3.6.1.2.1.31.1.1.1.18"]
SCALARS = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.1.99.0"]


def targets(agent: Snmpd) -> dict[str, SnmpTarget]:
    host, port = agent.listen[0]
    user, _, ak, _, pk = V3_USER
    return {
        "v2c": SnmpTarget(host, port, "2c", timeout=1.0, retries=1, name="dev-v2c", community=agent.community),
        "v3": SnmpTarget(host, port, "3", timeout=1.0, retries=1, name="dev-v3", user=user, auth_protocol="sha", auth_key=ak,
                         priv_protocol="aes", priv_key=pk),
    }


async def both(agent: Snmpd, version: str) -> tuple[tuple, tuple]:
    t = targets(agent)[version]
    out = []
    for client in (FastSnmpClient(), PysnmpClient()):
        try:
            await client.prepare([t])
            out.append((await client.get(t, SCALARS), await client.walk(t, STATIC, 10)))
        finally:
            client.close()
    return out[0], out[1]


@pytest.mark.parametrize("version", ["v2c", "v3"])
def test_same_values_as_pysnmp_client(agent: Snmpd, version: str) -> None:
    fast, ref = asyncio.run(both(agent, version))
    assert fast == ref
    scalars, table = fast
    assert "1.3.6.1.2.1.1.99.0" not in scalars and isinstance(scalars["1.3.6.1.2.1.1.2.0"], str)
    assert table["1.3.6.1.2.1.2.2.1.2"]["1"] == "lo"


@pytest.mark.parametrize("change,reason", [
    ({"community": "wrong"}, "timeout"),
    ({"auth_key": "wrong-auth-key"}, "auth"),
])
def test_same_error_reason_as_pysnmp_client(agent: Snmpd, change: dict[str, str], reason: str) -> None:
    import dataclasses

    version = "v2c" if "community" in change else "v3"
    t = dataclasses.replace(targets(agent)[version], timeout=0.3, retries=0, **change)

    async def run(client: object) -> str:
        try:
            await client.get(t, ["1.3.6.1.2.1.1.3.0"])  # type: ignore[attr-defined]
        except SnmpError as exc:
            assert "wrong" not in str(exc)
            return exc.reason
        finally:
            client.close()  # type: ignore[attr-defined]
        return "ok"
    assert asyncio.run(run(FastSnmpClient())) == asyncio.run(run(PysnmpClient())) == reason


def test_engine_survives_a_new_event_loop(agent: Snmpd) -> None:
    """The poller may be driven by several asyncio.run calls (CLI poll --rate); the socket follows the loop."""
    client = FastSnmpClient()
    t = targets(agent)["v3"]
    try:
        for _ in range(2):
            assert asyncio.run(client.get(t, ["1.3.6.1.2.1.1.5.0"]))
    finally:
        client.close()


def test_convert_matches_the_pysnmp_client() -> None:
    from pysnmp.proto import rfc1902

    from netops.snmp.pysnmp_client import _convert
    from tests.snmp.reference import tag_of

    for v in [rfc1902.OctetString(b"eth0"), rfc1902.OctetString(b"\x00\x1b\x21\xff"), rfc1902.OctetString(b""),
              rfc1902.IpAddress("10.1.2.3"), rfc1902.Counter64(2**64 - 1), rfc1902.Integer32(-7),
              rfc1902.ObjectIdentifier("1.3.6.1.4.1.14988.1"), rfc1902.Opaque(b"\x9f\x78\x04")]:
        raw = bytes(v) if tag_of(v) in (0x04, 0x40, 0x44) else (tuple(v) if tag_of(v) == 0x06 else int(v))
        assert convert(tag_of(v), raw) == _convert(v), v


def test_targets_the_fast_engine_lacks_go_to_pysnmp() -> None:
    fast = FastSnmpClient()
    v3 = SnmpTarget("127.0.0.1", 161, "3", timeout=1.0, retries=0, name="d", user="u", auth_key="a" * 8, priv_key="p" * 8)
    import dataclasses

    assert not fast._pysnmp_only(v3)
    assert fast._pysnmp_only(dataclasses.replace(v3, priv_protocol="aes256"))
    assert fast._pysnmp_only(dataclasses.replace(v3, priv_protocol="des"))
    assert fast._pysnmp_only(SnmpTarget("::1", 161, "2c", timeout=1.0, retries=0, name="d", community="c"))
    fast.close()

