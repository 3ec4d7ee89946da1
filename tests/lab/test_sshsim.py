"""The SSH simulator through netmiko: config changes stick, wrong lines get the platform's error."""

from __future__ import annotations

import time

import pytest
from netmiko import ConnectHandler
from nornir import InitNornir
from nornir_netmiko.tasks import netmiko_send_command

from netops.inventory import load_inventory
from netops.lab import Lab
from netops.platforms import get_platform

pytestmark = pytest.mark.slow  # starts a lab

def connect(lab: Lab, device: str):
    inv = load_inventory(lab.inventory_path)
    dev = inv.devices[device]
    cred = inv.credentials_for(dev)
    return ConnectHandler(device_type=get_platform(dev.platform).netmiko, host=str(dev.mgmt), port=dev.port,
                          username=cred.username, password=cred.password.resolve(), timeout=20)


def test_cisco_config_line_shows_in_running_config_and_survives_the_session(lab: Lab):
    with connect(lab, "core-01") as c:
        out = c.send_config_set(["interface Gi0/3", "description lab-test-3", "exit", "ntp server 10.20.0.10"])
        assert "Invalid input" not in out
        running = c.send_command("show running-config")
        assert "interface Gi0/3\n description lab-test-3" in running
        assert "ntp server 10.20.0.10" in running
        assert "[OK]" in c.save_config()
    with connect(lab, "core-01") as c:  # a new session sees the same device
        assert "ntp server 10.20.0.10" in c.send_command("show running-config")
        c.send_config_set(["no ntp server 10.20.0.10"])
        assert "ntp server 10.20.0.10" not in c.send_command("show running-config")


def test_cisco_wrong_line_gets_the_ios_error(lab: Lab):
    with connect(lab, "core-01") as c:
        out = c.send_config_set(["frobnicate the router"])
        assert "% Invalid input detected at '^' marker." in out
        assert "frobnicate" not in c.send_command("show running-config")
        assert "% Invalid input" in c.send_command("show fish")


def test_huawei_config_and_error(lab: Lab):
    with connect(lab, "bappeda-r1") as c:
        out = c.send_config_set(["ntp-service unicast-server 10.20.0.10", "wrongcmd"])
        assert "Error: Unrecognized command found at '^' position." in out
        cur = c.send_command("display current-configuration")
        assert "ntp-service unicast-server 10.20.0.10" in cur and "wrongcmd" not in cur
        c.send_config_set(["undo ntp-service unicast-server 10.20.0.10"])
        assert "ntp-service" not in c.send_command("display current-configuration")
        assert "successfully" in c.save_config()


def test_routeros_add_export_and_errors(lab: Lab):
    with connect(lab, "desa-a1-r1") as c:
        c.send_command("/ip address add address=192.0.2.1/24 interface=ether2 comment=\"lab test\"")
        export = c.send_command("/export terse")
        assert '/ip address add address=192.0.2.1/24 interface=ether2 comment="lab test"' in export
        assert "/system identity set name=desa-a1-r1" in export
        assert "bad command name frob (line 1 column 2)" in c.send_command("/frob add x=1")
        assert "syntax error" in c.send_command('/ip address add comment="open')
        c.send_command("/ip address remove [find address=192.0.2.1/24]")
        assert "192.0.2.1" not in c.send_command("/export terse")


def test_routeros_scheduled_revert_restores_the_saved_config(lab: Lab):
    """The config engineer's safe-change recipe: save, schedule a restore, change; the restore runs."""
    with connect(lab, "desa-a2-r1") as c:
        c.send_command("/ip dns set servers=10.20.0.53")
        c.send_command("/export show-sensitive file=netops-pre")
        assert "netops-pre.rsc" in c.send_command("/file print")
        c.send_command('/system scheduler add name=netops-revert interval=2s on-event="/system scheduler remove '
                       '[find name=netops-revert]; /system reset-configuration no-defaults=yes skip-backup=yes '
                       'keep-users=yes run-after-reset=netops-pre.rsc"')
        assert "netops-revert" in c.send_command("/system scheduler print")
        c.send_command("/ip dns set servers=192.0.2.99")
        assert "servers=192.0.2.99" in c.send_command("/export terse")
        deadline = time.monotonic() + 30  # the revert fires 2 s on; a loaded machine may run it later
        export = c.send_command("/export terse")
        while "servers=10.20.0.53" not in export and time.monotonic() < deadline:
            time.sleep(0.5)
            export = c.send_command("/export terse")
        assert "servers=10.20.0.53" in export and "192.0.2.99" not in export
        assert "netops-revert" not in c.send_command("/system scheduler print")
        c.send_command("/file remove netops-pre.rsc")
        assert "netops-pre.rsc" not in c.send_command("/file print")


def test_routeros_import_of_an_export_file(lab: Lab):
    with connect(lab, "desa-a2-r1") as c:
        c.send_command("/snmp community add name=lab-import-test addresses=10.20.0.0/16")
        c.send_command("/export file=lab-import")
        c.send_command("/snmp community remove [find name=lab-import-test]")
        assert "lab-import-test" not in c.send_command("/export terse")
        assert "successfully" in c.send_command("/import file-name=lab-import.rsc")
        assert "name=lab-import-test" in c.send_command("/export terse")


def test_nornir_run_through_the_inventory_plugin(lab: Lab):
    nr = InitNornir(runner={"plugin": "threaded", "options": {"num_workers": 10}},
                    inventory={"plugin": "NetopsInventory",
                               "options": {"path": str(lab.inventory_path),
                                           "where": ["platform=mikrotik_routeros", "kecamatan=A"]}},
                    logging={"enabled": False})
    assert set(nr.inventory.hosts) == {"kec-a-r1", "desa-a1-r1", "desa-a2-r1"}
    result = nr.run(task=netmiko_send_command, command_string="/export terse")
    assert not result.failed, {h: r.exception for h, r in result.items() if r.failed}
    for res in result.values():
        assert "/system identity set name=" in res.result


def test_routeros_factory_items_export_as_set_of_changes(lab: Lab):
    with connect(lab, "kec-a-r1") as c:
        export = c.send_command("/export terse")
        assert '/interface ethernet set [ find default-name=sfp1 ] comment="Icon Plus TEST-ICON-0002"' in export
        assert "/ip service" not in export  # untouched factory items are not exported
        c.send_command("/ip service set telnet disabled=yes")
        c.send_command("/interface ethernet set [ find default-name=vlan101 ] comment=changed")
        export = c.send_command("/export terse")
        assert "/ip service set telnet disabled=yes" in export
        assert "/interface ethernet set [ find default-name=vlan101 ] comment=changed" in export
        c.send_command("/ip service set telnet disabled=no")
