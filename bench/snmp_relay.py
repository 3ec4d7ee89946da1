"""A minimal UDP relay with satellite delay and loss, for the VSAT bench (runs inside the bench namespace).

    python bench/snmp_relay.py --devices 120 --listen-port 17161 --delay-ms 300 --loss-pct 1

Device i's address, port ``--listen-port``, is relayed to the same address on
its snmpd port (bench/snmp_lab.py); each direction is held ``--delay-ms``
(so the round trip is twice that) and dropped with probability ``--loss-pct``.
Why not the lab's NFQUEUE delayer: it is wired to the lab's simulated devices
(snmpsim, which costs ~200 µs per varbind and collapses under concurrency);
this bench needs net-snmp agents in its own namespace.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from snmp_lab import device  # noqa: E402


class Upstream(asyncio.DatagramProtocol):
    def __init__(self, down: Downstream) -> None:
        self.down = down

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.down.back(data)


class Downstream(asyncio.DatagramProtocol):
    """One device: client -> (delay, loss) -> agent; agent -> (delay, loss) -> the last client."""

    def __init__(self, agent: tuple[str, int], delay: float, loss: float) -> None:
        self.agent, self.delay, self.loss = agent, delay, loss
        self.client: tuple[str, int] | None = None
        self.transport: asyncio.DatagramTransport | None = None
        self.up: asyncio.DatagramTransport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.client = addr
        if random.random() * 100 < self.loss:
            return
        self.loop.call_later(self.delay, self.up.sendto, data)  # type: ignore[union-attr]

    def back(self, data: bytes) -> None:
        if self.client is None or random.random() * 100 < self.loss:
            return
        self.loop.call_later(self.delay, self.transport.sendto, data, self.client)  # type: ignore[union-attr]


async def main(a: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    for i in range(a.first, a.first + a.devices):
        _, host, port = device(i, a.port_base, a.agents)
        down = Downstream((host, port), a.delay_ms / 1000, a.loss_pct)
        await loop.create_datagram_endpoint(lambda d=down: d, local_addr=(host, a.listen_port))
        up, _ = await loop.create_datagram_endpoint(lambda d=down: Upstream(d), remote_addr=(host, port))
        down.up = up
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=120)
    p.add_argument("--first", type=int, default=0)
    p.add_argument("--agents", type=int, default=2)
    p.add_argument("--port-base", type=int, default=16100)
    p.add_argument("--listen-port", type=int, default=17161)
    p.add_argument("--delay-ms", type=float, default=300.0)
    p.add_argument("--loss-pct", type=float, default=1.0)
    asyncio.run(main(p.parse_args()))
