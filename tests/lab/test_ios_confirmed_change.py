"""The IOS confirmed change netops arms before a change, on the simulated router (in process).

Models Cisco's "Configuration Rollback Confirmed Change": 'configure terminal revert timer N'
needs an archive path, saves the running config there and enters config mode; without
'configure confirm' the router itself replaces its config with the saved one when the timer
fires, with no session open; 'configure revert now' does it at once.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from netops.lab.faults import FILE
from netops.lab.sshsim import SimDevice
from netops.lab.sshsim.indented import IndentedSession
from netops.platforms import get_platform

IOS = get_platform("cisco_ios")
CHANGE = ("configure terminal", "ip host netops-x 10.9.9.9", "interface Gi0/1", "description changed", "end")


def _router(tmp_path: Path) -> tuple[SimDevice, IndentedSession]:
    dev = SimDevice({"name": "core-x", "platform": "cisco_ios", "username": "netops", "password": "pw",
                     "address": "10.9.0.1", "interfaces": [{"name": "Gi0/1", "comment": "uplink"}]}, tmp_path)
    return dev, IndentedSession(dev)


def _shown(dev: Any) -> str:
    """The running config without its header's change time (a configure replace is a change)."""
    return "\n".join(ln for ln in dev.config.render().splitlines() if not ln.startswith("! Last configuration change"))


def _type(sess: IndentedSession, lines: tuple[str, ...]) -> list[str]:
    return [sess.handle(line)[0] for line in lines]


def _arm(minutes: int) -> tuple[str, ...]:
    return tuple(c.format(minutes=minutes) for c in IOS.revert_arm)


def test_the_router_reverts_by_itself_when_nobody_confirms(tmp_path: Path) -> None:
    (tmp_path / FILE).write_text(json.dumps({"fast-clock": {"core-x": 0.05}}))  # a minute lasts 50 ms

    async def scenario() -> tuple[str, str, str, str]:
        dev, sess = _router(tmp_path)
        before = _shown(dev)
        armed = _type(sess, _arm(1))
        _type(sess, CHANGE)
        changed = _shown(dev)
        for _ in range(200):  # the timer runs on the router's own loop: no session is involved
            await asyncio.sleep(0.01)
            if _shown(dev) == before:
                break
        return armed[0], before, changed, _shown(dev)

    armed, before, changed, after = asyncio.run(scenario())
    assert armed.startswith("Rollback Confirmed Change: Backing up current running config to bootflash:archive/netops-")
    assert "netops-x" in changed and "description changed" in changed
    assert after == before


def test_confirm_keeps_the_change_and_revert_now_undoes_it(tmp_path: Path) -> None:
    async def scenario() -> tuple[str, str, str, str, str]:
        dev, sess = _router(tmp_path)
        before = _shown(dev)
        _type(sess, _arm(10))
        _type(sess, CHANGE)
        kept = _type(IndentedSession(dev), IOS.revert_confirm)[0]  # from another login, as netops verifies
        confirmed = _shown(dev)
        again = _type(sess, IOS.revert_now)[0]  # nothing pending any more
        _type(sess, _arm(10))
        sess.handle("configure terminal")
        sess.handle("no ip host netops-x 10.9.9.9")
        sess.handle("end")
        _type(IndentedSession(dev), IOS.revert_now)
        return before, kept, confirmed, again, _shown(dev)

    before, kept, confirmed, again, reverted = asyncio.run(scenario())
    assert kept == "" and "netops-x" in confirmed and "netops-x" not in before
    assert again.startswith("% ")
    assert reverted == confirmed  # back to the config saved when the second timer was armed


def test_arming_is_refused_without_an_archive_path(tmp_path: Path) -> None:
    async def scenario() -> tuple[str, str, str]:
        dev, sess = _router(tmp_path)
        _type(sess, ("configure terminal", "no archive", "end"))
        before = _shown(dev)
        out = _type(sess, _arm(2))[0]
        return out, before, sess.prompt()

    out, before, prompt = asyncio.run(scenario())
    assert "archive" not in before
    assert out.startswith("% ") and "archive" in out.lower()
    assert prompt == "core-x#"  # still in exec mode: nothing armed
