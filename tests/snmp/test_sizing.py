"""Reply sizing for small-MTU links: through a relay that measures every datagram, against a real snmpd."""

from __future__ import annotations

import asyncio
import json
import secrets
import select
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from netops.snmp import ber, usm
from netops.snmp.api import SnmpTarget
from netops.snmp.engine import Engine
from netops.snmp.walk import Walker, index_text
from tests.conftest import ROOT, need_binary
from tests.snmp.conftest import V3_USER, loopback_address
from tests.support.snmpd import Snmpd, free_udp_port

BASE = "1.3.6.1.4.1.8072.9999.9999.7.1"  # NET-SNMP's playpen: a 40-row interface-like table of our own
ROWS = 40
COLUMNS = [f"{BASE}.{c}" for c in (2, 6, 8, 10, 18)]


def table() -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for i in range(1, ROWS + 1):
        out[f"{BASE}.2.{i}"] = ["string", f"ether{i}"]
        out[f"{BASE}.6.{i}"] = ["counter64", 10**12 + i * 7919]
        out[f"{BASE}.8.{i}"] = ["integer", 1 + i % 2]
        out[f"{BASE}.10.{i}"] = ["counter", i * 104729]
        out[f"{BASE}.18.{i}"] = ["string", f"uplink desa {i:03d} via VSAT Telkom Mangoesky"[: 20 + i % 25]]
    return out


@pytest.fixture(scope="module")
def playpen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Snmpd]:
    need_binary("snmpd")
    work: Path = tmp_path_factory.mktemp("sizing")
    data = work / "table.json"
    data.write_text(json.dumps(table()))
    helper = f"{shutil.which('python3') or '/usr/bin/python3'} {ROOT / 'tests/monitor/passpersist.py'} {data}"
    host = loopback_address(20)
    a = Snmpd(work, [(host, free_udp_port(host))], community="c-" + secrets.token_hex(6), v3_users=[V3_USER],
              extra=[f"pass_persist .{BASE} {helper}"])
    a.start()
    try:
        yield a
    finally:
        a.stop()


class Relay:
    """A UDP relay in front of the agent that records the size of every reply and request it carries."""

    def __init__(self, agent: tuple[str, int]) -> None:
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind(("127.0.0.1", 0))
        self.back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.back.connect(agent)
        self.replies: list[int] = []
        self.requests: list[bytes] = []
        self.client: tuple[str, int] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def addr(self) -> tuple[str, int]:
        host, port = self.front.getsockname()
        return host, port

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.front, self.back], [], [], 0.1)
            for s in ready:
                if s is self.front:
                    data, self.client = self.front.recvfrom(65535)
                    self.requests.append(data)
                    self.back.send(data)
                else:
                    data = self.back.recv(65535)
                    self.replies.append(len(data))
                    if self.client:
                        self.front.sendto(data, self.client)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.front.close()
        self.back.close()


def target_via(relay: Relay, agent: Snmpd, version: str, **kw: object) -> SnmpTarget:
    host, port = relay.addr
    if version == "3":
        user, _, auth, _, priv = V3_USER
        return SnmpTarget(host, port, version="3", user=user, auth_protocol="sha", auth_key=auth,
                          priv_protocol="aes", priv_key=priv, timeout=2.0, retries=2, **kw)  # type: ignore[arg-type]
    return SnmpTarget(host, port, community=agent.community, timeout=2.0, retries=2, **kw)  # type: ignore[arg-type]


def plain(walked: dict[str, ber.WalkedColumn]) -> dict[str, dict[str, object]]:
    return {c: {index_text(k): v for k, (_, v) in rows.typed().items()} for c, rows in walked.items()}


@pytest.mark.parametrize("version", ["2c", "3"])
def test_replies_never_exceed_the_configured_size(playpen: Snmpd, version: str) -> None:
    mtu = 900
    relay = Relay(playpen.listen[0])

    async def scenario() -> tuple[list[dict], list[int], int, int]:
        async with Engine(v3=usm) as eng:
            walker = Walker(eng)
            whole = plain(await walker.walk(target_via(relay, playpen, version), COLUMNS, 25))
            relay.replies.clear()
            relay.requests.clear()
            sized = target_via(relay, playpen, version, max_reply_bytes=mtu)
            cold_budget = walker.budget(sized)
            walks = [plain(await walker.walk(sized, COLUMNS, 25)) for _ in range(3)]  # cold, then learnt
            return [whole, *walks], list(relay.replies), cold_budget, walker.budget(sized)

    try:
        (whole, *walks), replies, cold_budget, learnt_budget = asyncio.run(scenario())
    finally:
        relay.close()
    assert len(whole[COLUMNS[0]]) == ROWS and all(len(rows) == ROWS for rows in whole.values())
    assert all(w == whole for w in walks)  # every value, in fewer bytes per reply
    assert replies and max(replies) <= mtu, sorted(replies)[-5:]
    assert learnt_budget != cold_budget  # adapted from the replies it saw, not the prior alone
    assert max(replies) > mtu * 0.5, (cold_budget, learnt_budget, sorted(replies))  # the room is used
    if version == "2c":  # several columns per request kept
        widths = [len(ber.decode_message(r).pdu.varbinds) for r in relay.requests]
        assert max(widths) >= 2, widths
