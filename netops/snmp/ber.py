"""A lean BER codec for the SNMP hot path (RFC 3416 messages, RFC 2578 types).

Why not pyasn1: a generic, schema-driven decoder spends ~100 µs of CPU per
varbind; this module decodes the few shapes SNMP actually uses with byte
indexing and ``int.from_bytes``. Varbind OIDs stay as their encoded bytes (a
table walker only needs ``startswith`` on the column prefix and the suffix as
the row index); :func:`oid_to_str` / :func:`decode_oid` convert when needed.

Every decode either returns a complete value or raises :class:`SnmpDecodeError`:
lengths are checked against the enclosing element before anything is read, the
definite long form is limited to 4 length bytes, integers and OIDs have bounded
sizes, and no loop can run without consuming input.
"""

from __future__ import annotations

from typing import NamedTuple

from netops.errors import NetopsError

# universal and application tags (RFC 2578)
INTEGER = 0x02
OCTET_STRING = 0x04
NULL = 0x05
OBJECT_IDENTIFIER = 0x06
SEQUENCE = 0x30
IP_ADDRESS = 0x40
COUNTER32 = 0x41
GAUGE32 = 0x42
TIMETICKS = 0x43
OPAQUE = 0x44
COUNTER64 = 0x46
# varbind exceptions (RFC 3416)
NO_SUCH_OBJECT = 0x80
NO_SUCH_INSTANCE = 0x81
END_OF_MIB_VIEW = 0x82
# PDU tags
GET = 0xA0
GETNEXT = 0xA1
RESPONSE = 0xA2
SET = 0xA3
GETBULK = 0xA5
INFORM = 0xA6
TRAPV2 = 0xA7
REPORT = 0xA8

PDU_TAGS = frozenset((GET, GETNEXT, RESPONSE, SET, GETBULK, INFORM, TRAPV2, REPORT))
EXCEPTIONS = frozenset((NO_SUCH_OBJECT, NO_SUCH_INSTANCE, END_OF_MIB_VIEW))
TYPE_NAMES = {
    INTEGER: "INTEGER", OCTET_STRING: "OCTET STRING", NULL: "NULL", OBJECT_IDENTIFIER: "OBJECT IDENTIFIER",
    IP_ADDRESS: "IpAddress", COUNTER32: "Counter32", GAUGE32: "Gauge32", TIMETICKS: "TimeTicks",
    OPAQUE: "Opaque", COUNTER64: "Counter64", NO_SUCH_OBJECT: "noSuchObject",
    NO_SUCH_INSTANCE: "noSuchInstance", END_OF_MIB_VIEW: "endOfMibView",
}

MAX_OID_ARCS = 128  # RFC 2578 section 3.5
MAX_MESSAGE = 1 << 20  # far above any UDP datagram; bounds everything else


class SnmpDecodeError(NetopsError):
    """A datagram is not a well-formed SNMP message; the engine drops it and counts it."""


VarBind = tuple  # (oid: bytes, tag: int, value)
"""A varbind is a plain 3-tuple ``(oid, tag, value)`` (a NamedTuple costs half the decode time):

* ``oid``: encoded OID contents (no tag/length): compare with ``startswith``, convert with :func:`oid_to_str`;
* ``tag``: the value's type tag (:data:`TYPE_NAMES`);
* ``value``: int for INTEGER/Counter*/Gauge32/TimeTicks; bytes for OCTET STRING, IpAddress, Opaque;
  a tuple for OBJECT IDENTIFIER; None for NULL and the three exceptions.
"""


class Pdu(NamedTuple):
    tag: int
    request_id: int
    error_status: int
    """For GETBULK: non-repeaters."""
    error_index: int
    """For GETBULK: max-repetitions."""
    varbinds: list[VarBind]
    size: int = 0
    """Bytes of the datagram it came in (set by the engine; reply sizing learns from it)."""
    raw: bytes = b""
    """Lazy PDUs (``decode_pdu(lazy=True)``): the message, with the varbind list SEQUENCE at ``raw[at:end]``
    still encoded (``varbinds`` is empty) for :func:`decode_columns` or :func:`decoded`."""
    at: int = 0
    end: int = 0


