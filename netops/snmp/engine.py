"""An asyncio SNMP client engine: one UDP socket, request-id matching, bounded in-flight.

Why it looks like this (measured in bench/snmp_*.py; docs/snmp-engine.md):

* one socket for every target, with an 8 MiB receive buffer: replies of a few
  hundred requests in flight overflow the default 208 KiB and look like loss;
* the reader drains every queued datagram per wake-up and decodes with
  :mod:`netops.snmp.ber` (~1 µs per varbind instead of ~100 with pyasn1);
* requests in flight are bounded (``max_in_flight`` ≈ timeout ÷ CPU per reply):
  with too many, replies queue in the buffer past their timeout and the
  retransmissions snowball;
* each request has its own timer and retries (same request-id, so a late reply
  to the first try still counts); a dead device only costs its own coroutine;
* once an agent has answered, a lost datagram is retransmitted after the round
  trip measured to that agent (TCP's estimator, RFC 6298: smoothed RTT + 4 x its
  variation, at least 1.5 RTT and a quarter of the timeout), doubling on each
  retry up to the configured timeout, for as long as timeout x (retries + 1)
  lasts: behind a 600 ms satellite path with packet loss a loss costs ~0.9 s
  instead of the whole timeout, and the same patience holds more tries
  (bench/RESULTS.md). With no round trip known, the first wait is 1.5 x the
  target's ``rtt_prior`` (from its uplink medium), or else the timeout.

SNMPv3 messages go through the security model the engine is given (``v3=``,
normally the :mod:`netops.snmp.usm` module): the engine knows nothing of USM and
only asks it for a reply's message id and to run a v3 request.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import time
from dataclasses import dataclass
from typing import Protocol

from netops.snmp import ber
from netops.snmp.api import SnmpError, SnmpTarget, SnmpTimeout, timeout_message
from netops.snmp.ber import Pdu, SnmpDecodeError

RCVBUF = 8 * 1024 * 1024


class SecurityModel(Protocol):
    """SNMPv3 for the engine: :mod:`netops.snmp.usm` satisfies it as a module."""

    def peek_msg_id(self, data: bytes) -> int: ...

    async def request(self, engine: Engine, target: SnmpTarget, tag: int, varbinds: bytes, non_repeaters: int,
                      max_repetitions: int, lazy: bool = False) -> Pdu: ...


SMALL_REPLY_FACTOR = 4
"""Requests in flight to sized targets, per ``max_in_flight``: a reply sized to one packet (~40 varbinds)
costs a sixth of a 250-varbind reply's CPU, so four times as many keep the queued work below the same
bound. Behind a satellite path a sized device needs ~12 requests per cycle where an unsized one needs
~3; with the common bound 120 devices queued in ~6 waves of 600 ms (bench/RESULTS.md)."""


@dataclass
class Stats:
    sent: int = 0
    retransmits: int = 0
    received: int = 0
    malformed: int = 0
    unmatched: int = 0
    timeouts: int = 0
    varbinds: int = 0


class _Pending:
    __slots__ = ("future", "addr", "payload", "tries", "timeout", "timer", "handler", "sent", "wait", "retried",
                 "deadline", "lazy")

    def __init__(self, future: asyncio.Future[Pdu], addr: tuple[str, int], payload: bytes, tries: int,
                 timeout: float, handler: object, lazy: bool = False) -> None:
        self.lazy = lazy
        """The reply's varbinds are left encoded (ber.decode_pdu(lazy=True)) for a table walk to decode."""
        self.future = future
        self.addr = addr
        self.payload = payload
        self.tries = tries
        self.timeout = timeout
        self.timer: asyncio.TimerHandle | None = None
        self.sent = 0.0
        self.wait = timeout
        """Time until the next retransmission (or the give-up)."""
        self.retried = False
        """A reply after a retransmission gives no RTT sample (which try did it answer? Karn's rule)."""
        self.deadline = 0.0
        """When the request gives up: timeout x (retries + 1) after the first send, however the tries fall."""
        self.handler = handler
        """None for v2c (compare community), else the v3 response decoder for this request."""


