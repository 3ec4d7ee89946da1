"""SNMPv3 User-based Security Model (RFC 3414, RFC 3826, RFC 7860) for the fast engine: authPriv only.

Engine-id discovery, key localisation (cached per engine id: the 1 MiB
password hash is the expensive part), HMAC-SHA-1-96 / HMAC-SHA-2 and
AES-128-CFB with the ``cryptography`` package, timeliness (boots/time kept per
agent, one resync on a notInTimeWindow report), and reports turned into clear
per-device errors. Messages are built and parsed with :mod:`netops.snmp.ber`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

try:  # cryptography >= 43 keeps CFB among the "decrepit" modes (still what RFC 3826 specifies)
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:  # pragma: no cover - older cryptography
    from cryptography.hazmat.primitives.ciphers.modes import CFB

from netops.snmp import ber
from netops.snmp.api import SnmpAuthError, SnmpError, SnmpTarget, SnmpTimeout
from netops.snmp.ber import (
    OCTET_STRING,
    SEQUENCE,
    Pdu,
    SnmpDecodeError,
    decode_pdu,
    encode_int,
    expect,
    header,
    read_int,
    read_octets,
    tlv,
)

if TYPE_CHECKING:
    from netops.snmp.engine import Engine

AUTH = {  # name -> (hash, MAC length in bytes)
    "md5": (hashlib.md5, 12),
    "sha": (hashlib.sha1, 12),
    "sha224": (hashlib.sha224, 16),
    "sha256": (hashlib.sha256, 24),
    "sha384": (hashlib.sha384, 32),
    "sha512": (hashlib.sha512, 48),
}
PRIV = {"aes": 16}
FLAG_AUTH, FLAG_PRIV, FLAG_REPORTABLE = 1, 2, 4
ZEROS = bytes(48)  # the MAC's placeholder while it is computed
MAX_SIZE = 65507

USM_STATS = "1.3.6.1.6.3.15.1.1."
UNSUPPORTED_SEC_LEVEL = ber.encode_oid(USM_STATS + "1.0")
NOT_IN_TIME_WINDOW = ber.encode_oid(USM_STATS + "2.0")
UNKNOWN_USER = ber.encode_oid(USM_STATS + "3.0")
UNKNOWN_ENGINE_ID = ber.encode_oid(USM_STATS + "4.0")
WRONG_DIGEST = ber.encode_oid(USM_STATS + "5.0")
DECRYPTION_ERROR = ber.encode_oid(USM_STATS + "6.0")


@lru_cache(maxsize=1024)
def password_to_key(password: bytes, auth: str) -> bytes:
    """RFC 3414 A.2: hash of 1 MiB of the repeated password (cached: ~3 ms each)."""
    if not password:
        raise SnmpError("config", "SNMPv3 keys must not be empty")
    n = 1 << 20
    return AUTH[auth][0]((password * (n // len(password) + 1))[:n]).digest()


@lru_cache(maxsize=65536)
def localize(password: bytes, auth: str, engine_id: bytes) -> bytes:
    ku = password_to_key(password, auth)
    return AUTH[auth][0](ku + engine_id + ku).digest()


@dataclass
class Agent:
    """What we know of one authoritative engine: its id, boots and clock (as of ``learned``)."""

    engine_id: bytes = b""
    boots: int = 0
    time: int = 0
    learned: float = 0.0
    discovering: asyncio.Future[None] | None = field(default=None, repr=False)
    salt: int = field(default_factory=lambda: int.from_bytes(os.urandom(8), "big"))

    def now(self) -> tuple[int, int]:
        return self.boots, min(0x7FFFFFFF, self.time + int(time.monotonic() - self.learned))

    def update(self, boots: int, agent_time: int) -> None:
        if boots > self.boots or (boots == self.boots and agent_time >= self.time) or not self.learned:
            self.boots, self.time, self.learned = boots, agent_time, time.monotonic()

    def next_salt(self) -> bytes:
        self.salt = (self.salt + 1) & 0xFFFFFFFFFFFFFFFF
        return self.salt.to_bytes(8, "big")


@dataclass(frozen=True)
class Keys:
    user: bytes
    auth_key: bytes
    priv_key: bytes
    mac_len: int
    aes: algorithms.AES = field(compare=False, repr=False)
    """The priv key as the cipher takes it, made once (its checks cost a microsecond per message)."""
    pads: tuple[Any, Any] = field(compare=False, repr=False)
    """HMAC's inner and outer hash states with the auth key absorbed (RFC 2104): each message copies
    them instead of hashing the padded key twice again."""


def keys_for(target: SnmpTarget, engine_id: bytes) -> Keys:
    """The localized keys of a target's user for one agent (cached: asked for every request)."""
    return _keys(target.where, target.user, target.auth_protocol, target.auth_key, target.priv_protocol,
                 target.priv_key, engine_id)


