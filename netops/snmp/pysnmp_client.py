"""The pysnmp 7 implementation of :class:`netops.snmp.api.SnmpClient` (``engine: pysnmp``).

Also the fallback of the lean client for what it does not implement (IPv6 agents,
AES-256 and DES privacy). Walks fetch every column of every table in the same
GETBULK requests (one round trip returns rows of all columns), the big latency win over VSAT.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket

from netops.snmp.api import SnmpError, SnmpTarget, Value, auth_message, octets_text, timeout_message


def _convert(value: object) -> Value | None:
    """pysnmp value -> int/str; None for noSuchObject/noSuchInstance/endOfMibView."""
    cls = type(value).__name__
    if cls in ("NoSuchObject", "NoSuchInstance", "EndOfMibView", "Null"):
        return None
    if cls in ("OctetString", "DisplayString", "Opaque", "Bits"):
        return octets_text(bytes(value))  # type: ignore[call-overload]
    if cls in ("IpAddress",):
        return ".".join(str(b) for b in bytes(value))  # type: ignore[call-overload]
    if cls in ("ObjectIdentifier", "ObjectName"):
        return str(value)
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)


class PysnmpClient:
    """SnmpClient over the pysnmp 7 asyncio hlapi, one engine and UDP socket for all devices."""

    RCVBUF = 8 * 1024 * 1024

    def __init__(self, max_in_flight: int = 24) -> None:
        """``max_in_flight`` bounds requests on the wire: pysnmp spends ~40 ms of CPU on a 200-varbind
        reply, so more than timeout / that in flight leaves replies queued past their timeout and the
        retransmissions snowball (bench: 120 VSAT devices at once, all failed; 16-32 at once, all fine).
        A request waiting for a slot has not started its timer."""
        self.max_in_flight = max_in_flight
        self._slots: asyncio.Semaphore | None = None
        from pysnmp.hlapi.v3arch import asyncio as hl

        self._hl = hl
        self._engines: dict[str, object] = {}
        self._auth: dict[SnmpTarget, object] = {}
        self._transports: dict[tuple[str, int, float, int], object] = {}
        self._buffer_raised: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    @staticmethod
    def _credential_key(t: SnmpTarget) -> str:
        """One engine per SNMPv3 credential set: pysnmp's USM keeps one key set per user name,
        so devices with the same user but different keys must not share an engine."""
        if t.version == "2c":
            return "v2c"
        text = f"{t.user}|{t.auth_protocol}|{t.auth_key}|{t.priv_protocol}|{t.priv_key}"
        return "v3-" + hashlib.sha256(text.encode()).hexdigest()[:16]

    def _engine_for(self, t: SnmpTarget) -> object:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # engines are bound to the loop that opened their socket
            self.close()
            self._transports.clear()
            self._loop = loop
            self._slots = asyncio.Semaphore(self.max_in_flight)
        key = self._credential_key(t)
        if key not in self._engines:
            self._engines[key] = self._hl.SnmpEngine()
        return self._engines[key]

    def _auth_data(self, t: SnmpTarget) -> object:
        hl = self._hl
        if t not in self._auth:
            if t.version == "2c":
                self._auth[t] = hl.CommunityData(t.community, mpModel=1)
            else:
                auth = {"sha": hl.usmHMACSHAAuthProtocol, "sha256": hl.usmHMAC192SHA256AuthProtocol,
                        "sha512": hl.usmHMAC384SHA512AuthProtocol, "md5": hl.usmHMACMD5AuthProtocol}
                priv = {"aes": hl.usmAesCfb128Protocol, "aes256": hl.usmAesCfb256Protocol, "des": hl.usmDESPrivProtocol}
                self._auth[t] = hl.UsmUserData(
                    t.user, t.auth_key, t.priv_key,
                    authProtocol=auth[t.auth_protocol], privProtocol=priv[t.priv_protocol],
                )
        return self._auth[t]

    async def _transport(self, t: SnmpTarget, *, retries: int | None = None) -> object:
        r = t.retries if retries is None else retries
        key = (t.host, t.port, t.timeout, r)
        if key not in self._transports:
            self._transports[key] = await self._hl.UdpTransportTarget.create((t.host, t.port), timeout=t.timeout, retries=r)
        return self._transports[key]

    def _raise_rcvbuf(self, t: SnmpTarget) -> None:
        """All replies share one socket per engine; the default buffer overflows at a few hundred in flight."""
        key = self._credential_key(t)
        if key in self._buffer_raised:
            return
        try:
            engine = self._engine_for(t)
            tr = engine.transport_dispatcher.get_transport(  # type: ignore[attr-defined]
                self._hl.UdpTransportTarget.TRANSPORT_DOMAIN)
            sock = tr.transport.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.RCVBUF)
            self._buffer_raised.add(key)
        except Exception:  # noqa: BLE001 - a smaller buffer only costs speed
            pass

    async def _check(self, t: SnmpTarget, err: object, status: object, index: object) -> None:
        if err is None and not status:
            return
        hl = self._hl
        from pysnmp.proto import errind

        if isinstance(err, errind.RequestTimedOut):
            if t.version == "3" and await self._agent_answers_v3(t):
                raise SnmpError("auth", auth_message(
                    t, "agent answers discovery but not our authenticated, encrypted requests (wrong priv key?)"))
            raise SnmpError("timeout", timeout_message(t))
        if isinstance(err, (errind.WrongDigest, errind.AuthenticationError, errind.AuthenticationFailure)):
            raise SnmpError("auth", auth_message(t, f"authentication failed ({err})"))
        if isinstance(err, (errind.UnknownUserName, errind.UnknownSecurityName, errind.DecryptionError,
                            errind.UnsupportedSecurityLevel, errind.NotInTimeWindow)):
            raise SnmpError("auth", auth_message(t, f"rejected ({err})"))
        if err is not None:
            raise SnmpError("snmp", f"{t.where}: SNMP error: {err}")
        del hl
        raise SnmpError("snmp", f"{t.where}: agent answered with error-status {status} at index {index}")

    async def _agent_answers_v3(self, t: SnmpTarget) -> bool:
        """After a v3 timeout: does the agent answer at all? A report for an unknown user says yes."""
        hl = self._hl
        from pysnmp.proto import errind

        probe = hl.UsmUserData("netops-discovery-probe")
        uptime = hl.ObjectType(hl.ObjectIdentity("1.3.6.1.2.1.1.3.0"))
        engine, tr0 = self._engine_for(t), await self._transport(t, retries=0)
        async with self._slot():
            err, *_ = await hl.get_cmd(engine, probe, tr0, hl.ContextData(), uptime, lookupMib=False)
        if not isinstance(err, (errind.UnknownUserName, errind.UnknownSecurityName)):
            return False
        # The agent is alive. Wrong priv keys make every authPriv request go unanswered; on a lossy
        # link (30% loss) one of three more tries gets through, so loss is not called a key problem.
        tr = await self._transport(t)
        for _ in range(3):
            async with self._slot():
                err, *_ = await hl.get_cmd(self._engine_for(t), self._auth_data(t), tr, hl.ContextData(),
                                           uptime, lookupMib=False)
            if not isinstance(err, errind.RequestTimedOut):
                return False
        return True

    def _slot(self) -> asyncio.Semaphore:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_in_flight)
        return self._slots

    async def prepare(self, targets: list[SnmpTarget]) -> None:
        """Create engines, transports and LCD entries for every target up front: pysnmp rebuilds
        lookups as targets are added, which should not land inside a device's timed poll."""
        from pysnmp.hlapi.v3arch.asyncio.cmdgen import LCD

        for t in targets:
            engine = self._engine_for(t)
            LCD.configure(engine, self._auth_data(t), await self._transport(t), "")
            if t.version == "3":
                LCD.configure(engine, self._auth_data(t), await self._transport(t), "")

    async def get(self, target: SnmpTarget, oids: list[str]) -> dict[str, Value]:
        hl = self._hl
        out: dict[str, Value] = {}
        for i in range(0, len(oids), 32):
            chunk = oids[i:i + 32]
            engine, auth, tr = self._engine_for(target), self._auth_data(target), await self._transport(target)
            async with self._slot():
                err, status, index, vbs = await hl.get_cmd(
                    engine, auth, tr, hl.ContextData(), *(hl.ObjectType(hl.ObjectIdentity(o)) for o in chunk),
                    lookupMib=False,
                )
            self._raise_rcvbuf(target)
            await self._check(target, err, status, index)
            for oid, val in vbs:
                v = _convert(val)
                if v is not None:
                    out[str(oid)] = v
        return out

    async def walk(self, target: SnmpTarget, columns: list[str], max_repetitions: int = 25) -> dict[str, dict[str, Value]]:
        hl = self._hl
        result: dict[str, dict[str, Value]] = {c: {} for c in columns}
        last: dict[str, str] = {c: c for c in columns}
        last_key: dict[str, tuple[int, ...]] = {c: _key(c) for c in columns}
        while last:
            cols = list(last)
            reps = max(1, max_repetitions)
            engine, auth, tr = self._engine_for(target), self._auth_data(target), await self._transport(target)
            async with self._slot():
                err, status, index, vbs = await hl.bulk_cmd(
                    engine, auth, tr, hl.ContextData(), 0, reps,
                    *(hl.ObjectType(hl.ObjectIdentity(last[c])) for c in cols), lookupMib=False,
                )
            self._raise_rcvbuf(target)
            await self._check(target, err, status, index)
            if not vbs:
                break
            done: set[str] = set()
            progressed = False
            for i, (oid, val) in enumerate(vbs):
                col = cols[i % len(cols)]
                if col in done:
                    continue
                name = str(oid)
                key = _key(name)
                if not name.startswith(col + ".") or type(val).__name__ == "EndOfMibView" or key <= last_key[col]:
                    done.add(col)
                    continue
                v = _convert(val)
                if v is not None:
                    result[col][name[len(col) + 1:]] = v
                last[col], last_key[col] = name, key
                progressed = True
            for col in done:
                last.pop(col, None)
            if not progressed:
                break
        return result

    def close(self) -> None:
        for engine in self._engines.values():
            try:
                engine.close_dispatcher()  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001
                pass
        self._engines.clear()
        self._buffer_raised.clear()


def _key(oid: str) -> tuple[int, ...]:
    return tuple(int(p) for p in oid.split(".") if p)