class Engine:
    """The client side of SNMP for many targets at once; use as an async context manager or call close()."""

    def __init__(self, max_in_flight: int = 256, rcvbuf: int = RCVBUF, v3: SecurityModel | None = None) -> None:
        self.max_in_flight = max_in_flight
        self.v3 = v3
        self.stats = Stats()
        self._rcvbuf = rcvbuf
        self._sock: socket.socket | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(int(time.time() * 1000) % 1_000_000 + 1)
        self._slots: asyncio.Semaphore | None = None
        self._small_slots: asyncio.Semaphore | None = None
        """For targets whose replies are sized to one packet (``max_reply_bytes``)."""
        self._community: dict[str, bytes] = {}
        self.agents: dict[tuple[str, int], object] = {}
        """v3 state per agent address (engine id, boots, time, keys), see netops.snmp.usm."""
        self.rtt: dict[tuple[str, int], tuple[float, float]] = {}
        """Smoothed round trip and its variation per agent address (seconds), from first-try replies."""

    # --- socket ---------------------------------------------------------------------------

    def _open(self) -> None:
        loop = asyncio.get_running_loop()
        if self._sock is not None:
            if self._loop is loop:
                return
            self.close()  # a new event loop (another asyncio.run): the socket's reader lived on the old one
        self._loop = loop
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setblocking(False)
        try:  # FORCE passes net.core.rmem_max when we may (root); else the kernel caps it
            s.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_RCVBUFFORCE", 33), self._rcvbuf)
        except OSError:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self._rcvbuf)
            except OSError:
                pass  # a smaller buffer only costs speed
        s.bind(("0.0.0.0", 0))
        self._sock = s
        self._slots = asyncio.Semaphore(self.max_in_flight)
        self._small_slots = asyncio.Semaphore(self.max_in_flight * SMALL_REPLY_FACTOR)
        self._loop.add_reader(s.fileno(), self._on_readable)

    def close(self) -> None:
        s, self._sock = self._sock, None
        if s is None:
            return
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(s.fileno())
        s.close()
        for p in self._pending.values():
            if p.timer:
                p.timer.cancel()
            if not p.future.done() and not p.future.get_loop().is_closed():
                p.future.set_exception(SnmpError("closed", "SNMP engine closed"))
        self._pending.clear()

    async def __aenter__(self) -> Engine:
        self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def next_id(self) -> int:
        rid = next(self._ids)
        if rid >= 0x7FFFFFFF:
            self._ids = itertools.count(1)
            rid = next(self._ids)
        return rid

    def _on_readable(self) -> None:
        sock = self._sock
        if sock is None:
            return
        pending = self._pending
        stats = self.stats
        for _ in range(512):  # drain, but let timers and senders run between bursts
            try:
                data, addr = sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # ICMP errors surface here on Linux; the request's timer handles it
            stats.received += 1
            try:
                if data[:1] == b"\x30" and ber.message_version(data) == 3:
                    if self.v3 is None:
                        stats.unmatched += 1
                        continue
                    key = self.v3.peek_msg_id(data)
                    p = pending.get(key)
                    if p is None or p.addr != addr or not callable(p.handler):
                        stats.unmatched += 1
                        continue
                    pdu = p.handler(data)
                else:
                    msg = ber.decode_message(data, lazy=True)
                    pdu = msg.pdu
                    key = pdu.request_id
                    p = pending.get(key)
                    if p is None or p.addr != addr or p.handler != msg.community:
                        stats.unmatched += 1
                        continue
                    if not p.lazy:
                        pdu = ber.decoded(pdu)
            except SnmpDecodeError:
                stats.malformed += 1
                continue
            except SnmpError as exc:  # a v3 report or failed authentication for this request
                pending.pop(key, None)
                if p is None:
                    continue
                if p.timer:
                    p.timer.cancel()
                if not p.future.done():
                    p.future.set_exception(exc)
                continue
            pending.pop(key, None)
            if p.timer:
                p.timer.cancel()
            if not p.retried:
                self._sample(p.addr, self._loop.time() - p.sent)  # type: ignore[union-attr]
            if not p.future.done():
                stats.varbinds += len(pdu.varbinds)  # a lazy PDU's are counted by whoever decodes them
                p.future.set_result(pdu._replace(size=len(data)))

    def _send(self, p: _Pending) -> None:
        try:
            self._sock.sendto(p.payload, p.addr)  # type: ignore[union-attr]
        except (BlockingIOError, InterruptedError):
            pass  # counted as lost: the timer retransmits
        except OSError as exc:
            if not p.future.done():
                p.future.set_exception(SnmpError("network", f"{p.addr[0]}:{p.addr[1]}: {exc.strerror or exc}"))
            return
        self.stats.sent += 1

    def _sample(self, addr: tuple[str, int], r: float) -> None:
        got = self.rtt.get(addr)
        if got is None:
            self.rtt[addr] = (r, r / 2)
        else:
            srtt, var = got
            self.rtt[addr] = (0.875 * srtt + 0.125 * r, 0.75 * var + 0.25 * abs(srtt - r))

    def first_wait(self, target: SnmpTarget) -> float:
        """How long the first try waits before a retransmission: from the agent's measured round trip."""
        got = self.rtt.get(target.addr)
        if got is None:
            if not target.rtt_prior:
                return target.timeout
            got = (target.rtt_prior, target.rtt_prior / 8)  # the link's expected round trip, until one is measured
        srtt, var = got
        return min(target.timeout, max(0.25 * target.timeout, 1.5 * srtt, srtt + 4 * var))

    def _expire(self, rid: int) -> None:
        p = self._pending.get(rid)
        if p is None:
            return
        left = p.deadline - self._loop.time()  # type: ignore[union-attr]
        if p.tries > 0 and left >= 0.25 * p.timeout and not p.future.done():
            # another try while the request's time lasts (retries + 1 tries at most when no round trip is
            # known: every wait is then the timeout); back off: twice the last wait, at most the timeout
            p.retried = True
            self.stats.retransmits += 1
            self._send(p)
            p.wait = min(p.timeout, 2 * p.wait, left)
            p.timer = self._loop.call_later(p.wait, self._expire, rid)  # type: ignore[union-attr]
            return
        del self._pending[rid]
        self.stats.timeouts += 1
        if not p.future.done():
            p.future.set_exception(SnmpTimeout(""))

    async def exchange(self, target: SnmpTarget, rid: int, payload: bytes, handler: object, lazy: bool = False) -> Pdu:
        """Send one datagram and wait for the reply matched by id (and community or v3 handler).

        ``lazy``: a v2c reply's varbinds are left encoded (a v3 handler decides that itself)."""
        self._open()
        assert self._slots is not None and self._small_slots is not None and self._loop is not None
        async with (self._small_slots if target.max_reply_bytes else self._slots):
            fut: asyncio.Future[Pdu] = self._loop.create_future()
            p = _Pending(fut, target.addr, payload, target.retries, target.timeout, handler, lazy)
            if target.retries:
                p.wait = self.first_wait(target)
            self._pending[rid] = p
            p.sent = self._loop.time()
            p.deadline = p.sent + target.timeout * (target.retries + 1)
            self._send(p)
            p.timer = self._loop.call_later(p.wait, self._expire, rid)
            try:
                return await fut
            except SnmpTimeout:
                raise SnmpTimeout(timeout_message(target)) from None
            finally:
                q = self._pending.pop(rid, None)
                if q is not None and q.timer:
                    q.timer.cancel()

    # --- requests ----------------------------------------------------------------------------

    async def request(self, target: SnmpTarget, tag: int, oids: list[bytes], non_repeaters: int = 0,
                      max_repetitions: int = 0, lazy: bool = False) -> Pdu:
        """One PDU to ``target`` (v2c or v3 authPriv); raises SnmpError on timeout, auth or error-status.

        ``lazy``: the reply's varbinds stay encoded in ``pdu.raw`` (see :func:`netops.snmp.ber.decode_pdu`)."""
        vbs = ber.null_varbinds(oids)
        if target.version == "3":
            if self.v3 is None:
                raise SnmpError("config", f"{target.where}: SNMPv3 needs an engine made with a security model (v3=usm)")
            pdu = await self.v3.request(self, target, tag, vbs, non_repeaters, max_repetitions, lazy)
        else:
            community = self._community.get(target.community or "")
            if community is None:
                if target.community is None:
                    raise SnmpError("config", f"{target.where}: SNMPv2c needs a community")
                community = self._community.setdefault(target.community, target.community.encode())
            rid = self.next_id()
            payload = ber.encode_message(1, community, ber.encode_pdu(tag, rid, non_repeaters, max_repetitions, vbs))
            pdu = await self.exchange(target, rid, payload, community, lazy)
        if pdu.tag != ber.RESPONSE:
            raise SnmpError("snmp", f"{target.where}: agent answered with PDU type 0x{pdu.tag:02x}")
        if pdu.error_status:
            raise SnmpError("snmp", f"{target.where}: agent answered error-status {pdu.error_status} "
                                    f"({ERROR_STATUS.get(pdu.error_status, '?')}) at varbind {pdu.error_index}")
        return pdu

    async def get(self, target: SnmpTarget, oids: list[str], chunk: int = 60) -> dict[str, ber.VarBind]:
        """Scalars by dotted OID; OIDs the agent lacks (noSuchObject/Instance) are left out."""
        enc = [_oid_bytes(o) for o in oids]
        parts = [enc[i:i + chunk] for i in range(0, len(enc), chunk)]
        pdus = await asyncio.gather(*(self.request(target, ber.GET, p) for p in parts))
        out: dict[str, ber.VarBind] = {}
        for pdu in pdus:
            for vb in pdu.varbinds:
                if vb[1] not in ber.EXCEPTIONS:
                    out[_oid_text(vb[0])] = vb
        return out


ERROR_STATUS = {1: "tooBig", 2: "noSuchName", 3: "badValue", 4: "readOnly", 5: "genErr", 6: "noAccess",
                7: "wrongType", 8: "wrongLength", 9: "wrongEncoding", 10: "wrongValue", 11: "noCreation",
                12: "inconsistentValue", 13: "resourceUnavailable", 14: "commitFailed", 15: "undoFailed",
                16: "authorizationError", 17: "notWritable", 18: "inconsistentName"}

_OID_BYTES: dict[str, bytes] = {}
_OID_TEXT: dict[bytes, str] = {}


def _oid_bytes(oid: str) -> bytes:
    b = _OID_BYTES.get(oid)
    if b is None:
        b = _OID_BYTES[oid] = ber.encode_oid(oid)
    return b


def _oid_text(raw: bytes) -> str:
    t = _OID_TEXT.get(raw)
    if t is None:
        t = ber.oid_to_str(raw)
        if len(_OID_TEXT) < 100_000:
            _OID_TEXT[raw] = t
    return t