@lru_cache(maxsize=65536)
def _keys(where: str, user: str | None, auth_protocol: str, auth_key: str | None, priv_protocol: str,
          priv_key: str | None, engine_id: bytes) -> Keys:
    auth = auth_protocol.lower().replace("-", "")
    priv = priv_protocol.lower().replace("-", "")
    if auth not in AUTH:
        raise SnmpError("config", f"{where}: auth protocol {auth_protocol!r} not supported by the "
                                  f"fast engine (use one of {', '.join(AUTH)}, or engine: pysnmp)")
    if priv not in PRIV:
        raise SnmpError("config", f"{where}: priv protocol {priv_protocol!r} not supported by the "
                                  "fast engine (use aes, or engine: pysnmp)")
    if not user or not auth_key or not priv_key:
        raise SnmpError("config", f"{where}: SNMPv3 authPriv needs user, auth key and priv key")
    kul = localize(auth_key.encode(), auth, engine_id)
    kp = localize(priv_key.encode(), auth, engine_id)[:PRIV[priv]]
    digest = AUTH[auth][0]
    block = digest().block_size
    padded = kul.ljust(block, b"\x00")  # a localized key is one digest long: never more than a block
    inner, outer = digest(bytes(x ^ 0x36 for x in padded)), digest(bytes(x ^ 0x5C for x in padded))
    return Keys(user.encode(), kul, kp, AUTH[auth][1], algorithms.AES(kp), (inner, outer))


def _mac(keys: Keys, *parts: bytes | memoryview) -> bytes:
    """HMAC of the parts joined, truncated to the protocol's MAC length (the same as hmac.new's)."""
    inner = keys.pads[0].copy()
    for part in parts:
        inner.update(part)
    outer = keys.pads[1].copy()
    outer.update(inner.digest())
    return outer.digest()[:keys.mac_len]


# --- encoding --------------------------------------------------------------------------------

def _global(msg_id: int, flags: int) -> bytes:
    return tlv(SEQUENCE, encode_int(msg_id) + encode_int(MAX_SIZE) + tlv(OCTET_STRING, bytes((flags,))) + encode_int(3))


def discovery_request(msg_id: int) -> bytes:
    """noAuthNoPriv, reportable GET with no varbinds: the agent answers with its engine id, boots and time."""
    sec = tlv(SEQUENCE, tlv(OCTET_STRING, b"") + encode_int(0) + encode_int(0) + tlv(OCTET_STRING, b"")
              + tlv(OCTET_STRING, b"") + tlv(OCTET_STRING, b""))
    scoped = tlv(SEQUENCE, tlv(OCTET_STRING, b"") + tlv(OCTET_STRING, b"")
                 + ber.encode_pdu(ber.GET, msg_id, 0, 0, tlv(SEQUENCE, b"")))
    return tlv(SEQUENCE, encode_int(3) + _global(msg_id, FLAG_REPORTABLE) + tlv(OCTET_STRING, sec) + scoped)


def _aes(keys: Keys, boots: int, agent_time: int, salt: bytes) -> Cipher:  # type: ignore[type-arg]
    iv = boots.to_bytes(4, "big") + agent_time.to_bytes(4, "big") + salt
    return Cipher(keys.aes, CFB(iv))