class Message(NamedTuple):
    version: int
    """0 = v1, 1 = v2c."""
    community: bytes
    pdu: Pdu


# --- encoding --------------------------------------------------------------------------------

def header(tag: int, length: int) -> bytes:
    if length < 0x80:
        return bytes((tag, length))
    if length < 0x100:
        return bytes((tag, 0x81, length))
    if length < 0x10000:
        return bytes((tag, 0x82, length >> 8, length & 0xFF))
    if length < 0x1000000:
        return bytes((tag, 0x83, length >> 16, (length >> 8) & 0xFF, length & 0xFF))
    raise ValueError(f"BER length {length} too large")


def tlv(tag: int, content: bytes) -> bytes:
    return header(tag, len(content)) + content


def int_content(value: int) -> bytes:
    """Two's complement, minimal length (also right for unsigned types: a leading 0 keeps them positive)."""
    n = (value if value >= 0 else ~value).bit_length() // 8 + 1
    return value.to_bytes(n, "big", signed=True)


def encode_int(value: int, tag: int = INTEGER) -> bytes:
    return tlv(tag, int_content(value))


def encode_oid(oid: str | tuple[int, ...] | list[int]) -> bytes:
    """OID contents (no tag): ``"1.3.6.1.2.1.1.3.0"`` -> ``b"\\x2b\\x06\\x01..."``."""
    arcs = [int(p) for p in oid.strip(".").split(".")] if isinstance(oid, str) else list(oid)
    if len(arcs) < 2 or arcs[0] > 2 or (arcs[0] < 2 and arcs[1] > 39) or min(arcs) < 0:
        raise ValueError(f"not an encodable OID: {oid!r}")
    out = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        if arc < 0x80:
            out.append(arc)
            continue
        chunk = []
        while arc:
            chunk.append((arc & 0x7F) | 0x80)
            arc >>= 7
        chunk[0] &= 0x7F
        out.extend(reversed(chunk))
    return bytes(out)


def encode_value(tag: int, value: object) -> bytes:
    if tag in (INTEGER, COUNTER32, GAUGE32, TIMETICKS, COUNTER64):
        return encode_int(value, tag)  # type: ignore[arg-type]
    if tag in (OCTET_STRING, IP_ADDRESS, OPAQUE):
        return tlv(tag, bytes(value))  # type: ignore[call-overload]
    if tag == OBJECT_IDENTIFIER:
        return tlv(tag, encode_oid(value))  # type: ignore[arg-type]
    if tag == NULL or tag in EXCEPTIONS:
        return bytes((tag, 0))
    raise ValueError(f"unknown SNMP type tag 0x{tag:02x}")


def encode_varbinds(varbinds: list[tuple[bytes, int, object]] | list[VarBind]) -> bytes:
    body = b"".join(tlv(SEQUENCE, tlv(OBJECT_IDENTIFIER, oid) + encode_value(tag, val)) for oid, tag, val in varbinds)
    return tlv(SEQUENCE, body)


def encode_pdu(tag: int, request_id: int, error_status: int, error_index: int, varbinds_encoded: bytes) -> bytes:
    return tlv(tag, encode_int(request_id) + encode_int(error_status) + encode_int(error_index) + varbinds_encoded)


def null_varbinds(oids: list[bytes]) -> bytes:
    """The varbind list of a request: every OID with a NULL value (precompute once per request shape)."""
    return tlv(SEQUENCE, b"".join(tlv(SEQUENCE, tlv(OBJECT_IDENTIFIER, o) + b"\x05\x00") for o in oids))


def encode_message(version: int, community: bytes, pdu: bytes) -> bytes:
    return tlv(SEQUENCE, encode_int(version) + tlv(OCTET_STRING, community) + pdu)


