"""What every SNMP user in netops imports: the client protocol, the target, errors and values.

The two implementations (:mod:`netops.snmp.client`, the lean engine, and
:mod:`netops.snmp.pysnmp_client`) and the monitor depend on this module; it
depends on nothing of theirs, so the layering runs one way: monitor → snmp.api.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from netops.errors import NetopsError

Value = int | str
"""Numbers as int (counters, gauges, timeticks); strings decoded for labels."""


class SnmpError(NetopsError):
    """One target's request failed; ``reason`` is the errors-by-reason label (timeout, auth, snmp, config, …)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


class SnmpTimeout(SnmpError):
    def __init__(self, message: str):
        super().__init__("timeout", message)


class SnmpAuthError(SnmpError):
    def __init__(self, message: str):
        super().__init__("auth", message)


@dataclass(frozen=True)
class SnmpTarget:
    """One agent. Secrets are plain strings here (resolved by the caller when a poll starts) and never printed."""

    host: str
    port: int = 161
    version: str = "2c"
    community: str | None = field(default=None, repr=False)
    timeout: float = 2.0
    retries: int = 1
    name: str = ""
    """The device's inventory name, for messages and metrics."""
    user: str | None = None
    auth_protocol: str = "sha"
    auth_key: str | None = field(default=None, repr=False)
    priv_protocol: str = "aes"
    priv_key: str | None = field(default=None, repr=False)
    max_varbinds: int = 250
    """Upper bound of varbinds asked per GETBULK response (bigger means fewer round trips, bigger datagrams)."""
    max_reply_bytes: int | None = None
    """Largest reply datagram (UDP payload) wanted, e.g. 1350 behind a VSAT modem: a reply that fragments is
    lost whenever any one of its fragments is. None: only ``max_varbinds`` bounds a reply."""
    rtt_prior: float | None = None
    """Round trip (s) to expect before one is measured, e.g. 0.65 behind a geostationary VSAT hop: the first
    tries retransmit after 1.5 x this instead of the whole timeout. None: the timeout."""

    @property
    def where(self) -> str:
        return f"{self.name} ({self.host}:{self.port})" if self.name else f"{self.host}:{self.port}"

    @property
    def addr(self) -> tuple[str, int]:
        return (self.host, self.port)

    def secrets(self) -> list[str]:
        return [s for s in (self.community, self.auth_key, self.priv_key) if s]


class SnmpClient(Protocol):
    """The seam: what the poller needs from an SNMP implementation."""

    async def get(self, target: SnmpTarget, oids: list[str]) -> dict[str, Value]:
        """Values of scalar OIDs; OIDs the agent does not have are left out."""
        ...

    async def walk(self, target: SnmpTarget, columns: list[str], max_repetitions: int = 25) -> dict[str, dict[str, Value]]:
        """column OID -> {row index -> value} for every column, walked together."""
        ...

    async def prepare(self, targets: list[SnmpTarget]) -> None:
        """Set up per-target state before the clock starts (optional for implementations)."""
        ...

    def close(self) -> None: ...


def timeout_message(t: SnmpTarget) -> str:
    tries = t.retries + 1
    return (f"{t.where}: no SNMP answer within {t.timeout:g} s x {tries} tr{'y' if tries == 1 else 'ies'}; "
            f"the device may be down or unreachable, or check the SNMP credentials of {t.host}")


def auth_message(t: SnmpTarget, detail: str) -> str:
    return f"{t.where}: SNMPv{t.version} {detail}: check the SNMP credentials (user, auth/priv keys and protocols)"


def octets_text(raw: bytes) -> str:
    """An OCTET STRING as snmp_exporter shows it: printable UTF-8 as text, anything else as colon hex."""
    try:
        text = raw.decode("utf-8")
        if text.isprintable() or not text:
            return text
    except UnicodeDecodeError:
        pass
    return raw.hex(":")