def encode_request(msg_id: int, agent: Agent, keys: Keys, pdu: bytes) -> bytes:
    """An authPriv message: encrypt the scoped PDU, then HMAC the whole message into its placeholder."""
    boots, agent_time = agent.now()
    salt = agent.next_salt()
    scoped = tlv(SEQUENCE, tlv(OCTET_STRING, agent.engine_id) + tlv(OCTET_STRING, b"") + pdu)
    enc = _aes(keys, boots, agent_time, salt).encryptor()
    encrypted = enc.update(scoped) + enc.finalize()
    mac_len = keys.mac_len
    pre = (tlv(OCTET_STRING, agent.engine_id) + encode_int(boots) + encode_int(agent_time)
           + tlv(OCTET_STRING, keys.user) + header(OCTET_STRING, mac_len))
    post = tlv(OCTET_STRING, salt)
    sec_content_len = len(pre) + mac_len + len(post)
    sec_head = header(SEQUENCE, sec_content_len)
    sec_len = len(sec_head) + sec_content_len
    body_head = encode_int(3) + _global(msg_id, FLAG_AUTH | FLAG_PRIV | FLAG_REPORTABLE) + header(OCTET_STRING, sec_len)
    tail = post + tlv(OCTET_STRING, encrypted)
    body_len = len(body_head) + len(sec_head) + len(pre) + mac_len + len(tail)
    prefix = header(SEQUENCE, body_len) + body_head + sec_head + pre
    return prefix + _mac(keys, prefix, ZEROS[:mac_len], tail) + tail


# --- decoding --------------------------------------------------------------------------------

@dataclass
class Parsed:
    msg_id: int
    flags: int
    engine_id: bytes
    boots: int
    time: int
    user: bytes
    auth_params: bytes
    auth_at: int
    """Offset of the auth parameters' contents in the datagram (zeroed for the HMAC check)."""
    priv_params: bytes
    data: bytes
    data_at: int
    data_end: int


def peek_msg_id(data: bytes) -> int:
    b = bytes(data)
    s, e = expect(b, 0, len(b), SEQUENCE)
    _, s = read_int(b, s, e)
    gs, ge = expect(b, s, e, SEQUENCE)
    msg_id, _ = read_int(b, gs, ge)
    return msg_id


def parse(data: bytes) -> Parsed:
    """The v3 envelope (not yet authenticated or decrypted); SnmpDecodeError if malformed."""
    try:
        b = bytes(data)
        s, e = expect(b, 0, len(b), SEQUENCE)
        if e != len(b):
            raise SnmpDecodeError("trailing bytes after the v3 message")
        version, s = read_int(b, s, e)
        if version != 3:
            raise SnmpDecodeError(f"not a v3 message (version {version})")
        gs, ge = expect(b, s, e, SEQUENCE)
        msg_id, gs = read_int(b, gs, ge)
        _, gs = read_int(b, gs, ge)
        flags_raw, gs = read_octets(b, gs, ge)
        model, gs = read_int(b, gs, ge)
        if len(flags_raw) != 1 or model != 3:
            raise SnmpDecodeError("v3 message with bad flags or a security model other than USM")
        ps, pe = expect(b, ge, e, OCTET_STRING)
        ss, se = expect(b, ps, pe, SEQUENCE)
        engine_id, ss = read_octets(b, ss, se)
        boots, ss = read_int(b, ss, se)
        agent_time, ss = read_int(b, ss, se)
        user, ss = read_octets(b, ss, se)
        auth_at, auth_end = expect(b, ss, se, OCTET_STRING)
        priv, ss = read_octets(b, auth_end, se)
        if ss != se or se != pe:
            raise SnmpDecodeError("trailing bytes in the USM parameters")
        if b[pe] == OCTET_STRING:
            ds, de = expect(b, pe, e, OCTET_STRING)
        else:
            ds, de = pe, e
        if de != e:
            raise SnmpDecodeError("trailing bytes after the scoped PDU")
        return Parsed(msg_id, flags_raw[0], engine_id, boots, agent_time, user, b[auth_at:auth_end], auth_at,
                      priv, b, ds, de)
    except SnmpDecodeError:
        raise
    except (IndexError, ValueError, TypeError, OverflowError) as exc:
        raise SnmpDecodeError(f"malformed v3 message: {exc}") from None


