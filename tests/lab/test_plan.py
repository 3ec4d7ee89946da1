"""The lab inventory: valid, pointed at loopback endpoints, secrets only as file refs."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from netops.inventory import load_inventory
from netops.inventory.loader import SECTIONS
from netops.inventory.models import Inventory
from netops.lab.plan import LabError, make_plan, make_secrets, write_lab_inventory, write_secrets
from tests.conftest import SMALL_INVENTORY


def _inv() -> Inventory:
    return load_inventory(SMALL_INVENTORY)


def test_addresses_are_loopback_from_base_and_frr_gets_a_namespace():
    plan = make_plan(_inv(), "127.130.0.0", None, 22, 161)
    addrs = {n: d.address for n, d in plan.devices.items()}
    assert addrs["core-01"] == "127.130.0.1"
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network("127.0.0.0/8")
               for n, a in addrs.items() if n != "kec-b-r1")
    assert plan.devices["kec-b-r1"].netns and ipaddress.ip_address(addrs["kec-b-r1"]) in ipaddress.ip_network(
        "198.18.0.0/15")
    assert plan.devices["desa-b1-r1"].vsat and plan.devices["desa-b1-vsat"].vsat
    assert not plan.devices["desa-a1-r1"].vsat
    assert plan.devices["desa-b1-vsat"].ssh_port is None  # modems have no shell
    assert plan.devices["desa-b1-vsat"].snmp_port is None  # monitor: icmp


def test_bad_base_and_empty_selection_are_clear_errors():
    with pytest.raises(LabError, match="outside 127.0.0.0/8"):
        make_plan(_inv(), "10.0.0.0", None, 22, 161)
    with pytest.raises(LabError, match="selects no device"):
        make_plan(_inv(), "127.130.0.0", ["name=nothing-here"], 22, 161)


def test_lab_inventory_validates_and_holds_no_secret_values(tmp_path):
    inv = _inv()
    plan = make_plan(inv, "127.130.0.0", ["kecamatan=B"], 22, 161)
    make_secrets(inv, plan)
    write_secrets(plan, tmp_path / "secrets")
    write_lab_inventory(inv, plan, tmp_path / "inventory", tmp_path / "secrets")
    lab_inv = load_inventory(tmp_path / "inventory")
    assert set(lab_inv.devices) == set(plan.devices) == {"kec-b-r1", "desa-b1-r1", "desa-b1-vsat", "desa-b2-r1"}
    assert {str(d.mgmt) for d in lab_inv.devices.values()} == {d.address for d in plan.devices.values()}
    # links to devices outside the selection keep their sites but lose the device end
    assert lab_inv.links["vsat-desa-b1"].a.device is None and lab_inv.links["vsat-desa-b1"].b.device == "desa-b1-r1"
    text = "".join(p.read_text() for p in (tmp_path / "inventory").rglob("*.yaml"))
    assert "GENERATED" in text
    for value in plan.secrets.values():
        assert value not in text
    cred = lab_inv.credentials_for(lab_inv.devices["desa-b1-r1"])
    assert cred.password.resolve() == plan.secrets["credentials-routers-password"]
    snmp = lab_inv.snmp_for(lab_inv.devices["desa-b2-r1"])
    assert snmp.version == "2c" and snmp.community.resolve() == plan.secrets["snmp-v2c-community"]
    assert oct((tmp_path / "secrets" / "snmp-v2c-community").stat().st_mode & 0o777) == "0o600"


def test_lab_inventory_keeps_the_boundaries_file_of_its_source(tmp_path):
    """The maps and dashboards of a lab read the source inventory's regency.boundaries file."""
    root = Path(__file__).resolve().parents[2]
    src = load_inventory(root / "inventory")
    assert src.boundaries_file is not None and src.boundaries_file.is_file()
    plan = make_plan(src, "127.140.0.0", ["kecamatan=Kubu"], 22, 161)
    make_secrets(src, plan)
    write_secrets(plan, tmp_path / "secrets")
    write_lab_inventory(src, plan, tmp_path / "inventory", tmp_path / "secrets")
    lab_inv = load_inventory(tmp_path / "inventory")
    assert lab_inv.boundaries_file is not None
    assert lab_inv.boundaries_file.resolve() == src.boundaries_file.resolve()


def test_lab_inventory_keeps_every_section_of_its_source(tmp_path):
    """Every section the loader reads survives the lab copy: a lab of the sample alerts, mutes and checks services
    as the sample says. A section added to the loader and not to the lab copy fails here."""
    root = Path(__file__).resolve().parents[2]
    src = load_inventory(root / "inventory")
    plan = make_plan(src, "127.162.0.0", ["kecamatan=Kubu"], 22, 161)
    make_secrets(src, plan)
    write_secrets(plan, tmp_path / "secrets")
    write_lab_inventory(src, plan, tmp_path / "inventory", tmp_path / "secrets")
    lab_inv = load_inventory(tmp_path / "inventory")
    for section in SECTIONS:
        assert getattr(src, section), f"the sample inventory has no {section}: give it one, this test needs it"
        assert getattr(lab_inv, section), f"the lab copy of the inventory dropped {section}:"
    # what the lab has no reason to change stays as it was
    assert lab_inv.alerting == src.alerting
    assert lab_inv.maintenance == src.maintenance and lab_inv.services == src.services
    assert lab_inv.sites == src.sites and set(lab_inv.links) == set(src.links)
    assert set(lab_inv.credentials) == set(src.credentials) and set(lab_inv.snmp) == set(src.snmp)
