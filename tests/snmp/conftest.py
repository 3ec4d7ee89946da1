"""A private snmpd per test module on 127.150.x (this package's loopback range), free port, own community."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need_binary
from tests.support.snmpd import Snmpd, free_udp_port

V3_USER = ("netops-test", "SHA", "auth-" + secrets.token_hex(6), "AES", "priv-" + secrets.token_hex(6))
V3_USER_256 = ("netops-test256", "SHA-256", "auth-" + secrets.token_hex(6), "AES", "priv-" + secrets.token_hex(6))


def loopback_address(slot: int) -> str:
    """127.150.<pid-derived>.<slot>: concurrent runs of this suite never share an address."""
    return f"127.150.{os.getpid() % 250 + 1}.{slot}"


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snmpd]:
    need_binary("snmpd")
    host = loopback_address(1)
    work: Path = tmp_path_factory.mktemp("snmpd")
    a = Snmpd(work, [(host, free_udp_port(host))], community="c-" + secrets.token_hex(6),
              v3_users=[V3_USER, V3_USER_256])
    a.start()
    try:
        yield a
    finally:
        a.stop()