def scoped_pdu(b: bytes, s: int, e: int, lazy: bool = False) -> Pdu:
    cs, ce = expect(b, s, e, SEQUENCE)
    _, cs = read_octets(b, cs, ce)  # contextEngineID
    _, cs = read_octets(b, cs, ce)  # contextName
    return decode_pdu(b, cs, ce, lazy)


def open_message(p: Parsed, keys: Keys, lazy: bool = False) -> Pdu:
    """Check the HMAC and decrypt; SnmpDecodeError if either fails (a forged or garbled datagram)."""
    mac_len = keys.mac_len
    if not p.flags & FLAG_AUTH or len(p.auth_params) != mac_len:
        raise SnmpDecodeError("unauthenticated v3 response to an authPriv request")
    whole = memoryview(p.data)
    mac = _mac(keys, whole[:p.auth_at], ZEROS[:mac_len], whole[p.auth_at + mac_len:])
    if not hmac.compare_digest(mac, p.auth_params):
        raise SnmpDecodeError("v3 response failed authentication (HMAC mismatch)")
    if not p.flags & FLAG_PRIV:
        return scoped_pdu(p.data, p.data_at, p.data_end, lazy)
    if len(p.priv_params) != 8:
        raise SnmpDecodeError("v3 response with bad privacy parameters")
    dec = _aes(keys, p.boots, p.time, p.priv_params).decryptor()
    plain = dec.update(p.data[p.data_at:p.data_end]) + dec.finalize()
    try:
        s, e = expect(plain, 0, len(plain), SEQUENCE)  # trailing padding, if any, is ignored
        return scoped_pdu(plain, 0, e, lazy)
    except SnmpDecodeError as exc:
        raise SnmpDecodeError(f"v3 response does not decrypt to a scoped PDU: {exc}") from None


class _Resync(SnmpError):
    def __init__(self) -> None:
        super().__init__("auth", "not in time window")


def _report(p: Parsed, pdu: Pdu, agent: Agent, target: SnmpTarget) -> SnmpError:
    """A Report PDU as the error it means for this device."""
    oid = pdu.varbinds[0][0] if pdu.varbinds else b""
    host = target.host
    if oid == NOT_IN_TIME_WINDOW:  # the agent's own boots/time win, even if lower than what we believed
        agent.boots, agent.time, agent.learned = p.boots, p.time, time.monotonic()
        if p.engine_id:
            agent.engine_id = p.engine_id
        return _Resync()
    if oid == WRONG_DIGEST:
        return SnmpAuthError(f"{target.where}: authentication failed: check the SNMP credentials of {host} "
                             "(auth key or auth protocol)")
    if oid == UNKNOWN_USER:
        return SnmpAuthError(f"{target.where}: unknown SNMPv3 user {target.user!r}: check the SNMP credentials "
                             f"of {host}")
    if oid == DECRYPTION_ERROR:
        return SnmpAuthError(f"{target.where}: the agent could not decrypt our request: check the SNMP "
                             f"credentials of {host} (priv key or priv protocol)")
    if oid == UNSUPPORTED_SEC_LEVEL:
        return SnmpAuthError(f"{target.where}: the agent does not allow authPriv for {target.user!r}: check the "
                             f"SNMP credentials of {host}")
    if oid == UNKNOWN_ENGINE_ID:
        agent.engine_id, agent.learned = b"", 0.0
        return SnmpAuthError(f"{target.where}: the agent's engine id changed; rediscovering")
    name = ber.oid_to_str(oid) if oid else "none"
    return SnmpError("snmp", f"{target.where}: agent sent an SNMPv3 report ({name})")


