"""The RouterOS revert netops arms before a change, on the simulated router (in process).

Models what the RouterOS manual documents: a replayed export (reset + run-after-reset)
stops at its first failing line, here a service that refers to a certificate, which an
export never contains; a binary backup loads the whole config back whatever it holds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from netops.lab.sshsim import RosSession, SimDevice
from netops.platforms import get_platform

ROS = get_platform("mikrotik_routeros")


def _router(tmp_path: Path) -> tuple[SimDevice, RosSession]:
    dev = SimDevice({"name": "desa-x-r1", "platform": "mikrotik_routeros", "username": "netops", "password": "pw",
                     "interfaces": [{"name": "ether1"}, {"name": "ether2"}]}, tmp_path)
    sess = RosSession(dev, "netops")
    for line in ("/certificate add name=www-cert",  # imported from a file on a real router
                 "/ip service set www-ssl certificate=www-cert",
                 "/ip address add address=10.20.31.2/24 interface=ether1 comment=management",
                 "/ip route add gateway=10.20.31.1",
                 "/snmp community add name=Desa-Comm addresses=10.20.0.0/16"):
        out, _ = sess.handle(line)
        assert not out.strip(), out
    return dev, sess


def _run(sess: RosSession, lines: tuple[str, ...], job: str) -> list[str]:
    return [sess.handle(c.format(name=job, seconds=3600))[0] for c in lines]


def test_replayed_export_stops_at_its_first_failing_line_and_strands_the_router(tmp_path: Path) -> None:
    """Why netops no longer reverts with reset-configuration + run-after-reset."""
    async def scenario() -> str:
        dev, sess = _router(tmp_path)
        sess.handle("/export show-sensitive file=netops-pre")
        sess.handle("/ip address remove [find comment=management]")  # the change that went wrong
        out, _ = sess.handle("/system reset-configuration no-defaults=yes skip-backup=yes keep-users=yes "
                             "run-after-reset=netops-pre.rsc")
        assert "input does not match any value of certificate" in out
        return dev.config.export(terse=True)

    after = asyncio.run(scenario())
    # half a router: what the export holds after the failing line never came back
    assert "/snmp community add" not in after and "name=desa-x-r1" not in after


def test_armed_backup_restores_everything_even_what_an_export_cannot_replay(tmp_path: Path) -> None:
    async def scenario() -> tuple[str, str, list[str], bool]:
        dev, sess = _router(tmp_path)
        before = dev.config.export(terse=True)
        outs = _run(sess, ROS.revert_arm, "netops-revert-1")
        sess.handle("/ip address remove [find comment=management]")
        sess.handle("/ip route remove [find gateway=10.20.31.1]")
        out, closed = sess.handle(ROS.revert_now[1].format(name="netops-revert-1"))
        return before, dev.config.export(terse=True), outs + [out], closed

    before, after, outs, closed = asyncio.run(scenario())
    assert not any("failure" in o or "bad command" in o for o in outs), outs
    assert closed  # loading a backup reboots the router
    strip = [ln for ln in after.splitlines() if not ln.startswith("#")]
    assert strip == [ln for ln in before.splitlines() if not ln.startswith("#")]
    assert "netops-revert-1" not in after  # the backup predates the revert job


def test_armed_backup_fires_by_itself_when_netops_is_gone(tmp_path: Path) -> None:
    async def scenario() -> tuple[str, str]:
        dev, sess = _router(tmp_path)
        before = dev.config.export(terse=True)
        _run(sess, tuple(c.replace("{seconds}", "1") for c in ROS.revert_arm), "netops-revert-2")
        sess.handle("/ip address remove [find comment=management]")
        for _ in range(200):  # the scheduler fires after 1 s; wait for its effect, 20 s at most
            await asyncio.sleep(0.1)
            if "10.20.31.2" in dev.config.export(terse=True):
                break
        return before, dev.config.export(terse=True)

    before, after = asyncio.run(scenario())
    assert "10.20.31.2" in after and "netops-revert-2" not in after
    assert [ln for ln in after.splitlines() if not ln.startswith("#")] == \
        [ln for ln in before.splitlines() if not ln.startswith("#")]


def test_confirm_removes_the_revert_job(tmp_path: Path) -> None:
    async def scenario() -> str:
        dev, sess = _router(tmp_path)
        _run(sess, ROS.revert_arm, "netops-revert-3")
        assert "netops-revert-3" in dev.config.export(terse=True)
        _run(sess, ROS.revert_confirm, "netops-revert-3")
        return dev.config.export(terse=True)

    assert "netops-revert-3" not in asyncio.run(scenario())
