"""The lean implementation of :class:`netops.snmp.api.SnmpClient` (``engine: fast``, the default).

Values come out exactly as the pysnmp client gives them (ints; OCTET STRING as
text when printable UTF-8, else colon hex; IpAddress dotted; OIDs dotted; no
entry for noSuchObject/noSuchInstance/endOfMibView), and errors as the
same ``SnmpError(reason, message)``. SNMPv3 targets whose protocols the
fast USM does not implement (AES-256, DES) and IPv6 agents are handed to pysnmp,
per target.
"""

from __future__ import annotations

from dataclasses import replace

from netops.snmp import ber, usm
from netops.snmp.api import SnmpTarget, Value, octets_text
from netops.snmp.engine import Engine
from netops.snmp.pysnmp_client import PysnmpClient
from netops.snmp.walk import Walker, index_text

_NUMBERS = frozenset((ber.INTEGER, ber.COUNTER32, ber.GAUGE32, ber.TIMETICKS, ber.COUNTER64))


def convert(tag: int, value: object) -> Value | None:
    if tag in ber.EXCEPTIONS or tag == ber.NULL:
        return None
    if tag == ber.OCTET_STRING or tag == ber.OPAQUE:
        return octets_text(value)  # type: ignore[arg-type]
    if tag == ber.IP_ADDRESS:
        return ".".join(str(b) for b in value)  # type: ignore[attr-defined]
    if tag == ber.OBJECT_IDENTIFIER:
        return ".".join(map(str, value))  # type: ignore[call-overload]
    return value  # type: ignore[return-value]


class FastSnmpClient:
    """One :class:`netops.snmp.engine.Engine` (one UDP socket) and one table walker for every device."""

    def __init__(self, max_in_flight: int = 256, max_varbinds: int = 250) -> None:
        self.engine = Engine(max_in_flight=max_in_flight, v3=usm)
        self.walker = Walker(self.engine)
        self.max_varbinds = max_varbinds
        self._targets: dict[SnmpTarget, SnmpTarget] = {}
        self._fallback: PysnmpClient | None = None

    def _target(self, t: SnmpTarget) -> SnmpTarget:
        """The target with this client's GETBULK budget."""
        ft = self._targets.get(t)
        if ft is None:
            ft = self._targets[t] = replace(t, max_varbinds=self.max_varbinds)
        return ft

    def _pysnmp_only(self, t: SnmpTarget) -> bool:
        """IPv6 agents and v3 protocols the fast USM lacks (AES-256, DES) go to pysnmp."""
        return ":" in t.host or (t.version == "3" and (t.priv_protocol.lower() not in usm.PRIV
                                                       or t.auth_protocol.lower() not in usm.AUTH))

    @property
    def fallback(self) -> PysnmpClient:
        if self._fallback is None:
            self._fallback = PysnmpClient()
        return self._fallback

    async def prepare(self, targets: list[SnmpTarget]) -> None:
        """Register every target up front (cheap here: no per-target lookup tables to rebuild)."""
        self._targets = {t: self._targets.get(t) or self._target(t) for t in targets}
        slow = [t for t in targets if self._pysnmp_only(t)]
        if slow:
            await self.fallback.prepare(slow)

    async def get(self, target: SnmpTarget, oids: list[str]) -> dict[str, Value]:
        if self._pysnmp_only(target):
            return await self.fallback.get(target, oids)
        vbs = await self.engine.get(self._target(target), oids)
        out: dict[str, Value] = {}
        for oid, (_, tag, value) in vbs.items():
            v = convert(tag, value)
            if v is not None:
                out[oid] = v
        return out

    async def walk(self, target: SnmpTarget, columns: list[str], max_repetitions: int = 25) -> dict[str, dict[str, Value]]:
        if self._pysnmp_only(target):
            return await self.fallback.walk(target, columns, max_repetitions)
        table = await self.walker.walk(self._target(target), columns, max_repetitions)
        out: dict[str, dict[str, Value]] = {}
        keys: list[bytes] = []
        texts: list[str] = []  # the row indices as text, worked out once per walk (columns share their rows)
        for col, rows in table.items():
            if list(rows) != keys:
                keys = list(rows)
                texts = [index_text(k) for k in keys]
            if rows.tags <= _NUMBERS:  # most of a table: plain ints, no conversion, the dict built at C speed
                out[col] = dict(zip(texts, rows.values(), strict=True))
                continue
            conv: dict[str, Value] = {}
            for t, v in zip(texts, rows.values(), strict=True):
                if v.__class__ is not int:
                    v = convert(*v)  # type: ignore[misc]
                    if v is None:
                        continue
                conv[t] = v
            out[col] = conv
        return out

    def close(self) -> None:
        self.engine.close()
        if self._fallback is not None:
            self._fallback.close()


__all__ = ["FastSnmpClient", "convert"]
