"""Hold queued packets for their device's delay (± jitter), then accept them.

Run as ``python -m netops.lab.delayer <config.json>``; the config (queue number,
address -> [delay_s, jitter_s]) is re-read when it changes, so ``lab impair``
takes effect at once. Packets of one direction between two addresses leave in
the order they came (jitter never reorders a TCP stream).
"""

from __future__ import annotations

import asyncio
import json
import random
import socket
import sys
import time
from pathlib import Path
from typing import Any

from netfilterqueue import NetfilterQueue


class Delayer:
    def __init__(self, config: Path):
        self.config = config
        self.mtime = 0.0
        self.table: dict[bytes, tuple[float, float]] = {}
        self.last: dict[bytes, float] = {}
        self.queue = 0
        self.load()

    def load(self) -> None:
        try:
            mtime = self.config.stat().st_mtime
            if mtime == self.mtime:
                return
            cfg = json.loads(self.config.read_text())
        except (OSError, ValueError):
            return
        self.mtime = mtime
        self.queue = cfg["queue"]
        self.table = {socket.inet_aton(a): (d, j) for a, (d, j) in cfg["addresses"].items()}

    def handle(self, pkt: Any) -> None:
        data = pkt.get_payload()
        src, dst = data[12:16], data[16:20]
        rule = self.table.get(dst) or self.table.get(src)
        if rule is None:
            pkt.accept()
            return
        delay, jitter = rule
        now = time.monotonic()
        due = now + max(0.0, delay + random.uniform(-jitter, jitter))
        flow = src + dst
        due = max(due, self.last.get(flow, 0.0))
        self.last[flow] = due
        asyncio.get_running_loop().call_later(due - now, pkt.accept)


async def main(config: Path) -> None:
    d = Delayer(config)
    nfq = NetfilterQueue()
    nfq.bind(d.queue, d.handle, max_len=65536)
    sock = socket.fromfd(nfq.get_fd(), socket.AF_NETLINK, socket.SOCK_RAW)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    loop = asyncio.get_running_loop()
    sock.setblocking(False)
    loop.add_reader(sock.fileno(), nfq.run, False)
    print(f"delayer bound to queue {d.queue}", flush=True)
    while True:
        await asyncio.sleep(0.25)
        d.load()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