# --- decoding --------------------------------------------------------------------------------

def _length(b: bytes, i: int, end: int) -> tuple[int, int]:
    """Length at ``b[i]``; returns (length, start of contents), checked to fit before ``end``."""
    if i >= end:
        raise SnmpDecodeError("truncated: length missing")
    n = b[i]
    i += 1
    if n & 0x80:
        k = n & 0x7F
        if k == 0:
            raise SnmpDecodeError("indefinite length is not allowed in SNMP")
        if k > 4 or i + k > end:
            raise SnmpDecodeError("truncated or oversized long-form length")
        n = int.from_bytes(b[i:i + k], "big")
        i += k
    if i + n > end:
        raise SnmpDecodeError(f"truncated: element of {n} bytes at offset {i} runs past {end}")
    return n, i


def expect(b: bytes, i: int, end: int, tag: int) -> tuple[int, int]:
    """Check the tag at ``b[i]``; returns (start of contents, end of contents)."""
    if i >= end:
        raise SnmpDecodeError(f"truncated: expected tag 0x{tag:02x}")
    if b[i] != tag:
        raise SnmpDecodeError(f"expected tag 0x{tag:02x} at offset {i}, found 0x{b[i]:02x}")
    n, i = _length(b, i + 1, end)
    return i, i + n


def read_int(b: bytes, i: int, end: int) -> tuple[int, int]:
    """A signed INTEGER of at most 8 content bytes; returns (value, next offset)."""
    s, e = expect(b, i, end, INTEGER)
    if e == s or e - s > 8:
        raise SnmpDecodeError(f"INTEGER of {e - s} bytes at offset {i}")
    return int.from_bytes(b[s:e], "big", signed=True), e


def read_octets(b: bytes, i: int, end: int) -> tuple[bytes, int]:
    s, e = expect(b, i, end, OCTET_STRING)
    return b[s:e], e


