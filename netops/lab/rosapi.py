"""The RouterOS API (port 8728) of the simulated MikroTik routers.

The API's wire protocol as RouterOS documents it: a sentence is a list of words, each
prefixed by its length (1 to 4 bytes, high bits say how many), ended by an empty
word. The first word is the command (``/interface/print``), then attribute words
``=name=value``, ``.proplist`` and query words ``?name=value``. Replies are ``!re``
sentences (one per row) and a closing ``!done``; errors are ``!trap`` with
``=message=`` (then ``!done``). Login is ``/login =name= =password=`` (RouterOS 6.43+).

Read-only paths napalm-ros's getters use: ``/system/resource``, ``/system/routerboard``,
``/system/identity``, ``/interface``, ``/ip/address``, ``/ip/neighbor`` (MNDP/LLDP),
plus ``/system/package/update`` and ``/ipv6/address``. Values come from
:mod:`netops.lab.identity`, so they agree with the SSH simulator and the inventory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from netops.lab.identity import SimIdentity

PORT = 8728


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return n.to_bytes(1, "big")
    if n < 0x4000:
        return (n | 0x8000).to_bytes(2, "big")
    if n < 0x200000:
        return (n | 0xC00000).to_bytes(3, "big")
    return (n | 0xE0000000).to_bytes(4, "big")


def encode_sentence(words: list[str]) -> bytes:
    out = b""
    for w in words:
        raw = w.encode("utf-8")
        out += encode_length(len(raw)) + raw
    return out + b"\x00"


async def read_word(reader: asyncio.StreamReader) -> str:
    first = (await reader.readexactly(1))[0]
    if first < 0x80:
        n = first
    elif first < 0xC0:
        n = int.from_bytes(bytes([first]) + await reader.readexactly(1), "big") ^ 0x8000
    elif first < 0xE0:
        n = int.from_bytes(bytes([first]) + await reader.readexactly(2), "big") ^ 0xC00000
    elif first < 0xF0:
        n = int.from_bytes(bytes([first]) + await reader.readexactly(3), "big") ^ 0xE0000000
    else:
        raise ValueError("control byte not supported")
    return (await reader.readexactly(n)).decode("utf-8", "replace") if n else ""


async def read_sentence(reader: asyncio.StreamReader) -> list[str]:
    words: list[str] = []
    while True:
        w = await read_word(reader)
        if not w:
            return words
        words.append(w)


def _yes(flag: bool) -> str:
    return "true" if flag else "false"


def _duration(seconds: int) -> str:
    w, rest = divmod(seconds, 7 * 86400)
    d, rest = divmod(rest, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    return f"{w}w{d}d{h}h{m}m{s}s"


def rows(ident: SimIdentity, path: str, broken: bool = False) -> list[dict[str, str]] | None:
    """The rows ``<path>/print`` returns, or None for a path this endpoint does not know."""
    if path == "/system/identity":
        return [{"name": ident.hostname}]
    if path == "/system/resource":
        return [{"uptime": _duration(ident.uptime_s), "version": f"{ident.os_version} (stable)",
                 "build-time": "2023-09-20 11:44:33", "free-memory": "880640000", "total-memory": "1073741824",
                 "cpu": "ARMv7", "cpu-count": "4", "cpu-load": "1", "architecture-name": "arm",
                 "board-name": ident.model, "platform": "MikroTik"}]
    if path == "/system/routerboard":
        return [{"routerboard": "true", "board-name": ident.model, "model": ident.model,
                 "serial-number": ident.serial, "firmware-type": "al2", "factory-firmware": "6.45.9",
                 "current-firmware": ident.os_version, "upgrade-firmware": ident.os_version}]
    if path == "/system/package/update":
        return [{"channel": "stable", "installed-version": ident.os_version}]
    if path == "/interface":
        out = []
        for n, i in enumerate(ident.interfaces):
            row = {".id": f"*{n + 1:X}", "name": i.name, "default-name": i.name, "type": "ether", "mtu": "1500",
                   "actual-mtu": "1500", "mac-address": i.mac.upper(), "running": _yes(i.up),
                   "disabled": _yes(not i.enabled), "comment": i.description}
            if not i.description:
                del row["comment"]
            if broken:
                del row["name"]  # a reply napalm-ros cannot read: it raises mid-getter
            out.append(row)
        return out
    if path == "/ip/address":
        return [{".id": f"*{n + 1:X}", "address": a, "network": a.split("/")[0], "interface": i.name,
                 "actual-interface": i.name, "invalid": "false", "dynamic": "false", "disabled": "false"}
                for n, i in enumerate(ident.interfaces) for a in i.addresses]
    if path == "/ipv6/address":
        return []
    if path == "/ip/neighbor":
        return [{".id": f"*{n + 1:X}", "interface": nb.local, "address": nb.address, "mac-address": nb.mac.upper(),
                 "identity": nb.name, "platform": "MikroTik" if nb.platform == "mikrotik_routeros" else nb.platform,
                 "version": nb.description.split(" ")[2] if nb.platform == "mikrotik_routeros" else "",
                 "interface-name": nb.port, "system-description": nb.description, "system-caps": "bridge,router",
                 "system-caps-enabled": "router", "discovered-by": "cdp,lldp,mndp", "age": "21s"}
                for n, nb in enumerate(ident.neighbours)]
    return None


def _select(found: list[dict[str, str]], args: list[str]) -> list[dict[str, str]]:
    proplist = next((a.split("=", 2)[2] for a in args if a.startswith("=.proplist=")), None)
    simple = [a[2:].split("=", 1) for a in args if a.startswith("?=")]
    out = [r for r in found if all(r.get(k) == v for k, v in simple)]
    if proplist:
        keys = proplist.split(",")
        out = [{k: r[k] for k in keys if k in r} for r in out]
    return out


class ApiSession:
    """One API connection: login first, then read-only print commands."""

    def __init__(self, user: str, password: str, ident: Callable[[], SimIdentity], fault: Callable[[], str | None]):
        self.user, self.password = user, password
        self.ident, self.fault = ident, fault
        self.logged_in = False

    def reply(self, words: list[str]) -> list[list[str]]:
        cmd, args = words[0], words[1:]
        tag = [a for a in args if a.startswith(".tag=")]
        attrs = dict(a[1:].split("=", 1) for a in args if a.startswith("=") and "=" in a[1:])
        if cmd == "/login":
            if attrs.get("name") == self.user and attrs.get("password") == self.password:
                self.logged_in = True
                return [["!done", *tag]]
            return [["!trap", "=message=invalid user name or password (6)", *tag], ["!done", *tag]]
        if not self.logged_in:
            return [["!fatal", "not logged in"]]
        if cmd == "/quit":
            return [["!fatal", "session terminated on request"]]
        path, _, verb = cmd.rpartition("/")
        found = rows(self.ident(), path, broken=self.fault() == "api-broken") if verb == "print" else None
        if found is None:
            return [["!trap", "=category=0", "=message=no such command prefix", *tag], ["!done", *tag]]
        out = [["!re", *tag, *(f"={k}={v}" for k, v in row.items())] for row in _select(found, args)]
        return [*out, ["!done", *tag]]


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session: ApiSession) -> None:
    try:
        if session.fault() == "api-closed":  # the port accepts and drops, as a blocked or crashed service does
            return
        while True:
            words = await read_sentence(reader)
            if not words:
                continue
            sentences = session.reply(words)
            writer.write(b"".join(encode_sentence(s) for s in sentences))
            await writer.drain()
            if sentences[-1][0] == "!fatal":
                return
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def start(address: str, port: int, user: str, password: str, ident: Callable[[], SimIdentity],
                fault: Callable[[], str | None]) -> Any:
    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await handle(reader, writer, ApiSession(user, password, ident, fault))

    return await asyncio.start_server(on_connect, address, port)
