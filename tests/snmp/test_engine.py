"""The asyncio engine and table walker against a real snmpd, with pysnmp 7 walking the same agent as reference."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from netops.snmp import ber
from netops.snmp.api import SnmpError, SnmpTarget, SnmpTimeout
from netops.snmp.engine import Engine
from netops.snmp.walk import Walker, index_text
from tests.snmp.conftest import loopback_address
from tests.support.snmpd import Snmpd, free_udp_port

IF_COLUMNS = ["1.3.6.1.2.1.2.2.1.2", "1.3.6.1.2.1.2.2.1.3", "1.3.6.1.2.1.2.2.1.7", "1.3.6.1.2.1.2.2.1.8",
              "1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.31.1.1.1.15", "1.3.6.1.2.1.31.1.1.1.6"]
STATIC = IF_COLUMNS[:6]  # counters move between two walks; these do not


def target(agent: Snmpd, **kw: object) -> SnmpTarget:
    host, port = agent.listen[0]
    settings: dict[str, object] = {"community": agent.community, "timeout": 1.0, "retries": 1, "name": "agent", **kw}
    return SnmpTarget(host, port, **settings)  # type: ignore[arg-type]


async def pysnmp_walk(agent: Snmpd, column: str) -> dict[str, tuple[int, object]]:
    from pysnmp.hlapi.v3arch import asyncio as hl

    from tests.snmp.reference import plain, tag_of

    eng = hl.SnmpEngine()
    host, port = agent.listen[0]
    out = {}
    try:
        async for err, status, _, vbs in hl.bulk_walk_cmd(
                eng, hl.CommunityData(agent.community), await hl.UdpTransportTarget.create((host, port)),
                hl.ContextData(), 0, 10, hl.ObjectType(hl.ObjectIdentity(column)),
                lookupMib=False, lexicographicMode=False):
            assert err is None and not status
            for oid, val in vbs:
                out[str(oid)[len(column) + 1:]] = (tag_of(val), plain(val))
    finally:
        eng.close_dispatcher()
    return out


def as_plain(table: ber.WalkedColumn) -> dict[str, tuple[int, object]]:
    return {index_text(k): tv for k, tv in table.typed().items()}


def test_walk_equals_pysnmp_walk(agent: Snmpd) -> None:
    async def run() -> None:
        async with Engine() as eng:
            got = await Walker(eng).walk(target(agent), IF_COLUMNS)
        for col in IF_COLUMNS:
            ref = await pysnmp_walk(agent, col)
            assert ref, f"reference walk of {col} is empty"
            mine = as_plain(got[col])
            assert mine.keys() == ref.keys(), col
            if col in STATIC:
                assert mine == ref, col
            else:
                assert {t for t, _ in mine.values()} == {t for t, _ in ref.values()} == {ber.COUNTER64}
    asyncio.run(run())


@pytest.mark.parametrize("max_varbinds", [1, 2, 5, 7, 250])
def test_every_plan_gives_the_same_table_and_warm_walks_take_fewer_round_trips(agent: Snmpd, max_varbinds: int) -> None:
    async def run() -> None:
        async with Engine() as eng:
            w = Walker(eng)
            t = target(agent, max_varbinds=max_varbinds)
            cold = await w.walk(t, STATIC, max_repetitions=3)
            cold_trips = w.round_trips
            warm = await w.walk(t, STATIC, max_repetitions=3)
            warm_trips = w.round_trips - cold_trips
            ref = await Walker(eng).walk(target(agent), STATIC, 100)
        for col in STATIC:
            assert as_plain(cold[col]) == as_plain(ref[col]) == as_plain(warm[col]), col
        rows = len(ref[STATIC[0]])
        if max_varbinds >= len(STATIC) * (rows + 1):
            assert warm_trips == 1, "a remembered table is fetched in one GETBULK"
        assert warm_trips <= cold_trips
    asyncio.run(run())


def test_get_scalars_skips_missing(agent: Snmpd) -> None:
    async def run() -> dict[str, ber.VarBind]:
        async with Engine() as eng:
            return await eng.get(target(agent), ["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.6.0", "1.3.6.1.2.1.1.99.0"])
    got = asyncio.run(run())
    assert set(got) == {"1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.6.0"}
    assert got["1.3.6.1.2.1.1.3.0"][1] == ber.TIMETICKS
    assert got["1.3.6.1.2.1.1.6.0"][2] == b"netops test agent"


def test_wrong_community_times_out_with_a_clear_message(agent: Snmpd) -> None:
    async def run() -> None:
        async with Engine() as eng:
            t = target(agent, community="wrong", timeout=0.2, retries=1)
            with pytest.raises(SnmpTimeout, match=r"0\.2 s x 2 tries.*credentials"):
                await eng.get(t, ["1.3.6.1.2.1.1.3.0"])
            assert eng.stats.retransmits == 1
    asyncio.run(run())


def test_dead_device_does_not_stall_the_others(agent: Snmpd) -> None:
    """A silent target costs only its own timeout; 20 live polls finish while it is still retrying."""
    async def run() -> None:
        async with Engine(max_in_flight=64) as eng:
            w = Walker(eng)
            dead_host = loopback_address(2)
            dead = SnmpTarget(dead_host, free_udp_port(dead_host), community="x", timeout=1.0, retries=2)
            start = time.monotonic()
            dead_task = asyncio.create_task(eng.get(dead, ["1.3.6.1.2.1.1.3.0"]))
            live = await asyncio.gather(*(w.walk(target(agent), STATIC) for _ in range(20)))
            live_done = time.monotonic() - start
            with pytest.raises(SnmpTimeout):
                await dead_task
            dead_done = time.monotonic() - start
        assert all(len(t[STATIC[0]]) >= 2 for t in live)
        assert live_done < dead_done and dead_done >= 2.9  # the dead device waited its 3 x 1 s alone
    asyncio.run(run())


class FakeAgent:
    """A UDP peer on a real socket that answers each request with scripted datagrams (garbage first)."""

    def __init__(self, host: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.setblocking(False)
        self.addr = self.sock.getsockname()
        self.requests = 0

    async def serve(self, replies: list[object]) -> None:
        loop = asyncio.get_running_loop()
        data, peer = await loop.sock_recvfrom(self.sock, 65535)
        self.requests += 1
        msg = ber.decode_message(data)
        for r in replies:
            if r == "drop":
                data, peer = await loop.sock_recvfrom(self.sock, 65535)  # wait for the retransmission
                self.requests += 1
                continue
            payload = r(msg) if callable(r) else r
            await loop.sock_sendto(self.sock, payload, peer)


def response(msg: ber.Message, rid_delta: int = 0, community: bytes | None = None) -> bytes:
    vbs = [(vb[0], ber.TIMETICKS, 4242) for vb in msg.pdu.varbinds]
    return ber.encode_message(1, community if community is not None else msg.community,
                              ber.encode_pdu(ber.RESPONSE, msg.pdu.request_id + rid_delta, 0, 0,
                                             ber.encode_varbinds(vbs)))


def test_malformed_foreign_and_mismatched_replies_are_dropped() -> None:
    async def run() -> None:
        fake = FakeAgent(loopback_address(3))
        good = None

        def keep(msg: ber.Message) -> bytes:
            nonlocal good
            good = response(msg)
            return good
        script = [
            b"\x30\x84\xff\xff\xff\xff",                          # absurd length
            lambda m: response(m)[:-3],                            # truncated
            b"\x00" * 40,                                          # noise
            lambda m: response(m, rid_delta=7),                    # someone else's request id
            lambda m: response(m, community=b"other"),             # wrong community
            keep,
        ]
        async with Engine() as eng:
            t = SnmpTarget(fake.addr[0], fake.addr[1], community="c", timeout=2.0, retries=0)
            server = asyncio.create_task(fake.serve(script))
            got = await eng.get(t, ["1.3.6.1.2.1.1.3.0"])
            await server
            assert got["1.3.6.1.2.1.1.3.0"][2] == 4242
            assert eng.stats.malformed == 3 and eng.stats.unmatched == 2
    asyncio.run(run())


def test_lost_request_is_retransmitted_with_the_same_id() -> None:
    async def run() -> None:
        fake = FakeAgent(loopback_address(4))
        async with Engine() as eng:
            t = SnmpTarget(fake.addr[0], fake.addr[1], community="c", timeout=0.2, retries=2)
            server = asyncio.create_task(fake.serve(["drop", response]))
            got = await eng.get(t, ["1.3.6.1.2.1.1.3.0"])
            await server
        assert got["1.3.6.1.2.1.1.3.0"][2] == 4242 and fake.requests == 2
    asyncio.run(run())


def test_a_known_round_trip_holds_more_tries_in_the_same_patience() -> None:
    """timeout 2 s, 1 retry: two tries while no round trip is known; once the agent has answered, a lost
    request is retried after its round trip, so a third copy fits in the same 4 s (a satellite link)."""
    async def run() -> None:
        fake = FakeAgent(loopback_address(6))
        async with Engine() as eng:
            t = SnmpTarget(fake.addr[0], fake.addr[1], community="c", timeout=2.0, retries=1)
            first = asyncio.create_task(fake.serve([response]))
            await eng.get(t, ["1.3.6.1.2.1.1.3.0"])  # answered at once: a round trip sample
            await first
            second = asyncio.create_task(fake.serve(["drop", "drop", response]))  # two copies lost
            got = await eng.get(t, ["1.3.6.1.2.1.1.3.0"])
            await second
        assert got["1.3.6.1.2.1.1.3.0"][2] == 4242 and fake.requests == 4 and eng.stats.retransmits == 2
    asyncio.run(run())


def test_error_status_is_a_per_target_error(agent: Snmpd) -> None:
    async def run() -> None:
        async with Engine() as eng:
            t = target(agent)
            with pytest.raises(SnmpError, match="error-status"):
                # a SET to a read-only community: the agent answers noAccess/notWritable
                await eng.request(t, ber.SET, [ber.encode_oid("1.3.6.1.2.1.1.6.0")])
    asyncio.run(run())


def test_looping_agent_is_stopped() -> None:
    """An agent that answers every GETBULK with the same OID must not make the walk spin."""
    async def run() -> None:
        fake = FakeAgent(loopback_address(5))
        col = ber.encode_oid("1.3.6.1.2.1.2.2.1.2")

        def same(msg: ber.Message) -> bytes:
            vbs = [(col + b"\x05", ber.OCTET_STRING, b"x")]
            return ber.encode_message(1, msg.community, ber.encode_pdu(ber.RESPONSE, msg.pdu.request_id, 0, 0,
                                                                       ber.encode_varbinds(vbs)))

        async def serve_forever() -> None:
            loop = asyncio.get_running_loop()
            while True:
                data, peer = await loop.sock_recvfrom(fake.sock, 65535)
                await loop.sock_sendto(fake.sock, same(ber.decode_message(data)), peer)
        server = asyncio.create_task(serve_forever())
        async with Engine() as eng:
            t = SnmpTarget(fake.addr[0], fake.addr[1], community="c", timeout=0.5, retries=0)
            with pytest.raises(SnmpError, match="out of order"):
                await Walker(eng).walk(t, ["1.3.6.1.2.1.2.2.1.2"])
        server.cancel()
    asyncio.run(run())