def decode_oid(raw: bytes) -> tuple[int, ...]:
    """Encoded OID contents -> arcs; rejects empty, unterminated and oversized OIDs."""
    if not raw:
        raise SnmpDecodeError("empty OBJECT IDENTIFIER")
    arcs: list[int] = []
    arc = 0
    started = False
    for byte in raw:
        if not started and byte == 0x80:
            raise SnmpDecodeError("OBJECT IDENTIFIER arc with a leading 0x80 byte")
        arc = (arc << 7) | (byte & 0x7F)
        if byte & 0x80:
            started = True
            continue
        arcs.append(arc)
        arc = 0
        started = False
    if started:
        raise SnmpDecodeError("OBJECT IDENTIFIER ends inside an arc")
    if len(arcs) > MAX_OID_ARCS:
        raise SnmpDecodeError(f"OBJECT IDENTIFIER with {len(arcs) + 1} arcs (max {MAX_OID_ARCS})")
    first = arcs[0]
    head = (first // 40, first % 40) if first < 80 else (2, first - 80)
    return head + tuple(arcs[1:])


def oid_to_str(raw: bytes) -> str:
    return ".".join(map(str, decode_oid(raw)))


def decode_varbinds(b: bytes, i: int, end: int) -> list[VarBind]:
    """The varbind list SEQUENCE at ``b[i]``: a GET's reply, a report (a table walk's replies go to
    :func:`decode_columns`); each varbind checked in full by :func:`_varbind`."""
    s, e = expect(b, i, end, SEQUENCE)
    if e != end:
        raise SnmpDecodeError(f"{end - e} trailing bytes after the varbind list")
    out: list[VarBind] = []
    i = s
    while i < e:
        i, _, os_, k, tag, v = _varbind(b, i, e)
        out.append((b[os_:k], tag, v))
    return out


class WalkedColumn(dict):  # type: ignore[type-arg]
    """One walked column: encoded row index -> value (an int for INTEGER, Counter32/64, Gauge32 and TimeTicks;
    ``(tag, value)`` for the other types, as in a :data:`VarBind`); ``tags``: the value types seen."""

    __slots__ = ("tags",)

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[int] = set()

    def typed(self) -> dict[bytes, tuple[int, object]]:
        """Every row as ``(tag, value)`` (an int's tag is the column's number type: one per column in SMI)."""
        numbers = self.tags - _NOT_NUMBERS
        if len(numbers) > 1:
            raise ValueError(f"a column with several number types: {sorted(numbers)}")
        tag = next(iter(numbers), INTEGER)
        return {k: (tag, v) if v.__class__ is int else v for k, v in self.items()}


_NOT_NUMBERS = frozenset((OCTET_STRING, OPAQUE, IP_ADDRESS, OBJECT_IDENTIFIER))


_UNSIGNED_LIMIT = {COUNTER32: 5, GAUGE32: 5, TIMETICKS: 5, COUNTER64: 9}


def decode_columns(b: bytes, i: int, end: int, cols: list[bytes], stores: list[WalkedColumn],
                   last: list[bytes | None], done: list[bool]) -> int:
    """A GETBULK reply's varbind list (SEQUENCE at ``b[i]``) straight into the walked columns; returns its varbinds.

    Why not :func:`decode_varbinds` and a loop over its tuples: a table walk is most of a poll's CPU, and
    this one pass makes no tuple, list or slice per varbind (bench/RESULTS.md). The varbinds of a reply
    to ``len(cols)`` repeaters come column after column, row after row; the one at position ``p`` belongs
    to ``cols[p % len(cols)]``. A column is ``done`` at endOfMibView, at an OID that is not in it, or at
    the column itself; until then its values go to ``stores`` under the row index (the OID after the
    column's prefix; the three exceptions and NULL are not stored) and ``last`` holds its last OID.
    Every varbind is checked as :func:`decode_varbinds` checks it (SnmpDecodeError if malformed): the
    common shape (every length in short form, a number of a few bytes) inline, anything else by
    :func:`_varbind`. That split took the loop from ~1.25 to ~0.9 µs per IF-MIB varbind."""
    s, e = expect(b, i, end, SEQUENCE)
    if e != end:
        raise SnmpDecodeError(f"{end - e} trailing bytes after the varbind list")
    ncols = len(cols)
    sizes = [len(c) for c in cols]
    seen = [-1] * ncols  # the last value type stored per column (tags.add only when it changes)
    at = [-1] * ncols  # where each column's last OID is (its bytes are cut once per column, at the end)
    limits = _LIMIT_BY_TAG
    from_bytes = int.from_bytes
    i = s
    p = 0
    rows = 0
    v: object
    while i < e:
        try:  # SEQUENCE n { OID on {...} tag vn {...} }, all lengths short, the lengths adding up
            n = b[i + 1]
            vend = i + 2 + n
            on = b[i + 3]
            k = i + 4 + on
            tag = b[k]
            vn = b[k + 1]
        except IndexError:
            vend = e + 1  # not the common shape
        if (vend > e or k + 2 + vn != vend or b[i] != SEQUENCE or b[i + 2] != OBJECT_IDENTIFIER or n > 0x7F
                or not 0 < on < 0x80 or vn > 0x7F or b[k - 1] > 0x7F):
            vend, j, os_, k, tag, v = _varbind(b, i, e)
            if tag in _NOT_NUMBERS:
                v = (tag, v)
        else:
            j = i + 2
            os_ = i + 4
            limit = limits[tag]
            if limit:  # Counter32/64, Gauge32, TimeTicks
                if vn == 1:
                    v = b[k + 2]
                    if v > 0x7F:  # type: ignore[operator]
                        raise SnmpDecodeError(f"bad {TYPE_NAMES[tag]} of 1 bytes at offset {k}")
                elif 1 < vn < limit and b[k + 2] < 0x80:
                    v = from_bytes(b[k + 2:vend], "big")
                else:
                    v = _value(b, k, tag, k + 2, vend)
            elif tag == INTEGER and vn == 1:
                v = b[k + 2]
                if v > 0x7F:  # type: ignore[operator]
                    v -= 0x100  # type: ignore[operator]
            else:
                v = _value(b, k, tag, k + 2, vend)
                if tag in _NOT_NUMBERS:
                    v = (tag, v)
        if not done[p]:
            rs = os_ + sizes[p]  # the row index starts here
            if tag == END_OF_MIB_VIEW or rs >= k or b[os_:rs] != cols[p]:
                done[p] = True
            else:
                if v is not None:
                    stores[p][b[rs:k]] = v
                    if tag != seen[p]:
                        seen[p] = tag
                        stores[p].tags.add(tag)
                at[p] = j
        p += 1
        if p == ncols:
            p = 0
            rows += 1
        i = vend
    for c in range(ncols):  # each column's last OID, cut from the reply once
        if at[c] >= 0:
            n, os_ = _length(b, at[c] + 1, end)
            last[c] = b[os_:os_ + n]
    return rows * ncols + p


_LIMIT_BY_TAG = [_UNSIGNED_LIMIT.get(t, 0) for t in range(256)]
"""Content bytes at most of each unsigned number type by tag, 0 for the others (a list: indexed per varbind)."""


def _varbind(b: bytes, i: int, e: int) -> tuple[int, int, int, int, int, object]:
    """The varbind at ``b[i]`` in any valid form, checked in full: (its end, OID tag offset, OID contents, value
    tag offset, tag, value as :func:`_value` gives it)."""
    if b[i] != SEQUENCE:
        raise SnmpDecodeError(f"expected a varbind SEQUENCE at offset {i}, found 0x{b[i]:02x}")
    n, j = _length(b, i + 1, e)
    vend = j + n
    if j >= vend or b[j] != OBJECT_IDENTIFIER:
        raise SnmpDecodeError(f"expected the varbind's OID at offset {j}")
    n, os_ = _length(b, j + 1, vend)
    k = os_ + n
    if not n or n > 4 * MAX_OID_ARCS:
        raise SnmpDecodeError(f"OBJECT IDENTIFIER of {n} bytes at offset {j}")
    if b[k - 1] & 0x80:
        raise SnmpDecodeError(f"OBJECT IDENTIFIER at offset {j} ends inside an arc")
    if k >= vend:
        raise SnmpDecodeError(f"varbind at offset {i} has no value")
    tag = b[k]
    n, vs = _length(b, k + 1, vend)
    if vs + n != vend:
        raise SnmpDecodeError(f"varbind at offset {i}: value length does not fill the varbind")
    return vend, j, os_, k, tag, _value(b, k, tag, vs, vend)


def _value(b: bytes, k: int, tag: int, vs: int, vend: int) -> object:
    """A value, checked, as a :data:`VarBind` holds it: an int for the number types, bytes for OCTET STRING,
    Opaque and IpAddress, arcs for an OID, None for the exceptions and NULL."""
    n = vend - vs
    limit = _LIMIT_BY_TAG[tag]
    if limit:
        if n == 0 or n > limit or (n == limit and b[vs] != 0) or b[vs] & 0x80:
            raise SnmpDecodeError(f"bad {TYPE_NAMES[tag]} of {n} bytes at offset {k}")
        return int.from_bytes(b[vs:vend], "big")
    if tag == INTEGER:
        v = int.from_bytes(b[vs:vend], "big", signed=True) if 0 < n <= 5 else 1 << 40
        if not -0x80000000 <= v <= 0x7FFFFFFF:
            raise SnmpDecodeError(f"INTEGER of {n} bytes at offset {k} outside Integer32")
        return v
    if tag == OCTET_STRING or tag == OPAQUE or tag == IP_ADDRESS:
        if tag == IP_ADDRESS and n != 4:
            raise SnmpDecodeError(f"IpAddress of {n} bytes at offset {k}")
        return b[vs:vend]
    if tag in EXCEPTIONS or tag == NULL:
        if n:
            raise SnmpDecodeError(f"{TYPE_NAMES[tag]} with contents at offset {k}")
        return None
    if tag == OBJECT_IDENTIFIER:
        return decode_oid(b[vs:vend])
    raise SnmpDecodeError(f"unknown value type 0x{tag:02x} at offset {k}")


def decode_pdu(b: bytes, i: int, end: int, lazy: bool = False) -> Pdu:
    """A PDU at ``b[i]`` that must fill ``b[i:end]``.

    ``lazy``: a Response's varbind list is only framed (its SEQUENCE must fill the PDU) and left encoded,
    for a table walk that decodes it straight into its columns (:func:`decode_columns`)."""
    if i >= end:
        raise SnmpDecodeError("truncated: PDU missing")
    tag = b[i]
    if tag not in PDU_TAGS:
        raise SnmpDecodeError(f"unsupported PDU type 0x{tag:02x}")
    s, e = expect(b, i, end, tag)
    if e != end:
        raise SnmpDecodeError(f"{end - e} trailing bytes after the PDU")
    request_id, s = read_int(b, s, e)
    error_status, s = read_int(b, s, e)
    error_index, s = read_int(b, s, e)
    if lazy and tag == RESPONSE:
        if expect(b, s, e, SEQUENCE)[1] != e:
            raise SnmpDecodeError("trailing bytes after the varbind list")
        return Pdu(tag, request_id, error_status, error_index, [], 0, b, s, e)
    return Pdu(tag, request_id, error_status, error_index, decode_varbinds(b, s, e))


def decoded(pdu: Pdu) -> Pdu:
    """A lazy PDU with its varbinds decoded (SnmpDecodeError if they are malformed); others as they are."""
    if not pdu.raw:
        return pdu
    return pdu._replace(varbinds=decode_varbinds(pdu.raw, pdu.at, pdu.end), raw=b"", at=0, end=0)


def decode_message(data: bytes, lazy: bool = False) -> Message:
    """A v1/v2c message; any malformation -> :class:`SnmpDecodeError`, nothing else. ``lazy``: see :func:`decode_pdu`."""
    try:
        b = bytes(data)
        if len(b) > MAX_MESSAGE:
            raise SnmpDecodeError(f"message of {len(b)} bytes")
        s, e = expect(b, 0, len(b), SEQUENCE)
        if e != len(b):
            raise SnmpDecodeError(f"{len(b) - e} trailing bytes after the message")
        version, s = read_int(b, s, e)
        if version not in (0, 1):
            raise SnmpDecodeError(f"not a v1/v2c message (version field {version})")
        community, s = read_octets(b, s, e)
        return Message(version, community, decode_pdu(b, s, e, lazy))
    except SnmpDecodeError:
        raise
    except (IndexError, ValueError, TypeError, OverflowError) as exc:  # belt and braces: never anything else
        raise SnmpDecodeError(f"malformed message: {exc}") from None


def message_version(data: bytes) -> int:
    """The version field of any SNMP message (0, 1 or 3), to route a datagram to its decoder."""
    try:
        b = bytes(data[:16])
        s, _ = _outer(b)
        version, _ = read_int(b, s, len(b))
        return version
    except SnmpDecodeError:
        raise
    except (IndexError, ValueError) as exc:
        raise SnmpDecodeError(f"malformed message: {exc}") from None


def _outer(b: bytes) -> tuple[int, int]:
    if not b or b[0] != SEQUENCE:
        raise SnmpDecodeError("not an SNMP message (no outer SEQUENCE)")
    n = b[1] if len(b) > 1 else 0
    if n < 0x80:
        return 2, 2 + n
    k = n & 0x7F
    if k == 0 or k > 4:
        raise SnmpDecodeError("bad outer length")
    return 2 + k, 2 + k + int.from_bytes(b[2:2 + k], "big")
