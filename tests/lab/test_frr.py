"""Real FRRouting in a namespace, reached over OpenSSH with vtysh: netmiko cisco_ios pushes config."""

from __future__ import annotations

import subprocess
import time

import pytest

from netops.inventory import load_inventory
from netops.lab import Lab
from tests.lab.test_sshsim import connect

pytestmark = pytest.mark.slow  # starts a lab


def test_frr_config_push_shows_in_running_config_and_reaches_the_kernel(lab: Lab):
    inv = load_inventory(lab.inventory_path)
    dev = inv.devices["kec-b-r1"]
    gateway = lab.status()["devices"]["kec-b-r1"]["host_address"]
    with connect(lab, "kec-b-r1") as c:
        assert c.find_prompt() == "kec-b-r1#"
        out = c.send_config_set([f"ip route 10.99.0.0/24 {gateway}", "interface eth0", "description lab-frr-test"])
        assert "Unknown command" not in out
        running = c.send_command("show running-config")
        assert f"ip route 10.99.0.0/24 {gateway}" in running
        assert "description lab-frr-test" in running
        assert "[OK]" in c.save_config() or "saved" in c.save_config()
        assert "10.99.0.0/24" in c.send_command("show ip route static")
    ns = lab.status()["devices"]["kec-b-r1"]["netns"]
    deadline = time.monotonic() + 5  # zebra installs the route asynchronously
    while True:
        routes = subprocess.run(["ip", "-n", ns, "route"], capture_output=True, text=True).stdout
        if "10.99.0.0/24" in routes or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert "10.99.0.0/24" in routes, routes
    assert str(dev.mgmt).startswith("198.18.")


def test_frr_wrong_line_gets_vtysh_error(lab: Lab):
    with connect(lab, "kec-b-r1") as c:
        out = c.send_config_set(["frobnicate everything"])
        assert "% Unknown command: frobnicate everything" in out
        assert "frobnicate" not in c.send_command("show running-config")


def test_frr_wrong_password_is_refused(lab: Lab):
    import netmiko
    import pytest

    inv = load_inventory(lab.inventory_path)
    dev = inv.devices["kec-b-r1"]
    with pytest.raises(netmiko.NetmikoAuthenticationException):
        netmiko.ConnectHandler(device_type="cisco_ios", host=str(dev.mgmt), username=inv.credentials_for(dev).username,
                               password="wrong-password", timeout=10, auth_timeout=10)


def test_frr_device_answers_snmp_with_its_identity(lab: Lab):
    from tests.lab.test_snmp import walk

    rows = walk(lab, "kec-b-r1", "1.3.6.1.2.1.1")
    assert rows["1.3.6.1.2.1.1.5.0"] == "kec-b-r1"
    ifnames = walk(lab, "kec-b-r1", "1.3.6.1.2.1.31.1.1.1.1")
    assert "eth0" in ifnames.values()  # the namespace's real interface, named after the inventory's
