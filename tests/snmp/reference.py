"""pysnmp/pyasn1 as the reference decoder: its view of a message in netops.snmp.ber's shape."""

from __future__ import annotations

from typing import Any

from pyasn1.codec.ber import decoder
from pysnmp.proto import api


def tag_of(value: Any) -> int:
    tag = value.tagSet[-1]
    return int(tag.tagClass) | int(tag.tagFormat) | int(tag.tagId)


def plain(value: Any) -> Any:
    """pysnmp value -> the Python value netops.snmp.ber returns for it."""
    t = tag_of(value)
    if t in (0x05, 0x80, 0x81, 0x82):
        return None
    if t in (0x04, 0x40, 0x44):
        return bytes(value.asOctets())
    if t == 0x06:
        return tuple(value)
    return int(value)


def decode(data: bytes) -> tuple[Any, ...]:
    """(version, community, pdu tag, request-id, status/non-repeaters, index/max-repetitions, varbinds)."""
    version = int(api.decodeMessageVersion(data))
    pm = api.PROTOCOL_MODULES[version]
    msg, rest = decoder.decode(data, asn1Spec=pm.Message())
    if rest:
        raise ValueError("trailing bytes")
    pdu = pm.apiMessage.get_pdu(msg)
    head = [int(pdu.getComponentByPosition(i)) for i in range(3)]
    vbs = [(tuple(oid), tag_of(val), plain(val)) for oid, val in pm.apiPDU.get_varbinds(pdu)]
    return (version, bytes(msg.getComponentByPosition(1)), tag_of(pdu), *head, vbs)


def ours(message: Any) -> tuple[Any, ...]:
    from netops.snmp.ber import decode_oid

    p = message.pdu
    return (message.version, message.community, p.tag, p.request_id, p.error_status, p.error_index,
            [(decode_oid(oid), tag, value) for oid, tag, value in p.varbinds])