async def discover(engine: Engine, target: SnmpTarget, agent: Agent) -> None:
    """Learn the agent's engine id, boots and time; parallel requests to it share one discovery.

    The discovery in flight is this call's own future: only a future of the running loop is
    waited on (one left from an earlier ``asyncio.run`` is not), and only the call that made
    it settles and clears it.
    """
    loop = asyncio.get_running_loop()
    current = agent.discovering
    if current is not None and current.get_loop() is loop and not current.done():
        await asyncio.shield(current)
        return
    fut: asyncio.Future[None] = loop.create_future()
    agent.discovering = fut
    try:
        msg_id = engine.next_id()

        def handle(data: bytes) -> Pdu:
            p = parse(data)
            pdu = scoped_pdu(p.data, p.data_at, p.data_end)
            if not p.engine_id:
                raise SnmpDecodeError("discovery report without an engine id")
            agent.engine_id = p.engine_id
            agent.learned = 0.0
            agent.update(p.boots, p.time)
            return pdu
        await engine.exchange(target, msg_id, discovery_request(msg_id), handle)
        fut.set_result(None)
    except BaseException as exc:
        fut.set_exception(exc)
        fut.exception()  # retrieved: waiters re-raise it
        raise
    finally:
        if agent.discovering is fut:
            agent.discovering = None


async def _answers_discovery(engine: Engine, target: SnmpTarget) -> bool:
    """After a timeout: an answered discovery means the agent is alive and drops what we encrypt."""
    msg_id = engine.next_id()
    try:
        await engine.exchange(target, msg_id, discovery_request(msg_id), lambda data: scoped_pdu(*_envelope(data)))
    except SnmpError:
        return False
    return True


def _envelope(data: bytes) -> tuple[bytes, int, int]:
    p = parse(data)
    return p.data, p.data_at, p.data_end


async def request(engine: Engine, target: SnmpTarget, tag: int, varbinds: bytes, non_repeaters: int,
                  max_repetitions: int, lazy: bool = False) -> Pdu:
    """One authPriv request; ``lazy``: the reply's varbinds stay encoded (``ber.decode_pdu(lazy=True)``)."""
    agent: Agent = engine.agents.setdefault(target.addr, Agent())  # type: ignore[assignment]
    resyncs = rediscoveries = probes = 0
    while True:
        if not agent.engine_id:
            await discover(engine, target, agent)
        keys = keys_for(target, agent.engine_id)
        msg_id = engine.next_id()
        payload = encode_request(msg_id, agent, keys, ber.encode_pdu(tag, msg_id, non_repeaters, max_repetitions,
                                                                     varbinds))

        def handle(data: bytes, keys: Keys = keys) -> Pdu:
            p = parse(data)
            if p.flags & FLAG_AUTH:
                pdu = open_message(p, keys, lazy)
                agent.update(p.boots, p.time)
            else:
                pdu = scoped_pdu(p.data, p.data_at, p.data_end)
                if pdu.tag != ber.REPORT:
                    raise SnmpDecodeError("unauthenticated v3 response to an authPriv request")
            if pdu.tag == ber.REPORT:
                raise _report(p, pdu, agent, target)
            return pdu
        try:
            return await engine.exchange(target, msg_id, payload, handle)
        except SnmpTimeout:
            # Wrong priv keys make the agent drop every request silently. If it still answers
            # discovery, try a few more times so that loss (30% on a bad VSAT day) is not called a key problem.
            if not await _answers_discovery(engine, target):
                raise
            probes += 1
            if probes <= 3:
                continue
            raise SnmpAuthError(f"{target.where}: the agent answers discovery but not our authenticated, "
                                f"encrypted requests: check the SNMP credentials of {target.host} "
                                "(wrong priv key or priv protocol?)") from None
        except _Resync:
            resyncs += 1
            if resyncs > 2:
                raise SnmpAuthError(f"{target.where}: the agent keeps answering notInTimeWindow; check its clock "
                                    f"and engine boots, or the SNMP credentials of {target.host}") from None
        except SnmpAuthError:
            rediscoveries += 1
            if agent.engine_id or rediscoveries > 1:
                raise
